import Foundation

// MARK: - Grouped data

/// A sample stored as its distinct values and how often each occurs.
///
/// The bootstrap mean of a sample depends only on how many times each distinct value
/// is drawn, so a resample is a multinomial draw over the k distinct values. With
/// judge verdicts or 1–10 scores k is tiny, and a resample costs O(k) instead of O(n).
public struct GroupedSample: Sendable, Equatable {
    /// Distinct values in increasing order.
    public let values: [Double]
    /// How many observations take each value.
    public let counts: [Int]
    /// Total number of observations n.
    public let total: Int

    /// Groups raw observations. O(n log n).
    public init(_ data: [Double]) {
        let sorted = data.sorted()
        var values: [Double] = []
        var counts: [Int] = []
        for value in sorted {
            if let last = values.last, last == value {
                counts[counts.count - 1] += 1
            } else {
                values.append(value)
                counts.append(1)
            }
        }
        self.values = values
        self.counts = counts
        self.total = data.count
    }

    /// Builds a sample from distinct values and positive counts.
    /// - Throws: ``StatsError`` when the lengths differ or a count is negative.
    public init(values: [Double], counts: [Int]) throws {
        guard values.count == counts.count else { throw StatsError.lengthMismatch(values.count, counts.count) }
        guard counts.allSatisfy({ $0 >= 0 }) else { throw StatsError.invalidArgument("counts must be non-negative") }
        self.values = values
        self.counts = counts
        self.total = counts.reduce(0, +)
    }

    /// The sample mean.
    public var mean: Double { weightedMean(counts) }

    /// Σ countsⱼ·valuesⱼ / Σ countsⱼ for resampled counts.
    public func weightedMean(_ weights: [Int]) -> Double {
        var sum = 0.0
        var n = 0
        for index in values.indices where weights[index] != 0 {
            sum += Double(weights[index]) * values[index]
            n += weights[index]
        }
        return sum / Double(n)
    }
}

// MARK: - Resampling

/// Draws bootstrap resamples as counts per category.
///
/// A resample of n cases from categories with observed counts c₁…c_k is
/// Multinomial(n, c/n). With few categories (k ≤ n/8 by default) it is drawn exactly
/// by k conditional binomial draws; with many it draws n case indices directly.
/// Memory is O(n) at most, never O(n × resamples).
public struct MultinomialResampler: Sendable {
    /// How a resample is drawn.
    public enum Strategy: String, Sendable {
        /// Sequential conditional binomial draws, O(k) per resample.
        case conditionalBinomial
        /// n uniform draws of a case index, O(n) per resample.
        case directIndexing
    }

    /// Observed count of each category.
    public let counts: [Int]
    /// Number of cases n.
    public let total: Int
    /// The strategy chosen for these counts.
    public let strategy: Strategy
    /// For direct indexing: the category of each of the n cases.
    private let categoryOfCase: [Int32]

    /// - Parameters:
    ///   - counts: Observed count per category.
    ///   - strategy: Forces a strategy; by default conditional binomials when k ≤ n/8.
    public init(counts: [Int], strategy: Strategy? = nil) {
        self.counts = counts
        total = counts.reduce(0, +)
        let chosen = strategy ?? (counts.count <= max(total / 8, 1) ? .conditionalBinomial : .directIndexing)
        self.strategy = chosen
        if chosen == .directIndexing {
            var expanded: [Int32] = []
            expanded.reserveCapacity(total)
            for (category, count) in counts.enumerated() {
                expanded.append(contentsOf: repeatElement(Int32(category), count: count))
            }
            categoryOfCase = expanded
        } else {
            categoryOfCase = []
        }
    }

    /// Draws one resample of `total` cases into `resampled` (one count per category).
    public func draw(using generator: inout Xoshiro256StarStar, into resampled: inout [Int]) {
        switch strategy {
        case .conditionalBinomial:
            generator.nextMultinomial(total: total, weights: counts, into: &resampled)
        case .directIndexing:
            if resampled.count != counts.count {
                resampled = [Int](repeating: 0, count: counts.count)
            } else {
                for index in resampled.indices { resampled[index] = 0 }
            }
            for _ in 0..<total {
                resampled[Int(categoryOfCase[generator.nextInt(below: total)])] += 1
            }
        }
    }
}

// MARK: - Intervals

/// How a bootstrap interval is formed from the bootstrap distribution.
public enum BootstrapMethod: String, Sendable, CaseIterable {
    /// The α/2 and 1 − α/2 quantiles of the bootstrap distribution.
    case percentile
    /// Bias-corrected and accelerated (Efron and Tibshirani 1993, §14.3), as scipy's `'BCa'`.
    case bca
}

/// A bootstrap confidence interval for a mean.
public struct BootstrapResult: Sendable, Equatable {
    /// The statistic on the full sample.
    public let estimate: Double
    /// The interval.
    public let interval: ConfidenceInterval
    /// Standard deviation of the bootstrap distribution (divisor B − 1).
    public let standardError: Double
    /// The method used.
    public let method: BootstrapMethod
    /// Number of resamples B.
    public let resamples: Int
    /// BCa bias correction ẑ₀ (0 for the percentile method).
    public let biasCorrection: Double
    /// BCa acceleration â (0 for the percentile method).
    public let acceleration: Double
    /// The resampling strategy used.
    public let strategy: MultinomialResampler.Strategy
}

/// The paired bootstrap over cases: resample cases, take the mean of d.
///
/// Seeded and reproducible: the same data, seed and resample count give the same
/// interval. It agrees with `scipy.stats.bootstrap((d,), np.mean, method=...)` up to
/// Monte Carlo error (the random streams differ). Quantiles use linear interpolation,
/// ẑ₀ uses scipy's "mean" percentile-of-score, and â uses the jackknife, computed once
/// per distinct value. Where scipy returns NaN, this returns a finite answer: with
/// identical observations the interval is the single value, and ẑ₀ is kept finite by
/// clamping its percentile to [1/(2B), 1 − 1/(2B)].
public enum Bootstrap {
    /// A bootstrap interval for the mean of `data` (for example the paired differences d).
    /// - Parameters:
    ///   - data: One value per case.
    ///   - level: Confidence level, default 0.95.
    ///   - resamples: Number of resamples B, default 1000.
    ///   - method: `.bca` (default) or `.percentile`.
    ///   - seed: Seed of the ``Xoshiro256StarStar`` stream.
    /// - Throws: ``StatsError`` for fewer than 2 values or invalid settings.
    public static func meanInterval(
        _ data: [Double], level: Double = 0.95, resamples: Int = 1000,
        method: BootstrapMethod = .bca, seed: UInt64 = 0
    ) throws -> BootstrapResult {
        try meanInterval(GroupedSample(data), level: level, resamples: resamples, method: method, seed: seed)
    }

    /// A bootstrap interval for the mean of a grouped sample.
    public static func meanInterval(
        _ sample: GroupedSample, level: Double = 0.95, resamples: Int = 1000,
        method: BootstrapMethod = .bca, seed: UInt64 = 0
    ) throws -> BootstrapResult {
        guard sample.total >= 2 else { throw StatsError.tooFewObservations(needed: 2, got: sample.total) }
        guard resamples >= 1 else { throw StatsError.invalidArgument("resamples must be at least 1") }
        guard level > 0, level < 1 else { throw StatsError.invalidArgument("level must be in (0, 1)") }
        let resampler = MultinomialResampler(counts: sample.counts)
        let distribution = meanDistribution(sample, resampler: resampler, resamples: resamples, seed: seed)
        let estimate = sample.mean
        let n = Double(sample.total)
        // Leave-one-out means, one per distinct value, weighted by its count.
        let jackknife = sample.values.map { (estimate * n - $0) / (n - 1) }
        let (interval, z0, a) = interval(
            estimate: estimate, bootstrapEstimates: distribution,
            jackknifeEstimates: jackknife, jackknifeWeights: sample.counts.map(Double.init),
            level: level, method: method)
        return BootstrapResult(
            estimate: estimate, interval: interval, standardError: standardDeviation(distribution),
            method: method, resamples: resamples, biasCorrection: z0, acceleration: a,
            strategy: resampler.strategy)
    }

    /// The bootstrap distribution of the mean: B resampled means.
    public static func meanDistribution(_ sample: GroupedSample, resamples: Int, seed: UInt64) -> [Double] {
        meanDistribution(sample, resampler: MultinomialResampler(counts: sample.counts), resamples: resamples, seed: seed)
    }

    private static func meanDistribution(
        _ sample: GroupedSample, resampler: MultinomialResampler, resamples: Int, seed: UInt64
    ) -> [Double] {
        var generator = Xoshiro256StarStar(seed: seed)
        var counts = [Int](repeating: 0, count: sample.counts.count)
        var distribution = [Double]()
        distribution.reserveCapacity(resamples)
        for _ in 0..<resamples {
            resampler.draw(using: &generator, into: &counts)
            distribution.append(sample.weightedMean(counts))
        }
        return distribution
    }

    /// Forms a percentile or BCa interval from a bootstrap distribution.
    ///
    /// - Parameters:
    ///   - estimate: The statistic on the full sample, θ̂.
    ///   - bootstrapEstimates: The B bootstrap statistics θ*.
    ///   - jackknifeEstimates: Leave-one-out statistics (needed for BCa). When observations
    ///     share a value, pass each distinct leave-one-out value once with its multiplicity
    ///     in `jackknifeWeights`.
    ///   - jackknifeWeights: Multiplicities of `jackknifeEstimates`; all 1 when `nil`.
    /// - Returns: The interval, ẑ₀ and â (both 0 for the percentile method).
    public static func interval(
        estimate: Double, bootstrapEstimates: [Double],
        jackknifeEstimates: [Double] = [], jackknifeWeights: [Double]? = nil,
        level: Double = 0.95, method: BootstrapMethod = .bca
    ) -> (interval: ConfidenceInterval, biasCorrection: Double, acceleration: Double) {
        let sorted = bootstrapEstimates.sorted()
        let alpha = (1 - level) / 2
        var lowerProbability = alpha
        var upperProbability = 1 - alpha
        var z0 = 0.0
        var a = 0.0
        if method == .bca {
            let b = Double(sorted.count)
            let below = Double(lowerBound(sorted, estimate, inclusive: false))
            let atOrBelow = Double(lowerBound(sorted, estimate, inclusive: true))
            let share = min(max((below + atOrBelow) / (2 * b), 1 / (2 * b)), 1 - 1 / (2 * b))
            z0 = Normal.quantile(share)
            a = acceleration(jackknifeEstimates, weights: jackknifeWeights)
            let zAlpha = Normal.quantile(alpha)
            let lowerShift = z0 + zAlpha
            let upperShift = z0 - zAlpha
            lowerProbability = Normal.cdf(z0 + lowerShift / (1 - a * lowerShift))
            upperProbability = Normal.cdf(z0 + upperShift / (1 - a * upperShift))
        }
        let interval = ConfidenceInterval(
            lower: Descriptive.quantile(sorted: sorted, lowerProbability),
            upper: Descriptive.quantile(sorted: sorted, upperProbability),
            level: level)
        return (interval, z0, a)
    }

    /// The jackknife acceleration Σw(θ̄ − θᵢ)³ / (6 (Σw(θ̄ − θᵢ)²)^{3/2}); 0 when undefined.
    static func acceleration(_ estimates: [Double], weights: [Double]?) -> Double {
        guard !estimates.isEmpty else { return 0 }
        let w = weights ?? [Double](repeating: 1, count: estimates.count)
        let totalWeight = w.reduce(0, +)
        var mean = 0.0
        for (value, weight) in zip(estimates, w) { mean += weight * value }
        mean /= totalWeight
        var squares = 0.0
        var cubes = 0.0
        for (value, weight) in zip(estimates, w) {
            let deviation = mean - value
            squares += weight * deviation * deviation
            cubes += weight * deviation * deviation * deviation
        }
        guard squares > 0 else { return 0 }
        return cubes / (6 * pow(squares, 1.5))
    }

    /// Number of elements of `sorted` below `value` (or at most `value` when inclusive).
    private static func lowerBound(_ sorted: [Double], _ value: Double, inclusive: Bool) -> Int {
        var lo = 0
        var hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < value || (inclusive && sorted[mid] == value) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    private static func standardDeviation(_ values: [Double]) -> Double {
        values.count > 1 ? Descriptive.variance(values).squareRoot() : 0
    }
}
