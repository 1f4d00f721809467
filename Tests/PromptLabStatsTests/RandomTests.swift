import Foundation
import Testing

@testable import PromptLabStats

@Suite("Seeded generators and exact samplers")
struct RandomTests {
    @Test("SplitMix64 reference stream")
    func splitMix() {
        // First outputs for seed 0, as published with the algorithm.
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func xoshiroIsDeterministic() {
        var a = Xoshiro256StarStar(seed: 123)
        var b = Xoshiro256StarStar(seed: 123)
        var c = Xoshiro256StarStar(seed: 124)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
        for _ in 0..<1000 {
            let u = a.nextUniform()
            #expect(u >= 0 && u < 1)
            let k = a.nextInt(below: 7)
            #expect((0..<7).contains(k))
        }
    }

    /// Pearson chi-square statistic of observed counts against the exact pmf, pooling
    /// cells with expected counts below 5.
    func chiSquareAgainstPMF(n: Int, p: Double, draws: Int, seed: UInt64) -> (statistic: Double, degreesOfFreedom: Int, mean: Double) {
        var generator = Xoshiro256StarStar(seed: seed)
        var observed = [Int](repeating: 0, count: n + 1)
        var sum = 0.0
        for _ in 0..<draws {
            let x = generator.nextBinomial(trials: n, probability: p)
            observed[x] += 1
            sum += Double(x)
        }
        var statistic = 0.0
        var cells = 0
        var pooledObserved = 0.0
        var pooledExpected = 0.0
        for k in 0...n {
            pooledObserved += Double(observed[k])
            pooledExpected += Binomial.pmf(k, n: n, p: p) * Double(draws)
            if pooledExpected >= 5 {
                statistic += (pooledObserved - pooledExpected) * (pooledObserved - pooledExpected) / pooledExpected
                cells += 1
                pooledObserved = 0
                pooledExpected = 0
            }
        }
        if pooledExpected > 0 {
            statistic += (pooledObserved - pooledExpected) * (pooledObserved - pooledExpected) / max(pooledExpected, 1e-300)
        }
        return (statistic, cells - 1, sum / Double(draws))
    }

    @Test(
        "Binomial draws follow the exact pmf (inversion and BTPE)",
        arguments: [
            (20, 0.3), (100, 0.05), (59, 0.5), (100, 0.4), (1000, 0.5), (5000, 0.93), (100_000, 0.2), (80, 0.97),
        ])
    func binomialGoodnessOfFit(n: Int, p: Double) {
        let draws = 200_000
        let (statistic, df, mean) = chiSquareAgainstPMF(n: n, p: p, draws: draws, seed: UInt64(n) &* 31 &+ 7)
        // A fixed seed makes this deterministic; the threshold is the 0.999 chi-square quantile.
        let pValue = ChiSquared.sf(statistic, df: Double(df))
        #expect(pValue > 0.001, "n = \(n), p = \(p): chi2 = \(statistic) on \(df) df")
        let sd = (Double(n) * p * (1 - p) / Double(draws)).squareRoot()
        #expect(abs(mean - Double(n) * p) < 5 * sd)
    }

    @Test func binomialEdgeCases() {
        var generator = Xoshiro256StarStar(seed: 1)
        #expect(generator.nextBinomial(trials: 0, probability: 0.5) == 0)
        #expect(generator.nextBinomial(trials: 10, probability: 0) == 0)
        #expect(generator.nextBinomial(trials: 10, probability: 1) == 10)
    }

    @Test func multinomialSumsAndMeans() {
        var generator = Xoshiro256StarStar(seed: 77)
        let weights = [50, 0, 30, 15, 5]
        var totals = [Double](repeating: 0, count: weights.count)
        var counts: [Int] = []
        let rounds = 5000
        for _ in 0..<rounds {
            generator.nextMultinomial(total: 1000, weights: weights, into: &counts)
            #expect(counts.reduce(0, +) == 1000)
            for i in counts.indices { totals[i] += Double(counts[i]) }
        }
        #expect(totals[1] == 0)
        for i in weights.indices where weights[i] > 0 {
            let expected = 1000 * Double(weights[i]) / 100
            #expect(abs(totals[i] / Double(rounds) - expected) < 0.5, "category \(i)")
        }
    }
}
