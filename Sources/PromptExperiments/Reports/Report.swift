import PromptFormat
import PromptLabCore
import PromptLabStats
import PromptLabStore
import PromptVersioning

/// Settings of a report.
public struct ReportOptions: Sendable, Equatable {
    /// Report only this grader; every grader of the run when `nil`.
    public var grader: String?
    /// Family-wise significance level; intervals are at level 1 − α.
    public var alpha: Double
    /// The power that "how many more cases" plans for.
    public var power: Double
    /// Bootstrap resamples for the paired bootstrap and Bradley–Terry intervals.
    public var resamples: Int
    /// Seed of every bootstrap; the same data and seed give the same report.
    public var seed: UInt64
    /// Which pairs of variants to compare.
    public var pairs: PairSelection

    public init(
        grader: String? = nil, alpha: Double = 0.05, power: Double = 0.8, resamples: Int = 1000, seed: UInt64 = 1,
        pairs: PairSelection = .control
    ) {
        self.grader = grader
        self.alpha = alpha
        self.power = power
        self.resamples = resamples
        self.seed = seed
        self.pairs = pairs
    }

    /// The confidence level of every interval, 1 − α.
    public var level: Double { 1 - alpha }

    /// The significance levels a report accepts. Below 10⁻⁶, 1 − α is so close to 1 that
    /// quantiles stop being finite (below 10⁻¹⁶ it rounds to 1 exactly); above 0.5 an "interval"
    /// would cover less than half.
    public static let alphaRange = 1e-6..<0.5

    /// `--alpha must be from 0.000001 to below 0.5`, for every front end.
    public static let alphaRangeText = "from 0.000001 to below 0.5"
}

/// Which pairs of variants a report compares.
public enum PairSelection: String, Sendable, Equatable, CaseIterable {
    /// Every variant against the control (the default).
    case control
    /// Every pair of variants, with the same paired tests, Holm-adjusted over all of them;
    /// Bradley–Terry ratings are fitted on every pair's outcomes. Pairwise judges only
    /// compare a variant with the control, so their sections stay control-only.
    case all
}

/// What a grader's per-case value is, and so which statistics apply.
public enum ReportMetric: String, Sendable, Equatable {
    /// Pass/fail outcomes: pass rate, Wilson interval, McNemar's exact test.
    case passRate = "pass_rate"
    /// Numeric scores (for example 1–10 rubric scores): mean, t interval, Wilcoxon signed-rank test.
    case meanScore = "mean_score"
    /// Pairwise judge verdicts against the control: win rate (W + T/2)/n, sign test.
    case winRate = "win_rate"

    /// How the metric reads in a sentence.
    public var label: String {
        switch self {
        case .passRate: "pass rate"
        case .meanScore: "mean score"
        case .winRate: "win rate"
        }
    }
}

/// A finished (or interim) report on one run: usage per variant, and per grader
/// the score of every variant, every variant against the control, and ratings.
public struct Report: Sendable {
    /// The run reported on.
    public var run: RunRecord
    /// The run's variants in run order.
    public var variants: [String]
    /// The control variant's name.
    public var control: String
    /// Cases in the run's dataset (the planned sample size of each comparison).
    public var plannedCases: Int
    /// The settings used.
    public var options: ReportOptions
    /// Responses, errors, cache hits, tokens, cost and latency per variant, in run order.
    public var usage: [UsageSummary]
    /// One section per grader; the primary grader first.
    public var graders: [GraderReport]
    /// Things the reader should know (a grader skipped, a run still going, ...).
    public var notes: [String]
    /// Human review verdicts (`promptlab review`), one summary per reviewed pair of variants.
    public var humanReview: [HumanReviewSummary] = []

    /// Whether the run is still `running` or was `interrupted`/`failed`: decisions then
    /// use the always-valid (mSPRT) p-values, which stay valid however often one looks.
    public var isInterim: Bool { run.status != .completed }

    /// The grader that gates `--fail-on-regression`: the first section.
    public var primaryGrader: GraderReport? { graders.first }
}

/// Usage figures of one variant.
public struct UsageSummary: Sendable, Equatable {
    public var variant: String
    /// All recorded responses, successful or not.
    public var responses: Int
    public var ok: Int
    /// Failed responses, counted apart from quality (they have no grade).
    public var errors: Int
    /// Responses served from the local cache.
    public var cacheHits: Int
    /// Mean reported prompt and completion tokens per response that reported them.
    public var inputTokensMean: Double?
    public var outputTokensMean: Double?
    /// Total cost when every response's cost is known; otherwise `nil`.
    public var costUSD: Double?
    /// The known part of the cost, and how many responses have no known cost.
    public var knownCostUSD: Double
    public var unpricedResponses: Int
    /// Mean known cost per response × 1,000.
    public var costPerThousandRequestsUSD: Double?
    /// Latency of successful, uncached responses, in milliseconds.
    public var latencyMeanMs: Double?
    public var latencyP50Ms: Double?
    public var latencyP95Ms: Double?
}

/// One grader's part of a report.
public struct GraderReport: Sendable {
    public var grader: String
    public var configHash: String
    public var metric: ReportMetric
    /// The smallest and largest score seen, when the grader gives scores.
    public var scoreRange: ClosedRange<Double>?
    /// One row per variant, in run order.
    public var variants: [VariantScore]
    /// One comparison per non-control variant, in run order; with ``PairSelection/all``,
    /// then one per other pair of variants.
    public var comparisons: [Comparison]
    /// Bradley–Terry ratings, for three or more variants.
    public var ratings: [Rating]
    /// For a `classification` grader: one confusion matrix per variant, in run order
    /// (every successful response counts, repeats included); empty for other graders.
    public var confusion: [VariantConfusion] = []
    /// Cases of the run left out of this grader's statistics, by variant and reason: every
    /// case the variant rows do not count is listed here (for judges, the non-control variants).
    public var exclusions: [Exclusion] = []
}

/// One variant's confusion matrix under a `classification` grader.
public struct VariantConfusion: Sendable, Equatable {
    public var variant: String
    /// Rows are expected labels, columns predicted labels, plus a "named no label" column.
    public var matrix: ConfusionMatrix
}

/// One variant's score under one grader.
public struct VariantScore: Sendable, Equatable {
    public var variant: String
    public var isControl: Bool
    /// Cases with at least one grade.
    public var cases: Int
    /// Grades counted (repeats and judge orders included).
    public var grades: Int
    /// Pass rate or mean score over all grades, or the win rate against the control; `nil` when not applicable.
    public var estimate: Double?
    /// Its interval at level 1 − α.
    public var interval: ConfidenceInterval?
    /// How the interval was made, such as `Wilson` or `Wilson, clustered by case`.
    public var intervalMethod: String?
    /// Why there is no interval, or why it deserves little trust (every case scores the
    /// same, or one or two cases); `nil` when there is nothing to say.
    public var intervalNote: String? = nil
}

/// Whether a variant did better or worse than the control.
public enum Direction: String, Sendable, Equatable {
    case better, worse, same
}

/// A variant against the control (or, with ``PairSelection/all``, against another
/// variant) under one grader, paired by case.
public struct Comparison: Sendable, Equatable {
    public var variant: String
    /// The baseline of the comparison: the control, or with ``PairSelection/all`` the
    /// variant listed earlier in the run.
    public var control: String
    public var grader: String
    public var metric: ReportMetric
    /// Cases with a value for both arms (for win rates: cases with a verdict).
    public var cases: Int
    /// The control's and the variant's pass rate or mean score over the paired cases (`nil` for win rates).
    public var controlEstimate: Double?
    public var variantEstimate: Double?
    /// The difference variant − control, or the win rate (W + T/2)/n.
    public var estimate: Double
    /// The estimate's interval: paired t for differences, t over per-case scores for win rates
    /// (Wilson on the win share when every verdict is the same).
    public var interval: ConfidenceInterval
    /// How ``interval`` was made: `paired t`, `t over per-case verdicts` or `Wilson on the win share`.
    public var intervalMethod: String
    /// Why there is no interval, or why it deserves little trust, such as
    /// `all 12 differences are equal (+1.00); no interval`; `nil` when there is nothing to say.
    public var intervalNote: String?
    /// `false` when every paired difference is equal: ``interval`` and ``bootstrap`` are then
    /// points, and reports print no interval.
    public var hasInterval: Bool
    /// The value of no effect: 0 for a difference, ½ for a win rate.
    public var nullValue: Double
    /// The fixed-horizon p-value, and its Holm adjustment over this grader's comparisons.
    public var pValue: Double
    public var pAdjusted: Double
    /// The test behind ``pValue``, such as `McNemar exact`.
    public var test: String
    /// Per-case wins, ties and losses of the variant (for scores: d > 0, d = 0, d < 0).
    public var wins: Int
    public var ties: Int
    public var losses: Int
    /// McNemar's discordant counts b (control only passed) and c (variant only passed).
    public var controlOnly: Int?
    public var variantOnly: Int?
    /// The paired bootstrap interval over cases (BCa, seeded).
    public var bootstrap: ConfidenceInterval?
    /// The always-valid (mSPRT) interval for the estimate, its p-value, and that p-value Holm-adjusted.
    public var sequentialInterval: ConfidenceInterval?
    public var sequentialPValue: Double?
    public var sequentialPAdjusted: Double?
    /// Judge position consistency: cases whose two orders agree, of cases judged in both orders.
    public var consistentCases: Int?
    public var bothOrderCases: Int?
    /// `beta.sf(0.5, W + 1, L + 1)`, for win rates; display only.
    public var chanceToBeat: Double?
    /// Whether the decisive p-value (the always-valid one while the run is interim) is at most α.
    public var significant: Bool
    public var direction: Direction
    /// For a non-significant effect: more cases needed for the planned power at the observed effect.
    public var additionalCases: Int?
    /// The smallest effect the current cases detect with the planned power (a difference,
    /// or for win rates the win share among decisive cases).
    public var minimumDetectableEffect: Double?
    /// The verdict as one sentence.
    public var verdict: String

    /// Position consistency as a share, when cases were judged in both orders.
    public var positionConsistency: Double? {
        guard let consistentCases, let bothOrderCases, bothOrderCases > 0 else { return nil }
        return Double(consistentCases) / Double(bothOrderCases)
    }

    /// Whether the baseline is the control (with ``PairSelection/all``, other pairs are not).
    public var againstControl: Bool = true
    /// Whether the comparison uses fewer cases than a row of the variant table counts for
    /// either arm (on a partial run, cases graded for one arm only are not paired); the
    /// verdict then says which cases it uses.
    public var pairedSubset: Bool = false

    /// Whether this is a significant regression: significantly worse than the control.
    /// A comparison of two non-control variants is never a regression.
    public var isRegression: Bool { againstControl && significant && direction == .worse }
}

/// A Bradley–Terry rating of one variant.
public struct Rating: Sendable, Equatable {
    public var variant: String
    /// Elo-style rating 400·r + 1000, the control at 1000; ±∞ when ``bound`` is not `.finite`.
    public var elo: Double
    /// Bootstrap percentile interval of the rating; for an unbounded rating, the Wilson
    /// interval of the win share on the Elo scale (one side infinite).
    public var interval: ConfidenceInterval
    /// 1 + the number of variants rated clearly higher (bootstrap interval of the rating
    /// difference above 0), never better than a variant with a higher rating.
    public var rank: Int
    /// Whether the rating is finite, or the variant won (lost) every comparison.
    public var bound: RatingBound

    public init(variant: String, elo: Double, interval: ConfidenceInterval, rank: Int, bound: RatingBound = .finite) {
        self.variant = variant
        self.elo = elo
        self.interval = interval
        self.rank = rank
        self.bound = bound
    }
}
