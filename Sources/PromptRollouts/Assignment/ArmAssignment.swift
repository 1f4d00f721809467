/// Where one unit landed: its bucket on [0, 1) and the arm that bucket selects.
public struct ArmAssignment: Sendable, Equatable {
    /// The arm index, or `nil` when the unit is not enrolled (outside coverage, or no unit id).
    public var arm: Int?
    /// GrowthBook's version 2 bucket, `k / 10000`.
    public var bucket: Double

    public init(arm: Int?, bucket: Double) {
        self.arm = arm
        self.bucket = bucket
    }
}
