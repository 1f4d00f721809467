import Foundation
import PromptLabCore

// The documents the experiment services return: what `run`, `runs`, `grade` and `export`
// print with `--format json` (snake_case keys, see docs/json-output.md).

/// The plan of a run: what `run --dry-run` prints, and what `run` prints before it starts.
public struct RunPlanOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var experiment: String
    /// The run being resumed, when resuming.
    public var resuming: String?
    public var cases: Int
    public var repeats: Int
    /// Cells in the whole plan (variants × cases × repeats).
    public var cells: Int
    /// Cells still to send: all of them, or the missing ones when resuming.
    public var cellsToSend: Int
    public var variants: [Variant]
    /// An upper bound on the cost of the cells to send; nil when a model is not priced.
    public var maxCostUsd: Double?
    /// The date of the pricing table's prices.
    public var pricesAsOf: String
    public var concurrency: Int
    public var budgetUsd: Double?
    public var maxRequests: Int?
    public var cache: Bool

    public struct Variant: Codable, Sendable, Equatable {
        public var name: String
        public var control: Bool
        public var prompt: String
        public var version: Int?
        /// The label the version was chosen by, such as `production`, when not a number.
        public var versionLabel: String
        public var commit: String?
        public var model: String
        public var cells: Int
        /// Estimated input tokens for the cells to send (characters / 4).
        public var inputTokensTotal: Int
        /// The output token limit summed over the cells to send.
        public var maxOutputTokensTotal: Int
        public var maxCostUsd: Double?
    }
}

/// Usage of one variant in a run, as `run` prints it when the run ends.
public struct VariantUsageOutput: Codable, Sendable, Equatable {
    public var name: String
    public var model: String
    public var ok: Int
    public var errors: Int
    public var cached: Int
    public var inputTokensTotal: Int
    public var outputTokensTotal: Int
    /// nil when the model is not in the pricing table.
    public var costUsdTotal: Double?
    /// Latency percentiles by linear interpolation (numpy's default); nil without responses.
    public var latencyMsP50: Double?
    public var latencyMsP95: Double?
}

/// How `run` ended.
public struct RunOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var run: String
    /// `completed`, `interrupted`, `budget_reached`, `failed` (every cell failed; `stop_reason` names
    /// the commonest error) or `already_complete`.
    public var status: String
    /// Why the budget stopped the run.
    public var stopReason: String?
    /// Cells not sent (to finish with `--resume`).
    public var remaining: Int
    public var providerRequests: Int
    public var seconds: Double
    public var variants: [VariantUsageOutput]
    /// The grades made when the run finished; nil when the experiment has no graders or the run stopped early.
    public var grading: GradingOutput?
    /// The regression gate's verdict with `--fail-on-regression`.
    public var regression: RegressionOutput?
}

/// The `--fail-on-regression` verdict.
public struct RegressionOutput: Codable, Sendable, Equatable {
    /// The grader the gate used.
    public var grader: String?
    public var control: String
    /// Variants significantly worse than the control (Holm-adjusted); empty when none.
    public var regressions: [String]
}

/// `promptlab grade`: grades computed, and pass rates per grader and variant.
public struct GradingOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var run: String
    /// New grades stored by this pass.
    public var stored: Int
    public var errorResponses: Int
    public var unpairedResponses: Int
    public var judgeRequests: Int
    public var interrupted: Bool
    public var seconds: Double
    public var graders: [Grader]
    public var failures: [Failure]

    public struct Grader: Codable, Sendable, Equatable {
        public var name: String
        public var type: String
        public var configHash: String
        public var graded: Int
        public var alreadyGraded: Int
        public var failed: Int
        public var changed: Int
        public var variants: [Variant]
    }

    /// One variant's grades: pass/fail and scores, or for pairwise judges wins against the control.
    public struct Variant: Codable, Sendable, Equatable {
        public var variant: String
        public var grades: Int?
        /// Grades with a pass/fail verdict.
        public var judged: Int?
        public var passed: Int?
        public var passRate: Double?
        public var meanScore: Double?
        public var pairs: Int?
        public var wins: Int?
        public var ties: Int?
        public var losses: Int?
        public var winRate: Double?
        public var positionConsistency: Double?
        public var incomplete: Int?
    }

    public struct Failure: Codable, Sendable, Equatable {
        public var grader: String
        public var response: String?
        public var message: String
    }
}

/// `promptlab runs`: runs, newest first.
public struct RunListOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var runs: [Run]

    public init(runs: [Run]) {
        self.runs = runs
    }

    public struct Run: Codable, Sendable, Equatable {
        public var run: String
        public var experiment: String
        public var status: String
        public var created: Date
        public var cells: Int
        public var ok: Int
        public var errors: Int
        public var cached: Int
        /// nil when some model is not priced (see `known_cost_usd_total`).
        public var costUsdTotal: Double?
        /// The cost of the priced responses alone.
        public var knownCostUsdTotal: Double
        public var note: String?
    }
}

/// `promptlab plan`: the cases an experiment needs.
public struct SampleSizeOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var design: String
    /// Cases needed, rounded up.
    public var cases: Int
    public var exactCases: Double
    public var alpha: Double
    public var power: Double
    public var inputs: String
    public var assumptions: String?
}
