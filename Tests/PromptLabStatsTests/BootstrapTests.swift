import Foundation
import Testing

@testable import PromptLabStats

@Suite("Paired bootstrap")
struct BootstrapTests {
    let fixtures = Fixtures.shared

    @Test("Agrees with scipy.stats.bootstrap within Monte Carlo error")
    func againstScipy() throws {
        for (index, c) in fixtures.bootstrap.enumerated() {
            let method = try #require(BootstrapMethod(rawValue: c.method))
            let result = try Bootstrap.meanInterval(c.d, level: c.level, resamples: c.resamples, method: method, seed: UInt64(index))
            let label = "case \(index): n = \(c.d.count), \(c.method), strategy \(result.strategy)"
            #expect(abs(result.interval.lower - c.lower) <= c.tolerance, "\(label): lower \(result.interval.lower) vs \(c.lower)")
            #expect(abs(result.interval.upper - c.upper) <= c.tolerance, "\(label): upper \(result.interval.upper) vs \(c.upper)")
            #expect(isClose(result.standardError, c.standardError, rel: 0.03), "\(label)")
        }
    }

    @Test("BCa and percentile formulas on a fixed bootstrap distribution match scipy exactly")
    func bcaFormula() {
        for (index, c) in fixtures.bcaFormula.enumerated() {
            let estimate = Descriptive.mean(c.d)
            let bca = Bootstrap.interval(
                estimate: estimate, bootstrapEstimates: c.bootstrap,
                jackknifeEstimates: c.jackknife, level: c.level, method: .bca)
            #expect(isClose(bca.acceleration, c.acceleration, rel: 1e-9), "case \(index)")
            #expect(isClose(bca.interval.lower, c.lower, rel: 1e-10), "case \(index)")
            #expect(isClose(bca.interval.upper, c.upper, rel: 1e-10), "case \(index)")
            let percentile = Bootstrap.interval(estimate: estimate, bootstrapEstimates: c.bootstrap, level: c.level, method: .percentile)
            #expect(isClose(percentile.interval.lower, c.percentileLower, rel: 1e-12), "case \(index)")
            #expect(isClose(percentile.interval.upper, c.percentileUpper, rel: 1e-12), "case \(index)")

            // The grouped jackknife (one value per distinct observation, weighted) gives the same â.
            let grouped = GroupedSample(c.d)
            let n = Double(c.d.count)
            let groupedJackknife = grouped.values.map { (estimate * n - $0) / (n - 1) }
            let a = Bootstrap.acceleration(groupedJackknife, weights: grouped.counts.map(Double.init))
            #expect(isClose(a, c.acceleration, rel: 1e-8), "case \(index)")
        }
    }

    @Test("Seeded: the same seed gives the same interval, another seed a different one")
    func reproducible() throws {
        let d: [Double] = (0..<200).map { Double(($0 * 7919) % 11) - 4 }
        let first = try Bootstrap.meanInterval(d, seed: 42)
        let again = try Bootstrap.meanInterval(d, seed: 42)
        let other = try Bootstrap.meanInterval(d, seed: 43)
        #expect(first == again)
        #expect(first.interval != other.interval)
        #expect(first.strategy == .conditionalBinomial)
    }

    @Test("Grouped multinomial and direct resampling give the same bootstrap distribution")
    func strategiesAgree() {
        let d: [Double] = (0..<400).map { [-1.0, 0, 0, 1, 1, 2][$0 % 6] }
        let sample = GroupedSample(d)
        let mean = sample.mean
        var population = 0.0
        for value in d { population += (value - mean) * (value - mean) }
        let expectedSE = (population / Double(d.count) / Double(d.count)).squareRoot()
        for strategy in [MultinomialResampler.Strategy.conditionalBinomial, .directIndexing] {
            let resampler = MultinomialResampler(counts: sample.counts, strategy: strategy)
            var generator = Xoshiro256StarStar(seed: 9)
            var counts: [Int] = []
            var means: [Double] = []
            for _ in 0..<20000 {
                resampler.draw(using: &generator, into: &counts)
                #expect(counts.reduce(0, +) == d.count)
                means.append(sample.weightedMean(counts))
            }
            #expect(isClose(Descriptive.mean(means), mean, abs: 4 * expectedSE / 141))
            #expect(isClose(Descriptive.variance(means).squareRoot(), expectedSE, rel: 0.03), "\(strategy)")
        }
    }

    @Test("Identical observations give a point interval instead of NaN")
    func degenerate() throws {
        let result = try Bootstrap.meanInterval([2, 2, 2, 2], seed: 1)
        #expect(result.interval.lower == 2 && result.interval.upper == 2)
        #expect(result.acceleration == 0)
    }

    @Test func groupedSample() throws {
        let sample = GroupedSample([3, 1, 3, 2, 3])
        #expect(sample.values == [1, 2, 3])
        #expect(sample.counts == [1, 1, 3])
        #expect(sample.total == 5)
        #expect(sample.mean == 2.4)
        #expect(throws: StatsError.self) { try GroupedSample(values: [1], counts: [1, 2]) }
    }
}
