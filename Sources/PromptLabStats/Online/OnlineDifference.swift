/// Treatment − control for one metric of a rollout, with always-valid results.
///
/// Read it after every batch of traffic: the interval covers the true difference at all looks
/// simultaneously with probability 1 − α, so stopping as soon as it excludes 0 keeps the
/// false-positive rate at α. ``fixedHorizonPValue`` is the ordinary z-test, valid only at one
/// look planned in advance; it is kept to show users how much peeking would have misled them.
public struct OnlineDifference: Sendable, Equatable {
    /// The control arm on its own.
    public let control: ArmMetricEstimate
    /// The treatment arm on its own.
    public let treatment: ArmMetricEstimate
    /// Δ = R_T − R_C.
    public let difference: Double
    /// √(var(R̂_T) + var(R̂_C)), the unpooled (Welch) plug-in standard error of Δ.
    public let standardError: Double
    /// n, the effective units per arm: ⌊2 n_T n_C / (n_T + n_C)⌋, the harmonic mean of the arms' units.
    /// It equals the units per arm when the split is even and the tuning S is in the same unit.
    public let effectiveUnits: Int
    /// The always-valid interval and p-value of Δ (σ̂² = n · SE², shrunk by the prior).
    public let absolute: AlwaysValidResult
    /// Δ / R_C with its always-valid interval (delta method, the control mean estimated);
    /// nil when the control mean is 0 or the ratio cannot be formed.
    public let relative: AlwaysValidResult?
    /// The fixed-horizon two-sided z-test of Δ = 0, 2·(1 − Φ(|Δ|/SE)); 1 when SE = 0.
    /// Not a stopping rule.
    public let fixedHorizonPValue: Double
    /// The significance level the intervals were built for.
    public let alpha: Double
    /// S, the effective units per arm at which the test is tuned to be most powerful.
    public let tuning: Double
    /// The fewest units each arm needs before any verdict.
    public let minimumUnits: Int

    /// The always-valid interval of Δ.
    public var interval: ConfidenceInterval { absolute.interval }
    /// The always-valid p-value of Δ = 0.
    public var pValue: Double { absolute.pValue }
    /// Whether an arm has fewer than ``minimumUnits`` units, so that p = 1 whatever the data.
    public var belowMinimum: Bool { absolute.belowMinimum }
}
