import Foundation
import Testing

@testable import PromptLabStats

@Suite("Sample ratio mismatch")
struct SampleRatioMismatchTests {
    @Test("χ² and p match scipy.stats.chisquare", arguments: OnlineFixtures.shared.srm.indices)
    func matchesScipy(index: Int) throws {
        let c = OnlineFixtures.shared.srm[index]
        let result = try SampleRatioMismatch.test(units: c.units, weights: c.weights)
        #expect(isClose(result.chiSquare, c.chiSquare, rel: 1e-12))
        #expect(result.degreesOfFreedom == c.degreesOfFreedom)
        #expect(isClose(result.pValue, c.pValue, rel: 1e-9), "\(c.units): \(result.pValue) vs \(c.pValue)")
        #expect(result.flagged == (c.pValue < 0.001))
    }

    @Test("STATS.md reference: 50/50, 10,400 vs 9,600 gives χ² = 32.0, p ≈ 1.5e−8")
    func reference() throws {
        let result = try SampleRatioMismatch.test(units: [10_400, 9_600], weights: [0.5, 0.5])
        #expect(isClose(result.chiSquare, 32.0, rel: 1e-12))
        #expect(abs(result.pValue - 1.5e-8) < 0.05e-8)
        #expect(result.flagged)
    }

    @Test("An injected 52/48 split on 20,000 units is flagged; a fair 50/50 one is not")
    func injectedSplit() throws {
        var generator = Xoshiro256StarStar(seed: 2024)
        var flaggedSkewed = 0
        var flaggedFair = 0
        for _ in 0..<200 {
            let skewed = generator.nextBinomial(trials: 20_000, probability: 0.52)
            if try SampleRatioMismatch.test(units: [skewed, 20_000 - skewed], weights: [50, 50]).flagged { flaggedSkewed += 1 }
            let fair = generator.nextBinomial(trials: 20_000, probability: 0.5)
            if try SampleRatioMismatch.test(units: [fair, 20_000 - fair], weights: [50, 50]).flagged { flaggedFair += 1 }
        }
        // Power at 52/48 and n = 20,000 is about 99% (noncentrality 32 against 10.83); false alarms 0.1%.
        #expect(flaggedSkewed >= 190, "flagged \(flaggedSkewed) of 200 skewed splits")
        #expect(flaggedFair <= 2, "flagged \(flaggedFair) of 200 fair splits")
    }

    @Test("Zero-weight arms are left out and reported")
    func zeroWeightArm() throws {
        let result = try SampleRatioMismatch.test(units: [500, 520, 7], weights: [0.5, 0.5, 0])
        let without = try SampleRatioMismatch.test(units: [500, 520], weights: [0.5, 0.5])
        #expect(result.chiSquare == without.chiSquare)
        #expect(result.degreesOfFreedom == 1)
        #expect(result.unitsInZeroWeightArms == 7)
    }

    @Test("No units yet is no mismatch; bad input is an error, never a trap")
    func edgeCases() throws {
        let empty = try SampleRatioMismatch.test(units: [0, 0], weights: [1, 1])
        #expect(empty.pValue == 1 && !empty.flagged && empty.chiSquare == 0)
        #expect(throws: StatsError.lengthMismatch(2, 3)) { try SampleRatioMismatch.test(units: [1, 2], weights: [1, 1, 1]) }
        #expect(throws: StatsError.self) { try SampleRatioMismatch.test(units: [1, -2], weights: [1, 1]) }
        #expect(throws: StatsError.self) { try SampleRatioMismatch.test(units: [1, 2], weights: [1, .nan]) }
        #expect(throws: StatsError.self) { try SampleRatioMismatch.test(units: [1, 2], weights: [1, .infinity]) }
        #expect(throws: StatsError.self) { try SampleRatioMismatch.test(units: [1, 2], weights: [1, 0]) }
        #expect(throws: StatsError.self) { try SampleRatioMismatch.test(units: [], weights: []) }
        // Totals beyond Int and weights at the ends of Double stay finite or flag, never trap.
        let huge = try SampleRatioMismatch.test(units: [Int.max, Int.max, 3], weights: [1, 1, 0])
        #expect(huge.pValue == 1)
        let tinyWeight = try SampleRatioMismatch.test(units: [10, 10], weights: [1e308, 1e-308])
        #expect(tinyWeight.flagged)
        let zeroWeightOverflow = try SampleRatioMismatch.test(units: [1, 1, Int.max, Int.max], weights: [1, 1, 0, 0])
        #expect(zeroWeightOverflow.unitsInZeroWeightArms == Int.max)
    }
}
