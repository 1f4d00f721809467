import Foundation

/// The alternative hypothesis of a test.
public enum Alternative: String, Sendable, CaseIterable {
    case twoSided = "two-sided"
    case less
    case greater
}

/// The exact binomial test, as `scipy.stats.binomtest`.
public enum BinomialTest {
    /// The p-value of an exact binomial test of H₀: success probability = `p`.
    ///
    /// The two-sided p-value follows scipy: it sums the probabilities of all outcomes
    /// no more likely than the observed one, with a relative tolerance of 1e-7.
    /// - Parameters:
    ///   - successes: Observed successes k.
    ///   - trials: Number of trials n; when 0 the p-value is 1 (scipy raises instead).
    ///   - p: Success probability under H₀.
    /// - Throws: ``StatsError/invalidArgument(_:)`` for k outside 0...n or p outside [0, 1].
    public static func pValue(successes k: Int, trials n: Int, p: Double = 0.5, alternative: Alternative = .twoSided) throws -> Double {
        guard n >= 0, (0...max(n, 0)).contains(k) else {
            throw StatsError.invalidArgument("successes \(k) must be in 0...\(n)")
        }
        guard (0...1).contains(p) else { throw StatsError.invalidArgument("p must be in [0, 1]") }
        if n == 0 { return 1 }
        switch alternative {
        case .less:
            return Binomial.cdf(k, n: n, p: p)
        case .greater:
            return Binomial.sf(k - 1, n: n, p: p)
        case .twoSided:
            return twoSided(k: k, n: n, p: p)
        }
    }

    private static func twoSided(k: Int, n: Int, p: Double) -> Double {
        let nd = Double(n)
        let observed = Binomial.pmf(k, n: n, p: p)
        let threshold = observed * (1 + 1e-7)
        if Double(k) == p * nd { return 1 }
        let total: Double
        if Double(k) < p * nd {
            // Count outcomes above the mean whose probability is at most the threshold.
            let first = lastIndex(atMost: threshold, from: Int((p * nd).rounded(.up)), to: n, decreasing: true, n: n, p: p)
            let y = n - first + (threshold == Binomial.pmf(first, n: n, p: p) ? 1 : 0)
            total = Binomial.cdf(k, n: n, p: p) + Binomial.sf(n - y, n: n, p: p)
        } else {
            let last = lastIndex(atMost: threshold, from: 0, to: Int((p * nd).rounded(.down)), decreasing: false, n: n, p: p)
            let y = last + 1
            total = Binomial.cdf(y - 1, n: n, p: p) + Binomial.sf(k - 1, n: n, p: p)
        }
        return min(1, total)
    }

    /// Binary search over a monotone stretch of the pmf, the same search scipy performs:
    /// on an increasing stretch it finds i with pmf(i) ≤ t < pmf(i+1); on a decreasing
    /// stretch the same on the negated pmf.
    private static func lastIndex(atMost threshold: Double, from lower: Int, to upper: Int, decreasing: Bool, n: Int, p: Double) -> Int {
        let sign = decreasing ? -1.0 : 1.0
        let target = sign * threshold
        func value(_ i: Int) -> Double { sign * Binomial.pmf(i, n: n, p: p) }
        var lo = lower
        var hi = upper
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            let v = value(mid)
            if v < target {
                lo = mid + 1
            } else if v > target {
                hi = mid - 1
            } else {
                return mid
            }
        }
        return value(lo) <= target ? lo : lo - 1
    }
}
