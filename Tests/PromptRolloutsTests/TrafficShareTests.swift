import Testing

@testable import PromptRollouts

@Suite("Arms receive their configured share of units")
struct TrafficShareTests {
    /// One million units, each hashed once and placed by every split, with the share of each arm (and of units
    /// left out) required within half a percentage point of the configuration.
    @Test func sharesMatchWeightsOverOneMillionUnits() throws {
        let splits = [
            try TrafficSplit(weights: [50, 50]),
            try TrafficSplit(weights: [50, 50], coverage: 0.5),
            try TrafficSplit(weights: [90, 10]),
            try TrafficSplit(weights: [90, 10], coverage: 0.5),
        ]
        // counts[split][arm + 1]; index 0 counts units outside coverage.
        var counts = splits.map { [Int](repeating: 0, count: $0.weights.count + 1) }
        let unitCount = 1_000_000
        for index in 0..<unitCount {
            let first = RolloutAssigner.assign(unit: "user-\(index)", seed: "greeting-prompt", split: splits[0])
            counts[0][(first.arm ?? -1) + 1] += 1
            for splitIndex in 1..<splits.count {
                counts[splitIndex][(splits[splitIndex].arm(forBucket: first.bucket) ?? -1) + 1] += 1
            }
        }
        for (split, armCounts) in zip(splits, counts) {
            #expect(armCounts.reduce(0, +) == unitCount)
            let expectedShares = [1 - split.coverage] + split.weights.map { $0 * split.coverage }
            for (count, expected) in zip(armCounts, expectedShares) {
                let share = Double(count) / Double(unitCount)
                #expect(abs(share - expected) <= 0.005, "\(split.weights) at coverage \(split.coverage): \(armCounts)")
            }
        }
    }
}
