import Testing

@testable import PromptRollouts

@Suite("Traffic splits are normalised, and bad ones are refused")
struct TrafficSplitValidationTests {
    @Test func weightsAreNormalisedToTheSharesGrowthBookIsGiven() throws {
        #expect(try TrafficSplit(weights: [90, 10]).weights == [0.9, 0.1])
        #expect(try TrafficSplit(weights: [34, 33, 33]).weights == [0.34, 0.33, 0.33])
        #expect(try TrafficSplit(weights: [0.34, 0.33, 0.33]).weights == [0.34, 0.33, 0.33])
        #expect(try TrafficSplit(weights: [1, 1, 1]).weights == [1.0 / 3, 1.0 / 3, 1.0 / 3])
        #expect(try TrafficSplit(weights: [3]).weights == [1])
        #expect(try TrafficSplit(weights: [-0.0, 2]).weights == [0, 1])
        #expect(try TrafficSplit(weights: [0.9, 0.1]).ranges == [BucketRange(start: 0, end: 0.9), BucketRange(start: 0.9, end: 1)])
    }

    @Test func refusesMissingNegativeAndNonFiniteWeights() {
        #expect(throws: TrafficSplitError.noArms) { try TrafficSplit(weights: []) }
        #expect(throws: TrafficSplitError.negativeWeight(index: 1, value: -1)) { try TrafficSplit(weights: [2, -1]) }
        #expect(throws: TrafficSplitError.negativeWeight(index: 0, value: -.leastNonzeroMagnitude)) {
            try TrafficSplit(weights: [-.leastNonzeroMagnitude, 1])
        }
        #expect(throws: TrafficSplitError.weightNotFinite(index: 0)) { try TrafficSplit(weights: [.nan, 1]) }
        #expect(throws: TrafficSplitError.weightNotFinite(index: 1)) { try TrafficSplit(weights: [1, .infinity]) }
        #expect(throws: TrafficSplitError.weightNotFinite(index: 0)) { try TrafficSplit(weights: [-.infinity]) }
        #expect(throws: TrafficSplitError.allWeightsZero) { try TrafficSplit(weights: [0, 0, -0.0]) }
        #expect(throws: TrafficSplitError.weightsSumNotFinite) { try TrafficSplit(weights: [1e308, 1e308]) }
        #expect(throws: TrafficSplitError.weightsSumNotFinite) {
            try TrafficSplit(weights: [.greatestFiniteMagnitude, .greatestFiniteMagnitude])
        }
    }

    @Test func refusesCoverageOutsideZeroToOne() {
        for coverage in [-0.1, -.leastNonzeroMagnitude, 1.000_000_1, 2, .infinity, -.infinity] {
            #expect(throws: TrafficSplitError.coverageOutOfRange(coverage)) { try TrafficSplit(weights: [1], coverage: coverage) }
        }
        #expect(throws: TrafficSplitError.coverageNotANumber) { try TrafficSplit(weights: [1], coverage: .nan) }
        #expect(throws: TrafficSplitError.coverageNotANumber) { try TrafficSplit(weights: [1], coverage: -.signalingNaN) }
    }

    @Test func acceptsTheEdgesOfCoverage() throws {
        let none = try TrafficSplit(weights: [50, 50], coverage: 0)
        let all = try TrafficSplit(weights: [50, 50], coverage: 1)
        for k in stride(from: 0, to: 10_000, by: 7) {
            let bucket = Double(k) / 10_000
            #expect(none.arm(forBucket: bucket) == nil)
            #expect(all.arm(forBucket: bucket) != nil)
        }
    }

    @Test func errorsSayWhatIsWrong() {
        let errors: [TrafficSplitError] = [
            .noArms, .weightNotFinite(index: 2), .negativeWeight(index: 1, value: -3), .allWeightsZero,
            .weightsSumNotFinite, .coverageOutOfRange(1.5), .coverageNotANumber,
        ]
        for error in errors {
            #expect(!error.description.isEmpty)
        }
        #expect(TrafficSplitError.negativeWeight(index: 1, value: -3).description.contains("-3"))
        #expect(TrafficSplitError.coverageOutOfRange(1.5).description.contains("1.5"))
    }

    @Test func oddInputsNeverTrap() throws {
        #expect(try TrafficSplit(weights: [.leastNonzeroMagnitude, .leastNonzeroMagnitude]).weights == [0.5, 0.5])
        #expect(try TrafficSplit(weights: [1e308, 1e-308]).weights == [1, 0])
        let manyArms = try TrafficSplit(weights: [Double](repeating: 1, count: 10_000))
        #expect(manyArms.ranges.count == 10_000)
        #expect(manyArms.arm(forBucket: 0.99995) == 9_999)

        let split = try TrafficSplit(weights: [50, 50])
        for bucket in [-1, -0.0, 1, 1.5, .nan, .infinity, -.infinity] {
            let expected: Int? = bucket == 0 ? 0 : nil
            #expect(split.arm(forBucket: bucket) == expected, "\(bucket)")
        }

        let longASCII = String(repeating: "a", count: 1_000_000)
        let longUnicode = String(repeating: "ü😀", count: 200_000)
        for unit in [longASCII, longUnicode, "\u{0}", "\u{FFFF}"] {
            let assignment = RolloutAssigner.assign(unit: unit, seed: longUnicode, split: split)
            #expect(assignment.bucket >= 0 && assignment.bucket < 1)
        }

        #expect(GrowthBookBucketing.ranges(variationCount: Int.max, coverage: 1, weights: nil).isEmpty)
        #expect(GrowthBookBucketing.ranges(variationCount: Int.min, coverage: 1, weights: nil).isEmpty)
        #expect(GrowthBookBucketing.ranges(variationCount: 2, coverage: .nan, weights: [.nan, 1]).allSatisfy { !$0.contains(0.5) })
    }
}
