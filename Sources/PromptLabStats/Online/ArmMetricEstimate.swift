/// One metric for one arm of a rollout: the observation-weighted mean Σx/Σm over the arm's
/// units, with an always-valid interval that may be read after every new unit.
public struct ArmMetricEstimate: Sendable, Equatable {
    /// Units with at least one observation.
    public let units: Int
    /// Σm, the observations (requests or feedback events) behind the mean.
    public let observations: Double
    /// R = Σx/Σm; for a metric observed once per unit, the plain mean over units.
    public let mean: Double
    /// √var(R̂) by the delta method, the plug-in standard error (no prior).
    public let standardError: Double
    /// The always-valid interval around the mean; its σ̂ is per unit and includes the prior.
    /// Its p-value tests a mean of 0, which is seldom a question anyone asks of one arm.
    public let sequential: AlwaysValidResult

    /// Covers the arm's true mean at every look simultaneously with probability 1 − α.
    public var interval: ConfidenceInterval { sequential.interval }
    /// Fewer units than the minimum: the interval is unbounded and says nothing yet.
    public var belowMinimum: Bool { sequential.belowMinimum }
}
