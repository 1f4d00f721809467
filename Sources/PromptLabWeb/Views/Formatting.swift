import Foundation

/// How numbers read on pages: fixed decimals, no locale, a dash for what is unknown.
enum Format {
    static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.1f%%", value * 100)
    }

    static func number(_ value: Double?, digits: Int = 3) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.\(max(0, min(digits, 10)))f", value)
    }

    /// A rate, difference or score in the grader's own unit.
    static func metric(_ value: Double?, rate: Bool) -> String {
        rate ? percent(value) : number(value)
    }

    static func signedMetric(_ value: Double?, rate: Bool) -> String {
        guard let value, value.isFinite else { return "–" }
        let sign = value > 0 ? "+" : ""
        return rate ? sign + String(format: "%.1f pp", value * 100) : sign + String(format: "%.3f", value)
    }

    static func interval(_ low: Double?, _ high: Double?, rate: Bool) -> String {
        guard let low, let high, low.isFinite, high.isFinite else { return "" }
        return "[" + metric(low, rate: rate) + ", " + metric(high, rate: rate) + "]"
    }

    static func pValue(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        if value < 0.0001 { return "<0.0001" }
        return String(format: "%.4f", value)
    }

    static func dollars(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "unknown" }
        if value == 0 { return "$0" }
        return value < 1 ? String(format: "$%.4f", value) : String(format: "$%.2f", value)
    }

    static func milliseconds(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        return value >= 1000 ? String(format: "%.2f s", value / 1000) : String(format: "%.0f ms", value)
    }

    static func tokens(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.0f", value)
    }

    static func date(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// The first `limit` characters of `text`, with an ellipsis when cut.
    static func excerpt(_ text: String?, limit: Int = 280) -> String {
        guard let text else { return "" }
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }

    /// A path segment for a prompt name or id: `/` and everything unsafe percent-encoded.
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A query value, percent-encoded.
    static func query(_ text: String) -> String { segment(text) }
}

extension String {
    /// The text, or nil when it is empty: a page section shows only what is there.
    var nonEmpty: String? { isEmpty ? nil : self }
}
