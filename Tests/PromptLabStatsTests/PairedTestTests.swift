import Foundation
import Testing

@testable import PromptLabStats

@Suite("Paired tests against scipy.stats")
struct PairedTestTests {
    let fixtures = Fixtures.shared

    @Test func pairedT() throws {
        for (index, c) in fixtures.pairedT.enumerated() {
            let result = try PairedT.test(control: c.control, variant: c.variant, level: c.level)
            #expect(result.degreesOfFreedom == c.df)
            #expect(isClose(result.t, c.statistic, rel: 1e-9), "case \(index)")
            #expect(isClose(result.pValue, c.pvalue, rel: 1e-8, abs: 1e-300), "case \(index)")
            #expect(isClose(result.interval.lower, c.lower, rel: 1e-9, abs: 1e-12), "case \(index)")
            #expect(isClose(result.interval.upper, c.upper, rel: 1e-9, abs: 1e-12), "case \(index)")
        }
        #expect(throws: StatsError.tooFewObservations(needed: 2, got: 1)) { try PairedT.test(differences: [1]) }
    }

    @Test func wilcoxon() throws {
        for (index, c) in fixtures.wilcoxon.enumerated() {
            let result = try Wilcoxon.test(
                differences: c.d,
                zeroMethod: try #require(WilcoxonZeroMethod(rawValue: c.zeroMethod)),
                method: try #require(WilcoxonMethod(rawValue: c.method)),
                alternative: try #require(Alternative(rawValue: c.alternative)),
                continuityCorrection: c.correction)
            let label = "case \(index): n = \(c.d.count), \(c.zeroMethod), \(c.method) → \(c.resolvedMethod), \(c.alternative)"
            #expect(result.method.rawValue == c.resolvedMethod, "\(label)")
            #expect(isClose(result.statistic, c.statistic, rel: 1e-12), "\(label)")
            #expect(isClose(result.pValue, c.pvalue, rel: 1e-9, abs: 1e-300), "\(label)")
            if let z = c.z {
                #expect(isClose(try #require(result.z), z, rel: 1e-9), "\(label)")
            }
        }
    }

    @Test func wilcoxonZeroHandling() throws {
        // Zeros are dropped under wilcox, ranked but not summed under pratt.
        let d: [Double] = [0, 0, 1, -2, 3, 4, 5, -6, 7, 8]
        let wilcox = try Wilcoxon.test(differences: d, zeroMethod: .wilcox, method: .asymptotic)
        let pratt = try Wilcoxon.test(differences: d, zeroMethod: .pratt, method: .asymptotic)
        #expect(wilcox.rankSumPositive + wilcox.rankSumNegative == 36)  // ranks 1…8
        #expect(pratt.rankSumPositive + pratt.rankSumNegative == 52)  // ranks 3…10
        #expect(wilcox.zeroCount == 2 && wilcox.nonZeroCount == 8)
        let allZero = try Wilcoxon.test(differences: [0, 0, 0])
        #expect(allZero.pValue == 1)
    }

    @Test func exactWilcoxonDistributionSumsToOne() {
        for n in [1, 5, 20, 50] {
            let distribution = Wilcoxon.exactDistribution(count: n)
            #expect(distribution.count == n * (n + 1) / 2 + 1)
            #expect(isClose(distribution.reduce(0, +), 1, rel: 1e-12))
            #expect(distribution[0] == pow(0.5, Double(n)))
        }
    }

    @Test func pairedComparisonBundle() throws {
        let control: [Double] = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1]
        let variant: [Double] = [1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1]
        let comparison = try PairedComparison.compute(control: control, variant: variant, seed: 3)
        #expect(comparison.count == 12)
        #expect(isClose(comparison.difference.mean, 4.0 / 12, rel: 1e-14))
        let mcNemar = try #require(comparison.mcNemar)
        #expect(mcNemar.controlOnly == 1 && mcNemar.variantOnly == 5)
        #expect(comparison.bootstrap.interval.contains(comparison.difference.mean))
        #expect(comparison.wilcoxon.method == .permutation)
    }
}
