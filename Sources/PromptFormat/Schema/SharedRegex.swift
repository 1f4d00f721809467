import Foundation

/// An `NSRegularExpression`, which is immutable and safe to share between threads.
package struct SharedRegex: @unchecked Sendable {
    package let regex: NSRegularExpression
    package var source: String { regex.pattern }

    package init(_ pattern: String, options: NSRegularExpression.Options = []) throws {
        regex = try NSRegularExpression(pattern: pattern, options: options)
    }

    /// The first match in `text`.
    package func firstMatch(in text: String) -> NSTextCheckingResult? {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
    }

    package func matches(in text: String) -> [NSTextCheckingResult] {
        regex.matches(in: text, range: NSRange(text.startIndex..., in: text))
    }

    /// The text of capture group `group` of `match` (0 = the whole match).
    package static func text(of match: NSTextCheckingResult, group: Int, in text: String) -> String? {
        guard group <= match.numberOfRanges - 1 else { return nil }
        let range = match.range(at: group)
        guard range.location != NSNotFound, let swiftRange = Range(range, in: text) else { return nil }
        return String(text[swiftRange])
    }
}
