/// How a rollout divides its units between arms: a share per arm and the fraction of units enrolled at all.
///
/// Ranges follow GrowthBook's `getBucketRanges`, so an experiment configured in GrowthBook with the same
/// weights and coverage (and hash version 2) assigns every unit to the same arm. The properties are read-only
/// so that a split is always valid; make a new one to change it.
public struct TrafficSplit: Sendable, Equatable {
    /// Tolerance within which weights already count as shares. Decimal shares such as [0.34, 0.33, 0.33]
    /// rarely add up to exactly 1 in binary, and dividing them by their sum would move the range boundaries
    /// by an ulp away from GrowthBook's, which sends the unit sitting on a boundary bucket elsewhere.
    private static let shareSumTolerance = 1e-12

    /// One share per arm, summing to 1 (within rounding).
    public private(set) var weights: [Double]
    /// The fraction of all units that take part, in 0...1; the others get no arm.
    public private(set) var coverage: Double
    /// Each arm's slice of the bucket line, GrowthBook's `getBucketRanges(weights.count, coverage, weights)`.
    public private(set) var ranges: [BucketRange]

    /// Makes a split from relative weights, which may be shares ([0.9, 0.1]) or any positive scale ([90, 10]).
    ///
    /// Weights are divided by their sum, so [90, 10] gives exactly the doubles 0.9 and 0.1 and the ranges equal
    /// GrowthBook's for the literal weights 0.9 and 0.1. Weights that already sum to 1 (within 1e-12) are kept as given.
    /// - Parameters:
    ///   - weights: one non-negative, finite weight per arm; an arm may have weight zero.
    ///   - coverage: the fraction of units enrolled, 0...1.
    /// - Throws: ``TrafficSplitError`` for no arms, a negative or non-finite weight, all-zero weights,
    ///   weights whose sum overflows, or coverage outside 0...1 or NaN.
    public init(weights: [Double], coverage: Double = 1) throws(TrafficSplitError) {
        guard !weights.isEmpty else { throw .noArms }
        var total = 0.0
        for (index, weight) in weights.enumerated() {
            guard weight.isFinite else { throw .weightNotFinite(index: index) }
            guard weight >= 0 else { throw .negativeWeight(index: index, value: weight) }
            total += weight
        }
        guard total.isFinite else { throw .weightsSumNotFinite }
        guard total > 0 else { throw .allWeightsZero }
        guard !coverage.isNaN else { throw .coverageNotANumber }
        guard (0...1).contains(coverage) else { throw .coverageOutOfRange(coverage) }

        // Adding 0 turns a -0.0 weight into +0.0, so equal splits compare equal.
        let shares: [Double]
        if abs(total - 1) <= Self.shareSumTolerance {
            shares = weights.map { $0 + 0 }
        } else {
            shares = weights.map { $0 / total + 0 }
        }
        self.weights = shares
        self.coverage = coverage + 0
        self.ranges = GrowthBookBucketing.ranges(variationCount: shares.count, coverage: coverage, weights: shares)
    }

    /// The arm a unit in `bucket` gets, or `nil` when it falls outside coverage (GrowthBook's `chooseVariation`).
    public func arm(forBucket bucket: Double) -> Int? {
        GrowthBookBucketing.chooseVariation(bucket: bucket, ranges: ranges)
    }

    /// The share of all units whose arm differs between this split and `other`, counting a unit that enters or
    /// leaves coverage as moved. Use it to show what a ramp will do before applying it.
    ///
    /// Measured on the continuous bucket line [0, 1); the share of real units differs by at most the bucket
    /// width (1/10,000) per range boundary.
    public func movedShare(to other: TrafficSplit) -> Double {
        // Between two consecutive boundaries of either split, both arms are constant, so testing one point of
        // each piece is exact.
        var boundaries: Set<Double> = [0, 1]
        for range in ranges + other.ranges {
            boundaries.insert(min(max(range.start, 0), 1))
            boundaries.insert(min(max(range.end, 0), 1))
        }
        let sorted = boundaries.sorted()
        var moved = 0.0
        for (lower, upper) in zip(sorted, sorted.dropFirst()) {
            let probe = lower + (upper - lower) / 2
            if arm(forBucket: probe) != other.arm(forBucket: probe) {
                moved += upper - lower
            }
        }
        return min(max(moved, 0), 1)
    }
}
