import Foundation

/// How every front end prints an amount of US dollars.
///
/// Two decimals hide small amounts (a budget of $0.0004 is not "$0.00"), so amounts under a
/// dollar keep four significant digits; trailing zeros past the cents are dropped.
public enum Money {
    /// `$12.35`, `$0.50`, `$0.0004`, `$0.0001235`, `-$0.02`.
    public static func usd(_ amount: Double) -> String {
        guard amount.isFinite else { return amount.isNaN ? "$nan" : (amount > 0 ? "$inf" : "-$inf") }
        let magnitude = abs(amount)
        let sign = amount < 0 ? "-" : ""
        guard magnitude > 0 else { return "$0.00" }
        var decimals = 2
        if magnitude < 1 {
            let exponent = Int(floor(log10(magnitude)))
            decimals = min(12, max(2, 3 - exponent))
        }
        var text = String(format: "%.\(decimals)f", magnitude)
        if decimals > 2 {
            while text.hasSuffix("0"), let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) > 3 {
                text.removeLast()
            }
        }
        return "\(sign)$\(text)"
    }

    /// ``usd(_:)`` for an amount that may be unknown.
    public static func usd(_ amount: Double?, unknown: String = "unknown") -> String {
        amount.map { usd($0) } ?? unknown
    }
}
