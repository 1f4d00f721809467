import Foundation

// MARK: - Escaping and value formatting

extension SVGCharts {
    /// XML-escapes text for SVG and HTML (& < > " ').
    ///
    /// Characters that XML 1.0 forbids (C0 controls other than tab, line feed and carriage return,
    /// U+FFFE and U+FFFF) become U+FFFD, so hostile text can never make a chart unparsable.
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    result += "\u{FFFD}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }

    /// Writes a value in `format` ("–" for nil or non-finite).
    public static func formatted(_ value: Double?, _ format: ValueFormat) -> String {
        guard let value, value.isFinite else { return missingValue }
        switch format {
        case .percent:
            return percent(value, decimals: 1)
        case .number(let digits):
            return fixed(value, decimals: clampedDecimals(digits))
        case .dollars:
            return dollars(value)
        case .milliseconds:
            if abs(value) >= 999.5 {
                return fixed(value / 1000, decimals: 1) + " s"
            }
            return fixed(value, decimals: 0) + " ms"
        }
    }

    /// What a missing or non-finite value is written as.
    static let missingValue = "–"

    /// Writes a tick value: like `formatted`, but with enough decimals that neighbouring ticks
    /// `step` apart never read the same ("2.5%" beside "5%", not "2.5%" beside "5.0%").
    static func tickLabel(_ value: Double, step: Double, format: ValueFormat) -> String {
        guard value.isFinite else { return missingValue }
        switch format {
        case .percent:
            return percent(value, decimals: decimalsNeeded(for: step * 100))
        case .number(let digits):
            return fixed(value, decimals: max(clampedDecimals(digits), decimalsNeeded(for: step)))
        case .dollars, .milliseconds:
            return formatted(value, format)
        }
    }

    private static func percent(_ value: Double, decimals: Int) -> String {
        let scaled = value * 100
        guard scaled.isFinite else { return missingValue }
        return fixed(scaled, decimals: decimals) + "%"
    }

    /// "$0.0123" below one dollar, "$12.34" above; costs too small for four decimals keep three
    /// significant digits ("$0.0000123") so a cheap variant never reads as free.
    private static func dollars(_ value: Double) -> String {
        let magnitude = abs(value)
        var decimals = magnitude >= 1 ? 2 : 4
        if magnitude > 0, magnitude < 0.000_05 {
            // magnitude is finite and positive, so the logarithm is finite and the floor integral.
            let leadingZeros = Int(exactly: -log10(magnitude).rounded(.down)) ?? 12
            decimals = min(12, leadingZeros + 2)
        }
        let digits = fixed(magnitude, decimals: decimals)
        let isZero = digits.allSatisfy { $0 == "0" || $0 == "." }
        return (value < 0 && !isZero ? "-$" : "$") + digits
    }

    /// Fixed decimals without locale; scientific notation past 1e15 so no label runs to 300 digits.
    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return missingValue }
        if abs(value) >= 1e15 {
            return String(format: "%.3e", value)
        }
        let text = String(format: "%.\(clampedDecimals(decimals))f", value)
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
            return String(text.dropFirst())  // "-0.0" after rounding reads as zero
        }
        return text
    }

    private static func clampedDecimals(_ digits: Int) -> Int {
        min(max(digits, 0), 12)
    }

    /// The fewest decimals (at most 6) that write `step` exactly.
    private static func decimalsNeeded(for step: Double) -> Int {
        guard step.isFinite, step > 0 else { return 0 }
        var scaled = step
        var decimals = 0
        while decimals < 6, abs(scaled - scaled.rounded()) > 1e-6 * max(1, abs(scaled)) {
            scaled *= 10
            decimals += 1
        }
        return decimals
    }
}

// MARK: - Writing SVG

/// Builds SVG markup line by line. Attribute names are literals of this module; every attribute
/// value and every text passes through `SVGCharts.escape`.
struct SVGWriter {
    private(set) var lines: [String] = []

    mutating func open(_ name: String, _ attributes: [(String, String)]) {
        lines.append("<\(name)\(Self.attributeText(attributes))>")
    }

    mutating func close(_ name: String) {
        lines.append("</\(name)>")
    }

    /// One element; `tooltip` becomes its first child `<title>`, `text` its text content.
    mutating func element(_ name: String, _ attributes: [(String, String)], tooltip: String? = nil, text: String? = nil) {
        var line = "<\(name)\(Self.attributeText(attributes))"
        if tooltip == nil, text == nil {
            lines.append(line + "/>")
            return
        }
        line += ">"
        if let tooltip {
            line += "<title>\(SVGCharts.escape(tooltip))</title>"
        }
        if let text {
            line += SVGCharts.escape(text)
        }
        lines.append(line + "</\(name)>")
    }

    private static func attributeText(_ attributes: [(String, String)]) -> String {
        var text = ""
        for (name, value) in attributes {
            text += " \(name)=\"\(SVGCharts.escape(value))\""
        }
        return text
    }
}

extension SVGCharts {
    /// A pixel coordinate with one decimal; non-finite input (which the charts never pass) becomes 0.
    static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        var text = String(format: "%.1f", min(max(value, -1e6), 1e6))
        if text.hasSuffix(".0") {
            text.removeLast(2)
        }
        return text == "-0" ? "0" : text
    }

    /// Shortens `text` to at most `limit` characters, ending in "…" when cut. Unicode scalars
    /// are bounded too (eight per character), so one character stacked with thousands of
    /// combining marks stays short.
    static func truncated(_ text: String, to limit: Int) -> String {
        let limit = max(limit, 2)
        var characters = 0
        var scalars = 0
        var cut = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            characters += 1
            scalars += text[index].unicodeScalars.count
            if characters > limit || scalars > limit * 8 {
                return String(text[..<cut]) + "…"
            }
            if characters < limit, scalars <= (limit - 1) * 8 {
                cut = next
            }
            index = next
        }
        return text
    }

    /// Longest label text kept in a tooltip: whole labels in practice, bounded so a hostile
    /// 10 MB label cannot multiply into every cell of a chart.
    static let tooltipLimit = 1000

    /// A deterministic id for a chart's `<title>`: FNV-1a over the chart's kind and markup, so two
    /// different charts on one page get different ids without any shared counter.
    static func chartID(kind: String, title: String, body: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            hash ^= 0xff
            hash = hash &* 0x0000_0100_0000_01b3
        }
        mix(kind)
        mix(title)
        for line in body {
            mix(line)
        }
        let hex = String(hash, radix: 16)
        return "chart-\(kind)-" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }

    /// Wraps a chart body in the `<svg>` root with its accessible `<title>` and default fonts.
    static func document(kind: String, title: String, width: Double, height: Double, body: [String]) -> String {
        let id = chartID(kind: kind, title: title, body: body)
        var lines: [String] = []
        lines.reserveCapacity(body.count + 6)
        lines.append(
            "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(coordinate(width)) \(coordinate(height))\""
                + " role=\"img\" aria-labelledby=\"\(id)\">")
        lines.append("<title id=\"\(id)\">\(escape(title))</title>")
        lines.append("<g class=\"chart-body chart-\(kind)\" font-family=\"system-ui, sans-serif\" font-size=\"12\" fill=\"#1f2937\">")
        var heading = SVGWriter()
        heading.element(
            "text", [("class", "chart-title"), ("x", "8"), ("y", "20"), ("font-size", "14"), ("font-weight", "600")],
            text: truncated(title, to: max(8, Int(exactly: (width / 8).rounded(.down)) ?? 8)))
        lines += heading.lines
        lines += body
        lines.append("</g>")
        lines.append("</svg>")
        return lines.joined(separator: "\n")
    }

    /// The small chart drawn when there is nothing to plot.
    static func noData(kind: String, title: String) -> String {
        var writer = SVGWriter()
        writer.element(
            "text", [("class", "chart-missing"), ("x", "160"), ("y", "48"), ("text-anchor", "middle"), ("fill", "#6b7280")],
            text: "no data")
        return document(kind: kind, title: title, width: 320, height: 64, body: writer.lines)
    }
}
