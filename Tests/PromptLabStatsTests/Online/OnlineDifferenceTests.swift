import Foundation
import Testing

@testable import PromptLabStats

@Suite("Always-valid readout of a rollout")
struct OnlineDifferenceTests {
    @Test("One arm's interval matches the closed form", arguments: OnlineFixtures.shared.armEstimates.map(\.name))
    func armMatchesClosedForm(name: String) throws {
        let c = try #require(OnlineFixtures.shared.armEstimates.first { $0.name == name })
        let e = try OnlineMetric.estimate(c.sums, alpha: c.alpha, tuning: c.tuning, bound: c.bound, minimumUnits: c.minimumUnits)
        #expect(isClose(e.mean, c.expected.mean, rel: 1e-12))
        #expect(isClose(e.standardError, c.expected.standardError, rel: 1e-9))
        #expect(isClose(e.sequential.standardDeviation, c.expected.sigma, rel: 1e-9))
        #expect(isCloseBound(e.interval.lower, c.expected.lower))
        #expect(isCloseBound(e.interval.upper, c.expected.upper))
        #expect(isClose(e.sequential.pValue, c.expected.pValue, rel: 1e-9))
        #expect(e.belowMinimum == c.expected.belowMinimum)
    }

    @Test(
        "Treatment − control matches the closed form (and gbstats for even splits)",
        arguments: OnlineFixtures.shared.differences.map(\.name))
    func differenceMatchesClosedForm(name: String) throws {
        let c = try #require(OnlineFixtures.shared.differences.first { $0.name == name })
        let d = try OnlineMetric.difference(
            control: c.control, treatment: c.treatment, alpha: c.alpha, tuning: c.tuning, bound: c.bound,
            minimumUnits: c.minimumUnits)
        let x = c.expected
        #expect(isClose(d.difference, x.difference, rel: 1e-12))
        #expect(isClose(d.standardError, x.standardError, rel: 1e-9))
        #expect(d.effectiveUnits == x.effectiveUnits)
        #expect(isClose(d.absolute.standardDeviation, x.sigma, rel: 1e-9))
        #expect(isClose(d.absolute.rho, x.rho, rel: 1e-12))
        #expect(isCloseBound(d.interval.lower, x.lower))
        #expect(isCloseBound(d.interval.upper, x.upper))
        #expect(isClose(d.pValue, x.pValue, rel: 1e-9), "p \(d.pValue) vs \(x.pValue)")
        #expect(isClose(d.fixedHorizonPValue, x.fixedHorizonPValue, rel: 1e-9))
        #expect(d.belowMinimum == x.belowMinimum)
        if let expected = x.relative {
            let relative = try #require(d.relative)
            #expect(isClose(relative.estimate, expected.estimate, rel: 1e-12))
            #expect(isClose(relative.standardDeviation, expected.sigma, rel: 1e-9))
            #expect(isCloseBound(relative.interval.lower, expected.lower))
            #expect(isCloseBound(relative.interval.upper, expected.upper))
            #expect(isClose(relative.pValue, expected.pValue, rel: 1e-9))
        } else {
            #expect(d.relative == nil)
        }
    }

    @Test("GrowthBook's reference inputs: Δ = 0.2343767, SE = 0.1298308")
    func growthBookReference() throws {
        let a = UnitMetricSums(units: 3000, sum: 1396.87, sumOfSquares: 52377.9767)
        let b = UnitMetricSums(units: 3461, sum: 2422.7, sumOfSquares: 134698.29)
        let d = try OnlineMetric.difference(control: a, treatment: b, tuning: 5000, bound: nil)
        #expect(isClose(d.difference, 0.2343767, rel: 1e-6))
        #expect(isClose(d.standardError, 0.1298308, rel: 1e-6))
        // The same inputs give Welch's interval through the fixed-horizon test.
        let welch = try IndependentDifference(
            control: SampleMoments(sum: 1396.87, sumOfSquares: 52377.9767, count: 3000),
            treatment: SampleMoments(sum: 2422.7, sumOfSquares: 134698.29, count: 3461))
        #expect(isClose(d.standardError, welch.standardError, rel: 1e-12))
    }

    @Test("p < α exactly when the interval excludes 0")
    func pValueAgreesWithInterval() throws {
        var generator = Xoshiro256StarStar(seed: 7)
        for _ in 0..<300 {
            let n = 100 + generator.nextInt(below: 2000)
            let k = generator.nextBinomial(trials: n, probability: 0.3)
            let m = 100 + generator.nextInt(below: 2000)
            let j = generator.nextBinomial(trials: m, probability: 0.3 + 0.1 * generator.nextUniform())
            let d = try OnlineMetric.difference(
                control: UnitMetricSums(units: n, sum: Double(k), sumOfSquares: Double(k)),
                treatment: UnitMetricSums(units: m, sum: Double(j), sumOfSquares: Double(j)), tuning: 1000, bound: 1)
            #expect((d.pValue < 0.05) == !d.interval.contains(0))
            #expect(d.fixedHorizonPValue <= d.pValue)
        }
    }

    @Test("Units needed match a brute-force scan", arguments: OnlineFixtures.shared.unitsNeeded.indices)
    func unitsNeededMatchesScan(index: Int) {
        let c = OnlineFixtures.shared.unitsNeeded[index]
        let more = OnlineMetric.unitsNeeded(
            effect: c.effect, standardDeviation: c.sigma, currentUnits: c.currentUnits, alpha: c.alpha, tuning: c.tuning,
            minimumUnits: c.minimumUnits)
        #expect(more == c.moreUnits)
    }

    @Test("Units needed for a readout: 0 once significant, nil without an effect or a spread")
    func unitsNeededForReadout() throws {
        let control = UnitMetricSums(units: 2000, sum: 600, sumOfSquares: 600)
        let treatment = UnitMetricSums(units: 2000, sum: 640, sumOfSquares: 640)
        let d = try OnlineMetric.difference(control: control, treatment: treatment, tuning: 10_000, bound: 1)
        let more = try #require(OnlineMetric.unitsNeeded(for: d))
        #expect(more > 0)
        // At that many more units with the same rates the readout is significant, one fewer is not.
        func readout(perArm n: Int) throws -> OnlineDifference {
            try OnlineMetric.difference(
                control: UnitMetricSums(units: n, sum: 0.3 * Double(n), sumOfSquares: 0.3 * Double(n)),
                treatment: UnitMetricSums(units: n, sum: 0.32 * Double(n), sumOfSquares: 0.32 * Double(n)),
                tuning: 10_000, bound: 1)
        }
        // The spread shrinks a little as the prior fades, so the projection is close, not exact.
        #expect(try readout(perArm: 2000 + more + more / 50).pValue < 0.05)
        #expect(try readout(perArm: 2000 + more - more / 50).pValue >= 0.05)
        let strong = try OnlineMetric.difference(
            control: control, treatment: UnitMetricSums(units: 2000, sum: 800, sumOfSquares: 800), tuning: 10_000, bound: 1)
        #expect(OnlineMetric.unitsNeeded(for: strong) == 0)
        let none = try OnlineMetric.difference(control: control, treatment: control, tuning: 10_000, bound: 1)
        #expect(OnlineMetric.unitsNeeded(for: none) == nil)
        #expect(OnlineMetric.unitsNeeded(effect: 0.1, standardDeviation: 0, currentUnits: 10, tuning: 100) == nil)
        #expect(OnlineMetric.unitsNeeded(effect: .nan, standardDeviation: 1, currentUnits: 10, tuning: 100) == nil)
        #expect(OnlineMetric.unitsNeeded(effect: 0.1, standardDeviation: 1, currentUnits: 10, alpha: 2, tuning: 100) == nil)
        #expect(OnlineMetric.unitsNeeded(effect: 0.1, standardDeviation: 1, currentUnits: Int.max, tuning: 100) == nil)
    }

    @Test("An even split with S doubled over both arms is GrowthBook's test")
    func evenSplitIsGrowthBook() throws {
        // GrowthBook: n = n_A + n_B, σ̂² = SE² · n, S over both arms. Written out here from its code.
        let control = UnitMetricSums(units: 4000, sum: 1200, sumOfSquares: 1200)
        let treatment = UnitMetricSums(units: 4000, sum: 1290, sumOfSquares: 1290)
        let d = try OnlineMetric.difference(control: control, treatment: treatment, tuning: 3000, bound: nil)
        let total = 8000.0
        let rho = Sequential.rho(alpha: 0.05, tuning: 6000)
        let s2 = d.standardError * d.standardError * total
        let halfWidth =
            s2.squareRoot()
            * (2 * (total * rho * rho + 1) * log((total * rho * rho + 1).squareRoot() / 0.05) / (total * total * rho * rho)).squareRoot()
        #expect(isClose(d.interval.upper - d.difference, halfWidth, rel: 1e-12))
    }
}
