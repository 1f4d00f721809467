/// GrowthBook's `getBucketRanges` and `chooseVariation`, kept separate from ``TrafficSplit`` so the
/// fallbacks GrowthBook applies to payloads it considers invalid can be checked against the SDKs.
///
/// Reference: `packages/sdk-js/src/util.ts` in <https://github.com/growthbook/growthbook> and
/// `growthbook.core` in the Python SDK.
enum GrowthBookBucketing {
    /// More arms than anyone runs; a larger count would only make the equal-weight fallback allocate without bound.
    static let maximumVariationCount = 1 << 16

    /// The bucket range of each variation, exactly as GrowthBook computes them.
    ///
    /// Coverage is clamped to 0...1 (a NaN coverage passes through and so includes nobody, as in the SDKs).
    /// Weights fall back to equal shares when they are missing, of the wrong count, not finite, negative,
    /// or summing outside 0.99...1.01. (The JavaScript SDK checks only the count and the sum; the two agree
    /// on every payload GrowthBook itself produces.) Ranges start at the cumulative weight and cover
    /// `coverage` of the arm's weight, so raising coverage or weights never moves an included unit.
    static func ranges(variationCount: Int, coverage: Double, weights: [Double]?) -> [BucketRange] {
        guard variationCount > 0, variationCount <= maximumVariationCount else { return [] }
        var coverage = coverage
        if coverage < 0 {
            coverage = 0
        } else if coverage > 1 {
            coverage = 1
        }
        let usedWeights: [Double]
        if let weights, isUsable(weights, variationCount: variationCount) {
            usedWeights = weights
        } else {
            usedWeights = [Double](repeating: 1 / Double(variationCount), count: variationCount)
        }
        var cumulative = 0.0
        var ranges: [BucketRange] = []
        ranges.reserveCapacity(usedWeights.count)
        for weight in usedWeights {
            let start = cumulative
            cumulative += weight
            ranges.append(BucketRange(start: start, end: start + coverage * weight))
        }
        return ranges
    }

    /// The index of the first range holding `bucket`, or `nil` when the unit falls outside coverage
    /// (GrowthBook's `-1`).
    static func chooseVariation(bucket: Double, ranges: [BucketRange]) -> Int? {
        ranges.firstIndex { $0.contains(bucket) }
    }

    private static func isUsable(_ weights: [Double], variationCount: Int) -> Bool {
        guard weights.count == variationCount else { return false }
        var total = 0.0
        for weight in weights {
            guard weight.isFinite, weight >= 0 else { return false }
            total += weight
        }
        return total >= 0.99 && total <= 1.01
    }
}
