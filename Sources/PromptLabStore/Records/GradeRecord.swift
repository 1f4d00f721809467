import Foundation

/// One grader's judgement of one recorded response.
///
/// A grade is identified by the graded response, the grader, the grader's
/// configuration hash and (for pairwise judges) the presentation order, so
/// that re-grading with the same configuration is a no-op while a changed
/// rubric or judge model gets rows of its own.
public struct GradeRecord: Sendable, Hashable, Codable {
    /// The order in which a pairwise judge was shown two responses.
    public enum PairOrder: String, Sendable, Hashable, Codable, CaseIterable {
        /// The graded response's variant was shown first.
        case ab = "AB"
        /// The graded response's variant was shown second.
        case ba = "BA"
    }

    /// The run the graded response belongs to.
    public var runID: String
    /// The idempotency key of the graded response (``ResponseRecord/idempotencyKey``).
    public var responseKey: String
    /// The grader's name from the experiment file, such as `exact-match` or `judge-helpfulness`.
    public var grader: String
    /// A content hash of the grader's configuration (rubric, judge model, threshold, ...).
    public var configHash: String
    /// A numeric score, when the grader gives one (its scale is the grader's own).
    public var score: Double?
    /// Pass or fail, when the grader gives one.
    public var passed: Bool?
    /// The grader's explanation, if any.
    public var reason: String?
    /// An LLM judge's full raw output, kept for auditing.
    public var rawJudgeOutput: String?
    /// The presentation order for pairwise judges; `nil` for single-response graders.
    public var order: PairOrder?
    /// When the grade was recorded.
    public var createdAt: Date

    /// Creates a grade record.
    public init(
        runID: String,
        responseKey: String,
        grader: String,
        configHash: String,
        score: Double? = nil,
        passed: Bool? = nil,
        reason: String? = nil,
        rawJudgeOutput: String? = nil,
        order: PairOrder? = nil,
        createdAt: Date = Date()
    ) {
        self.runID = runID
        self.responseKey = responseKey
        self.grader = grader
        self.configHash = configHash
        self.score = score
        self.passed = passed
        self.reason = reason
        self.rawJudgeOutput = rawJudgeOutput
        self.order = order
        self.createdAt = createdAt
    }
}
