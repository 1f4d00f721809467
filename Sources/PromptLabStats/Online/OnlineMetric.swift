import Foundation

/// The statistics of a rollout's readout: each arm's mean, treatment − control, and how much
/// more traffic a verdict needs, all always-valid so that a dashboard may be read at any time.
///
/// Means are ratios Σx/Σm over units with delta-method variances (``UnitMetricSums``). Intervals
/// and p-values are mSPRT in GrowthBook's form (``Sequential``), with a per-unit σ̂ and the tuning
/// S counted in units per arm.
///
/// Small samples never give a verdict, for two reasons stated once here:
/// - **A minimum number of units** per arm (``defaultMinimumUnits``): below it, p = 1 and the
///   interval is unbounded.
/// - **A variance prior** when the metric's range `bound` is known (1 for a rate, the score range
///   for a bounded score): σ̂² is shrunk towards the largest variance such a metric can have, with
///   the weight of one unit (see ``SequentialPrior``). For an unbounded metric (`bound` nil:
///   latency, cost, tokens) no such ceiling exists and σ̂ is the plug-in estimate, which the
///   minimum number of units keeps from being trusted too early.
public enum OnlineMetric {
    /// 100 units per arm: enough for a plug-in variance of a skewed metric to be within a few
    /// tens of percent, and few enough not to delay a verdict on real traffic.
    public static let defaultMinimumUnits = 100

    /// The prior of one arm's per-unit σ̂²: a value within a range of width `bound` has variance
    /// at most bound²/4. No prior (plug-in σ̂) when `bound` is nil.
    /// - Throws: ``StatsError/invalidArgument(_:)`` unless bound is nil or finite and positive, and
    ///   minimumUnits ≥ 1.
    public static func armPrior(bound: Double?, minimumUnits: Int = defaultMinimumUnits) throws -> SequentialPrior {
        try prior(bound: bound, varianceFactor: 0.25, minimumUnits: minimumUnits)
    }

    /// The prior of a difference's per-unit σ̂² = n(var(R̂_T) + var(R̂_C)): at most 2 · bound²/4 =
    /// bound²/2, because the effective n is at most twice either arm's units. No prior when `bound` is nil.
    /// - Throws: as ``armPrior(bound:minimumUnits:)``.
    public static func differencePrior(bound: Double?, minimumUnits: Int = defaultMinimumUnits) throws -> SequentialPrior {
        try prior(bound: bound, varianceFactor: 0.5, minimumUnits: minimumUnits)
    }

    private static func prior(bound: Double?, varianceFactor: Double, minimumUnits: Int) throws -> SequentialPrior {
        guard minimumUnits >= 1 else { throw StatsError.invalidArgument("minimumUnits must be at least 1") }
        guard let bound else { return SequentialPrior(bound: 0, weight: 0, minimumCases: minimumUnits) }
        guard bound.isFinite, bound > 0 else {
            throw StatsError.invalidArgument("bound (the metric's range) must be finite and positive")
        }
        var prior = SequentialPrior(bound: 0, weight: 1, minimumCases: minimumUnits)
        prior.variance = varianceFactor * bound * bound
        return prior
    }

    /// Checks the arguments every always-valid result shares.
    static func validate(alpha: Double, tuning: Double) throws {
        guard alpha > 0, alpha < 1 else { throw StatsError.invalidArgument("alpha must be in (0, 1)") }
        // S counts units: below one unit ρ² = c/S is meaningless (and overflows for tiny S).
        guard tuning.isFinite, tuning >= 1 else {
            throw StatsError.invalidArgument("tuning (expected units per arm) must be finite and at least 1")
        }
    }

    /// One arm's mean with an always-valid interval.
    ///
    /// μ̂ = R = Σx/Σm; the per-unit σ̂² = n · var(R̂) (delta method), shrunk by
    /// ``armPrior(bound:minimumUnits:)``; the interval is ``Sequential`` with n = the arm's units.
    /// - Parameters:
    ///   - sums: The arm's sums.
    ///   - alpha: Significance level, default 0.05.
    ///   - tuning: S, the units the arm is expected to reach.
    ///   - bound: The metric's range (1 for a rate); nil for an unbounded metric.
    ///   - minimumUnits: Below it the interval is unbounded.
    /// - Throws: ``StatsError/tooFewObservations(needed:got:)`` without units;
    ///   ``StatsError/invalidArgument(_:)`` for non-finite or inconsistent sums or arguments.
    public static func estimate(
        _ sums: UnitMetricSums, alpha: Double = 0.05, tuning: Double, bound: Double?,
        minimumUnits: Int = defaultMinimumUnits
    ) throws -> ArmMetricEstimate {
        try validate(alpha: alpha, tuning: tuning)
        let prior = try armPrior(bound: bound, minimumUnits: minimumUnits)
        return try estimate(sums.ratio(), observations: sums.sumCount, alpha: alpha, tuning: tuning, prior: prior)
    }

    static func estimate(
        _ ratio: RatioEstimate, observations: Double, alpha: Double, tuning: Double, prior: SequentialPrior
    ) throws -> ArmMetricEstimate {
        let sequential = try Sequential.alwaysValid(
            mean: ratio.mean, squaredDeviations: Double(ratio.units - 1) * ratio.perUnitVariance, count: ratio.units,
            alpha: alpha, tuning: tuning, prior: prior)
        return ArmMetricEstimate(
            units: ratio.units, observations: observations, mean: ratio.mean,
            standardError: ratio.varianceOfMean.squareRoot(), sequential: sequential)
    }
}
