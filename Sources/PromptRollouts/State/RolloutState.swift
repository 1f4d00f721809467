import Foundation

/// Where a rollout is in its life.
public enum RolloutStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Traffic is split between the arms.
    case running
    /// Everyone gets the control; nothing is recorded until `resume`.
    case paused
    /// Ended without a promotion; the prompt's default label is served again.
    case stopped
    /// Ended by moving the control's label to the winning arm's version.
    case promoted

    /// Whether the rollout still takes part in serving (running or paused).
    public var isActive: Bool { self == .running || self == .paused }
}

/// One arm as started: the version its reference pointed at then. Arms are pinned at start so that
/// the readout compares fixed versions even if a label moves during the rollout.
public struct ResolvedArm: Sendable, Hashable, Codable {
    public var name: String
    /// The reference as written in the file (`production`, `v5`).
    public var ref: String
    /// The version number, when the commit is on the prompt's first-parent history.
    public var version: Int?
    /// The commit of the version, in full.
    public var commit: String

    public init(name: String, ref: String, version: Int?, commit: String) {
        self.name = name
        self.ref = ref
        self.version = version
        self.commit = commit
    }
}

/// A rollout as started: its definition, the arms' pinned versions and the commit of the file.
public struct RolloutPlan: Sendable, Hashable, Codable {
    public var definition: RolloutDefinition
    public var arms: [ResolvedArm]
    /// The commit holding the rollout file as started.
    public var fileCommit: String
    /// The path of the rollout file, relative to the prompt root.
    public var filePath: String

    public init(definition: RolloutDefinition, arms: [ResolvedArm], fileCommit: String, filePath: String) {
        self.definition = definition
        self.arms = arms
        self.fileCommit = fileCommit
        self.filePath = filePath
    }
}

/// A rollout's current state: the plan it started with and what its latest event left.
public struct RolloutState: Sendable {
    public var plan: RolloutPlan
    public var status: RolloutStatus
    /// The analysis phase: ramping or resuming starts a new one, and the readout reads only the current one.
    public var phase: Int
    /// The split currently served.
    public var split: TrafficSplit
    /// Treatments paused on their own (a breached guardrail): their units get the control, unrecorded.
    public var pausedArms: Set<String>
    /// The id of the latest event, for compare-and-swap updates.
    public var latestEventID: Int64

    public init(
        plan: RolloutPlan, status: RolloutStatus, phase: Int, split: TrafficSplit, pausedArms: Set<String>, latestEventID: Int64
    ) {
        self.plan = plan
        self.status = status
        self.phase = phase
        self.split = split
        self.pausedArms = pausedArms
        self.latestEventID = latestEventID
    }

    public var name: String { plan.definition.name }

    /// What a unit is served.
    public struct Decision: Sendable, Equatable {
        /// The index of the arm served (0, the control, when the unit is not in the experiment).
        public var armIndex: Int
        /// The unit's bucket, 0 ≤ b < 1, as GrowthBook computes it.
        public var bucket: Double
        /// Whether the unit is in the experiment (running, inside coverage, its arm not paused): only then
        /// are its exposure and assignment recorded.
        public var isRecorded: Bool
    }

    /// The arm for `unit`: a function of the seed, the unit and the split only, so every server agrees.
    public func decide(unit: String) -> Decision {
        let definition = plan.definition
        let bucket = GrowthBookHash.bucket(seed: definition.seed, unit: unit, version: 2) ?? 0
        guard status == .running, let arm = split.arm(forBucket: bucket) else {
            return Decision(armIndex: 0, bucket: bucket, isRecorded: false)
        }
        if pausedArms.contains(plan.arms[arm].name) { return Decision(armIndex: 0, bucket: bucket, isRecorded: false) }
        return Decision(armIndex: arm, bucket: bucket, isRecorded: true)
    }
}
