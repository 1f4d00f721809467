import Foundation
import PromptLab
import PromptLabCore
import PromptLabStats
import PromptLabStore
import Testing

@testable import PromptExperiments
@testable import PromptFormat
@testable import PromptVersioning

/// Reports built from a real SQLite results file. Expected values come from scipy
/// and statsmodels (the Python lines are quoted next to each number).
@Suite("Reports")
struct ReportTests {
    // control: 15 both pass, 2 control only, 10 variant only, 13 both fail (40 cases)
    static let control = outcomes((true, 17), (false, 23))
    static let variant = outcomes((true, 15), (false, 2), (true, 10), (false, 13))

    @Test func passFailComparisonUsesMcNemarAndWilson() async throws {
        let fixture = try await ReportFixture.make(variants: ["zero-shot", "few-shot"], caseCount: 40)
        defer { fixture.remove() }
        try await fixture.passFail("zero-shot", Self.control)
        try await fixture.passFail("few-shot", Self.variant)
        let report = try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id)

        let section = try #require(report.primaryGrader)
        #expect(section.metric == .passRate)
        let control = try #require(section.variants.first)
        #expect(control.isControl && control.cases == 40)
        #expect(isClose(control.estimate, 17.0 / 40))
        // binomtest(17, 40).proportion_ci(0.95, 'wilson')
        #expect(isClose(control.interval?.lower, 0.28509392559950375, rel: 1e-9))
        #expect(isClose(control.interval?.upper, 0.5780493145800892, rel: 1e-9))
        #expect(control.intervalMethod == "Wilson")

        let c = try #require(section.comparisons.first)
        #expect(c.variant == "few-shot" && c.control == "zero-shot" && c.cases == 40)
        #expect(c.test == "McNemar exact")
        #expect(c.controlOnly == 2 && c.variantOnly == 10)
        #expect(isClose(c.pValue, 0.03857421875, rel: 1e-12))  // binomtest(2, 12, 0.5).pvalue
        #expect(c.pAdjusted == c.pValue)  // one comparison: Holm changes nothing
        #expect(isClose(c.estimate, 0.2, rel: 1e-12))
        // ttest_rel(variant, control).confidence_interval(0.95)
        #expect(isClose(c.interval.lower, 0.03484797795164282, rel: 1e-9))
        #expect(isClose(c.interval.upper, 0.36515202204835717, rel: 1e-9))
        #expect(c.wins == 10 && c.ties == 28 && c.losses == 2)
        #expect(c.significant && c.direction == .better && !c.isRegression)
        #expect(c.bootstrap.map { $0.contains(0.2) } == true)
        #expect(
            c.verdict == """
                few-shot beats zero-shot: check pass rate 0.62 vs 0.42 (+0.20, 95% CI 0.03–0.37; W/T/L 10/28/2), \
                McNemar exact p = 0.039; significant.
                """)
    }

    @Test func bootstrapIsReproducible() async throws {
        let fixture = try await ReportFixture.make(variants: ["a", "b"], caseCount: 40)
        defer { fixture.remove() }
        try await fixture.passFail("a", Self.control)
        try await fixture.passFail("b", Self.variant)
        let first = try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id, options: ReportOptions(seed: 7))
        let second = try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id, options: ReportOptions(seed: 7))
        #expect(first.graders[0].comparisons[0].bootstrap == second.graders[0].comparisons[0].bootstrap)
        #expect(first.graders[0].comparisons[0].bootstrap != nil)
    }

    @Test func holmAdjustsAcrossVariantsAndRatesThreeOrMore() async throws {
        let fixture = try await ReportFixture.make(variants: ["base", "v1", "v2", "v3"], caseCount: 20)
        defer { fixture.remove() }
        let base = outcomes((true, 10), (false, 10))
        try await fixture.passFail("base", base)
        // v1: b = 1, c = 9; v2: b = 0, c = 6; v3: b = 3, c = 4.
        try await fixture.passFail("v1", outcomes((false, 1), (true, 9), (true, 9), (false, 1)))
        try await fixture.passFail("v2", outcomes((true, 10), (true, 6), (false, 4)))
        try await fixture.passFail("v3", outcomes((false, 3), (true, 7), (true, 4), (false, 6)))
        let section = try #require(try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id).primaryGrader)
        let byName = Dictionary(uniqueKeysWithValues: section.comparisons.map { ($0.variant, $0) })
        #expect(byName["v1"]?.controlOnly == 1 && byName["v1"]?.variantOnly == 9)
        // binomtest p: 0.021484375, 0.03125, 1.0; multipletests(p, method='holm'): 0.06445312, 0.06445312, 1.
        #expect(isClose(byName["v1"]?.pValue, 0.021484375, rel: 1e-12))
        #expect(isClose(byName["v2"]?.pValue, 0.03125, rel: 1e-12))
        #expect(isClose(byName["v1"]?.pAdjusted, 0.064453125, rel: 1e-12))
        #expect(isClose(byName["v2"]?.pAdjusted, 0.064453125, rel: 1e-12))
        #expect(isClose(byName["v3"]?.pAdjusted, 1, rel: 1e-12))
        #expect(byName.values.allSatisfy { !$0.significant })
        #expect(byName["v1"]?.verdict.contains("McNemar exact p = 0.064, Holm-adjusted; not significant yet; about") == true)
        #expect(byName["v1"].map { ($0.additionalCases ?? 0) > 0 } == true)

        // Bradley–Terry: four variants rated, the control anchored at 1000.
        #expect(section.ratings.count == 4)
        let rating = Dictionary(uniqueKeysWithValues: section.ratings.map { ($0.variant, $0) })
        #expect(rating["base"]?.elo == 1000)
        #expect((rating["v1"]?.elo ?? 0) > 1000 && (rating["v2"]?.elo ?? 0) > 1000)
        #expect(section.ratings.allSatisfy { $0.rank >= 1 && $0.rank <= 4 && $0.interval.lower <= $0.interval.upper })
    }

    @Test("--pairs all compares every pair, Holm over all, and fits ratings on every pair")
    func allPairs() async throws {
        let fixture = try await ReportFixture.make(variants: ["base", "v1", "v2"], caseCount: 20)
        defer { fixture.remove() }
        try await fixture.passFail("base", outcomes((true, 10), (false, 10)))
        try await fixture.passFail("v1", outcomes((false, 1), (true, 9), (true, 9), (false, 1)))
        try await fixture.passFail("v2", outcomes((true, 10), (true, 6), (false, 4)))
        let report = try await ReportBuilder.build(
            store: fixture.store, runID: fixture.run.id, options: ReportOptions(pairs: .all))
        let section = try #require(report.primaryGrader)
        #expect(section.comparisons.map { "\($0.variant)-\($0.control)" } == ["v1-base", "v2-base", "v2-v1"])
        let pair = try #require(section.comparisons.last)
        #expect(!pair.againstControl && pair.test == "McNemar exact")
        #expect(pair.controlOnly == 3 && pair.variantOnly == 1)
        // binomtest(1, 10), binomtest(0, 6), binomtest(3, 4) → 0.021484375, 0.03125, 0.625;
        // multipletests(p, method='holm') → 0.064453125, 0.064453125, 0.625
        #expect(isClose(pair.pValue, 0.625, rel: 1e-12))
        #expect(
            section.comparisons.map(\.pAdjusted).enumerated().allSatisfy { index, p in
                isClose(p, [0.064453125, 0.064453125, 0.625][index], rel: 1e-9)
            })
        // Bradley–Terry on tallies (v1–base 9/10/1, v2–base 6/14/0, v2–v1 1/16/3), minimised with
        // scipy.optimize.minimize(BFGS) on the stated loss: Elo (1000, 1145.4648, 1109.1367).
        let rating = Dictionary(uniqueKeysWithValues: section.ratings.map { ($0.variant, $0) })
        #expect(isClose(rating["v1"]?.elo, 1145.46475122, rel: 1e-7))
        #expect(isClose(rating["v2"]?.elo, 1109.13669515, rel: 1e-7))
        #expect(rating["v2"]?.bound == .finite)
        let json = ReportRenderer.render(report, as: .json)
        #expect(json.contains("\"against_control\": false") && json.contains("\"pairs\": \"all\""))
        #expect(ReportRenderer.render(report, as: .text).contains("v2 vs v1"))

        // The default stays control-against-variants.
        let plain = try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id)
        #expect(plain.primaryGrader?.comparisons.count == 2)
        #expect(plain.primaryGrader?.comparisons.allSatisfy(\.againstControl) == true)
    }

    @Test("Human review verdicts: win rate, sign test, per reviewer, and Cohen's kappa")
    func humanReview() async throws {
        let fixture = try await ReportFixture.make(variants: ["ctl", "new"], caseCount: 10)
        defer { fixture.remove() }
        // From new's side: ana judged cases 0–9 (skipping 9), bo cases 0–7. bo's records name
        // the pair the other way round (variant A = new), so their A means new.
        let ana: [VerdictRecord.Verdict] = [.b, .b, .b, .tie, .a, .b, .b, .a, .b, .skip]
        let bo: [VerdictRecord.Verdict] = [.a, .a, .b, .tie, .b, .a, .tie, .b]
        for (index, verdict) in ana.enumerated() {
            try await fixture.store.insertVerdict(
                VerdictRecord(
                    runID: fixture.run.id, caseID: fixture.cases[index], variantA: "ctl", variantB: "new", shownLeft: "ctl",
                    verdict: verdict, reviewer: "ana"))
        }
        for (index, verdict) in bo.enumerated() {
            try await fixture.store.insertVerdict(
                VerdictRecord(
                    runID: fixture.run.id, caseID: fixture.cases[index], variantA: "new", variantB: "ctl", shownLeft: "ctl",
                    verdict: verdict, reviewer: "bo"))
        }
        let report = try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id)
        let review = try #require(report.humanReview.first)
        #expect(report.humanReview.count == 1)
        #expect(review.variantA == "ctl" && review.variantB == "new")
        // Per case, reviewers averaged: [1, 1, .5, .5, 0, 1, .75, 0, 1]; case 9 only skipped.
        let all = review.overall
        #expect(all.cases == 9 && all.skipped == 1 && all.wins == 5 && all.ties == 2 && all.losses == 2)
        // ttest_1samp(s, 0.5).confidence_interval(0.95); binomtest(5, 7).pvalue
        #expect(isClose(all.winRate, 0.6388888888888888, rel: 1e-12))
        #expect(isClose(all.interval?.lower, 0.31861053677719914, rel: 1e-9))
        #expect(isClose(all.interval?.upper, 0.9591672410005785, rel: 1e-9))
        #expect(isClose(all.signTestPValue, 0.453125, rel: 1e-12))
        let byName = Dictionary(uniqueKeysWithValues: review.reviewers.map { ($0.reviewer ?? "", $0) })
        let a = try #require(byName["ana"])
        #expect(a.cases == 9 && a.skipped == 1 && a.wins == 6 && a.ties == 1 && a.losses == 2)
        #expect(isClose(a.winRate, 0.7222222222222222, rel: 1e-12))
        #expect(isClose(a.interval?.upper, 1.061172970224266, rel: 1e-9))
        #expect(isClose(a.signTestPValue, 0.2890625, rel: 1e-12))  // binomtest(6, 8)
        let b = try #require(byName["bo"])
        #expect(b.wins == 3 && b.ties == 2 && b.losses == 3 && b.signTestPValue == 1)
        // statsmodels cohens_kappa on the 8 shared cases (categories: ctl better, tie, new better)
        let agreement = try #require(review.agreement)
        #expect(agreement.method == "Cohen's kappa" && agreement.sharedCases == 8 && agreement.reviewers == ["ana", "bo"])
        #expect(isClose(agreement.kappa, 0.6097560975609756, rel: 1e-12))

        let text = ReportRenderer.render(report, as: .text)
        #expect(text.contains("Human review: new vs ctl"))
        #expect(text.contains("agreement: Cohen's kappa 0.61 on 8 cases judged by ana, bo"))
        #expect(ReportRenderer.render(report, as: .markdown).contains("## Human review: new vs ctl"))
        #expect(ReportRenderer.render(report, as: .csv).contains("review,new,ctl,human review (ana),win_rate,9,"))
        let json = try PromptValue.parseJSON(ReportRenderer.render(report, as: .json))
        guard case .array(let reviews)? = json["human_review"], let first = reviews.first else {
            Issue.record("no human_review")
            return
        }
        #expect(first["variant_b"] == .string("new") && first["wins"] == .int(5))
        #expect(first["agreement"]?["shared_cases"] == .int(8))
    }

    @Test func pairwiseJudgeCombinesOrdersAndReportsConsistency() async throws {
        let fixture = try await ReportFixture.make(variants: ["a", "b"], caseCount: 20, graders: ["prefer"])
        defer { fixture.remove() }
        // Cases 0–9 win twice, 10–13 lose twice, 14–16 disagree (tie), 17–18 tie twice, 19 judged once (win).
        for index in 0..<20 {
            try await fixture.respond("a", case: index)
            let (ab, ba): (Double, Double?) =
                switch index {
                case 0..<10: (1, 1)
                case 10..<14: (0, 0)
                case 14..<17: (1, 0)
                case 17..<19: (0.5, 0.5)
                default: (1, nil)
                }
            try await fixture.grade("b", case: index, grader: "prefer", score: ab, order: .ab)
            if let ba { try await fixture.grade("b", case: index, grader: "prefer", score: ba, order: .ba) }
        }
        let report = try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id)
        let section = try #require(report.primaryGrader)
        #expect(section.metric == .winRate)
        let c = try #require(section.comparisons.first)
        #expect(c.wins == 11 && c.ties == 5 && c.losses == 4)
        #expect(c.consistentCases == 16 && c.bothOrderCases == 19)
        #expect(isClose(c.positionConsistency, 16.0 / 19))
        #expect(isClose(c.estimate, 0.675, rel: 1e-12))
        // mean ± t.ppf(0.975, 19)·sd/√20 of s, and binomtest(11, 15).pvalue
        #expect(isClose(c.interval.lower, 0.4848158637441141, rel: 1e-9))
        #expect(isClose(c.interval.upper, 0.865184136255886, rel: 1e-9))
        #expect(c.test == "sign test")
        #expect(isClose(c.pValue, 0.11846923828124999, rel: 1e-10))
        #expect(!c.significant)
        #expect(c.verdict.hasPrefix("b vs a: prefer win rate 0.68 (95% CI 0.48–0.87; W/T/L 11/5/4), sign test p = 0.12; not significant"))
        let json = ReportRenderer.json(report).jsonText(pretty: false)
        #expect(json.contains("\"position_consistency\":\(16.0 / 19)"))
    }

    @Test("A variant that wins every case: unbounded rating, intervals with width")
    func perfectSeparation() async throws {
        let fixture = try await ReportFixture.make(variants: ["a", "b", "c"], caseCount: 12, graders: ["prefer"])
        defer { fixture.remove() }
        for index in 0..<12 {
            try await fixture.respond("a", case: index)
            // b wins every case in both orders; c wins half and loses half.
            try await fixture.grade("b", case: index, grader: "prefer", score: 1, order: .ab)
            try await fixture.grade("b", case: index, grader: "prefer", score: 1, order: .ba)
            let c: Double = index < 6 ? 1 : 0
            try await fixture.grade("c", case: index, grader: "prefer", score: c, order: .ab)
            try await fixture.grade("c", case: index, grader: "prefer", score: c, order: .ba)
        }
        let report = try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id)
        let section = try #require(report.primaryGrader)
        let b = try #require(section.comparisons.first { $0.variant == "b" })
        #expect(b.estimate == 1 && b.wins == 12)
        // binomtest(12, 12).proportion_ci(0.95, method='wilson') = (0.7575059933447592, 1.0)
        #expect(b.intervalMethod == "Wilson on the win share")
        #expect(isClose(b.interval.lower, 0.7575059933447592, rel: 1e-9) && b.interval.upper == 1)
        #expect(b.bootstrap == nil)  // resampling twelve wins gives only a point
        #expect(b.intervalNote?.hasPrefix("all 12 verdicts are wins") == true)
        let rating = try #require(section.ratings.first { $0.variant == "b" })
        #expect(rating.bound == .unboundedAbove && rating.elo == .infinity)
        // 1000 + 400·log10(0.7575059933447592/(1 − 0.7575059933447592))
        #expect(isClose(rating.interval.lower, 1000 + 400 * log10(0.7575059933447592 / (1 - 0.7575059933447592)), rel: 1e-9))
        #expect(rating.interval.upper == .infinity)
        let json = ReportRenderer.json(report).jsonText(pretty: false)
        #expect(json.contains("\"rating\":null"))
        #expect(json.contains("\"unbounded\":\"above\""))
        #expect(ReportRenderer.render(report, as: .text).contains("b won every comparison: its rating is unbounded"))
    }

    @Test func repeatsCollapseToOneScorePerCase() async throws {
        let a: [[Double]] = [[5, 6], [7, 7], [3, 4], [8, 8], [6, 5], [4, 4], [9, 8], [2, 3], [6, 6], [5, 7], [7, 6], [3, 3]]
        let b: [[Double]] = [[7, 7], [8, 9], [5, 5], [8, 9], [7, 7], [6, 5], [9, 9], [4, 4], [7, 8], [6, 6], [8, 8], [5, 4]]
        let fixture = try await ReportFixture.make(variants: ["a", "b"], caseCount: 12, graders: ["rubric"])
        defer { fixture.remove() }
        for (variant, scores) in [("a", a), ("b", b)] {
            for (index, repeats) in scores.enumerated() {
                for (repeatIndex, score) in repeats.enumerated() {
                    try await fixture.grade(
                        variant, case: index, repeatIndex: repeatIndex, grader: "rubric", score: score, passed: score >= 7)
                }
            }
        }
        let section = try #require(try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id).primaryGrader)
        #expect(section.metric == .meanScore)
        let rowB = try #require(section.variants.last)
        #expect(rowB.cases == 12 && rowB.grades == 24)
        // statsmodels OLS(y, ones).fit(cov_type='cluster', groups=case): 6.708333333333334, bse 0.48639962578069096
        #expect(isClose(rowB.estimate, 6.708333333333334, rel: 1e-12))
        let half = try #require(rowB.interval).upper - 6.708333333333334
        #expect(isClose(half, StudentT.quantile(0.975, df: 11) * 0.48639962578069096, rel: 1e-9))
        #expect(rowB.intervalMethod == "t, clustered by case")

        let c = try #require(section.comparisons.first)
        #expect(c.test == "Wilcoxon signed-rank")
        #expect(isClose(c.pValue, 0.0009765625, rel: 1e-9))  // scipy.stats.wilcoxon(d)
        #expect(isClose(c.estimate, 1.2083333333333333, rel: 1e-12))
        #expect(isClose(c.interval.lower, 0.864082199626962, rel: 1e-9))  // ttest_rel CI on case means
        #expect(isClose(c.interval.upper, 1.5525844670397047, rel: 1e-9))
        #expect(c.wins == 11 && c.ties == 1 && c.losses == 0)
    }

    @Test func usageCountsErrorsCacheHitsAndLatencyPercentiles() async throws {
        let fixture = try await ReportFixture.make(variants: ["a", "b"], caseCount: 14)
        defer { fixture.remove() }
        let latencies: [Double] = [120, 80, 300, 95, 110, 250, 60, 140, 170, 90]
        for (index, latency) in latencies.enumerated() {
            try await fixture.respond("a", case: index, latencyMs: latency, cost: 0.002, tokens: (100 + index, 10))
        }
        try await fixture.respond("a", case: 10, latencyMs: 0, cost: 0, fromCache: true)
        try await fixture.respond("a", case: 11, latencyMs: nil, cost: nil, failed: true)
        try await fixture.respond("a", case: 12, latencyMs: 5000, cost: nil)
        let report = try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id)
        let usage = try #require(report.usage.first)
        #expect(usage.responses == 13 && usage.ok == 12 && usage.errors == 1 && usage.cacheHits == 1)
        #expect(usage.costUSD == nil)  // two responses have no known cost
        #expect(isClose(usage.knownCostUSD, 0.02, rel: 1e-12) && usage.unpricedResponses == 2)
        #expect(isClose(usage.costPerThousandRequestsUSD, 0.02 / 11 * 1000, rel: 1e-12))
        // numpy: the uncached successes are the ten latencies plus 5000.
        let all = latencies + [5000]
        #expect(isClose(usage.latencyMeanMs, all.reduce(0, +) / 11, rel: 1e-12))
        #expect(isClose(usage.latencyP50Ms, 120))  // np.percentile(all, 50)
        #expect(isClose(usage.latencyP95Ms, 2650))  // np.percentile(all, 95) = 300 + 0.5·4700
        let b = try #require(report.usage.last)
        #expect(b.responses == 0 && b.latencyP50Ms == nil)
        #expect(report.notes.contains("no grades yet: the report shows usage only"))
    }

    @Test func regressionGateExitsTenOnlyForSignificantlyWorse() async throws {
        let worse = try await ReportFixture.make(variants: ["good", "bad"], caseCount: 40)
        defer { worse.remove() }
        try await worse.passFail("good", Self.variant)
        try await worse.passFail("bad", Self.control)
        let failing = try await RegressionGate.check(store: worse.store, runID: worse.run.id)
        #expect(failing.exitCode == 10 && RegressionGate.exitCode == 10)
        #expect(failing.regressions.map(\.variant) == ["bad"])
        #expect(failing.regressions[0].verdict.hasPrefix("bad is worse than good:"))

        let better = try await ReportFixture.make(variants: ["good", "better"], caseCount: 40)
        defer { better.remove() }
        try await better.passFail("good", Self.control)
        try await better.passFail("better", Self.variant)
        #expect(try await RegressionGate.check(store: better.store, runID: better.run.id).exitCode == 0)
        // Stricter alpha: the regression is no longer significant (p = 0.0386).
        #expect(try await RegressionGate.check(store: worse.store, runID: worse.run.id, alpha: 0.01).exitCode == 0)
    }

    @Test func gateUsesThePrimaryGrader() async throws {
        let fixture = try await ReportFixture.make(variants: ["good", "bad"], caseCount: 40, graders: ["style", "accuracy"])
        defer { fixture.remove() }
        // Worse on the secondary grader only.
        try await fixture.passFail("good", Self.variant, grader: "accuracy")
        try await fixture.passFail("bad", Self.control, grader: "accuracy")
        try await fixture.passFail("good", Self.control, grader: "style")
        try await fixture.passFail("bad", Self.control, grader: "style")
        let result = try await RegressionGate.check(store: fixture.store, runID: fixture.run.id)
        #expect(result.grader == "style" && result.exitCode == 0)
        #expect(result.report.graders.map(\.grader) == ["style", "accuracy"])
        let byAccuracy = try await RegressionGate.check(store: fixture.store, runID: fixture.run.id, grader: "accuracy")
        #expect(byAccuracy.exitCode == 10)
        await #expect(throws: PromptLabError.self) {
            try await RegressionGate.check(store: fixture.store, runID: fixture.run.id, grader: "nope")
        }
    }

    @Test func interimRunsDecideWithAlwaysValidPValues() async throws {
        let fixture = try await ReportFixture.make(variants: ["a", "b"], caseCount: 40, status: .running)
        defer { fixture.remove() }
        try await fixture.passFail("a", Self.control)
        try await fixture.passFail("b", Self.variant)
        let report = try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id)
        #expect(report.isInterim)
        let c = try #require(report.graders.first?.comparisons.first)
        let sequential = try Sequential.alwaysValid(
            differences: zip(Self.variant, Self.control).map { Double($0 ? 1 : 0) - Double($1 ? 1 : 0) }, tuning: 40,
            prior: .passFail)
        #expect(isClose(c.sequentialPValue, sequential.pValue, rel: 1e-12))
        #expect(c.significant == (sequential.pValue <= 0.05))
        #expect(c.verdict.contains("always-valid p"))
        #expect(report.notes.contains { $0.hasPrefix("run is running") })
    }

    @Test("Two cases that both got worse are no interim regression")
    func interimVerdictNeedsCases() async throws {
        let fixture = try await ReportFixture.make(variants: ["a", "b"], caseCount: 40, status: .running)
        defer { fixture.remove() }
        try await fixture.passFail("a", [true, true])
        try await fixture.passFail("b", [false, false])
        let result = try await RegressionGate.check(store: fixture.store, runID: fixture.run.id)
        let c = try #require(result.report.graders.first?.comparisons.first)
        #expect(c.cases == 2 && c.losses == 2)
        #expect(c.sequentialPValue == 1)  // was 0 with the plug-in sd of 0
        #expect(!c.significant && result.exitCode == 0)
        #expect(c.verdict.contains("at least 10 cases"))
    }

    @Test("On a partial run the verdict says which cases it uses")
    func partialRunVerdictNamesItsCases() async throws {
        let fixture = try await ReportFixture.make(variants: ["a", "b"], caseCount: 40, status: .interrupted)
        defer { fixture.remove() }
        try await fixture.passFail("a", Self.control)  // all 40 cases
        try await fixture.passFail("b", Array(Self.variant.prefix(30)))  // the run stopped after 30
        let report = try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id)
        let section = try #require(report.primaryGrader)
        #expect(section.variants.map(\.cases) == [40, 30])
        let c = try #require(section.comparisons.first)
        #expect(c.cases == 30 && c.pairedSubset)
        // The verdict's 0.42 would otherwise contradict the table's 17/40 for a.
        #expect(c.verdict.hasPrefix("b vs a on the 30 cases graded for both: check pass rate"))
        #expect(ReportRenderer.render(report, as: .json).contains("\"paired_subset\": true"))

        let complete = try await ReportFixture.make(variants: ["a", "b"], caseCount: 40)
        defer { complete.remove() }
        try await complete.passFail("a", Self.control)
        try await complete.passFail("b", Self.variant)
        let full = try await ReportBuilder.build(store: complete.store, runID: complete.run.id)
        #expect(full.primaryGrader?.comparisons.first?.pairedSubset == false)
    }

    @Test func experimentNameMeansItsLatestRun() async throws {
        let older = try await ReportFixture.make(
            variants: ["a", "b"], caseCount: 3, experiment: "triage", createdAt: Date(timeIntervalSince1970: 1_790_000_000))
        defer { older.remove() }
        let newer = try await ReportFixture.make(
            variants: ["a", "b"], caseCount: 3, experiment: "triage", store: older.store,
            createdAt: Date(timeIntervalSince1970: 1_790_000_100))
        #expect(try await ReportBuilder.resolveRun("triage", in: older.store).id == newer.run.id)
        #expect(try await ReportBuilder.resolveRun(older.run.id, in: older.store).id == older.run.id)
        await #expect(throws: PromptLabError.self) { try await ReportBuilder.resolveRun("missing", in: older.store) }
    }
}
