/// Sticky, stateless assignment of units (users or sessions) to rollout arms.
///
/// Nothing is stored: the arm is a pure function of the unit, the seed and the split, so every server and every
/// GrowthBook SDK evaluating the same experiment agrees. Pass the GrowthBook experiment's seed as `seed`, or its
/// key when it has no seed (GrowthBook uses `seed || key`). The experiment must use hash version 2, the default
/// for experiments created in GrowthBook; the SDKs fall back to version 1 when a payload omits `hashVersion`.
public enum RolloutAssigner {
    /// Assigns `unit` to an arm of `split`.
    ///
    /// An empty unit id is never enrolled (`arm` is `nil`), as GrowthBook skips users whose hash attribute is
    /// empty; otherwise everyone with a missing id would share one bucket and one arm.
    public static func assign(unit: String, seed: String, split: TrafficSplit) -> ArmAssignment {
        let bucket = GrowthBookHash.bucketV2(seed: seed, unit: unit)
        guard !unit.isEmpty else { return ArmAssignment(arm: nil, bucket: bucket) }
        return ArmAssignment(arm: split.arm(forBucket: bucket), bucket: bucket)
    }
}
