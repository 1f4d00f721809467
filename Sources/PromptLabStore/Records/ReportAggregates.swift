/// A grader, with one configuration, that has graded responses of a run.
///
/// A grader whose rubric or judge model changed has one entry per
/// configuration hash; ``latestGradeID`` tells which one graded last.
public struct GraderConfiguration: Sendable, Hashable {
    /// The grader's name, as in `grades.grader`.
    public var grader: String
    /// The configuration hash, as in `grades.config_hash`.
    public var configHash: String
    /// The row id of this configuration's newest grade (grades are numbered in insertion order).
    public var latestGradeID: Int64

    /// Creates a grader configuration.
    public init(grader: String, configHash: String, latestGradeID: Int64) {
        self.grader = grader
        self.configHash = configHash
        self.latestGradeID = latestGradeID
    }
}

/// Per-case sums of one variant's grades in one presentation order, indexed by case position.
///
/// Index `i` describes the case at position `i` of ``CaseGradeTable/cases``.
/// Repeats of a case are summed, so a case's mean score is
/// `scoreSum[i] / scored[i]` and its pass rate `passes[i] / judged[i]`.
public struct CaseGradeSums: Sendable, Equatable {
    /// Grades recorded for the case.
    public var grades: [Int32]
    /// Grades with a numeric score.
    public var scored: [Int32]
    /// Sum of those scores.
    public var scoreSum: [Double]
    /// Grades with a pass/fail outcome.
    public var judged: [Int32]
    /// Grades that passed.
    public var passes: [Int32]

    /// Empty sums for `caseCount` cases.
    public init(caseCount: Int) {
        grades = [Int32](repeating: 0, count: caseCount)
        scored = grades
        scoreSum = [Double](repeating: 0, count: caseCount)
        judged = grades
        passes = grades
    }

    /// Adds one grade (or, with `count` > 1, several grades already summed) to case `index`.
    public mutating func add(case index: Int, count: Int32 = 1, scored: Int32, scoreSum: Double, judged: Int32, passes: Int32) {
        grades[index] += count
        self.scored[index] += scored
        self.scoreSum[index] += scoreSum
        self.judged[index] += judged
        self.passes[index] += passes
    }
}

/// One variant's grades by one grader, summed per case.
public struct VariantCaseGrades: Sendable, Equatable {
    /// The variant's name.
    public var variant: String
    /// Grades without a presentation order (single-response graders); `nil` when there are none.
    public var unordered: CaseGradeSums?
    /// Pairwise grades with the variant shown first (`AB`); `nil` when there are none.
    public var shownFirst: CaseGradeSums?
    /// Pairwise grades with the variant shown second (`BA`); `nil` when there are none.
    public var shownSecond: CaseGradeSums?

    /// Creates an empty entry for a variant.
    public init(variant: String) {
        self.variant = variant
    }
}

/// Everything a report needs from one grader's grades of a run, summed per
/// variant and case in the database, without loading a record per grade.
public struct CaseGradeTable: Sendable, Equatable {
    /// The grader's name.
    public var grader: String
    /// The configuration hash the grades were read for.
    public var configHash: String
    /// The run's case ids, in dataset order; the sums are indexed by this order.
    public var cases: [String]
    /// One entry per variant of the run, in run order.
    public var variants: [VariantCaseGrades]
    /// Grades read.
    public var gradeCount: Int
    /// Grades with a numeric score.
    public var scoredCount: Int
    /// Grades with a pass/fail outcome.
    public var judgedCount: Int
    /// Grades with a presentation order (pairwise judges).
    public var orderedCount: Int
    /// The smallest and largest score, when any grade has one.
    public var scoreRange: ClosedRange<Double>?
    /// Grades whose response key names no case or variant of the run (normally 0).
    public var unmatchedCount: Int

    /// Creates a table; ``SQLiteResultsStore`` builds it with ``ResultsStore/caseGrades(runID:grader:configHash:)``.
    public init(
        grader: String, configHash: String, cases: [String], variants: [VariantCaseGrades], gradeCount: Int,
        scoredCount: Int, judgedCount: Int, orderedCount: Int, scoreRange: ClosedRange<Double>?, unmatchedCount: Int = 0
    ) {
        self.grader = grader
        self.configHash = configHash
        self.cases = cases
        self.variants = variants
        self.gradeCount = gradeCount
        self.scoredCount = scoredCount
        self.judgedCount = judgedCount
        self.orderedCount = orderedCount
        self.scoreRange = scoreRange
        self.unmatchedCount = unmatchedCount
    }
}

/// Responses, errors, cache hits, tokens, cost and latency of one variant of a run.
///
/// Sums are over every recorded response of the variant; latency covers only
/// successful responses that were not served from the local cache (a cache hit
/// says nothing about the provider).
public struct VariantUsage: Sendable, Equatable {
    /// The variant's name.
    public var variant: String
    /// All recorded responses, successful or not.
    public var responses: Int
    /// Responses with status `ok` (cache hits included).
    public var ok: Int
    /// Responses with status `error`.
    public var errors: Int
    /// Responses served from the local response cache.
    public var cacheHits: Int
    /// Sum of reported prompt tokens, and how many responses reported them.
    public var inputTokens: Int
    public var inputTokensReported: Int
    /// Sum of reported completion tokens, and how many responses reported them.
    public var outputTokens: Int
    public var outputTokensReported: Int
    /// Sum of the known costs in US dollars, and how many responses have a known cost.
    public var knownCostUSD: Double
    public var pricedResponses: Int
    /// Successful, uncached responses with a latency.
    public var latencyCount: Int
    /// Their mean, median and 95th percentile latency in milliseconds (linear
    /// interpolation, as `numpy.percentile`); `nil` when there are none.
    public var latencyMeanMs: Double?
    public var latencyP50Ms: Double?
    public var latencyP95Ms: Double?

    /// Creates usage figures.
    public init(
        variant: String, responses: Int = 0, ok: Int = 0, errors: Int = 0, cacheHits: Int = 0, inputTokens: Int = 0,
        inputTokensReported: Int = 0, outputTokens: Int = 0, outputTokensReported: Int = 0, knownCostUSD: Double = 0,
        pricedResponses: Int = 0, latencyCount: Int = 0, latencyMeanMs: Double? = nil, latencyP50Ms: Double? = nil,
        latencyP95Ms: Double? = nil
    ) {
        self.variant = variant
        self.responses = responses
        self.ok = ok
        self.errors = errors
        self.cacheHits = cacheHits
        self.inputTokens = inputTokens
        self.inputTokensReported = inputTokensReported
        self.outputTokens = outputTokens
        self.outputTokensReported = outputTokensReported
        self.knownCostUSD = knownCostUSD
        self.pricedResponses = pricedResponses
        self.latencyCount = latencyCount
        self.latencyMeanMs = latencyMeanMs
        self.latencyP50Ms = latencyP50Ms
        self.latencyP95Ms = latencyP95Ms
    }

    /// Responses whose cost is unknown.
    public var unpricedResponses: Int { responses - pricedResponses }
}
