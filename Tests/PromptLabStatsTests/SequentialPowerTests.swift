import Foundation
import Testing

@testable import PromptLabStats

@Suite("mSPRT and power")
struct SequentialPowerTests {
    let fixtures = Fixtures.shared

    @Test("mSPRT matches the GrowthBook formula")
    func msprt() throws {
        for (index, c) in fixtures.msprt.enumerated() {
            let result = try Sequential.alwaysValid(mean: c.mean, standardDeviation: c.sigma, count: c.n, alpha: c.alpha, tuning: c.tuning)
            #expect(isClose(result.rho, c.rho, rel: 1e-13), "case \(index)")
            #expect(isClose(result.interval.lower, c.lower, rel: 1e-11), "case \(index)")
            #expect(isClose(result.interval.upper, c.upper, rel: 1e-11), "case \(index)")
            #expect(isClose(result.pValue, c.pvalue, rel: 1e-10, abs: 1e-300), "case \(index)")
            // The p-value is below α exactly when the interval excludes zero.
            #expect((result.pValue < c.alpha) == !result.interval.contains(0), "case \(index)")
        }
    }

    @Test("Always-valid interval is wider than the fixed-horizon one")
    func msprtFromDifferences() throws {
        let d: [Double] = (0..<500).map { Double(($0 * 37) % 7) - 2.6 }
        let sequential = try Sequential.alwaysValid(differences: d, tuning: 500, prior: .none)
        let fixed = try PairedT.test(differences: d)
        #expect(isClose(sequential.estimate, fixed.mean, rel: 1e-14))
        #expect(sequential.interval.upper - sequential.interval.lower > fixed.interval.upper - fixed.interval.lower)
    }

    @Test func independentDifference() throws {
        for (index, c) in fixtures.independent.enumerated() {
            let a = SampleMoments(sum: c.a[0], sumOfSquares: c.a[1], count: Int(c.a[2]))
            let b = SampleMoments(sum: c.b[0], sumOfSquares: c.b[1], count: Int(c.b[2]))
            let result = try IndependentDifference(control: a, treatment: b)
            #expect(isClose(result.difference, c.difference, rel: 1e-9, abs: 1e-12), "case \(index)")
            #expect(isClose(result.standardError, c.se, rel: 1e-8), "case \(index)")
            // Sums of squares lose digits to cancellation, so allow for that in the moments.
            #expect(isClose(result.degreesOfFreedom, c.df, rel: 1e-7), "case \(index)")
            #expect(isClose(result.oneSidedPValue, c.oneSidedP, rel: 1e-6, abs: 1e-12), "case \(index)")
            #expect(isClose(result.twoSidedPValue, c.twoSidedP, rel: 1e-6, abs: 1e-12), "case \(index)")
            #expect(isClose(result.interval.lower, c.lower, rel: 1e-7, abs: 1e-9), "case \(index)")
            #expect(isClose(result.interval.upper, c.upper, rel: 1e-7, abs: 1e-9), "case \(index)")
        }
    }

    @Test func connorSampleSizeAndMDE() throws {
        for (index, c) in fixtures.power.connor.enumerated() {
            let n = try Power.pairedBinarySampleSize(p10: c.p10, p01: c.p01, alpha: c.alpha, power: c.power)
            #expect(isClose(n, c.n, rel: 1e-12), "case \(index)")
            let mde = try Power.pairedBinaryMinimumDetectableEffect(
                cases: c.cases, discordantShare: c.p10 + c.p01, alpha: c.alpha, power: c.power)
            if let expected = c.mde {
                #expect(isClose(try #require(mde), expected, rel: 1e-9), "case \(index)")
            } else {
                #expect(mde == nil, "case \(index)")
            }
        }
    }

    @Test func numericSampleSizeAndMDE() throws {
        for (index, c) in fixtures.power.numeric.enumerated() {
            let variance = Power.differenceVariance(caseVariance: c.omega2, varianceA: c.varA, varianceB: c.varB, repeats: c.repeats)
            let n = try Power.pairedNumericSampleSize(delta: c.delta, differenceVariance: variance, alpha: c.alpha, power: c.power)
            #expect(isClose(n, c.n, rel: 1e-12), "case \(index)")
            let mde = try Power.pairedNumericMinimumDetectableEffect(
                cases: c.cases, differenceVariance: variance, alpha: c.alpha, power: c.power)
            #expect(isClose(mde, c.mde, rel: 1e-12), "case \(index)")
        }
    }

    @Test func winRateSampleSizeAndMDE() throws {
        for (index, c) in fixtures.power.winRate.enumerated() {
            let n = try Power.winRateSampleSize(winRate: c.p, alpha: c.alpha, power: c.power)
            #expect(isClose(n, c.n, rel: 1e-12), "case \(index)")
            let mde = try Power.winRateMinimumDetectable(nonTiedCases: c.nonTied, alpha: c.alpha, power: c.power)
            if let expected = c.mde {
                #expect(isClose(try #require(mde), expected, rel: 1e-9), "case \(index)")
            } else {
                #expect(mde == nil, "case \(index)")
            }
        }
    }

    @Test func additionalCases() throws {
        #expect(Power.additionalCases(required: 154.6, current: 100) == 55)
        #expect(Power.additionalCases(required: 154.6, current: 200) == 0)
        // Sizes no experiment can reach are unreachable, not a trap converting them to Int.
        #expect(Power.additionalCases(required: .infinity, current: 10) == nil)
        #expect(Power.additionalCases(required: 1e20, current: 10) == nil)
        #expect(Power.cases(.nan) == nil)
        #expect(Power.cases(Power.largestReachableSize) == 1_000_000_000)
        #expect(try Power.additionalCasesForWinRate(winRate: 0.5000000001, tieShare: 0, currentCases: 10) == nil)
        // 194 non-tied cases at a 20% tie share: ⌈193.8/0.8⌉ = 243 cases in all.
        #expect(try Power.additionalCasesForWinRate(winRate: 0.6, tieShare: 0.2, currentCases: 100) == 143)
        #expect(throws: StatsError.self) { try Power.pairedBinarySampleSize(p10: 0.2, p01: 0.2) }
    }
}
