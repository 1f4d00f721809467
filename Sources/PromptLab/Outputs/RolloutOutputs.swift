import Foundation
import PromptFormat
import PromptLabCore

// Documents of live A/B testing: `promptlab rollout … --format json`, the serving API under /v1 and
// the web app's rollout pages share them (snake_case keys, see docs/json-output.md).

/// An arm of a rollout: its pinned version and current weight.
public struct RolloutArmOutput: Codable, Sendable, Equatable {
    public var name: String
    /// The reference as written in the rollout file.
    public var ref: String
    public var version: Int?
    public var commit: String
    /// The arm's current share of the covered units (0...1).
    public var weight: Double
    /// Whether the arm is paused on its own (a breached guardrail).
    public var paused: Bool
}

/// One state change of a rollout.
public struct RolloutEventOutput: Codable, Sendable, Equatable {
    public var id: Int64
    /// `start`, `ramp`, `pause`, `resume`, `stop`, `promote`, `auto_pause`.
    public var action: String
    public var status: String
    public var phase: Int
    public var weights: [Double]
    public var pausedArms: [String]
    public var actor: String
    public var reason: String?
    public var at: Date
}

/// `promptlab rollout list`.
public struct RolloutListOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var rollouts: [Rollout]

    public struct Rollout: Codable, Sendable, Equatable {
        public var name: String
        public var prompt: String
        public var status: String
        public var phase: Int
        public var arms: [RolloutArmOutput]
        public var startedAt: Date
        public var updatedAt: Date
    }

    public init(rollouts: [Rollout]) { self.rollouts = rollouts }
}

/// What `start`, `ramp`, `pause`, `resume`, `stop` and `promote` did.
public struct RolloutChangeOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var rollout: String
    public var action: String
    public var status: String
    public var phase: Int
    public var arms: [RolloutArmOutput]
    /// `start`: the commit holding the rollout file (a new one when the file was new or changed, else HEAD).
    public var fileCommit: String?
    /// `promote`: the label moved and where it points now.
    public var label: LabelChangeOutput?
    /// One line for people.
    public var message: String
}

/// `promptlab rollout status`: the readout.
public struct RolloutStatusOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var rollout: String
    public var prompt: String
    public var status: String
    public var phase: Int
    public var unit: String
    public var seed: String
    public var coverage: Double
    public var alpha: Double
    public var primaryMetric: String
    public var arms: [Arm]
    public var metrics: [Metric]
    public var sampleRatio: SampleRatio
    public var guardrails: [Guardrail]
    public var verdict: Verdict
    public var events: [RolloutEventOutput]

    /// Traffic of one arm in the current phase.
    public struct Arm: Codable, Sendable, Equatable {
        public var arm: RolloutArmOutput
        /// Units first exposed to the arm.
        public var units: Int
        /// Assignments served (`resolve` and gateway requests).
        public var requests: Int
        /// Distinct units among those assignments.
        public var requestingUnits: Int
    }

    /// One metric across the arms.
    public struct Metric: Codable, Sendable, Equatable {
        public var name: String
        /// `binary` (a rate) or `numeric` (a mean).
        public var kind: String
        /// `feedback`, `grader` or `request`.
        public var source: String
        public var higherIsBetter: Bool
        public var isPrimary: Bool
        public var arms: [ArmValue]
        /// Each treatment against the control.
        public var comparisons: [Comparison]
    }

    /// A metric's value for one arm with its always-valid interval (null bounds: not enough data yet).
    public struct ArmValue: Codable, Sendable, Equatable {
        public var arm: String
        public var units: Int
        public var observations: Double
        public var mean: Double?
        public var lower: Double?
        public var upper: Double?
    }

    /// Treatment − control, with the always-valid interval and p-value.
    public struct Comparison: Codable, Sendable, Equatable {
        public var arm: String
        public var difference: Double?
        public var lower: Double?
        public var upper: Double?
        /// The difference relative to the control's mean (0.041 = +4.1%), when the control's mean is not 0.
        public var relative: Double?
        public var pValue: Double
        public var significant: Bool
        /// Units per arm a verdict would need at the current effect and spread, when it is not significant yet.
        public var unitsNeeded: Int?
    }

    /// Sample ratio mismatch: units per arm against the weights.
    public struct SampleRatio: Codable, Sendable, Equatable {
        public var units: [Int]
        public var expectedShares: [Double]
        public var chiSquare: Double?
        public var pValue: Double?
        /// p < 0.001: the split is broken, and the readout claims nothing.
        public var mismatch: Bool
        /// Whether only units exposed before an arm was paused were counted.
        public var countedBeforePause: Bool
    }

    /// One guardrail for one treatment.
    public struct Guardrail: Codable, Sendable, Equatable {
        public var metric: String
        public var statistic: String
        public var tolerance: Double
        public var relative: Bool
        public var arm: String
        /// `ok` or `breached`.
        public var state: String
        /// The estimate the guardrail is judged on (the difference, or the share above the control's p95 ×
        /// (1 + tolerance) for p95 guardrails), with its always-valid interval.
        public var estimate: Double?
        public var lower: Double?
        public var upper: Double?
        public var description: String
    }

    /// The readout in one sentence, and what it is based on.
    public struct Verdict: Codable, Sendable, Equatable {
        /// `winner`, `loser`, `inconclusive`, `guardrail_breached`, `sample_ratio_mismatch`, `no_data`.
        public var kind: String
        /// The arm the verdict names, if any.
        public var arm: String?
        public var text: String
        /// The command the verdict suggests (promote, stop or pause), if any.
        public var command: String?
    }
}

/// `GET /v1/prompts/{name}`: a prompt version for applications that render it themselves.
public struct ServedPromptOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var name: String
    public var version: ServedVersion
    /// The labels pointing at this version.
    public var labels: [String]
    public var model: String?
    /// Generation settings as written in the front matter.
    public var config: PromptValue
    /// The template: the prompt file's body, in the Dotprompt (Handlebars) language.
    public var template: String
    /// The input schema as the front matter declares it (`{"schema": …}`), when it declares one.
    public var input: PromptValue?
    public var output: RenderOutput.OutputSpec
}

/// A version as the serving API names it.
public struct ServedVersion: Codable, Sendable, Equatable, Hashable {
    public var number: Int?
    public var sha: String

    public init(number: Int?, sha: String) {
        self.number = number
        self.sha = sha
    }
}

/// `POST /v1/prompts/{name}/resolve`: the arm for a unit, with the prompt rendered.
public struct ResolveOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    /// The assignment to send feedback about; null when the unit is not in an experiment
    /// (no active rollout, outside coverage, rollout or arm paused).
    public var assignmentId: String?
    public var rollout: String?
    public var arm: String?
    /// The unit's bucket (0 ≤ b < 1, 4 decimals), for auditing assignments; null without a rollout.
    public var bucket: Double?
    public var version: ServedVersion
    public var model: String?
    public var config: PromptValue
    public var messages: [RenderOutput.Message]
}

/// `POST /v1/feedback`: what became of each event.
public struct FeedbackOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var results: [Result]
    /// Events recorded now or before (duplicates of an `event_id` already recorded).
    public var accepted: Int
    public var refused: Int

    public struct Result: Codable, Sendable, Equatable {
        public var eventId: String
        /// `recorded`, `duplicate`, `unknown_assignment`, `conflicting_duplicate`, `invalid`.
        public var status: String
        public var error: String?
    }

    public init(results: [Result]) {
        self.results = results
        accepted = results.filter { $0.status == "recorded" || $0.status == "duplicate" }.count
        refused = results.count - accepted
    }
}
