import Foundation
import Testing

@testable import PromptLabStats

@Suite("Ratio metrics over units (delta method)")
struct RatioMetricTests {
    @Test("Mean and variance match statsmodels' cluster-robust OLS", arguments: OnlineFixtures.shared.ratio.map(\.name))
    func matchesStatsmodels(name: String) throws {
        let c = try #require(OnlineFixtures.shared.ratio.first { $0.name == name })
        let ratio = try c.sums.ratio()
        #expect(isClose(ratio.mean, c.mean, rel: 1e-12))
        #expect(isClose(ratio.varianceOfMean, c.varianceOfMean, rel: 1e-9), "\(ratio.varianceOfMean) vs \(c.varianceOfMean)")
        let estimate = try OnlineMetric.estimate(c.sums, tuning: 100, bound: nil, minimumUnits: 1)
        #expect(isClose(estimate.standardError, c.varianceOfMean.squareRoot(), rel: 1e-9))
        #expect(estimate.units == c.units.count)
    }

    @Test("One observation per unit reduces to the plain mean and s²/n")
    func plainMean() throws {
        let values: [Double] = [3, 1, 4, 1, 5, 9, 2, 6]
        let sums = UnitMetricSums(values: values.map { (value: $0, count: 1) })
        let ratio = try sums.ratio()
        #expect(isClose(ratio.mean, Descriptive.mean(values), rel: 1e-14))
        #expect(isClose(ratio.varianceOfMean, Descriptive.variance(values) / Double(values.count), rel: 1e-12))
        let direct = UnitMetricSums(units: values.count, sum: values.reduce(0, +), sumOfSquares: values.reduce(0) { $0 + $1 * $1 })
        #expect(direct == sums)
    }

    @Test("Units exactly on the ratio line have no spread, despite rounding")
    func noSpread() throws {
        // x_u = 0.1 · m_u: the residuals are zero, the expanded sums leave only rounding noise.
        var sums = UnitMetricSums.empty
        for unit in 1...500 {
            let requests = Double(unit % 7 + 1)
            sums.add(value: 0.1 * requests, count: requests)
        }
        let ratio = try sums.ratio()
        #expect(isClose(ratio.mean, 0.1, rel: 1e-12))
        #expect(ratio.perUnitVariance == 0)
    }
}
