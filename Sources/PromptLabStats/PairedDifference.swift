import Foundation

/// The mean paired difference d = variant − control with a t confidence interval.
public struct PairedDifference: Sendable, Equatable {
    /// Number of cases n.
    public let count: Int
    /// mean(d).
    public let mean: Double
    /// Sample standard deviation of d (divisor n − 1).
    public let standardDeviation: Double
    /// sd(d)/√n.
    public let standardError: Double
    /// The t statistic mean/SE.
    public let t: Double
    /// Degrees of freedom n − 1.
    public let degreesOfFreedom: Int
    /// Two-sided p-value of the paired t test.
    public let pValue: Double
    /// mean ± t_{1−α/2, n−1} · SE.
    public let interval: ConfidenceInterval
}

/// The paired t test and interval, as `scipy.stats.ttest_rel(variant, control)`
/// with `.confidence_interval(level)`.
public enum PairedT {
    /// Analyses paired scores, one pair per case.
    /// - Throws: ``StatsError`` when the lengths differ or there are fewer than 2 cases.
    public static func test(control: [Double], variant: [Double], level: Double = 0.95) throws -> PairedDifference {
        guard control.count == variant.count else { throw StatsError.lengthMismatch(control.count, variant.count) }
        return try test(differences: zip(variant, control).map { $0 - $1 }, level: level)
    }

    /// Analyses precomputed differences d_i = variant_i − control_i.
    ///
    /// When every difference is identical the standard error is 0: the interval
    /// collapses to the mean and the p-value is 1 if the mean is 0 and 0 otherwise
    /// (scipy returns NaN for the statistic in that case).
    public static func test(differences d: [Double], level: Double = 0.95) throws -> PairedDifference {
        guard d.count >= 2 else { throw StatsError.tooFewObservations(needed: 2, got: d.count) }
        guard level > 0, level < 1 else { throw StatsError.invalidArgument("level must be in (0, 1)") }
        let n = Double(d.count)
        let mean = Descriptive.mean(d)
        let sd = max(Descriptive.variance(d, mean: mean), 0).squareRoot()
        let se = sd / n.squareRoot()
        let df = d.count - 1
        return make(count: d.count, mean: mean, sd: sd, se: se, df: df, level: level)
    }

    /// The interval and test from summary values; shared with the win-rate interval.
    static func make(count: Int, mean: Double, sd: Double, se: Double, df: Int, level: Double) -> PairedDifference {
        let t: Double
        let p: Double
        if se > 0 {
            t = mean / se
            p = min(1, 2 * StudentT.sf(abs(t), df: Double(df)))
        } else {
            t = mean == 0 ? 0 : (mean > 0 ? .infinity : -.infinity)
            p = mean == 0 ? 1 : 0
        }
        let critical = StudentT.quantile(0.5 + 0.5 * level, df: Double(df))
        let interval = ConfidenceInterval(lower: mean - critical * se, upper: mean + critical * se, level: level)
        return PairedDifference(
            count: count, mean: mean, standardDeviation: sd, standardError: se,
            t: t, degreesOfFreedom: df, pValue: p, interval: interval)
    }
}
