import Foundation

/// The Wilson score interval for a binomial proportion.
///
/// Matches `scipy.stats.binomtest(k, n).proportion_ci(level, method='wilson')`
/// (no continuity correction): the lower bound is exactly 0 when k = 0 and the
/// upper bound exactly 1 when k = n.
public enum Wilson {
    /// The Wilson interval for `successes` out of `trials`.
    /// - Throws: ``StatsError`` when `trials < 1` or `successes` is outside `0...trials`.
    public static func interval(successes: Int, trials: Int, level: Double = 0.95) throws -> ConfidenceInterval {
        guard trials >= 1 else { throw StatsError.tooFewObservations(needed: 1, got: trials) }
        guard (0...trials).contains(successes) else {
            throw StatsError.invalidArgument("successes \(successes) must be in 0...\(trials)")
        }
        return try interval(proportion: Double(successes) / Double(trials), effectiveTrials: Double(trials), level: level)
    }

    /// The Wilson interval for an observed proportion and a possibly fractional
    /// (effective) sample size.
    ///
    /// - Parameters:
    ///   - proportion: The observed share p̂ in [0, 1].
    ///   - effectiveTrials: The sample size; may be an effective size from a clustered
    ///     standard error (see ``ClusteredStandardError/wilsonInterval(values:clusters:level:)``).
    ///   - level: Confidence level in (0, 1).
    public static func interval(proportion: Double, effectiveTrials n: Double, level: Double = 0.95) throws -> ConfidenceInterval {
        guard n > 0 else { throw StatsError.invalidArgument("effective trials must be positive") }
        guard (0...1).contains(proportion) else { throw StatsError.invalidArgument("proportion must be in [0, 1]") }
        guard level > 0, level < 1 else { throw StatsError.invalidArgument("level must be in (0, 1)") }
        let z = Normal.quantile(0.5 + 0.5 * level)
        let p = proportion
        let q = 1 - p
        let denominator = 2 * (n + z * z)
        let center = (2 * n * p + z * z) / denominator
        let delta = z / denominator * (4 * n * p * q + z * z).squareRoot()
        let lower = p == 0 ? 0 : center - delta
        let upper = p == 1 ? 1 : center + delta
        return ConfidenceInterval(lower: lower, upper: upper, level: level)
    }
}
