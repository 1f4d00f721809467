import Foundation
import Testing

@testable import PromptLabStats

@Suite("Bradley–Terry")
struct BradleyTerryTests {
    @Test("MLE matches scipy.optimize on the stated loss")
    func againstScipy() throws {
        for (index, c) in Fixtures.shared.bradleyTerry.enumerated() {
            let tallies = c.tallies.map { PairTally(first: $0[0], second: $0[1], firstWins: $0[2], ties: $0[3], secondWins: $0[4]) }
            let fit = try BradleyTerry.fit(variantCount: c.variants, control: c.control, tallies: tallies)
            #expect(fit.converged, "case \(index)")
            #expect(fit.strengths[c.control] == 0)
            for v in 0..<c.variants {
                #expect(isClose(fit.strengths[v], c.theta[v], abs: 2e-6), "case \(index), variant \(v)")
                #expect(isClose(fit.elo[v], c.elo[v], abs: 4e-4), "case \(index), variant \(v)")
            }
        }
    }

    @Test func ranksFollowIntervalOverlap() {
        let intervals = [
            ConfidenceInterval(lower: 990, upper: 1010, level: 0.95),
            ConfidenceInterval(lower: 1020, upper: 1060, level: 0.95),
            ConfidenceInterval(lower: 1000, upper: 1030, level: 0.95),
            ConfidenceInterval(lower: 900, upper: 950, level: 0.95),
        ]
        #expect(BradleyTerry.ranks(intervals) == [2, 1, 1, 4])
    }

    @Test("Bootstrap over cases: control pinned, intervals cover the fit, reproducible")
    func bootstrapRanking() throws {
        var generator = Xoshiro256StarStar(seed: 5)
        let skill = [0.0, 0.8, -0.6]
        var cases: [[PairwiseOutcome]] = []
        for _ in 0..<400 {
            var outcomes: [PairwiseOutcome] = []
            for (a, b) in [(0, 1), (1, 2), (0, 2)] {
                let p = 1 / (1 + exp(skill[b] - skill[a]))
                let u = generator.nextUniform()
                let score = u < 0.15 ? 0.5 : (u < 0.15 + 0.85 * p ? 1.0 : 0.0)
                outcomes.append(PairwiseOutcome(first: a, second: b, score: score))
            }
            cases.append(outcomes)
        }
        let ranking = try BradleyTerry.ranking(variantCount: 3, control: 0, cases: cases, resamples: 300, seed: 11)
        #expect(ranking.eloIntervals[0].lower == 1000 && ranking.eloIntervals[0].upper == 1000)
        for v in 0..<3 { #expect(ranking.eloIntervals[v].contains(ranking.fit.elo[v])) }
        #expect(ranking.ranks == [2, 1, 3])
        #expect(ranking.bounds == [.finite, .finite, .finite])
        #expect(ranking.distinctCasePatterns <= 27)
        let again = try BradleyTerry.ranking(variantCount: 3, control: 0, cases: cases, resamples: 300, seed: 11)
        #expect(again == ranking)
    }

    @Test func rejectsInvalidComparisons() {
        #expect(throws: StatsError.self) {
            try BradleyTerry.fit(variantCount: 2, control: 0, outcomes: [PairwiseOutcome(first: 0, second: 2, score: 1)])
        }
        #expect(throws: StatsError.self) {
            try BradleyTerry.fit(variantCount: 2, control: 0, outcomes: [PairwiseOutcome(first: 0, second: 0, score: 1)])
        }
    }

    @Test("A variant that wins every case is unbounded, with a Wilson interval")
    func separationIsUnbounded() throws {
        // Variant 1 beats the control in all 20 cases; variant 2 wins 12 and loses 8.
        var cases: [[PairwiseOutcome]] = []
        for index in 0..<20 {
            cases.append([
                PairwiseOutcome(first: 1, second: 0, score: 1),
                PairwiseOutcome(first: 2, second: 0, score: index < 12 ? 1 : 0),
            ])
        }
        let ranking = try BradleyTerry.ranking(variantCount: 3, control: 0, cases: cases, resamples: 200, seed: 3)
        #expect(ranking.bounds == [.finite, .unboundedAbove, .finite])
        #expect(ranking.elo[1] == .infinity)
        // binomtest(20, 20).proportion_ci(0.95, method='wilson').low = 0.8388748419471808;
        // 1000 + 400·log10(low/(1 − low)) = 1286.6135254494836
        #expect(isClose(ranking.eloIntervals[1].lower, 1286.6135254494836, rel: 1e-9))
        #expect(ranking.eloIntervals[1].upper == .infinity)
        #expect(ranking.eloIntervals[2].upper > ranking.eloIntervals[2].lower)
        #expect(ranking.ranks[1] == 1)

        // And one that loses every case is unbounded below.
        let losing = cases.map { [PairwiseOutcome(first: 1, second: 0, score: 0), $0[1]] }
        let low = try BradleyTerry.ranking(variantCount: 3, control: 0, cases: losing, resamples: 200, seed: 3)
        #expect(low.bounds[1] == .unboundedBelow && low.elo[1] == -.infinity)
        #expect(isClose(low.eloIntervals[1].upper, 2000 - 1286.6135254494836, rel: 1e-9))
        #expect(low.ranks[1] == 3)
    }

    @Test("Ranks come from rating differences, and never put a lower rating above the control")
    func ranksFromDifferences() {
        // Control anchored at 1000; x well above it; v at 998 [≈973–1022].
        var generator = Xoshiro256StarStar(seed: 9)
        var draws: [[Double]] = [[], [], []]
        for _ in 0..<2000 {
            draws[0].append(1000)
            draws[1].append(1010 + 180 * generator.nextUniform())
            draws[2].append(973 + 49 * generator.nextUniform())
        }
        let intervals = draws.map { sample -> ConfidenceInterval in
            let sorted = sample.sorted()
            return ConfidenceInterval(
                lower: Descriptive.quantile(sorted: sorted, 0.025), upper: Descriptive.quantile(sorted: sorted, 0.975), level: 0.95)
        }
        // The interval-overlap rule puts v (998) above the control (1000): the defect.
        #expect(BradleyTerry.ranks(intervals) == [2, 1, 1])
        let ranks = BradleyTerry.ranks(draws: draws, elo: [1000, 1100, 998], level: 0.95)
        #expect(ranks == [2, 1, 2])
    }

    @Test("A variant that wins everything is reported as not converged")
    func separation() throws {
        let fit = try BradleyTerry.fit(
            variantCount: 2, control: 0,
            tallies: [
                PairTally(first: 0, second: 1, firstWins: 0, ties: 0, secondWins: 10)
            ])
        #expect(!fit.converged || fit.strengths[1] > 10)
        #expect(fit.strengths[1] > 5)
    }
}
