import Foundation
import PromptFormat
import PromptLabCore
import PromptLabStore
import PromptVersioning

/// One successful response to grade, with its case.
public struct GradingSample: Sendable {
    /// The model's output.
    public var output: String
    /// The case's expected answer as text (``CaseRecord/expected``), if any.
    public var expected: String?
    /// The case's variables as a JSON object.
    public var variables: PromptValue
    /// The case's metadata, if any.
    public var metadata: PromptValue?
    public var variant: String
    public var caseID: String
    public var repeatIndex: Int
    /// Output tokens, when the provider reported them.
    public var outputTokens: Int?
    /// Latency in milliseconds (0 for answers from the response cache).
    public var latencyMs: Double?
    /// Cost in USD; nil when unknown.
    public var costUSD: Double?
    /// Whether the answer came from the response cache (so its latency says nothing).
    public var fromCache: Bool
    /// The compiled `output.schema` of the variant's prompt when it asks for JSON
    /// (`output.format: json`): what `is-json` checks when it has no `schema` of its own.
    public var outputSchema: PromptValue?

    /// Creates a sample.
    public init(
        output: String, expected: String? = nil, variables: PromptValue = .object([]), metadata: PromptValue? = nil,
        variant: String = "", caseID: String = "", repeatIndex: Int = 0, outputTokens: Int? = nil,
        latencyMs: Double? = nil, costUSD: Double? = nil, fromCache: Bool = false, outputSchema: PromptValue? = nil
    ) {
        self.output = output
        self.expected = expected
        self.variables = variables
        self.metadata = metadata
        self.variant = variant
        self.caseID = caseID
        self.repeatIndex = repeatIndex
        self.outputTokens = outputTokens
        self.latencyMs = latencyMs
        self.costUSD = costUSD
        self.fromCache = fromCache
        self.outputSchema = outputSchema
    }

    /// A sample from a stored response and its case; nil for an error response.
    public init?(response: ResponseRecord, testCase: CaseRecord?) {
        guard let output = response.output else { return nil }
        self.init(
            output: output, expected: testCase?.expected,
            variables: testCase.flatMap { try? PromptValue.parseJSON($0.variablesJSON) } ?? .object([]),
            metadata: testCase?.metadataJSON.flatMap { try? PromptValue.parseJSON($0) },
            variant: response.variant, caseID: response.caseID, repeatIndex: response.repeatIndex,
            outputTokens: response.outputTokens, latencyMs: response.latencyMs, costUSD: response.costUSD,
            fromCache: response.fromCache)
    }
}

/// What a grader decided about one response.
public struct GradeOutcome: Sendable, Hashable {
    /// The score on the grader's scale: 1 or 0 for pass/fail graders, 0–1 for
    /// `similarity`, 1–10 for scored rubrics, 1/0.5/0 for pairwise judges.
    public var score: Double?
    public var passed: Bool?
    public var reason: String?
    /// A judge's full answer.
    public var rawJudgeOutput: String?

    public init(score: Double?, passed: Bool?, reason: String? = nil, rawJudgeOutput: String? = nil) {
        self.score = score
        self.passed = passed
        self.reason = reason
        self.rawJudgeOutput = rawJudgeOutput
    }

    /// A pass (score 1) or a fail (score 0).
    static func binary(_ passed: Bool, _ reason: String? = nil) -> GradeOutcome {
        GradeOutcome(score: passed ? 1 : 0, passed: passed, reason: reason)
    }
}

/// Why one response could not be graded: nothing is stored for it, so running
/// `promptlab grade` again retries it.
public struct GradingFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The grader's name.
    public var grader: String
    /// The response's idempotency key; nil for a failure that concerns the whole grader.
    public var responseKey: String?
    /// One line saying what went wrong.
    public var message: String

    public init(grader: String, responseKey: String?, message: String) {
        self.grader = grader
        self.responseKey = responseKey
        self.message = message
    }

    public var description: String { "\(grader): \(message)" }
}

/// A grading problem before it is attached to a grader and a response.
struct GradeProblem: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}

// MARK: - Text helpers

extension String {
    /// The text shortened to `limit` characters on one line, for reasons.
    func quotedPreview(_ limit: Int = 60) -> String {
        let oneLine = replacingOccurrences(of: "\n", with: "⏎")
        return "'" + (oneLine.count > limit ? String(oneLine.prefix(limit - 1)) + "…" : oneLine) + "'"
    }

    /// Whitespace runs collapsed to one space, ends trimmed.
    var collapsingWhitespace: String {
        split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
