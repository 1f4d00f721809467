import Foundation
import PromptFormat
import PromptLabCore
import PromptVersioning

/// The string graders: `equals`, `contains`, `icontains`, `contains-any`,
/// `contains-all`, `starts-with` and `regex`. Each passes (score 1) or fails (score 0).
struct TextGrader: DeterministicGrader {
    enum Mode: Sendable {
        case equals
        case contains
        case containsAny
        case containsAll
        case startsWith
        case regex(SharedRegex)
    }

    var mode: Mode
    /// The values to look for; nil means the case's `expected` value.
    var values: [String]?
    var ignoreCase: Bool
    var normalizeWhitespace: Bool

    /// `equals`: the trimmed output equals `value` (default: the case's `expected`).
    static func equals(_ options: GraderOptions) throws(PromptLabError) -> TextGrader {
        TextGrader(
            mode: .equals, values: try options.string("value").map { [$0] }, ignoreCase: try options.bool("ignore_case", default: false),
            normalizeWhitespace: try options.bool("normalize_whitespace", default: false))
    }

    /// `contains`, `icontains` (ignoring case, always) and `starts-with`: one `value` (default: `expected`).
    static func contains(_ options: GraderOptions, prefixOnly: Bool = false, alwaysIgnoringCase: Bool = false) throws(PromptLabError)
        -> TextGrader
    {
        let values = try options.string("value").map { [$0] }
        let ignoreCase = try options.bool("ignore_case", default: alwaysIgnoringCase)
        if alwaysIgnoringCase, !ignoreCase { throw options.problem("icontains always ignores case; use 'contains' instead") }
        if let values, values[0].isEmpty { throw options.problem("'value' must not be empty") }
        return TextGrader(mode: prefixOnly ? .startsWith : .contains, values: values, ignoreCase: ignoreCase, normalizeWhitespace: false)
    }

    /// `contains-any` and `contains-all`: a list of `values`.
    static func containsList(_ options: GraderOptions, all: Bool) throws(PromptLabError) -> TextGrader {
        guard let list = try options.stringList("values"), !list.isEmpty else {
            throw options.problem("'values' is missing (for example values: [refund, invoice])")
        }
        if list.contains(where: \.isEmpty) { throw options.problem("'values' must not contain empty text") }
        return TextGrader(
            mode: all ? .containsAll : .containsAny, values: list, ignoreCase: try options.bool("ignore_case", default: false),
            normalizeWhitespace: false)
    }

    /// `regex`: the `pattern` matches somewhere in the output.
    static func regex(_ options: GraderOptions) throws(PromptLabError) -> TextGrader {
        let pattern = try options.requiredString("pattern", example: "\"Answer:\\\\s*(\\\\d+)\"")
        let ignoreCase = try options.bool("ignore_case", default: false)
        var regexOptions: NSRegularExpression.Options = ignoreCase ? [.caseInsensitive] : []
        if try options.bool("multiline", default: false) { regexOptions.insert(.anchorsMatchLines) }
        if try options.bool("dot_all", default: false) { regexOptions.insert(.dotMatchesLineSeparators) }
        let regex: SharedRegex
        do {
            regex = try SharedRegex(pattern, options: regexOptions)
        } catch {
            throw options.problem("'pattern' is not a valid regular expression: \(pattern)")
        }
        return TextGrader(mode: .regex(regex), values: [], ignoreCase: ignoreCase, normalizeWhitespace: false)
    }

    func evaluate(_ sample: GradingSample) throws(GradeProblem) -> GradeOutcome {
        let wanted: [String]
        if let values {
            wanted = values
        } else {
            guard let expected = sample.expected else {
                throw GradeProblem("case '\(sample.caseID)' has no 'expected' value and the grader gives no 'value'")
            }
            wanted = [expected]
        }
        let output = prepare(sample.output)
        switch mode {
        case .equals:
            let target = prepare(wanted[0])
            let equal = ignoreCase ? output.lowercased() == target.lowercased() : output == target
            return .binary(equal, equal ? nil : "expected \(target.quotedPreview()), got \(output.quotedPreview())")
        case .contains:
            let found = find(wanted[0], in: output)
            return .binary(found, found ? nil : "does not contain \(wanted[0].quotedPreview())")
        case .startsWith:
            let start = ignoreCase ? output.lowercased() : output
            let prefix = ignoreCase ? wanted[0].lowercased() : wanted[0]
            let starts = start.hasPrefix(prefix)
            return .binary(
                starts, starts ? nil : "starts with \(String(output.prefix(40)).quotedPreview()), not \(wanted[0].quotedPreview())")
        case .containsAny:
            let found = wanted.filter { find($0, in: output) }
            return .binary(
                !found.isEmpty,
                found.isEmpty
                    ? "contains none of \(wanted.map { $0.quotedPreview(30) }.joined(separator: ", "))"
                    : "contains \(found[0].quotedPreview())")
        case .containsAll:
            let missing = wanted.filter { !find($0, in: output) }
            return .binary(missing.isEmpty, missing.isEmpty ? nil : "lacks \(missing.map { $0.quotedPreview(30) }.joined(separator: ", "))")
        case .regex(let regex):
            guard let match = regex.firstMatch(in: sample.output) else {
                return .binary(false, "no match for /\(regex.source)/")
            }
            let matched = SharedRegex.text(of: match, group: 0, in: sample.output) ?? ""
            return .binary(true, "matched \(matched.quotedPreview())")
        }
    }

    /// Equals compares trimmed text (whitespace-collapsed when asked); the others the text as it is.
    private func prepare(_ text: String) -> String {
        switch mode {
        case .equals: normalizeWhitespace ? text.collapsingWhitespace : text.trimmedOfWhitespace
        case .startsWith: String(text.drop(while: \.isWhitespace))
        default: text
        }
    }

    private func find(_ needle: String, in haystack: String) -> Bool {
        ignoreCase ? haystack.range(of: needle, options: [.caseInsensitive]) != nil : haystack.contains(needle)
    }
}

// MARK: - Registration

extension GraderType {
    public static let equals: GraderType = "equals"
    public static let contains: GraderType = "contains"
    public static let icontains: GraderType = "icontains"
    public static let containsAny: GraderType = "contains-any"
    public static let containsAll: GraderType = "contains-all"
    public static let startsWith: GraderType = "starts-with"
    public static let regex: GraderType = "regex"
}

extension GraderRegistration {
    static let equals = GraderRegistration([.equals], usesExpected: true) { (options, _) throws(PromptLabError) in
        try TextGrader.equals(options)
    }
    static let contains = GraderRegistration([.contains], usesExpected: true) { (options, _) throws(PromptLabError) in
        try TextGrader.contains(options)
    }
    static let icontains = GraderRegistration([.icontains], usesExpected: true) { (options, _) throws(PromptLabError) in
        try TextGrader.contains(options, alwaysIgnoringCase: true)
    }
    static let containsAny = GraderRegistration([.containsAny]) { (options, _) throws(PromptLabError) in
        try TextGrader.containsList(options, all: false)
    }
    static let containsAll = GraderRegistration([.containsAll]) { (options, _) throws(PromptLabError) in
        try TextGrader.containsList(options, all: true)
    }
    static let startsWith = GraderRegistration([.startsWith], usesExpected: true) { (options, _) throws(PromptLabError) in
        try TextGrader.contains(options, prefixOnly: true)
    }
    static let regex = GraderRegistration([.regex]) { (options, _) throws(PromptLabError) in
        try TextGrader.regex(options)
    }
}
