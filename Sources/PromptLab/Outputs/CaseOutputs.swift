import Foundation
import PromptFormat
import PromptLabCore

// The document `promptlab cases` prints with `--format json` (snake_case keys, see
// docs/json-output.md): one entry per case, with every variant's responses and grades.

/// `promptlab cases`: a run's cases, each with its variables, expected value, and every variant's
/// responses (one per repeat) with each grader's latest grade.
///
/// A variant's verdict on a grader collapses its repeats: it fails when any repeat fails, passes
/// when every repeat with a verdict passes, and has none when no repeat has a pass/fail grade
/// (error responses are not graded). Pairwise judges compare a variant with the control, so their
/// grades are listed but take no part in ``Variant/passed`` or in the filters.
public struct CaseViewOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var run: String
    public var experiment: String
    /// The control variant, when the run has one.
    public var control: String?
    /// The run's variants, in run order.
    public var variants: [String]
    /// The graders shown, in the experiment's order, then any other grader with grades in the run.
    public var graders: [String]
    /// The filters the cases were chosen by.
    public var filters: Filters
    /// Cases in the run, before filtering.
    public var totalCases: Int
    /// The cases that match every filter, in dataset order (one page of them when ``page`` is set).
    public var cases: [Case]
    /// Which page of the matching cases ``cases`` holds; null when every match is listed (the CLI).
    public var page: PageInfo? = nil

    /// Which cases were asked for; every filter given must hold.
    public struct Filters: Codable, Sendable, Equatable {
        /// Some variant fails some grader.
        public var failing: Bool
        /// Some grader passes with this variant and fails with another.
        public var newlyFailingVs: String?
        /// Some grader passes with one variant and fails with another.
        public var disagree: Bool
        /// Only these cases (all when empty).
        public var caseIds: [String]
        /// Text found, ignoring case, in the variables' values, the expected value or an output.
        public var grep: String?
        /// Only these graders were shown and made verdicts (all when empty).
        public var graders: [String]
        /// Only cases with exactly this expected value.
        public var expected: String? = nil
    }

    public struct Case: Codable, Sendable, Equatable {
        public var caseId: String
        /// The case's 0-based position in the dataset.
        public var position: Int
        /// The case's variables, keys as written in the dataset.
        public var variables: PromptValue
        /// The expected value, as stored; nil when the dataset gives none.
        public var expected: String?
        /// One entry per variant, in run order, including variants with no response for this case.
        public var variants: [Variant]
    }

    public struct Variant: Codable, Sendable, Equatable {
        public var variant: String
        public var control: Bool
        /// True when every pass/fail verdict of every repeat passes, false when some fails,
        /// nil when there is none.
        public var passed: Bool?
        /// The graders some repeat fails, in grader order.
        public var failingGraders: [String]
        /// The graders every repeat with a verdict passes, in grader order.
        public var passingGraders: [String]
        /// One per repeat, by repeat index; empty when the case was never sent.
        public var responses: [Response]
    }

    public struct Response: Codable, Sendable, Equatable {
        public var `repeat`: Int
        /// `ok` or `error`.
        public var status: String
        public var output: String?
        public var errorKind: String?
        public var errorMessage: String?
        public var latencyMs: Double?
        public var fromCache: Bool
        /// Each grader's latest grade of this response, in grader order; pairwise judges once per order.
        public var grades: [Grade]
    }

    public struct Grade: Codable, Sendable, Equatable {
        public var grader: String
        /// For a pairwise judge, the order the two answers were shown in (`AB`: this variant first); else nil.
        public var order: String?
        public var score: Double?
        public var passed: Bool?
        public var reason: String?
    }
}
