import Foundation

extension OnlineMetric {
    /// Treatment − control with an always-valid interval and p-value.
    ///
    /// GrowthBook's two-sample mSPRT (STATS.md): the Welch variance SE² = var(R̂_T) + var(R̂_C) is
    /// scaled to a per-unit variance σ̂² = n · SE², which ``Sequential`` turns into
    /// half-width = SE · √(2(nρ² + 1) ln(√(nρ² + 1)/α) / (nρ²)). Only the product nρ² = n · c/S
    /// enters, so n and S must count the same thing; here both are **units per arm**, with
    /// n = ⌊2 n_T n_C / (n_T + n_C)⌋ (the harmonic mean). GrowthBook counts both arms together
    /// (n = n_T + n_C, S in total units); with an even split and S doubled that is the same number.
    /// The harmonic mean keeps σ̂² near σ_T² + σ_C² for any split, so the variance prior
    /// (``differencePrior(bound:minimumUnits:)``) stays a ceiling, and it is never below the smaller arm.
    ///
    /// The relative difference Δ/R_C uses the delta method with the control mean estimated,
    /// var = var(R̂_T)/R_C² + R_T² var(R̂_C)/R_C⁴ (GrowthBook's relative variance), the same n and
    /// the prior scaled by the same factors.
    /// - Parameters:
    ///   - alpha: Significance level, default 0.05.
    ///   - tuning: S, the units per arm the rollout is expected to reach.
    ///   - bound: The metric's range (1 for a rate); nil for an unbounded metric.
    ///   - minimumUnits: Each arm needs this many units before any verdict.
    /// - Throws: ``StatsError/tooFewObservations(needed:got:)`` when an arm has no units;
    ///   ``StatsError/invalidArgument(_:)`` for non-finite or inconsistent sums or arguments.
    public static func difference(
        control: UnitMetricSums, treatment: UnitMetricSums, alpha: Double = 0.05, tuning: Double, bound: Double?,
        minimumUnits: Int = defaultMinimumUnits
    ) throws -> OnlineDifference {
        try validate(alpha: alpha, tuning: tuning)
        let armPrior = try armPrior(bound: bound, minimumUnits: minimumUnits)
        // The minimum applies to each arm below; the sequential call only shrinks the variance.
        var prior = try differencePrior(bound: bound, minimumUnits: minimumUnits)
        prior.minimumCases = 1
        let c = try control.ratio()
        let t = try treatment.ratio()
        let controlEstimate = try estimate(c, observations: control.sumCount, alpha: alpha, tuning: tuning, prior: armPrior)
        let treatmentEstimate = try estimate(t, observations: treatment.sumCount, alpha: alpha, tuning: tuning, prior: armPrior)

        let units = effectiveUnits(c.units, t.units)
        let n = Double(units)
        let variance = c.varianceOfMean + t.varianceOfMean
        let delta = t.mean - c.mean
        guard delta.isFinite, variance.isFinite else { throw StatsError.invalidArgument("metric sums are too large to compare") }
        let belowMinimum = min(c.units, t.units) < minimumUnits

        var absolute = try Sequential.alwaysValid(
            mean: delta, squaredDeviations: (n - 1) * n * variance, count: units, alpha: alpha, tuning: tuning, prior: prior)
        if belowMinimum { absolute = absolute.withoutVerdict() }

        var relative: AlwaysValidResult?
        if c.mean != 0 {
            let rc2 = c.mean * c.mean
            let factorT = 1 / rc2
            let factorC = t.mean * t.mean / (rc2 * rc2)
            let relativeVariance = factorT * t.varianceOfMean + factorC * c.varianceOfMean
            var relativePrior = prior
            relativePrior.variance = prior.variance * (factorT + factorC)
            // Non-finite terms (a control mean near 0) leave the relative difference undefined.
            relative = try? Sequential.alwaysValid(
                mean: delta / c.mean, squaredDeviations: (n - 1) * n * relativeVariance, count: units, alpha: alpha,
                tuning: tuning, prior: relativePrior)
            if belowMinimum { relative = relative?.withoutVerdict() }
        }

        let standardError = variance.squareRoot()
        let fixedHorizon = standardError > 0 ? min(1, 2 * Normal.sf(abs(delta) / standardError)) : 1
        return OnlineDifference(
            control: controlEstimate, treatment: treatmentEstimate, difference: delta, standardError: standardError,
            effectiveUnits: units, absolute: absolute, relative: relative, fixedHorizonPValue: fixedHorizon, alpha: alpha,
            tuning: tuning, minimumUnits: minimumUnits)
    }

    /// ⌊2ab/(a + b)⌋ for a, b ≥ 1: between min(a, b) and 2·min(a, b), so it fits in an `Int`.
    static func effectiveUnits(_ a: Int, _ b: Int) -> Int {
        let x = Double(a)
        let y = Double(b)
        let harmonic = (2 * x * y / (x + y)).rounded(.down)
        // Rounding of a huge product could land a hair below the smaller arm.
        return max(min(a, b), Int(exactly: harmonic) ?? min(a, b))
    }
}
