import Foundation

/// The sample-ratio-mismatch test of a rollout (STATS.md): Pearson's chi-square of the units per
/// arm against the configured weights, with k − 1 degrees of freedom.
///
/// Arms with weight 0 are left out entirely: their units count neither in the total the
/// expectations are taken from nor in k. GrowthBook's `check_srm` also skips them in the sum
/// but keeps them in the total and in k; without zero-weight arms the two agree.
public enum SampleRatioMismatch {
    /// p < 0.001 flags a mismatch: the threshold GrowthBook and Optimizely use. A rollout is
    /// checked at every look, so a loose threshold would cry wolf on healthy traffic.
    public static let defaultThreshold = 0.001

    /// Tests observed units per arm against the weights.
    /// - Parameters:
    ///   - units: Units per arm.
    ///   - weights: The configured weights, one per arm, in any scale (0.5/0.5 or 50/50).
    ///   - threshold: The p-value below which the split is flagged.
    /// - Returns: χ² = 0, p = 1 and no flag while the arms with positive weight have no units.
    /// - Throws: ``StatsError/lengthMismatch(_:_:)`` when the lists differ in length;
    ///   ``StatsError/invalidArgument(_:)`` for negative units, weights that are negative or not
    ///   finite, fewer than two arms of positive weight, or a threshold outside (0, 1).
    public static func test(units: [Int], weights: [Double], threshold: Double = defaultThreshold) throws -> SRMResult {
        guard units.count == weights.count else { throw StatsError.lengthMismatch(units.count, weights.count) }
        guard threshold > 0, threshold < 1 else { throw StatsError.invalidArgument("threshold must be in (0, 1)") }
        guard units.allSatisfy({ $0 >= 0 }) else { throw StatsError.invalidArgument("units must be non-negative") }
        guard weights.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw StatsError.invalidArgument("weights must be finite and non-negative")
        }
        let arms = weights.indices.filter { weights[$0] > 0 }
        guard arms.count >= 2 else { throw StatsError.invalidArgument("at least two arms need a positive weight") }
        // Doubles: a sum of Ints from outside could overflow.
        let total = arms.reduce(0.0) { $0 + Double(units[$1]) }
        // Scaled by the largest weight so that the total cannot overflow.
        let largestWeight = arms.reduce(0.0) { max($0, weights[$1]) }
        let shares = arms.map { weights[$0] / largestWeight }
        let totalShare = shares.reduce(0, +)
        var zeroWeightUnits = 0
        for index in weights.indices where weights[index] == 0 {
            let (sum, overflow) = zeroWeightUnits.addingReportingOverflow(units[index])
            zeroWeightUnits = overflow ? Int.max : sum
        }
        let degreesOfFreedom = arms.count - 1
        guard total > 0 else {
            return SRMResult(
                chiSquare: 0, degreesOfFreedom: degreesOfFreedom, pValue: 1, flagged: false, unitsInZeroWeightArms: zeroWeightUnits)
        }
        var chiSquare = 0.0
        for (arm, share) in zip(arms, shares) {
            let expected = total * share / totalShare
            guard expected > 0 else {
                // A weight so small that no unit is expected: any unit there is a mismatch.
                if units[arm] > 0 { chiSquare = .infinity }
                continue
            }
            let deviation = Double(units[arm]) - expected
            chiSquare += deviation * deviation / expected
        }
        let p = ChiSquared.sf(chiSquare, df: Double(degreesOfFreedom))
        return SRMResult(
            chiSquare: chiSquare, degreesOfFreedom: degreesOfFreedom, pValue: p, flagged: p < threshold,
            unitsInZeroWeightArms: zeroWeightUnits)
    }
}
