import Foundation

/// How the Wilcoxon signed-rank test treats zero differences.
public enum WilcoxonZeroMethod: String, Sendable, CaseIterable {
    /// Drop zero differences before ranking (Wilcoxon 1945; scipy's default).
    case wilcox
    /// Rank zero differences with the others, then leave their ranks out of both sums
    /// (Pratt 1959); the normal approximation is adjusted as in Cureton (1967).
    case pratt
}

/// How the Wilcoxon p-value is computed.
public enum WilcoxonMethod: String, Sendable, CaseIterable {
    /// scipy's default choice: more than 50 differences → `asymptotic`; otherwise
    /// `exact` when there are no ties and no zeros, `permutation` when there are and
    /// n ≤ 13, and `asymptotic` in the remaining cases.
    case auto
    /// The null distribution of R⁺ without ties. With ties or zeros the statistic is
    /// rounded conservatively (up for the lower tail, down for the upper), as scipy does.
    case exact
    /// Normal approximation with the tie correction, optionally with continuity correction.
    case asymptotic
    /// The exact permutation (sign-flip) distribution of R⁺ given the observed ranks,
    /// ties included. scipy uses this under `auto` for n ≤ 13 with ties or zeros, where its
    /// permutation test enumerates all 2ⁿ sign patterns. Cost grows as n³.
    case permutation
}

/// The result of a Wilcoxon signed-rank test.
public struct WilcoxonResult: Sendable, Equatable {
    /// scipy's reported statistic: min(R⁺, R⁻) for a two-sided test, R⁺ otherwise.
    public let statistic: Double
    /// Sum of the ranks of positive differences.
    public let rankSumPositive: Double
    /// Sum of the ranks of negative differences.
    public let rankSumNegative: Double
    /// The p-value.
    public let pValue: Double
    /// The z statistic when the normal approximation was used (−|z| for a two-sided test).
    public let z: Double?
    /// The method actually used (never `auto`).
    public let method: WilcoxonMethod
    /// How zeros were treated.
    public let zeroMethod: WilcoxonZeroMethod
    /// Number of non-zero differences.
    public let nonZeroCount: Int
    /// Number of zero differences.
    public let zeroCount: Int
}

/// The Wilcoxon signed-rank test on paired differences, matching
/// `scipy.stats.wilcoxon(d, zero_method=..., correction=..., method=...)` (scipy 1.17).
///
/// Ranks are average ranks of |d|. The default settings follow scipy:
/// `zeroMethod: .wilcox`, `method: .auto`, `continuityCorrection: false`.
/// When nothing is left to rank (all differences zero) the p-value is 1; scipy gives NaN.
public enum Wilcoxon {
    /// Tests paired scores, using d = variant − control.
    public static func test(
        control: [Double], variant: [Double],
        zeroMethod: WilcoxonZeroMethod = .wilcox, method: WilcoxonMethod = .auto,
        alternative: Alternative = .twoSided, continuityCorrection: Bool = false
    ) throws -> WilcoxonResult {
        guard control.count == variant.count else { throw StatsError.lengthMismatch(control.count, variant.count) }
        return try test(
            differences: zip(variant, control).map { $0 - $1 }, zeroMethod: zeroMethod,
            method: method, alternative: alternative, continuityCorrection: continuityCorrection)
    }

    /// Tests differences d against a median of zero.
    /// - Throws: ``StatsError/tooFewObservations(needed:got:)`` for empty input,
    ///   ``StatsError/invalidArgument(_:)`` for non-finite differences.
    public static func test(
        differences d: [Double],
        zeroMethod: WilcoxonZeroMethod = .wilcox, method: WilcoxonMethod = .auto,
        alternative: Alternative = .twoSided, continuityCorrection: Bool = false
    ) throws -> WilcoxonResult {
        guard !d.isEmpty else { throw StatsError.tooFewObservations(needed: 1, got: 0) }
        guard d.allSatisfy({ $0.isFinite }) else { throw StatsError.invalidArgument("differences must be finite") }
        let ranks = RankedDifferences(d, zeroMethod: zeroMethod)

        var resolved = method
        if method == .auto {
            if d.count > 50 {
                resolved = .asymptotic
            } else if !ranks.hasTies && ranks.zeroCount == 0 {
                resolved = .exact
            } else if d.count <= 13 {
                resolved = .permutation
            } else {
                resolved = .asymptotic
            }
        }

        let rPlus = ranks.positive
        let rMinus = ranks.negative
        let statistic = alternative == .twoSided ? min(rPlus, rMinus) : rPlus
        func result(_ p: Double, z: Double? = nil) -> WilcoxonResult {
            WilcoxonResult(
                statistic: statistic, rankSumPositive: rPlus, rankSumNegative: rMinus,
                pValue: min(max(p, 0), 1), z: z, method: resolved, zeroMethod: zeroMethod,
                nonZeroCount: ranks.nonZeroCount, zeroCount: ranks.zeroCount)
        }
        if ranks.nonZeroCount == 0 { return result(1, z: resolved == .asymptotic ? 0 : nil) }

        switch resolved {
        case .exact:
            let distribution = exactDistribution(count: ranks.rankedCount)
            let upper = tailAtLeast(distribution, Int(rPlus.rounded(.down)))
            let lower = tailAtMost(distribution, Int(rPlus.rounded(.up)))
            switch alternative {
            case .twoSided: return result(2 * min(upper, lower))
            case .less: return result(lower)
            case .greater: return result(upper)
            }
        case .permutation:
            let distribution = permutationDistribution(doubledRanks: ranks.doubledNonZeroRanks)
            let observed = Int((2 * rPlus).rounded())
            let upper = tailAtLeast(distribution, observed)
            let lower = tailAtMost(distribution, observed)
            switch alternative {
            case .twoSided: return result(2 * min(upper, lower))
            case .less: return result(lower)
            case .greater: return result(upper)
            }
        case .asymptotic, .auto:
            var z = (rPlus - ranks.nullMean) / ranks.nullStandardDeviation
            if continuityCorrection {
                let sign: Double
                switch alternative {
                case .greater: sign = 1
                case .less: sign = -1
                case .twoSided: sign = z > 0 ? 1 : (z < 0 ? -1 : 0)
                }
                z -= sign * 0.5 / ranks.nullStandardDeviation
            }
            switch alternative {
            case .twoSided: return result(2 * min(Normal.cdf(z), Normal.sf(z)), z: -abs(z))
            case .less: return result(Normal.cdf(z), z: z)
            case .greater: return result(Normal.sf(z), z: z)
            }
        }
    }

    // MARK: - Null distributions

    /// P(R⁺ = r) for r = 0 … n(n+1)/2 when the ranks are 1 … n without ties.
    static func exactDistribution(count n: Int) -> [Double] {
        permutationDistribution(doubledRanks: (0..<n).map { 2 * ($0 + 1) }, halve: true)
    }

    /// The sign-flip distribution of the rank sum. Indices are 2·R⁺ (ranks may be
    /// halves), unless `halve` is set and every rank is a whole number.
    static func permutationDistribution(doubledRanks: [Int], halve: Bool = false) -> [Double] {
        let scale = halve ? 2 : 1
        let total = doubledRanks.reduce(0, +) / scale
        var distribution = [Double](repeating: 0, count: total + 1)
        distribution[0] = 1
        var reach = 0
        for doubled in doubledRanks {
            let step = doubled / scale
            if step == 0 { continue }
            var s = reach + step
            while s >= 0 {
                let stay = s <= reach ? distribution[s] : 0
                let move = s >= step ? distribution[s - step] : 0
                distribution[s] = 0.5 * (stay + move)
                s -= 1
            }
            reach += step
        }
        return distribution
    }

    private static func tailAtLeast(_ distribution: [Double], _ k: Int) -> Double {
        if k <= 0 { return 1 }
        if k >= distribution.count { return 0 }
        var sum = 0.0
        for i in stride(from: distribution.count - 1, through: k, by: -1) { sum += distribution[i] }
        return sum
    }

    private static func tailAtMost(_ distribution: [Double], _ k: Int) -> Double {
        if k < 0 { return 0 }
        if k >= distribution.count - 1 { return 1 }
        var sum = 0.0
        for i in 0...k { sum += distribution[i] }
        return sum
    }
}

// MARK: - Ranking

/// Average ranks of |d| grouped by distinct absolute value, with the rank sums and the
/// moments of R⁺ under the null hypothesis. O(n log n) for sorting, then O(groups).
struct RankedDifferences {
    var positive = 0.0
    var negative = 0.0
    var zeroCount = 0
    var nonZeroCount = 0
    /// Observations that take part in the ranking: non-zero ones for `wilcox`, all for `pratt`.
    var rankedCount = 0
    var hasTies = false
    var nullMean = 0.0
    var nullStandardDeviation = 0.0
    /// Twice the rank of each non-zero difference (an integer, since ranks are halves).
    var doubledNonZeroRanks: [Int] = []

    init(_ d: [Double], zeroMethod: WilcoxonZeroMethod) {
        var positives: [Double] = []
        var negatives: [Double] = []
        positives.reserveCapacity(d.count)
        for value in d {
            if value > 0 { positives.append(value) } else if value < 0 { negatives.append(-value) } else { zeroCount += 1 }
        }
        positives.sort()
        negatives.sort()
        nonZeroCount = positives.count + negatives.count

        let usesZeros = zeroMethod == .pratt
        rankedCount = usesZeros ? d.count : nonZeroCount
        var below = usesZeros ? zeroCount : 0
        var tieCorrection = 0.0
        doubledNonZeroRanks.reserveCapacity(nonZeroCount)
        var i = 0
        var j = 0
        while i < positives.count || j < negatives.count {
            let value = min(i < positives.count ? positives[i] : .infinity, j < negatives.count ? negatives[j] : .infinity)
            var pos = 0
            var neg = 0
            while i < positives.count && positives[i] == value {
                pos += 1
                i += 1
            }
            while j < negatives.count && negatives[j] == value {
                neg += 1
                j += 1
            }
            let size = pos + neg
            // Average of ranks below+1 … below+size, doubled to stay integral.
            let doubledRank = 2 * below + size + 1
            let rank = Double(doubledRank) / 2
            positive += Double(pos) * rank
            negative += Double(neg) * rank
            for _ in 0..<size { doubledNonZeroRanks.append(doubledRank) }
            if size > 1 {
                hasTies = true
                let t = Double(size)
                tieCorrection += t * t * t - t
            }
            below += size
        }
        if usesZeros && zeroCount > 1 { hasTies = true }

        let n = Double(rankedCount)
        var mean = n * (n + 1) / 4
        var variance = n * (n + 1) * (2 * n + 1)
        if usesZeros {
            let z = Double(zeroCount)
            mean -= z * (z + 1) / 4
            variance -= z * (z + 1) * (2 * z + 1)
        }
        nullMean = mean
        nullStandardDeviation = ((variance - tieCorrection / 2) / 24).squareRoot()
    }
}
