import Foundation
import Testing

@testable import PromptLabStats

@Suite("Proportions and binary tests against scipy/statsmodels")
struct ProportionTests {
    let fixtures = Fixtures.shared

    @Test func wilsonInterval() throws {
        for c in fixtures.wilson {
            let interval = try Wilson.interval(successes: c.k, trials: c.n, level: c.level)
            #expect(isClose(interval.lower, c.lower, rel: 1e-12, abs: 1e-15), "\(c.k)/\(c.n)")
            #expect(isClose(interval.upper, c.upper, rel: 1e-12, abs: 1e-15), "\(c.k)/\(c.n)")
        }
        #expect(throws: StatsError.self) { try Wilson.interval(successes: 3, trials: 2) }
    }

    @Test func binomialTest() throws {
        for c in fixtures.binomialTest {
            let alternative = try #require(Alternative(rawValue: c.alternative))
            let p = try BinomialTest.pValue(successes: c.k, trials: c.n, p: c.p, alternative: alternative)
            #expect(isClose(p, c.pvalue, rel: 1e-9, abs: 1e-300), "k = \(c.k), n = \(c.n), p = \(c.p), \(c.alternative)")
        }
    }

    @Test func mcNemar() throws {
        for c in fixtures.mcnemar {
            let result = try McNemar.test(table: c.table)
            #expect(Double(min(result.controlOnly, result.variantOnly)) == c.exactStatistic)
            #expect(isClose(result.exactPValue, c.exactP, rel: 1e-10, abs: 1e-300), "\(c.table)")
            #expect(isClose(result.chiSquare, c.chi2, rel: 1e-12), "\(c.table)")
            #expect(isClose(result.chiSquarePValue, c.chi2P, rel: 1e-10, abs: 1e-300), "\(c.table)")
        }
    }

    @Test func mcNemarFromOutcomes() throws {
        let control = [true, true, false, false, true, false]
        let variant = [true, false, true, true, true, false]
        let result = try McNemar.test(control: control, variant: variant)
        #expect(result.controlOnly == 1)
        #expect(result.variantOnly == 2)
        #expect(result.exactPValue == 1)
    }

    @Test func winRateSignTestChanceToBeat() throws {
        for c in fixtures.winRate {
            let counts = VerdictCounts(wins: c.wins, ties: c.ties, losses: c.losses)
            let result = try WinRate.analyze(counts, level: c.level)
            let label = "W/T/L \(c.wins)/\(c.ties)/\(c.losses)"
            #expect(isClose(result.rate, c.rate, rel: 1e-14), "\(label)")
            #expect(isClose(result.standardError, c.se, rel: 1e-10, abs: 1e-15), "\(label)")
            if let lower = c.lower, let upper = c.upper {
                #expect(isClose(result.interval.lower, lower, rel: 1e-10), "\(label)")
                #expect(isClose(result.interval.upper, upper, rel: 1e-10), "\(label)")
            }
            #expect(isClose(result.signTestPValue, c.signP, rel: 1e-9, abs: 1e-300), "\(label)")
            #expect(isClose(result.chanceToBeat, c.chanceToBeat, rel: 1e-9, abs: 1e-300), "\(label)")
        }
    }

    @Test func verdictsAndPositionConsistency() throws {
        #expect(Verdict.combined(.win, .win) == .win)
        #expect(Verdict.combined(.win, .loss) == .tie)
        #expect(Verdict.combined(.loss, .tie) == .tie)
        let first: [Verdict] = [.win, .win, .loss, .tie]
        let second: [Verdict] = [.win, .loss, .loss, .win]
        let consistency = try PositionConsistency(first: first, second: second)
        #expect(consistency.agreeing == 2)
        #expect(consistency.rate == 0.5)
        let combined = zip(first, second).map { Verdict.combined($0, $1) }
        #expect(VerdictCounts(combined) == VerdictCounts(wins: 1, ties: 2, losses: 1))
    }

    @Test func clusteredStandardError() throws {
        for (index, c) in fixtures.clustered.enumerated() {
            let result = try ClusteredStandardError.mean(values: c.values, clusters: c.clusters)
            #expect(isClose(result.mean, c.mean, rel: 1e-12), "case \(index)")
            #expect(isClose(result.standardError, c.se, rel: 1e-9), "case \(index)")
            if let effective = c.effectiveN, let lower = c.wilsonLower, let upper = c.wilsonUpper {
                let wilson = try ClusteredStandardError.wilsonInterval(values: c.values, clusters: c.clusters)
                #expect(isClose(wilson.effectiveTrials, effective, rel: 1e-9), "case \(index)")
                #expect(isClose(wilson.interval.lower, lower, rel: 1e-9), "case \(index)")
                #expect(isClose(wilson.interval.upper, upper, rel: 1e-9), "case \(index)")
            }
        }
    }

    @Test func caseMeansCollapseRepeats() throws {
        let collapsed = try ClusteredStandardError.caseMeans(values: [1, 0, 1, 1, 0], clusters: ["b", "a", "b", "a", "c"])
        #expect(collapsed.cases == ["b", "a", "c"])
        #expect(collapsed.means == [1, 0.5, 0])
    }
}
