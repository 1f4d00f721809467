import Testing

@testable import PromptLabStats

/// The published reference values from docs' STATS.md table.
@Suite("STATS.md reference values")
struct ReferenceValueTests {
    @Test("McNemar, Agresti 1990 p. 350: [[794, 150], [86, 570]]")
    func mcNemarAgresti() throws {
        let result = try McNemar.test(table: [[794, 150], [86, 570]])
        #expect(isClose(result.chiSquare, 16.8178, rel: 1e-5))
        #expect(isClose(result.chiSquarePValue, 4.1146e-05, rel: 1e-4))
        #expect(isClose(result.exactPValue, 3.7159e-05, rel: 1e-4))
    }

    @Test("McNemar exact, [[1, 11], [3, 5]]")
    func mcNemarSmall() throws {
        let result = try McNemar.test(table: [[1, 11], [3, 5]])
        #expect(isClose(result.exactPValue, 0.057373, rel: 1e-5))
    }

    @Test("Wilson 95% interval for 81/263")
    func wilson() throws {
        let interval = try Wilson.interval(successes: 81, trials: 263)
        #expect(isClose(interval.lower, 0.255289, rel: 2e-6))
        #expect(isClose(interval.upper, 0.366210, rel: 2e-6))
    }

    @Test("Wilcoxon signed-rank, 15 differences")
    func wilcoxon() throws {
        let d: [Double] = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75]
        let result = try Wilcoxon.test(differences: d)
        #expect(result.statistic == 24)
        #expect(result.method == .exact)
        #expect(isClose(result.pValue, 0.0412598, rel: 1e-6))
    }

    @Test("Connor sample sizes")
    func connor() throws {
        let first = try Power.pairedBinarySampleSize(p10: 0.05, p01: 0.45)
        #expect(isClose(first, 22.01, abs: 0.005))
        #expect(Power.cases(first) == 23)
        let second = try Power.pairedBinarySampleSize(p10: 0.30, p01: 0.15)
        #expect(isClose(second, 154.6, abs: 0.05))
        #expect(Power.cases(second) == 155)
    }

    @Test("Win rate 0.6 against 0.5 needs 194 non-tied cases")
    func winRatePower() throws {
        let n = try Power.winRateSampleSize(winRate: 0.6)
        #expect(isClose(n, 193.8, abs: 0.05))
        #expect(Power.cases(n) == 194)
    }

    @Test("GrowthBook summary inputs: difference, SE and one-sided Welch p")
    func growthBook() throws {
        let a = SampleMoments(sum: 1396.87, sumOfSquares: 52377.9767, count: 3000)
        let b = SampleMoments(sum: 2422.7, sumOfSquares: 134698.29, count: 3461)
        let result = try IndependentDifference(control: a, treatment: b)
        #expect(isClose(result.difference, 0.2343767, rel: 1e-6))
        #expect(isClose(result.standardError, 0.1298308, rel: 1e-6))
        #expect(isClose(result.oneSidedPValue, 0.035543, rel: 1e-4))
    }

    @Test("Bradley–Terry: A–B 30/10/20, B–C 25/5/20, A–C 35/5/10")
    func bradleyTerry() throws {
        let fit = try BradleyTerry.fit(
            variantCount: 3, control: 0,
            tallies: [
                PairTally(first: 0, second: 1, firstWins: 30, ties: 10, secondWins: 20),
                PairTally(first: 1, second: 2, firstWins: 25, ties: 5, secondWins: 20),
                PairTally(first: 0, second: 2, firstWins: 35, ties: 5, secondWins: 10),
            ])
        #expect(fit.converged)
        let expectedTheta = [0, -0.49124, -0.87374]
        let expectedElo = [1000, 914.66, 848.22]
        for i in 0..<3 {
            #expect(isClose(fit.strengths[i], expectedTheta[i], abs: 5e-6))
            #expect(isClose(fit.elo[i], expectedElo[i], abs: 5e-3))
        }
    }

    @Test("Bradley–Terry from individual outcomes equals the tallies")
    func bradleyTerryOutcomes() throws {
        var outcomes: [PairwiseOutcome] = []
        func add(_ a: Int, _ b: Int, _ w: Int, _ t: Int, _ l: Int) {
            outcomes += Array(repeating: PairwiseOutcome(first: a, second: b, score: 1), count: w)
            outcomes += Array(repeating: PairwiseOutcome(first: b, second: a, score: 0.5), count: t)
            outcomes += Array(repeating: PairwiseOutcome(first: b, second: a, score: 1), count: l)
        }
        add(0, 1, 30, 10, 20)
        add(1, 2, 25, 5, 20)
        add(0, 2, 35, 5, 10)
        let fit = try BradleyTerry.fit(variantCount: 3, control: 0, outcomes: outcomes)
        #expect(isClose(fit.strengths[1], -0.49124, abs: 5e-6))
        #expect(isClose(fit.strengths[2], -0.87374, abs: 5e-6))
    }
}
