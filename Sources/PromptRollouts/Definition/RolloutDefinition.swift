import Foundation
import PromptFormat
import PromptLabCore

/// A rollout as written in `rollouts/NAME.yaml`: which prompt versions share live traffic, how it is
/// split, what identifies a unit, and what is measured.
///
/// The file is versioned in the prompt repository like a prompt, so a rollout is reviewed before it
/// starts. Its state (running, paused, ramped, stopped) lives in the results store as events, not in
/// the file: ``RolloutState`` reads them. The format is documented in `docs/production-ab.md`.
public struct RolloutDefinition: Sendable, Hashable, Codable {
    /// The rollout's name: the file's name without `.yaml` unless `name:` says otherwise.
    public var name: String
    /// The prompt whose versions the arms serve.
    public var prompt: String
    /// The control first, then one or more treatments; arms take bucket ranges in this order.
    public var arms: [RolloutArm]
    /// The share of units included at all (0...1); the others get the control and are not recorded.
    public var coverage: Double
    /// The request attribute that identifies a unit (`user`, `session`, …).
    public var unit: String
    /// The hashing seed; the rollout's name unless set.
    public var seed: String
    /// The feedback metrics applications may send, and the online graders' metrics.
    public var metrics: [RolloutMetric]
    /// The metric the verdict is about.
    public var primaryMetric: String
    /// Metrics that must not get worse by more than a tolerance.
    public var guardrails: [RolloutGuardrail]
    /// Deterministic graders (from the experiment grader set) applied to every gateway response, as declared.
    public var graders: [PromptValue]
    /// The significance level of the readout.
    public var alpha: Double
    /// The expected units per arm, which tunes the always-valid test to be most powerful there.
    public var expectedUnits: Int

    /// The control arm (the first).
    public var control: RolloutArm { arms[0] }

    /// The weights of the arms, in order.
    public var weights: [Double] { arms.map(\.weight) }

    /// The metric called `name`: declared, an online grader's, or built in.
    public func metric(named name: String) -> RolloutMetric? {
        metrics.first { $0.name == name } ?? RolloutMetric.builtIn.first { $0.name == name }
    }

    /// Every metric the readout shows: the declared ones, then the built-in request metrics.
    public var allMetrics: [RolloutMetric] { metrics + RolloutMetric.builtIn }
}

/// One arm: a prompt version, named for the readout.
public struct RolloutArm: Sendable, Hashable, Codable {
    /// The arm's name, unique in the rollout (`control`, `v5`, …).
    public var name: String
    /// Which version it serves: a label (`production`), `vN` or a commit prefix, as in `NAME@REF`.
    public var ref: String
    /// The arm's weight, as written (any positive scale: 90/10 and 0.9/0.1 are the same split).
    public var weight: Double

    public init(name: String, ref: String, weight: Double) {
        self.name = name
        self.ref = ref
        self.weight = weight
    }
}

/// Something measured per arm.
public struct RolloutMetric: Sendable, Hashable, Codable {
    /// What values the metric takes.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// 0 or 1 (`true`/`false` are accepted in feedback): the readout shows a rate.
        case binary
        /// Any finite number within ``RolloutMetric/minimum``...``RolloutMetric/maximum``: the readout shows a mean.
        case numeric
    }

    /// Where the metric's values come from.
    public enum Source: String, Sendable, Hashable, Codable {
        /// `POST /v1/feedback` from the application.
        case feedback
        /// An online grader applied to every gateway response.
        case grader
        /// Recorded by the gateway for every request (latency, tokens, cost, errors).
        case request
    }

    public var name: String
    public var kind: Kind
    public var source: Source
    /// Whether a larger value is better (the verdict's direction). False for latency, cost and errors.
    public var higherIsBetter: Bool
    public var minimum: Double?
    public var maximum: Double?

    public init(
        name: String, kind: Kind, source: Source, higherIsBetter: Bool = true, minimum: Double? = nil, maximum: Double? = nil
    ) {
        self.name = name
        self.kind = kind
        self.source = source
        self.higherIsBetter = higherIsBetter
        self.minimum = minimum
        self.maximum = maximum
    }

    /// The largest difference between two values, when known: what the always-valid prior assumes.
    public var bound: Double? {
        if kind == .binary { return 1 }
        guard let minimum, let maximum else { return nil }
        return maximum - minimum
    }

    /// The metrics the gateway records for every request.
    public static let builtIn: [RolloutMetric] = [
        RolloutMetric(name: "latency_ms", kind: .numeric, source: .request, higherIsBetter: false, minimum: 0),
        RolloutMetric(name: "error_rate", kind: .binary, source: .request, higherIsBetter: false),
        RolloutMetric(name: "input_tokens", kind: .numeric, source: .request, higherIsBetter: false, minimum: 0),
        RolloutMetric(name: "output_tokens", kind: .numeric, source: .request, higherIsBetter: false, minimum: 0),
        RolloutMetric(name: "cost_usd", kind: .numeric, source: .request, higherIsBetter: false, minimum: 0),
    ]
}

/// "Metric M must not get worse by more than a tolerance."
public struct RolloutGuardrail: Sendable, Hashable, Codable {
    /// Which statistic of the metric is guarded.
    public enum Statistic: String, Sendable, Hashable, Codable {
        case mean
        /// The 95th percentile (for latency-like metrics).
        case p95
    }

    public var metric: String
    public var statistic: Statistic
    /// How much worse is tolerated: a share of the control's value (`10%`) when ``isRelative``,
    /// else an absolute amount in the metric's unit (`0` for "must not rise").
    public var tolerance: Double
    public var isRelative: Bool

    public init(metric: String, statistic: Statistic = .mean, tolerance: Double, isRelative: Bool) {
        self.metric = metric
        self.statistic = statistic
        self.tolerance = tolerance
        self.isRelative = isRelative
    }

    /// `p95 latency_ms +10%`, as the readout shows it.
    public var summary: String {
        let amount = isRelative ? "\(Format.number(tolerance * 100))%" : Format.number(tolerance)
        return "\(statistic == .p95 ? "p95 " : "")\(metric) must not get worse by more than \(amount)"
    }
}

/// Number formatting for the messages of this module.
enum Format {
    /// `10`, `0.5`, `2.25`: no trailing zeros.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
