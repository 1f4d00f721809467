import Foundation

/// Sample sizes, minimum detectable effects and "how many more cases" for the paired
/// designs in this module. Sizes are returned unrounded; round up with
/// ``Power/cases(_:)`` (22.01 → 23). All tests are two-sided at level α.
public enum Power {

    // MARK: - Sample sizes

    /// Cases needed for McNemar's test (Connor 1987):
    /// n = [z_{1−α/2}·√p_disc + z_{1−β}·√(p_disc − δ²)]² / δ²,
    /// with p_disc = p10 + p01 and δ = p10 − p01.
    /// - Parameters:
    ///   - p10: Share of cases where only the control passes (or only the variant; the
    ///     formula is symmetric).
    ///   - p01: Share of cases where only the other arm passes.
    /// - Throws: ``StatsError/invalidArgument(_:)`` when p10 = p01 or the shares are invalid.
    public static func pairedBinarySampleSize(p10: Double, p01: Double, alpha: Double = 0.05, power: Double = 0.8) throws -> Double {
        try validate(alpha: alpha, power: power)
        guard p10 >= 0, p01 >= 0, p10 + p01 <= 1 else {
            throw StatsError.invalidArgument("p10 and p01 must be shares summing to at most 1")
        }
        let delta = p10 - p01
        guard delta != 0 else { throw StatsError.invalidArgument("p10 and p01 are equal: there is no effect to detect") }
        return connor(discordant: p10 + p01, delta: abs(delta), alpha: alpha, power: power)
    }

    /// Cases needed for a paired test of numeric scores:
    /// n = (z_{1−α/2} + z_{1−β})² · σ_d² / δ².
    /// - Parameters:
    ///   - delta: The mean difference to detect.
    ///   - differenceVariance: σ_d², see ``differenceVariance(caseVariance:varianceA:varianceB:repeats:)``.
    public static func pairedNumericSampleSize(delta: Double, differenceVariance: Double, alpha: Double = 0.05, power: Double = 0.8) throws
        -> Double
    {
        try validate(alpha: alpha, power: power)
        guard delta != 0, differenceVariance >= 0 else {
            throw StatsError.invalidArgument("delta must be non-zero and the variance non-negative")
        }
        let z = Normal.quantile(1 - alpha / 2) + Normal.quantile(power)
        return z * z * differenceVariance / (delta * delta)
    }

    /// σ_d² = ω² + (σ_A² + σ_B²)/K for case-level means of K repeats, where ω² is the
    /// variance of the true per-case difference and σ_A², σ_B² the within-case
    /// (repeat-to-repeat) variances of the two arms.
    public static func differenceVariance(caseVariance omega2: Double, varianceA: Double, varianceB: Double, repeats: Int = 1) -> Double {
        omega2 + (varianceA + varianceB) / Double(max(repeats, 1))
    }

    /// Non-tied cases needed to show a win rate p differs from 50%:
    /// n = ((z_{1−α/2}·0.5 + z_{1−β}·√(p(1−p))) / (p − 0.5))².
    public static func winRateSampleSize(winRate p: Double, alpha: Double = 0.05, power: Double = 0.8) throws -> Double {
        try validate(alpha: alpha, power: power)
        guard p > 0, p < 1, p != 0.5 else { throw StatsError.invalidArgument("win rate must be in (0, 1) and not 0.5") }
        return winRateSize(p, alpha: alpha, power: power)
    }

    // MARK: - Minimum detectable effects

    /// The smallest |p10 − p01| that McNemar's test detects with n cases, given the
    /// share of discordant cases; `nil` when no effect is detectable (n < z²/p_disc).
    public static func pairedBinaryMinimumDetectableEffect(cases n: Int, discordantShare: Double, alpha: Double = 0.05, power: Double = 0.8)
        throws -> Double?
    {
        try validate(alpha: alpha, power: power)
        guard discordantShare > 0, discordantShare <= 1 else { throw StatsError.invalidArgument("discordant share must be in (0, 1]") }
        let target = Double(n)
        if connor(discordant: discordantShare, delta: discordantShare, alpha: alpha, power: power) > target { return nil }
        return solveDecreasing(low: 1e-12, high: discordantShare, target: target) {
            connor(discordant: discordantShare, delta: $0, alpha: alpha, power: power)
        }
    }

    /// The smallest mean difference a paired numeric test detects with n cases:
    /// (z_{1−α/2} + z_{1−β}) · σ_d / √n.
    public static func pairedNumericMinimumDetectableEffect(
        cases n: Int, differenceVariance: Double, alpha: Double = 0.05, power: Double = 0.8
    ) throws -> Double {
        try validate(alpha: alpha, power: power)
        guard n >= 1 else { throw StatsError.tooFewObservations(needed: 1, got: n) }
        let z = Normal.quantile(1 - alpha / 2) + Normal.quantile(power)
        return z * differenceVariance.squareRoot() / Double(n).squareRoot()
    }

    /// The smallest win rate above 50% that n non-tied cases detect; `nil` when even a
    /// rate of 100% is not detectable with so few cases.
    public static func winRateMinimumDetectable(nonTiedCases n: Int, alpha: Double = 0.05, power: Double = 0.8) throws -> Double? {
        try validate(alpha: alpha, power: power)
        let target = Double(n)
        if winRateSize(1 - 1e-12, alpha: alpha, power: power) > target { return nil }
        return solveDecreasing(low: 0.5 + 1e-12, high: 1 - 1e-12, target: target) {
            winRateSize($0, alpha: alpha, power: power)
        }
    }

    // MARK: - How many more cases

    /// The largest sample size reported as a number of cases. Beyond it (or for an infinite or
    /// undefined size, which a vanishing effect produces) no experiment could reach the power, and
    /// converting the size to an integer could trap, so sizes are reported as unreachable instead.
    public static let largestReachableSize: Double = 1e9

    /// A required size rounded up to whole cases; `nil` when the size is not a number, infinite
    /// or above ``largestReachableSize``.
    public static func cases(_ size: Double) -> Int? {
        guard size.isFinite, size <= largestReachableSize else { return nil }
        return Int(max(size, 0).rounded(.up))
    }

    /// Additional cases a verdict needs: max(0, ⌈required⌉ − current); `nil` when the required
    /// size is unreachable (see ``cases(_:)``).
    public static func additionalCases(required: Double, current: Int) -> Int? {
        guard let needed = cases(required) else { return nil }
        return max(0, needed - current)
    }

    /// Additional cases a win-rate verdict needs, counting ties: the required number of
    /// non-tied cases is divided by the share of non-tied cases; `nil` when unreachable.
    /// - Parameters:
    ///   - winRate: Observed W/(W + L).
    ///   - tieShare: Observed T/n, in [0, 1).
    ///   - currentCases: n, ties included.
    public static func additionalCasesForWinRate(
        winRate: Double, tieShare: Double, currentCases: Int, alpha: Double = 0.05, power: Double = 0.8
    ) throws -> Int? {
        guard tieShare >= 0, tieShare < 1 else { throw StatsError.invalidArgument("tie share must be in [0, 1)") }
        let nonTied = try winRateSampleSize(winRate: winRate, alpha: alpha, power: power)
        return additionalCases(required: nonTied / (1 - tieShare), current: currentCases)
    }

    // MARK: - Helpers

    private static func connor(discordant: Double, delta: Double, alpha: Double, power: Double) -> Double {
        let za = Normal.quantile(1 - alpha / 2)
        let zb = Normal.quantile(power)
        let root = za * discordant.squareRoot() + zb * max(discordant - delta * delta, 0).squareRoot()
        return root * root / (delta * delta)
    }

    private static func winRateSize(_ p: Double, alpha: Double, power: Double) -> Double {
        let za = Normal.quantile(1 - alpha / 2)
        let zb = Normal.quantile(power)
        let ratio = (za * 0.5 + zb * (p * (1 - p)).squareRoot()) / (p - 0.5)
        return ratio * ratio
    }

    /// Bisection for the x in [low, high] where a decreasing size function equals target.
    private static func solveDecreasing(low: Double, high: Double, target: Double, _ size: (Double) -> Double) -> Double {
        var lo = low
        var hi = high
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if size(mid) > target { lo = mid } else { hi = mid }
            if hi - lo <= 1e-15 * hi { break }
        }
        return 0.5 * (lo + hi)
    }

    private static func validate(alpha: Double, power: Double) throws {
        guard alpha > 0, alpha < 1 else { throw StatsError.invalidArgument("alpha must be in (0, 1)") }
        guard power > 0, power < 1 else { throw StatsError.invalidArgument("power must be in (0, 1)") }
    }
}
