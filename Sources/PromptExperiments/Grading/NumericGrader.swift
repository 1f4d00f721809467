import Foundation
import PromptFormat
import PromptLabCore
import PromptVersioning

/// `numeric`: the number in the output equals the expected number within a tolerance.
///
/// The number is taken from the first capture group of a pattern (the
/// grader's own `pattern`, else the experiment's first capturing `regex`
/// grader) when it matches; otherwise it is the last number in the output.
/// Numbers may have a sign, decimals, an exponent and thousands separators
/// (`-1,234.5`, `3e-2`); `$`, `%` and other units around them are ignored.
///
/// It passes when |actual − expected| ≤ max(`tolerance`, `relative_tolerance` × |expected|),
/// with a little slack for floating-point rounding; both tolerances default to 0.
struct NumericGrader: DeterministicGrader {
    /// The grader's own `pattern`.
    var ownPattern: SharedRegex?
    /// The pattern in use: the grader's own, or one borrowed from a `regex` grader.
    var pattern: SharedRegex?
    var tolerance: Double
    var relativeTolerance: Double
    /// A fixed expected number instead of the case's `expected`.
    var value: Double?

    init(options: GraderOptions, borrowedPattern: String?) throws(PromptLabError) {
        if let text = try options.string("pattern") {
            do {
                ownPattern = try SharedRegex(text)
            } catch {
                throw options.problem("'pattern' is not a valid regular expression: \(text)")
            }
            guard ownPattern!.regex.numberOfCaptureGroups > 0 else {  // assigned just above.
                throw options.problem("'pattern' needs a capture group around the number, such as \"Answer: (\\\\S+)\"")
            }
            pattern = ownPattern
        } else if let borrowedPattern {
            pattern = try? SharedRegex(borrowedPattern)
        }
        tolerance = try options.number("tolerance") ?? 0
        relativeTolerance = try options.number("relative_tolerance") ?? 0
        guard tolerance >= 0, relativeTolerance >= 0 else { throw options.problem("tolerances must not be negative") }
        value = try options.number("value")
    }

    func evaluate(_ sample: GradingSample) throws(GradeProblem) -> GradeOutcome {
        let expected: Double
        if let value {
            expected = value
        } else {
            guard let text = sample.expected else {
                throw GradeProblem("case '\(sample.caseID)' has no 'expected' number")
            }
            guard let number = Self.parseExpected(text) else {
                throw GradeProblem("the 'expected' value of case '\(sample.caseID)' is not a number: \(text.quotedPreview())")
            }
            expected = number
        }
        var note = ""
        var actual: Double?
        if let pattern {
            if let match = pattern.firstMatch(in: sample.output), let captured = SharedRegex.text(of: match, group: 1, in: sample.output) {
                actual = Self.numbers(in: captured).first
                if actual == nil { note = " (the pattern captured \(captured.quotedPreview(20)), not a number)" }
            } else {
                note = " (no match for the pattern; used the last number)"
                actual = Self.numbers(in: sample.output).last
            }
        } else {
            actual = Self.numbers(in: sample.output).last
        }
        guard let actual else {
            return .binary(false, "no number in the output\(note)")
        }
        let allowed = max(tolerance, relativeTolerance * abs(expected))
        let slack = 1e-9 * max(1, abs(expected))
        let passed = abs(actual - expected) <= allowed + slack
        let comparison = passed ? "within" : "not within"
        return .binary(
            passed,
            "\(PromptValue.format(actual)) is \(comparison) \(PromptValue.format(allowed)) of \(PromptValue.format(expected))\(note)")
    }

    // MARK: - Numbers in text

    private static let numberPattern: SharedRegex = {
        // A sign counts only where it cannot be a hyphen (after a letter, digit or dot).
        let pattern = #"(?<![\p{L}\p{N}_.])[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|(?<![\p{L}\p{N}_.])[-+−]?\.\d+"#
        return try! SharedRegex(pattern)  // A constant, valid pattern.
    }()

    /// Every number in `text`, in order.
    static func numbers(in text: String) -> [Double] {
        numberPattern.matches(in: text).compactMap { match in
            SharedRegex.text(of: match, group: 0, in: text).flatMap(parseNumber)
        }
    }

    /// Parses one number as matched: drops thousands separators, reads `−` as minus.
    static func parseNumber(_ text: String) -> Double? {
        let cleaned = text.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "−", with: "-")
        return Double(cleaned).flatMap { $0.isFinite ? $0 : nil }
    }

    /// The expected number: the whole text as a number, else its only number (`$42`).
    static func parseExpected(_ text: String) -> Double? {
        let trimmed = text.trimmedOfWhitespace.replacingOccurrences(of: "−", with: "-")
        if let direct = Double(trimmed), direct.isFinite { return direct }
        let found = numbers(in: text)
        return found.count == 1 ? found[0] : nil
    }
}

// MARK: - Registration

extension NumericGrader {
    /// A borrowed pattern is part of the configuration: another regex grader changes these grades.
    var borrowedConfiguration: [(key: String, value: PromptValue)] {
        guard ownPattern == nil, let borrowed = pattern?.source else { return [] }
        return [("borrowed_pattern", .string(borrowed))]
    }
}

extension GraderType {
    public static let numeric: GraderType = "numeric"
}

extension GraderRegistration {
    static let numeric = GraderRegistration([.numeric], usesExpected: true) { (options, context) throws(PromptLabError) in
        try NumericGrader(options: options, borrowedPattern: context.borrowedPattern)
    }
}
