import Foundation

/// An always-valid (anytime) p-value and confidence interval for a mean difference.
public struct AlwaysValidResult: Sendable, Equatable {
    /// The estimated mean difference μ̂.
    public let estimate: Double
    /// μ̂ ± half-width; covers the true difference at every n simultaneously with
    /// probability at least 1 − α.
    public let interval: ConfidenceInterval
    /// The always-valid p-value; safe to read after every case.
    public let pValue: Double
    /// The mixing parameter ρ.
    public let rho: Double
}

/// mSPRT (Johari et al. 2017, "Peeking at A/B Tests") in GrowthBook's form
/// (Waudby-Smith et al., eq. 155), for a mean difference with estimated σ̂ after n cases
/// and tuning parameter S, the expected sample size:
///
/// - ρ = √((−2 ln α + ln(1 − 2 ln α)) / S)
/// - half-width = σ̂ · √(2(nρ² + 1) · ln(√(nρ² + 1)/α) / (n²ρ²))
/// - p = min(1, √(nρ² + 1) · exp(−ρ² n² μ̂² / (2 σ̂² (nρ² + 1))))
///
/// For paired data μ̂ = mean(d), σ̂ = sd(d) and n is the number of cases.
/// The p-value is below α exactly when the interval excludes 0.
public enum Sequential {
    /// ρ for significance level `alpha` and expected sample size `tuning`.
    public static func rho(alpha: Double, tuning: Double) -> Double {
        let logAlpha = log(alpha)
        return ((-2 * logAlpha + log(1 - 2 * logAlpha)) / tuning).squareRoot()
    }

    /// The always-valid result from summary values.
    /// - Parameters:
    ///   - mean: μ̂.
    ///   - standardDeviation: σ̂ (per case).
    ///   - count: n.
    ///   - alpha: Significance level, default 0.05.
    ///   - tuning: S, the sample size at which the test is tuned to be most powerful.
    /// - Throws: ``StatsError/invalidArgument(_:)`` for n < 1, σ̂ < 0, α ∉ (0, 1) or S ≤ 0.
    public static func alwaysValid(
        mean: Double, standardDeviation sigma: Double, count n: Int,
        alpha: Double = 0.05, tuning: Double
    ) throws -> AlwaysValidResult {
        guard n >= 1 else { throw StatsError.tooFewObservations(needed: 1, got: n) }
        guard sigma >= 0, sigma.isFinite, mean.isFinite else {
            throw StatsError.invalidArgument("mean and standard deviation must be finite, σ ≥ 0")
        }
        guard alpha > 0, alpha < 1 else { throw StatsError.invalidArgument("alpha must be in (0, 1)") }
        guard tuning > 0 else { throw StatsError.invalidArgument("tuning parameter S must be positive") }
        let rho = rho(alpha: alpha, tuning: tuning)
        let nd = Double(n)
        let rho2 = rho * rho
        let spread = nd * rho2 + 1
        let halfWidth = sigma * (2 * spread * log(spread.squareRoot() / alpha) / (nd * nd * rho2)).squareRoot()
        let p: Double
        if sigma > 0 {
            p = min(1, spread.squareRoot() * exp(-rho2 * nd * nd * mean * mean / (2 * sigma * sigma * spread)))
        } else {
            p = mean == 0 ? 1 : 0
        }
        return AlwaysValidResult(
            estimate: mean,
            interval: ConfidenceInterval(lower: mean - halfWidth, upper: mean + halfWidth, level: 1 - alpha),
            pValue: p, rho: rho)
    }

    /// The always-valid result for paired differences d = variant − control.
    /// - Throws: ``StatsError/tooFewObservations(needed:got:)`` with fewer than 2 cases.
    public static func alwaysValid(differences d: [Double], alpha: Double = 0.05, tuning: Double) throws -> AlwaysValidResult {
        guard d.count >= 2 else { throw StatsError.tooFewObservations(needed: 2, got: d.count) }
        let mean = Descriptive.mean(d)
        let sd = max(Descriptive.variance(d, mean: mean), 0).squareRoot()
        return try alwaysValid(mean: mean, standardDeviation: sd, count: d.count, alpha: alpha, tuning: tuning)
    }
}
