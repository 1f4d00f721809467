import Foundation

/// A person's blind side-by-side judgement of two variants' responses to one case.
///
/// ``Verdict/a`` and ``Verdict/b`` always name ``variantA`` and ``variantB``,
/// whichever side each was shown on; ``shownLeft`` records the side so that
/// position bias can be measured.
public struct VerdictRecord: Sendable, Hashable, Codable {
    /// The reviewer's choice.
    public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
        /// ``VerdictRecord/variantA`` was better.
        case a = "A"
        /// ``VerdictRecord/variantB`` was better.
        case b = "B"
        /// Both were equally good (or bad).
        case tie
        /// The reviewer declined to judge this pair.
        case skip
    }

    /// The run the responses belong to.
    public var runID: String
    /// The case both responses answer.
    public var caseID: String
    /// The first variant of the pair (by convention, the control when one is involved).
    public var variantA: String
    /// The second variant of the pair.
    public var variantB: String
    /// Which of ``variantA`` and ``variantB`` was shown on the left.
    public var shownLeft: String
    /// The reviewer's choice.
    public var verdict: Verdict
    /// Who judged, such as a git user name or email.
    public var reviewer: String
    /// When the verdict was given.
    public var createdAt: Date

    /// Creates a verdict record.
    public init(
        runID: String,
        caseID: String,
        variantA: String,
        variantB: String,
        shownLeft: String,
        verdict: Verdict,
        reviewer: String,
        createdAt: Date = Date()
    ) {
        self.runID = runID
        self.caseID = caseID
        self.variantA = variantA
        self.variantB = variantB
        self.shownLeft = shownLeft
        self.verdict = verdict
        self.reviewer = reviewer
        self.createdAt = createdAt
    }
}
