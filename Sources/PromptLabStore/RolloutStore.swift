import Foundation

/// Where live A/B traffic is recorded: each rollout's state changes, the first exposure of each unit,
/// every assignment served (by `resolve` or through the gateway, with the gateway's measurements), and
/// the metric values that feedback and online graders attach to assignments.
///
/// Kept apart from ``ResultsStore`` (offline runs) so that a shared backend can take either alone.
/// All methods throw ``StoreError``.
public protocol RolloutStore: Sendable {
    /// Appends a state change, by compare-and-swap: it lands only if the rollout's latest event is still
    /// `expectedLatest` (nil: the rollout has no events yet).
    ///
    /// - Returns: The new event's id.
    /// - Throws: ``StoreError/Kind/invalidStatusTransition`` when another process changed the rollout first.
    func appendRolloutEvent(_ event: RolloutEventRecord, expectedLatest: Int64?) async throws -> Int64

    /// A rollout's events, oldest first.
    func rolloutEvents(rollout: String) async throws -> [RolloutEventRecord]

    /// The latest event of every rollout, and the start event it belongs to, by rollout name.
    func currentRollouts() async throws -> [(start: RolloutEventRecord, latest: RolloutEventRecord)]

    /// The id of the newest event of any rollout (0 when there is none): servers poll it to notice
    /// state changes made by other processes.
    func rolloutStateVersion() async throws -> Int64

    /// Writes one batch of traffic in one transaction: exposures (first one per unit and phase kept),
    /// assignments, then metric values in order, so a value may refer to an assignment of the same batch.
    ///
    /// - Parameter validate: checks a metric value against its rollout's definition (rollout, metric, value,
    ///   whether it was sent as `true`/`false`); returns a problem to refuse it.
    /// - Returns: One outcome per metric value, in order.
    func recordTraffic(
        _ batch: TrafficBatch, validate: @escaping @Sendable (String, String, Double, Bool) -> String?
    ) async throws -> [MetricValueOutcome]

    /// Units first exposed per arm in a phase, optionally only those exposed before `before`.
    func exposedUnits(rollout: String, phase: Int, before: Date?) async throws -> [String: Int]

    /// Assignments served per arm in a phase: how many, and to how many distinct units.
    func assignmentCounts(rollout: String, phase: Int) async throws -> [String: (assignments: Int, units: Int)]

    /// Per-unit sums of a metric per arm in a phase (see ``UnitSums``). Request metrics
    /// (`latency_ms`, `error_rate`, `input_tokens`, `output_tokens`, `cost_usd`) come from gateway
    /// assignments, the others from recorded metric values.
    func unitSums(rollout: String, phase: Int, metric: String) async throws -> [String: UnitSums]

    /// The `q`-quantile (0...1, nearest rank) of a request metric of one arm; nil without values.
    func requestMetricQuantile(rollout: String, phase: Int, arm: String, metric: String, q: Double) async throws -> Double?

    /// Per-unit sums of "the request metric exceeds `threshold`" (0 or 1 per request) for one arm.
    func exceedanceSums(rollout: String, phase: Int, arm: String, metric: String, threshold: Double) async throws -> UnitSums
}

/// One state change of a rollout, with the state it leaves.
public struct RolloutEventRecord: Sendable, Hashable {
    /// Assigned by the store; nil before it is recorded.
    public var id: Int64?
    public var rollout: String
    /// `start`, `ramp`, `pause`, `resume`, `stop`, `promote`, `auto_pause`.
    public var action: String
    /// The status after the event: `running`, `paused`, `stopped`, `promoted`.
    public var status: String
    /// The analysis phase after the event; a ramp or a resume starts a new one.
    public var phase: Int
    /// The arms' weights after the event, JSON (`[0.9,0.1]`).
    public var weightsJSON: String
    /// Arms paused on their own (a breached guardrail), JSON list of names.
    public var pausedArmsJSON: String
    /// The rollout as started: its definition and resolved versions, JSON. Only on `start` events.
    public var planJSON: String?
    /// Who made the change (`auto` for the server's guardrail check).
    public var actor: String
    public var reason: String?
    public var createdAt: Date

    public init(
        id: Int64? = nil, rollout: String, action: String, status: String, phase: Int, weightsJSON: String,
        pausedArmsJSON: String = "[]", planJSON: String? = nil, actor: String, reason: String?, createdAt: Date
    ) {
        self.id = id
        self.rollout = rollout
        self.action = action
        self.status = status
        self.phase = phase
        self.weightsJSON = weightsJSON
        self.pausedArmsJSON = pausedArmsJSON
        self.planJSON = planJSON
        self.actor = actor
        self.reason = reason
        self.createdAt = createdAt
    }
}

/// What one batch of the traffic recorder writes.
public struct TrafficBatch: Sendable {
    public var exposures: [ExposureRecord] = []
    public var assignments: [AssignmentRecord] = []
    public var metricValues: [MetricValueRecord] = []

    public init(exposures: [ExposureRecord] = [], assignments: [AssignmentRecord] = [], metricValues: [MetricValueRecord] = []) {
        self.exposures = exposures
        self.assignments = assignments
        self.metricValues = metricValues
    }

    public var isEmpty: Bool { exposures.isEmpty && assignments.isEmpty && metricValues.isEmpty }
}

/// The first time a unit was served by a rollout in a phase.
public struct ExposureRecord: Sendable, Hashable {
    public var rollout: String
    public var phase: Int
    public var unit: String
    public var arm: String
    public var bucket: Double
    public var at: Date

    public init(rollout: String, phase: Int, unit: String, arm: String, bucket: Double, at: Date) {
        self.rollout = rollout
        self.phase = phase
        self.unit = unit
        self.arm = arm
        self.bucket = bucket
        self.at = at
    }
}

/// One prompt served to one unit: by `resolve` (the application calls its model itself) or through
/// the gateway (with the gateway's measurements).
public struct AssignmentRecord: Sendable, Hashable {
    public enum Kind: String, Sendable { case resolve, gateway }

    public var id: String
    public var rollout: String
    public var phase: Int
    public var unit: String
    public var arm: String
    public var version: Int?
    public var commit: String
    public var kind: Kind
    public var at: Date
    /// Gateway only: whether the upstream answered.
    public var succeeded: Bool?
    public var latencyMs: Double?
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var costUSD: Double?
    public var errorKind: String?

    public init(
        id: String, rollout: String, phase: Int, unit: String, arm: String, version: Int?, commit: String, kind: Kind, at: Date,
        succeeded: Bool? = nil, latencyMs: Double? = nil, inputTokens: Int? = nil, outputTokens: Int? = nil, costUSD: Double? = nil,
        errorKind: String? = nil
    ) {
        self.id = id
        self.rollout = rollout
        self.phase = phase
        self.unit = unit
        self.arm = arm
        self.version = version
        self.commit = commit
        self.kind = kind
        self.at = at
        self.succeeded = succeeded
        self.latencyMs = latencyMs
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.costUSD = costUSD
        self.errorKind = errorKind
    }
}

/// A metric value attached to an assignment: feedback from the application, or an online grade.
public struct MetricValueRecord: Sendable, Hashable {
    public enum Source: String, Sendable { case feedback, grader }

    /// Idempotency key: the client's `event_id` (or `grader:ASSIGNMENT:NAME` for grades).
    public var eventID: String
    public var assignmentID: String
    public var metric: String
    public var value: Double
    public var source: Source
    public var at: Date
    /// Whether the value was sent as `true` or `false` (which only binary metrics take); not stored.
    public var isBoolean = false

    public init(eventID: String, assignmentID: String, metric: String, value: Double, source: Source, at: Date) {
        self.eventID = eventID
        self.assignmentID = assignmentID
        self.metric = metric
        self.value = value
        self.source = source
        self.at = at
    }
}

/// What became of one metric value.
public enum MetricValueOutcome: Sendable, Hashable {
    /// Recorded now.
    case recorded
    /// The same event was recorded before (same assignment, metric and value): nothing changed.
    case duplicate
    /// The event id was used before for something else.
    case conflictingDuplicate
    case unknownAssignment
    /// Refused by the rollout's definition (unknown metric, wrong type), with the reason.
    case refused(String)
}

/// Per-unit sums of a metric over the units of one arm: x_u is the sum of the unit's values, m_u
/// the number of its observations. They are the sufficient statistics of the ratio Σx/Σm and its
/// delta-method variance.
public struct UnitSums: Sendable, Hashable {
    public var units: Int
    public var sumValue: Double
    public var sumValueSquared: Double
    public var sumCount: Double
    public var sumCountSquared: Double
    public var sumValueCount: Double

    public init(
        units: Int = 0, sumValue: Double = 0, sumValueSquared: Double = 0, sumCount: Double = 0, sumCountSquared: Double = 0,
        sumValueCount: Double = 0
    ) {
        self.units = units
        self.sumValue = sumValue
        self.sumValueSquared = sumValueSquared
        self.sumCount = sumCount
        self.sumCountSquared = sumCountSquared
        self.sumValueCount = sumValueCount
    }
}
