import Foundation

/// An always-valid (anytime) p-value and confidence interval for a mean difference.
public struct AlwaysValidResult: Sendable, Equatable {
    /// The estimated mean difference μ̂.
    public let estimate: Double
    /// μ̂ ± half-width; covers the true difference at every n simultaneously with
    /// probability at least 1 − α. Unbounded (−∞, ∞) when there is no information yet:
    /// fewer than the minimum number of cases, or a variance estimate of 0.
    public let interval: ConfidenceInterval
    /// The always-valid p-value; safe to read after every case. 1 when the interval is unbounded.
    public let pValue: Double
    /// The mixing parameter ρ.
    public let rho: Double
    /// The standard deviation σ̂ the result used (after the prior, see ``SequentialPrior``).
    public var standardDeviation: Double = .nan
    /// Whether n was below the minimum number of cases, so that the result says nothing yet.
    public var belowMinimum: Bool = false
}

/// The prior that keeps an always-valid result honest at small n.
///
/// With the plug-in σ̂ = sd(d), two cases that both got worse (d = [−1, −1]) have
/// σ̂ = 0 and the mSPRT p-value is 0; checked after every case, the false-positive
/// rate of the plug-in form is well above α. Two remedies, both stated here:
///
/// - **A variance prior.** σ̂² is shrunk towards the largest variance a per-case
///   difference can have, σ₀² = R² for differences bounded by ±R (1 for pass/fail,
///   ¼ for win-rate scores s − ½, (max − min)² for scores), with the weight of
///   ν₀ = 1 pseudo-case: σ̂² = (Σ(d − d̄)² + ν₀σ₀²) / (n − 1 + ν₀). The prior fades
///   as cases accumulate and is never below the plug-in variance's share.
/// - **A minimum number of cases.** Below ``minimumCases`` (default 10) the result
///   is p = 1 with an unbounded interval, so no interim verdict can fire.
///
/// With both, 2,000 simulated A/A runs checked after every case stay below α
/// (`SequentialSimulationTests`).
public struct SequentialPrior: Sendable, Equatable {
    /// σ₀², the prior variance of a per-case difference (the largest it can be).
    public var variance: Double
    /// ν₀, the prior's weight in cases.
    public var weight: Double
    /// The fewest cases at which a result may be significant.
    public var minimumCases: Int

    /// 10 cases: with fewer, an always-valid result is p = 1.
    public static let defaultMinimumCases = 10

    /// - Parameters:
    ///   - bound: R, the largest absolute value a per-case difference can take; σ₀² = R².
    ///   - weight: ν₀, default 1 case.
    ///   - minimumCases: Default ``defaultMinimumCases``.
    public init(bound: Double, weight: Double = 1, minimumCases: Int = SequentialPrior.defaultMinimumCases) {
        variance = bound * bound
        self.weight = weight
        self.minimumCases = minimumCases
    }

    /// No prior and no minimum: the plug-in form of the formula, as in the published references.
    public static let none = SequentialPrior(bound: 0, weight: 0, minimumCases: 1)

    /// Paired pass/fail differences, d ∈ [−1, 1].
    public static let passFail = SequentialPrior(bound: 1)
    /// Judge win-rate scores around ½, s − ½ ∈ [−½, ½].
    public static let winRate = SequentialPrior(bound: 0.5)
    /// Paired differences of scores within `range`.
    public static func scores(in range: ClosedRange<Double>) -> SequentialPrior {
        SequentialPrior(bound: max(range.upperBound - range.lowerBound, 0))
    }
}

/// mSPRT (Johari et al. 2017, "Peeking at A/B Tests") in GrowthBook's form
/// (Waudby-Smith et al., eq. 155), for a mean difference with estimated σ̂ after n cases
/// and tuning parameter S, the expected sample size:
///
/// - ρ = √((−2 ln α + ln(1 − 2 ln α)) / S)
/// - half-width = σ̂ · √(2(nρ² + 1) · ln(√(nρ² + 1)/α) / (n²ρ²))
/// - p = min(1, √(nρ² + 1) · exp(−ρ² n² μ̂² / (2 σ̂² (nρ² + 1))))
///
/// For paired data μ̂ = mean(d), σ̂² the variance of d shrunk by a ``SequentialPrior``,
/// and n the number of cases. The p-value is below α exactly when the interval excludes 0.
/// When σ̂ = 0 the data carry no information about the spread: p = 1 and the interval is
/// unbounded (the limit of the formula, p = 0, would call two equal cases significant).
public enum Sequential {
    /// ρ for significance level `alpha` and expected sample size `tuning`.
    public static func rho(alpha: Double, tuning: Double) -> Double {
        let logAlpha = log(alpha)
        return ((-2 * logAlpha + log(1 - 2 * logAlpha)) / tuning).squareRoot()
    }

    /// The always-valid result from summary values.
    /// - Parameters:
    ///   - mean: μ̂.
    ///   - standardDeviation: σ̂ (per case); 0 gives p = 1 and an unbounded interval.
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
        guard sigma > 0 else {
            return AlwaysValidResult(
                estimate: mean, interval: ConfidenceInterval(lower: -.infinity, upper: .infinity, level: 1 - alpha),
                pValue: 1, rho: rho, standardDeviation: 0)
        }
        let nd = Double(n)
        let rho2 = rho * rho
        let spread = nd * rho2 + 1
        let halfWidth = sigma * (2 * spread * log(spread.squareRoot() / alpha) / (nd * nd * rho2)).squareRoot()
        let p = min(1, spread.squareRoot() * exp(-rho2 * nd * nd * mean * mean / (2 * sigma * sigma * spread)))
        return AlwaysValidResult(
            estimate: mean,
            interval: ConfidenceInterval(lower: mean - halfWidth, upper: mean + halfWidth, level: 1 - alpha),
            pValue: p, rho: rho, standardDeviation: sigma)
    }

    /// The always-valid result from the mean and the sum of squared deviations Σ(d − d̄)²
    /// of n paired differences, with the variance shrunk by `prior`.
    /// - Throws: as ``alwaysValid(mean:standardDeviation:count:alpha:tuning:)``.
    public static func alwaysValid(
        mean: Double, squaredDeviations: Double, count n: Int, alpha: Double = 0.05, tuning: Double,
        prior: SequentialPrior
    ) throws -> AlwaysValidResult {
        guard n >= 1 else { throw StatsError.tooFewObservations(needed: 1, got: n) }
        guard prior.variance >= 0, prior.weight >= 0 else { throw StatsError.invalidArgument("the prior must be non-negative") }
        let denominator = Double(n - 1) + prior.weight
        let variance = denominator > 0 ? (max(squaredDeviations, 0) + prior.weight * prior.variance) / denominator : 0
        var result = try alwaysValid(
            mean: mean, standardDeviation: variance.squareRoot(), count: n, alpha: alpha, tuning: tuning)
        if n < prior.minimumCases {
            result = AlwaysValidResult(
                estimate: mean, interval: ConfidenceInterval(lower: -.infinity, upper: .infinity, level: 1 - alpha),
                pValue: 1, rho: result.rho, standardDeviation: result.standardDeviation, belowMinimum: true)
        }
        return result
    }

    /// The always-valid result for paired differences d = variant − control.
    /// - Parameters:
    ///   - prior: The variance prior and minimum number of cases; see ``SequentialPrior``.
    /// - Throws: ``StatsError/tooFewObservations(needed:got:)`` without cases.
    public static func alwaysValid(
        differences d: [Double], alpha: Double = 0.05, tuning: Double, prior: SequentialPrior
    ) throws -> AlwaysValidResult {
        guard !d.isEmpty else { throw StatsError.tooFewObservations(needed: 1, got: 0) }
        let mean = Descriptive.mean(d)
        var squares = 0.0
        for x in d { squares += (x - mean) * (x - mean) }
        return try alwaysValid(mean: mean, squaredDeviations: squares, count: d.count, alpha: alpha, tuning: tuning, prior: prior)
    }
}
