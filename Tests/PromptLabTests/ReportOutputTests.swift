import Foundation
import PromptLab
import PromptLabCore
import PromptLabStats
import PromptLabStore
import PromptLabTestSupport
import Testing

@testable import PromptExperiments
@testable import PromptFormat
@testable import PromptVersioning

/// The label a `classification` grader with `labels` reads in an output.
enum ClassificationGraderProbe {
    static func predicted(_ output: String, labels: [String]) -> String? {
        ConfusionMatrix(labels: labels).predictedLabel(for: output)
    }
}

/// Output formats, `compare`, `plan` and the store's aggregate queries.
@Suite("Report output, compare and plan")
struct ReportOutputTests {
    // MARK: - Renderers

    private func double(_ value: PromptValue?) -> Double? {
        switch value {
        case .double(let d)?: d
        case .int(let i)?: Double(i)
        default: nil
        }
    }

    @Test func jsonHasOneObjectPerVariantAndComparison() async throws {
        let fixture = try await ReportFixture.make(variants: ["zero-shot", "few-shot", "cot"], caseCount: 40)
        defer { fixture.remove() }
        try await fixture.passFail("zero-shot", ReportTests.control)
        try await fixture.passFail("few-shot", ReportTests.variant)
        try await fixture.passFail("cot", ReportTests.control)
        let report = try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id)
        let text = ReportRenderer.render(report, as: .json)
        let json = try PromptValue.parseJSON(text)
        #expect(json["run"] == .string(fixture.run.id))
        #expect(json["primary_grader"] == .string("check"))
        #expect(json["regression"] == .bool(false))
        guard case .array(let variants)? = json["variants"], case .array(let comparisons)? = json["comparisons"],
            case .array(let usage)? = json["usage"], case .array(let ratings)? = json["ratings"]
        else {
            Issue.record("missing arrays in \(text)")
            return
        }
        #expect(variants.count == 3 && comparisons.count == 2 && usage.count == 3 && ratings.count == 3)
        let fewShot = try #require(comparisons.first { $0["variant"] == .string("few-shot") })
        for key in [
            "variant", "control", "grader", "n", "estimate", "ci_low", "ci_high", "p_value", "p_adjusted", "test", "wins", "ties",
            "losses", "significant", "verdict", "bootstrap_ci_low", "sequential_p_value", "minimum_detectable_effect",
        ] {
            #expect(fewShot[key] != nil && fewShot[key] != .null, "\(key)")
        }
        #expect(fewShot["control"] == .string("zero-shot"))
        #expect(fewShot["test"] == .string("McNemar exact"))
        #expect(fewShot["n"] == .int(40))
        #expect(fewShot["wins"] == .int(10) && fewShot["ties"] == .int(28) && fewShot["losses"] == .int(2))
        // Two comparisons: few-shot p 0.0386 and cot p 1 → Holm 0.0771.
        #expect(isClose(double(fewShot["p_value"]), 0.03857421875, rel: 1e-12))
        #expect(isClose(double(fewShot["p_adjusted"]), 0.0771484375, rel: 1e-12))
        let control = try #require(variants.first { $0["variant"] == .string("zero-shot") })
        #expect(control["control"] == .bool(true) && control["estimate"] == .double(17.0 / 40))
        #expect(control["n"] == .int(40) && control["ci_method"] == .string("Wilson"))
    }

    @Test func textMarkdownAndCSV() async throws {
        let fixture = try await ReportFixture.make(variants: ["zero-shot", "few-shot"], caseCount: 40)
        defer { fixture.remove() }
        try await fixture.passFail("zero-shot", ReportTests.control)
        try await fixture.passFail("few-shot", ReportTests.variant)
        let report = try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id)

        let text = ReportRenderer.render(report, as: .text)
        #expect(text.contains("Report on run \(fixture.run.id) of 'report-test' (completed)"))
        #expect(text.contains("zero-shot (control)"))
        #expect(text.contains("  few-shot beats zero-shot: check pass rate 0.62 vs 0.42"))
        #expect(text.contains("McNemar exact"))

        let markdown = ReportRenderer.render(report, as: .markdown)
        #expect(markdown.hasPrefix("# Report on run"))
        #expect(markdown.contains("| variant | cases | grades | pass rate | 95% CI | interval |"))
        #expect(markdown.contains("- few-shot beats zero-shot"))

        let csv = ReportRenderer.render(report, as: .csv).split(separator: "\n").map(String.init)
        #expect(csv.first == ReportRenderer.csvColumns.joined(separator: ","))
        #expect(csv.count == 1 + 2 + 1)
        let comparison = try #require(csv.last).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(comparison[0] == "comparison" && comparison[1] == "few-shot" && comparison[2] == "zero-shot")
        #expect(comparison[11] == "McNemar exact" && comparison[12] == "10" && comparison[13] == "28" && comparison[14] == "2")
        #expect(ReportRenderer.csvField("a,b") == "\"a,b\"")
    }

    @Test("Equal differences and tiny n are called out in every format")
    func degenerateIntervalsAreExplained() async throws {
        let fixture = try await ReportFixture.make(variants: ["old", "new", "tiny"], caseCount: 12, graders: ["check", "stars"])
        defer { fixture.remove() }
        // Every case: old fails, new passes, so all 12 differences are +1.
        try await fixture.passFail("old", [Bool](repeating: false, count: 12))
        try await fixture.passFail("new", [Bool](repeating: true, count: 12))
        // tiny has grades on two cases only.
        try await fixture.passFail("tiny", [true, false])
        // Scores: old always 7.
        for index in 0..<12 {
            try await fixture.grade("old", case: index, grader: "stars", score: 7)
            try await fixture.grade("new", case: index, grader: "stars", score: Double(5 + index % 4))
        }
        let report = try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id)
        let check = try #require(report.graders.first { $0.grader == "check" })
        let new = try #require(check.comparisons.first { $0.variant == "new" })
        #expect(!new.hasInterval)
        #expect(new.intervalNote == "all 12 differences are equal; no interval")
        #expect(new.verdict.contains("(+1.00; all 12 differences are equal; no interval; W/T/L 12/0/0)"))
        let tiny = try #require(check.comparisons.first { $0.variant == "tiny" })
        #expect(tiny.hasInterval && tiny.intervalNote == "only 2 cases: too few for the interval to mean much")
        // tiny: one win, one tie against old. Resamples of two wins have no finite rating, so
        // the bootstrap interval is open above rather than ending at the solver's last step.
        let tinyRating = try #require(check.ratings.first { $0.variant == "tiny" })
        #expect(tinyRating.bound == .finite && tinyRating.interval.upper == .infinity)
        let stars = try #require(report.graders.first { $0.grader == "stars" })
        let oldRow = try #require(stars.variants.first { $0.variant == "old" })
        #expect(oldRow.interval == nil && oldRow.intervalNote == "all 12 cases score the same; no interval")

        let text = ReportRenderer.render(report, as: .text)
        #expect(text.contains("note: new vs old: all 12 differences are equal; no interval"))
        #expect(text.contains("note: old: all 12 cases score the same; no interval"))
        let markdown = ReportRenderer.render(report, as: .markdown)
        #expect(markdown.contains("> note: new vs old: all 12 differences are equal; no interval"))
        let csv = ReportRenderer.render(report, as: .csv)
        #expect(csv.contains("all 12 differences are equal; no interval"))
        let json = try PromptValue.parseJSON(ReportRenderer.render(report, as: .json))
        guard case .array(let comparisons)? = json["comparisons"], case .array(let variants)? = json["variants"] else {
            Issue.record("missing arrays")
            return
        }
        let newJSON = try #require(comparisons.first { $0["variant"] == .string("new") && $0["grader"] == .string("check") })
        #expect(newJSON["interval_note"] == .string("all 12 differences are equal; no interval"))
        #expect(newJSON["ci_low"] == .null && newJSON["ci_high"] == .null && newJSON["bootstrap_ci_low"] == .null)
        let oldJSON = try #require(variants.first { $0["variant"] == .string("old") && $0["grader"] == .string("stars") })
        #expect(oldJSON["interval_note"] == .string("all 12 cases score the same; no interval"))
    }

    @Test("A classification grader's confusion matrix is in every format")
    func confusionMatrix() async throws {
        let expected: [String?] = ["billing", "billing", "billing", "technical", "technical", "shipping"]
        let fixture = try await ReportFixture.make(
            variants: ["a", "b"], caseCount: 6, graders: ["route"],
            graderDeclarations: [#"{"name":"route","type":"classification","labels":["billing","technical","shipping"]}"#],
            expected: expected)
        defer { fixture.remove() }
        let outputsA = ["Billing.", "technical", "billing", "technical", "I don't know", "shipping"]
        let outputsB = ["billing", "billing", "billing", "technical", "technical", "billing"]
        for (variant, outputs) in [("a", outputsA), ("b", outputsB)] {
            for (index, output) in outputs.enumerated() {
                try await fixture.respond(variant, case: index, output: output)
                let predicted = ClassificationGraderProbe.predicted(output, labels: ["billing", "technical", "shipping"])
                try await fixture.grade(variant, case: index, grader: "route", passed: predicted == expected[index])
            }
        }
        let report = try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id)
        let section = try #require(report.primaryGrader)
        #expect(section.confusion.map(\.variant) == ["a", "b"])
        let a = try #require(section.confusion.first?.matrix)
        #expect(a.count(expected: "billing", predicted: "billing") == 2)
        #expect(a.count(expected: "billing", predicted: "technical") == 1)
        #expect(a.count(expected: "technical", predicted: nil) == 1)
        #expect(a.correct == 4 && a.total == 6)

        let text = ReportRenderer.render(report, as: .text)
        #expect(text.contains("Confusion matrix for a (rows expected, columns predicted; accuracy 0.67, 4 of 6 responses)"))
        #expect(text.contains("expected \\ predicted  billing  technical  shipping  (no label)"))
        let markdown = ReportRenderer.render(report, as: .markdown)
        #expect(markdown.contains("| expected \\ predicted | billing | technical | shipping | (no label) |"))
        #expect(markdown.contains("| billing | 2 | 1 | 0 | 0 |"))
        let json = try PromptValue.parseJSON(ReportRenderer.render(report, as: .json))
        guard case .array(let matrices)? = json["confusion_matrices"] else {
            Issue.record("no confusion_matrices")
            return
        }
        let b = try #require(matrices.first { $0["variant"] == .string("b") })
        #expect(b["grader"] == .string("route"))
        #expect(
            b["counts"]
                == .array([
                    .array([.int(3), .int(0), .int(0)]), .array([.int(0), .int(2), .int(0)]), .array([.int(1), .int(0), .int(0)]),
                ]))
        #expect(b["no_label"] == .array([.int(0), .int(0), .int(0)]))
        #expect(b["accuracy"] == .double(5.0 / 6))
    }

    @Test("Every case left out of a grader is counted and explained")
    func exclusionsAreExplained() async throws {
        // case-002 expects 'refund', which is not a label; case-003 failed for b; case-004 has no response for b.
        let expected: [String?] = ["billing", "technical", "refund", "billing", "technical"]
        let fixture = try await ReportFixture.make(
            variants: ["a", "b"], caseCount: 5, graders: ["route"],
            graderDeclarations: [#"{"name":"route","type":"classification","labels":["billing","technical"]}"#],
            expected: expected)
        defer { fixture.remove() }
        for variant in ["a", "b"] {
            for index in 0..<5 {
                if variant == "b" && index == 4 { continue }
                if variant == "b" && index == 3 {
                    try await fixture.respond(variant, case: index, failed: true)
                    continue
                }
                try await fixture.respond(variant, case: index, output: expected[index] ?? "")
                // The grader cannot grade case-002: no grade is stored (as the grading engine does).
                if index != 2 { try await fixture.grade(variant, case: index, grader: "route", passed: true) }
            }
        }
        let report = try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id)
        let section = try #require(report.primaryGrader)
        #expect(section.variants.map(\.cases) == [4, 2])
        let summary = section.exclusions.map { "\($0.variant) \($0.reason.rawValue) \($0.caseIDs.joined(separator: ","))" }
        #expect(
            summary == [
                "a expected_not_a_label case-002",
                "b no_response case-004", "b failed case-003", "b expected_not_a_label case-002",
            ])
        // Each row's cases plus its exclusions is the whole dataset.
        for row in section.variants {
            let excluded = section.exclusions.filter { $0.variant == row.variant }.reduce(0) { $0 + $1.caseIDs.count }
            #expect(row.cases + excluded == 5, "\(row.variant)")
        }
        let text = ReportRenderer.render(report, as: .text)
        #expect(
            text.contains(
                "note: 'route': 1 case of b left out: the expected label is missing or not one of the grader's labels (case-002)"))
        #expect(text.contains("note: 'route': 1 case of b left out: every response failed (errors are not graded) (case-003)"))
        #expect(text.contains("note: 'route': 1 case of b left out: no response recorded yet (case-004)"))
        let json = try PromptValue.parseJSON(ReportRenderer.render(report, as: .json))
        guard case .array(let exclusions)? = json["exclusions"] else {
            Issue.record("no exclusions")
            return
        }
        #expect(exclusions.count == 4)
        #expect(
            exclusions.contains {
                $0["variant"] == .string("b") && $0["reason"] == .string("failed") && $0["case_ids"] == .array([.string("case-003")])
            })
    }

    // MARK: - compare

    @Test func compareListsNewlyFailingAndPassingCases() async throws {
        let before = try await ReportFixture.make(
            variants: ["a", "b"], caseCount: 12, createdAt: Date(timeIntervalSince1970: 1_790_000_000))
        defer { before.remove() }
        let after = try await ReportFixture.make(
            variants: ["a", "b"], caseCount: 12, store: before.store, createdAt: Date(timeIntervalSince1970: 1_790_000_500))
        // a: cases 0–9 pass before; after, 0–7 still pass, 8 and 9 fail, 10 newly passes.
        try await before.passFail("a", outcomes((true, 10), (false, 2)))
        try await after.passFail("a", outcomes((true, 8), (false, 2), (true, 1), (false, 1)))
        // b: nine cases fail after passing before (McNemar b = 9, c = 0).
        try await before.passFail("b", outcomes((true, 12)))
        try await after.passFail("b", outcomes((true, 3), (false, 9)))
        let comparison = try await RunComparison.build(store: before.store, before: before.run.id, after: after.run.id)
        #expect(comparison.grader == "check")
        let a = try #require(comparison.variants.first { $0.variant == "a" })
        #expect(a.newlyFailing == ["case-008", "case-009"] && a.newlyPassing == ["case-010"])
        #expect(a.cases == 12 && isClose(a.passRateBefore, 10.0 / 12) && isClose(a.passRateAfter, 9.0 / 12))
        #expect(isClose(a.pValue, 1.0))  // binomtest(1, 3).pvalue
        let b = try #require(comparison.variants.first { $0.variant == "b" })
        #expect(b.newlyFailing.count == 9 && b.newlyPassing.isEmpty)
        #expect(isClose(b.pValue, 0.00390625, rel: 1e-12))  // binomtest(0, 9).pvalue
        #expect(isClose(b.pAdjusted, 0.0078125, rel: 1e-12))  // Holm over two variants
        #expect(b.significant && !a.significant)
        #expect(comparison.summary(for: b).hasSuffix("significantly worse."))
        #expect(comparison.text().contains("newly failing: case-008, case-009"))
        let json = comparison.json()
        guard case .array(let variants)? = json["variants"] else {
            Issue.record("no variants")
            return
        }
        #expect(variants.first?["newly_passing"] == .array([.string("case-010")]))
    }

    @Test func compareNeedsAThresholdForScoreOnlyGraders() async throws {
        let before = try await ReportFixture.make(variants: ["a"], caseCount: 3)
        defer { before.remove() }
        let after = try await ReportFixture.make(
            variants: ["a"], caseCount: 3, store: before.store, createdAt: Date(timeIntervalSince1970: 1_790_000_900))
        for (fixture, scores) in [(before, [0.9, 0.2, 0.7]), (after, [0.4, 0.8, 0.7])] {
            for (index, score) in scores.enumerated() { try await fixture.grade("a", case: index, score: score) }
        }
        await #expect(throws: PromptLabError.self) {
            try await RunComparison.build(store: before.store, before: before.run.id, after: after.run.id)
        }
        let comparison = try await RunComparison.build(
            store: before.store, before: before.run.id, after: after.run.id, threshold: 0.5)
        #expect(comparison.variants.first?.newlyFailing == ["case-000"])
        #expect(comparison.variants.first?.newlyPassing == ["case-001"])
    }

    // MARK: - plan

    @Test func planMatchesPublishedSampleSizes() throws {
        // STATS.md: Connor p10 = 0.30, p01 = 0.15 → 154.6 → 155; p01 = 0.45, p10 = 0.05 → 22.01 → 23; win rate 0.6 → 194.
        let connor = try SamplePlanner.pairedPassFail(p10: 0.30, p01: 0.15)
        #expect(connor.cases == 155 && abs(connor.exactCases - 154.6) < 0.05)
        #expect(try SamplePlanner.pairedPassFail(p10: 0.05, p01: 0.45).cases == 23)
        #expect(try SamplePlanner.winRate(0.6).cases == 194)
        // Pass rates 0.6 and 0.75 assuming independence: p10 = 0.6·0.25 = 0.15, p01 = 0.4·0.75 = 0.30.
        let rates = try SamplePlanner.pairedPassFail(controlRate: 0.6, variantRate: 0.75)
        #expect(rates.cases == 155 && rates.assumptions != nil)
        // (z_.975 + z_.8)² σ²/δ² = 7.8489 · 4 / 0.25 = 125.6 → 126
        #expect(try SamplePlanner.pairedScores(effect: 0.5, sd: 1).cases == 32)
        #expect(try SamplePlanner.pairedScores(effect: 0.5, sd: 2).cases == 126)
        // Ties: 194 non-tied cases at a 20% tie rate need 193.8/0.8 = 242.3 → 243 cases.
        #expect(try SamplePlanner.winRate(0.6, tieRate: 0.2).cases == 243)
        // Three comparisons: α/3.
        #expect(try SamplePlanner.winRate(0.6, comparisons: 3).alpha == 0.05 / 3)
        #expect(throws: PromptLabError.self) { try SamplePlanner.pairedPassFail(p10: 0.2, p01: 0.2) }
    }

    @Test func graderOrderFollowsTheExperimentAndItsDefaultNames() {
        let settings = """
            {"graders":[{"type":"equals"},{"type":"rubric","name":"tone"},{"type":"equals"},{"type":"equals","name":"equals-3"},{"type":"equals"}]}
            """
        #expect(ReportBuilder.graderOrder(settingsJSON: settings) == ["equals", "tone", "equals-2", "equals-3", "equals-4"])
        #expect(ReportBuilder.graderOrder(settingsJSON: "{}") == [])
    }

    // MARK: - Store aggregates

    @Test func caseGradesHandleEscapedNamesAndNumericSuffixes() async throws {
        // Case ids whose key order differs from dataset order, and names that need escaping.
        let folder = TestFolders.root + "promptlab-report-\(UUID().uuidString)/"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteResultsStore(path: folder + "results.sqlite")
        defer { try? store.close() }
        let runID = "r-x|y%z"
        let variants = ["ctl", "v|1", "v"]
        let cases = ["c1", "c10", "c1|0", "c%7C", "c2"]
        try await store.createRun(
            RunRecord(
                id: runID, experimentName: "e", experimentPath: "e.yaml", experimentYAML: "", experimentHash: "", datasetHash: "",
                settingsJSON: "{}", toolVersion: "t", cellCount: 15),
            variants: variants.enumerated().map {
                RunVariantRecord(
                    runID: runID, name: $1, isControl: $0 == 0, promptReference: "p", promptName: "p", version: nil,
                    commitSHA: "x", templateHash: "t", model: "m", configJSON: "{}")
            },
            cases: cases.enumerated().map { CaseRecord(runID: runID, caseID: $1, position: $0, variablesJSON: "{}") })
        let date = Date(timeIntervalSince1970: 1_790_000_000)
        var responses: [ResponseRecord] = []
        var grades: [GradeRecord] = []
        for (v, variant) in variants.enumerated() {
            for (c, caseID) in cases.enumerated() {
                for repeatIndex in 0..<12 {
                    let response = ResponseRecord(
                        runID: runID, variant: variant, caseID: caseID, repeatIndex: repeatIndex, outcome: .success(output: "x"),
                        latencyMs: Double(repeatIndex), provider: "p", model: "m", requestHash: "h", startedAt: date, finishedAt: date)
                    responses.append(response)
                    // score = 10·variant + case position; passes on even repeats.
                    grades.append(
                        GradeRecord(
                            runID: runID, responseKey: response.idempotencyKey, grader: "g", configHash: "h",
                            score: Double(10 * v + c), passed: repeatIndex % 2 == 0))
                }
            }
        }
        try await store.insertResponses(responses)
        try await store.insertGrades(grades)
        #expect(try await store.graderConfigurations(runID: runID).map(\.grader) == ["g"])
        let table = try await store.caseGrades(runID: runID, grader: "g", configHash: "h")
        #expect(table.cases == cases && table.unmatchedCount == 0 && table.gradeCount == 180)
        #expect(table.variants.map(\.variant) == variants)
        for (v, entry) in table.variants.enumerated() {
            let sums = try #require(entry.unordered)
            #expect(sums.grades == [12, 12, 12, 12, 12])
            #expect(sums.passes == [6, 6, 6, 6, 6])
            #expect(sums.scoreSum == cases.indices.map { Double(12 * (10 * v + $0)) })
            #expect(entry.shownFirst == nil)
        }
        #expect(table.scoreRange == 0...24)
        let usage = try await store.variantUsage(runID: runID)
        #expect(usage.map(\.responses) == [60, 60, 60])
        // latencies 0…11 five times over: np.percentile → 5.5 and 11
        #expect(usage[1].latencyP50Ms == 5.5 && usage[1].latencyP95Ms == 11)
    }

    @Test func newestGraderConfigurationWins() async throws {
        let fixture = try await ReportFixture.make(variants: ["a", "b"], caseCount: 4)
        defer { fixture.remove() }
        for index in 0..<4 {
            try await fixture.grade("a", case: index, config: "old", passed: false)
            try await fixture.grade("b", case: index, config: "old", passed: false)
        }
        for index in 0..<4 {
            try await fixture.grade("a", case: index, config: "new", passed: true)
            try await fixture.grade("b", case: index, config: "new", passed: true)
        }
        let configurations = try await fixture.store.graderConfigurations(runID: fixture.run.id)
        #expect(configurations.count == 2)
        let report = try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id)
        #expect(report.graders.first?.configHash == "new")
        #expect(report.graders.first?.variants.first?.estimate == 1)
    }
}
