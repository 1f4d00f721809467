import Foundation
import PromptFormat
import PromptLab
import PromptLabCore
import PromptLabStore
import Testing

/// `CaseService`, called directly on a real run against local/echo in a real SQLite file.
///
/// local/echo answers with the rendered prompt, so each variant's output is the case variable its
/// template names (`old` says `a`, `new` says `b`, `third` says `c`), and every verdict below is
/// chosen by the dataset:
///
/// | case          | old (equals, contains) | new      | third    |
/// |---------------|------------------------|----------|----------|
/// | same-pass     | pass, pass             | pass, pass | pass, pass |
/// | all-fail      | fail, fail             | fail, fail | fail, fail |
/// | regress       | pass, pass             | fail, fail | pass, pass |
/// | improve       | fail, fail             | pass, pass | fail, fail |
/// | cross         | pass, fail             | fail, pass | pass, fail |
/// | grep-var      | pass, pass             | pass, pass | pass, pass |
/// | grep-expected | fail, fail             | fail, fail | fail, fail |
/// | grep-out      | pass, pass             | fail, pass | pass, pass |
///
/// `cross` separates per-grader verdicts from whole-case ones: every variant fails something there,
/// yet the variants disagree on each grader. `grep-out` is the only case whose text is in an output
/// alone (`new` shouts `LOUD` when `shout` is true).
@Suite struct CaseServiceTests {
    static func fixture() async throws -> (TestRepository, Workspace, String) {
        let repo = try TestRepository()
        try repo.commit("p", "---\nmodel: local/echo\n---\n{{a}}\n", message: "old")
        try repo.commit("p", "---\nmodel: local/echo\n---\n{{#shout}}LOUD {{/shout}}{{b}}\n", message: "new")
        try repo.commit("p", "---\nmodel: local/echo\n---\n{{c}}\n", message: "third")
        func row(_ id: String, _ a: String, _ b: String, _ c: String, expected: String, extra: String = "shout: false") -> String {
            "  - {id: \(id), a: \"\(a)\", b: \"\(b)\", c: \"\(c)\", expected: \"\(expected)\", \(extra)}\n"
        }
        var yaml = """
            name: cases-check
            model: local/echo
            control: old
            repeat: 2
            variants:
              old: p@v1
              new: p@v2
              third: p@v3
            graders:
              - type: equals
                normalize_whitespace: true
              - type: contains
                value: ok
            cases:

            """
        yaml += row("same-pass", "yes ok", "yes ok", "yes ok", expected: "yes ok")
        yaml += row("all-fail", "no", "no", "no", expected: "yes")
        yaml += row("regress", "yes ok", "no", "yes ok", expected: "yes ok")
        yaml += row("improve", "no", "yes ok", "no", expected: "yes ok")
        yaml += row("cross", "fine", "ok", "fine", expected: "fine")
        yaml += row("grep-var", "fine ok", "fine ok", "fine ok", expected: "fine ok", extra: "shout: false, noteText: \"Zebra crossing\"")
        yaml += row("grep-expected", "no", "no", "no", expected: "Yak")
        yaml += row("grep-out", "yes ok", "yes ok", "yes ok", expected: "yes ok", extra: "shout: true")
        try repo.write("experiments/cases.yaml", yaml)
        let workspace = try Workspace(at: repo.path, database: repo.path + ".promptlab/results.sqlite", environment: [:])
        let outcome = try await RunService(workspace: workspace).run(
            RunService.Request(experimentPath: repo.path + "experiments/cases.yaml"))
        let run = try #require(outcome.run)
        #expect(run.status == "completed")
        return (repo, workspace, run.run)
    }

    func ids(_ service: CaseService, _ target: String, _ filter: CaseService.Filter) async throws -> [String] {
        try await service.cases(target, filter: filter).cases.map(\.caseId)
    }

    @Test func everyCaseWithEveryVariantRepeatAndGrade() async throws {
        let (repo, workspace, runID) = try await Self.fixture()
        defer { repo.remove() }
        // An experiment name means its latest run.
        let view = try await CaseService(workspace: workspace).cases("cases-check")
        #expect(view.run == runID)
        #expect(view.control == "old")
        #expect(view.variants == ["old", "new", "third"])
        #expect(view.graders == ["equals", "contains"])
        #expect(view.totalCases == 8)
        #expect(
            view.cases.map(\.caseId) == ["same-pass", "all-fail", "regress", "improve", "cross", "grep-var", "grep-expected", "grep-out"])

        let cross = try #require(view.cases.first { $0.caseId == "cross" })
        #expect(cross.expected == "fine")
        #expect(cross.variables["b"] == "ok")
        #expect(cross.variants.map(\.variant) == ["old", "new", "third"])
        #expect(cross.variants.map(\.control) == [true, false, false])
        #expect(cross.variants.map(\.passed) == [false, false, false])
        #expect(cross.variants.map(\.failingGraders) == [["contains"], ["equals"], ["contains"]])
        #expect(cross.variants.map(\.passingGraders) == [["equals"], ["contains"], ["equals"]])
        let new = cross.variants[1]
        #expect(new.responses.map(\.repeat) == [0, 1])
        #expect(new.responses.map { $0.output?.trimmingCharacters(in: .whitespacesAndNewlines) } == ["ok", "ok"])
        #expect(new.responses[0].grades.map(\.grader) == ["equals", "contains"])
        #expect(new.responses[0].grades.map(\.passed) == [false, true])
        #expect(new.responses[0].grades.allSatisfy { $0.order == nil })
        // The failing grade says why; a passing text grade has nothing to add.
        #expect(new.responses[0].grades.map { $0.reason?.contains("expected") } == [true, nil])

        let loud = try #require(view.cases.first { $0.caseId == "grep-out" })
        #expect(loud.variants[1].responses.first?.output?.hasPrefix("LOUD yes ok") == true)
        #expect(view.cases.first { $0.caseId == "same-pass" }?.variants.map(\.passed) == [true, true, true])

        // The JSON contract: snake_case keys, a schema version, variables' keys verbatim.
        let text = try JSONOutput.text(view)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["schema_version"] as? Int == 1)
        #expect(object["total_cases"] as? Int == 8)
        let cases = try #require(object["cases"] as? [[String: Any]])
        let zebra = try #require(cases.first { $0["case_id"] as? String == "grep-var" })
        #expect((zebra["variables"] as? [String: Any])?["noteText"] as? String == "Zebra crossing")
        let variant = try #require((zebra["variants"] as? [[String: Any]])?.first)
        #expect(variant["failing_graders"] is [Any])
        // Unknown values are null, never left out.
        let response = try #require((variant["responses"] as? [[String: Any]])?.first)
        #expect(response["error_kind"] is NSNull)
        #expect((response["grades"] as? [[String: Any]])?.first?["reason"] is NSNull)
        #expect(zebra["expected"] as? String == "fine ok")
        #expect(try JSONOutput.decode(CaseViewOutput.self, from: text) == view)
    }

    @Test func filtersChooseExactlyTheirCases() async throws {
        let (repo, workspace, runID) = try await Self.fixture()
        defer { repo.remove() }
        let service = CaseService(workspace: workspace)
        #expect(
            try await ids(service, runID, .init(failing: true))
                == ["all-fail", "regress", "improve", "cross", "grep-expected", "grep-out"])
        #expect(try await ids(service, runID, .init(disagree: true)) == ["regress", "improve", "cross", "grep-out"])
        // Against the control: what it passes and another variant fails; `improve` is the opposite.
        #expect(try await ids(service, runID, .init(newlyFailingVs: "old")) == ["regress", "cross", "grep-out"])
        // Against `new`: per grader, so `cross` counts (new passes contains, old fails it).
        #expect(try await ids(service, runID, .init(newlyFailingVs: "new")) == ["improve", "cross"])
        // Dataset order, whatever order the ids are given in.
        #expect(try await ids(service, runID, .init(caseIDs: ["cross", "regress"])) == ["regress", "cross"])
        // Text in a variable's value alone, in the expected value alone, in an output alone; case ignored.
        #expect(try await ids(service, runID, .init(grep: "zebra")) == ["grep-var"])
        #expect(try await ids(service, runID, .init(grep: "yak")) == ["grep-expected"])
        #expect(try await ids(service, runID, .init(grep: "loud")) == ["grep-out"])
        // Filters combine with AND.
        #expect(try await ids(service, runID, .init(failing: true, grep: "ok")) == ["regress", "improve", "cross", "grep-out"])
        #expect(try await ids(service, runID, .init(newlyFailingVs: "new", caseIDs: ["cross", "regress"])) == ["cross"])
        // --grader: only its verdicts count. On equals alone, `cross` no longer regresses against `new`
        // (new fails equals there), and `grep-out` fails nothing on contains alone.
        #expect(try await ids(service, runID, .init(newlyFailingVs: "new", graders: ["equals"])) == ["improve"])
        #expect(
            try await ids(service, runID, .init(failing: true, graders: ["contains"]))
                == ["all-fail", "regress", "improve", "cross", "grep-expected"])
        let onlyContains = try await service.cases(runID, filter: .init(caseIDs: ["cross"], graders: ["contains"]))
        #expect(onlyContains.graders == ["contains"])
        #expect(onlyContains.cases.first?.variants.map(\.failingGraders) == [["contains"], [], ["contains"]])
        #expect(
            onlyContains.cases.first?.variants.allSatisfy { $0.responses.allSatisfy { $0.grades.map(\.grader) == ["contains"] } } == true)
        let none = try await service.cases(runID, filter: .init(newlyFailingVs: "new", grep: "zebra"))
        #expect(none.cases.isEmpty)
        #expect(none.totalCases == 8)
        #expect(none.filters.newlyFailingVs == "new" && none.filters.grep == "zebra")
    }

    @Test func repeatsFailWhenAnyFailsAndPairwiseGradesDoNotCount() async throws {
        let (repo, workspace, runID) = try await Self.fixture()
        defer { repo.remove() }
        let store = try workspace.results()
        let key = { (variant: String, caseID: String, repeatIndex: Int) in
            ResponseRecord.idempotencyKey(runID: runID, variant: variant, caseID: caseID, repeatIndex: repeatIndex)
        }
        let later = Date().addingTimeInterval(60)
        try await store.insertGrades([
            // A newer grade (a changed configuration) fails the first repeat of `third` on same-pass;
            // the second still passes, so a variant that took its last repeat's verdict would pass.
            GradeRecord(
                runID: runID, responseKey: key("third", "same-pass", 0), grader: "equals", configHash: "changed",
                score: 0, passed: false, reason: "stricter now", createdAt: later),
            // A pairwise judge prefers the control on grep-var: shown, but not a failure.
            GradeRecord(
                runID: runID, responseKey: key("new", "grep-var", 0), grader: "judge", configHash: "j", score: 0,
                passed: false, reason: "control wins", order: .ab, createdAt: later),
        ])
        let service = CaseService(workspace: workspace)
        let view = try await service.cases(runID, filter: .init(caseIDs: ["same-pass", "grep-var"]))
        #expect(view.graders == ["equals", "contains", "judge"])
        let third = try #require(view.cases.first?.variants.last)
        #expect(third.responses.map { $0.grades.first?.passed } == [false, true], "the newest grade of each repeat")
        #expect(third.responses.first?.grades.first?.reason == "stricter now")
        #expect(third.passed == false)
        #expect(third.failingGraders == ["equals"])
        #expect(third.passingGraders == ["contains"])
        let judged = try #require(view.cases.last?.variants[1])
        #expect(judged.responses[0].grades.map(\.grader) == ["equals", "contains", "judge"])
        #expect(judged.responses[0].grades.last?.order == "AB")
        #expect(judged.passed == true)

        #expect(try await ids(service, runID, .init(failing: true, caseIDs: ["same-pass", "grep-var"])) == ["same-pass"])
        #expect(try await ids(service, runID, .init(disagree: true, caseIDs: ["same-pass", "grep-var"])) == ["same-pass"])
        #expect(try await ids(service, runID, .init(newlyFailingVs: "third", caseIDs: ["same-pass"])).isEmpty)
        #expect(try await ids(service, runID, .init(newlyFailingVs: "old", caseIDs: ["same-pass"])) == ["same-pass"])
    }

    @Test func unknownRunVariantOrCaseIsAnErrorAUserCanAct() async throws {
        let (repo, workspace, runID) = try await Self.fixture()
        defer { repo.remove() }
        let service = CaseService(workspace: workspace)
        func failure(_ target: String, _ filter: CaseService.Filter) async -> PromptLabError? {
            do {
                _ = try await service.cases(target, filter: filter)
                return nil
            } catch {
                return ErrorCatalogue.map(error)
            }
        }
        let run = await failure("r-nope", .init())
        #expect(run?.kind == .notFound)
        #expect(run?.hint?.contains("promptlab runs") == true)
        let variant = await failure(runID, .init(newlyFailingVs: "nwe"))
        #expect(variant?.kind == .invalidInput)
        #expect(variant?.message.contains("did you mean 'new'") == true)
        #expect(variant?.hint == "its variants are: old, new, third")
        let unknownCase = await failure(runID, .init(caseIDs: ["regres"]))
        #expect(unknownCase?.kind == .notFound)
        #expect(unknownCase?.message.contains("did you mean 'regress'") == true)
        #expect(await failure(runID, .init(grep: ""))?.kind == .usage)
        let grader = await failure(runID, .init(graders: ["equal"]))
        #expect(grader?.kind == .notFound)
        #expect(grader?.message.contains("did you mean 'equals'") == true)
        #expect(grader?.hint == "graders with grades: equals, contains")
    }

    /// The web app's indexed pages give exactly what the full listing gives, filter by filter.
    @Test func indexedPagesMatchTheFullListing() async throws {
        let (repo, workspace, runID) = try await Self.fixture()
        defer { repo.remove() }
        let service = CaseService(workspace: workspace)
        let index = try await service.index(runID)
        #expect(index.graders == ["equals", "contains"])
        #expect(index.expectedValues.contains("Yak"))
        let filters: [CaseService.Filter] = [
            .init(), .init(failing: true), .init(disagree: true), .init(newlyFailingVs: "old"), .init(newlyFailingVs: "new"),
            .init(grep: "zebra"), .init(grep: "LOUD"), .init(expected: "Yak"), .init(caseIDs: ["cross", "regress"]),
            .init(failing: true, graders: ["contains"]), .init(disagree: true, grep: "ok"),
        ]
        for filter in filters {
            let full = try await service.cases(runID, filter: filter)
            let paged = try await service.page(index, filter: filter, page: (1, 1000))
            #expect(paged.cases == full.cases, "\(filter)")
            #expect(paged.graders == full.graders, "\(filter)")
            #expect(paged.page?.matching == full.cases.count, "\(filter)")
        }
        let second = try await service.page(index, filter: .init(), page: (2, 3))
        #expect(second.cases.map(\.caseId) == ["improve", "cross", "grep-var"])
        #expect(second.page == PageInfo(page: 2, perPage: 3, matching: 8))
        let beyond = try await service.page(index, filter: .init(), page: (Int.max, Int.max))
        #expect(beyond.cases.isEmpty)
        let unknown = await #expect(throws: PromptLabError.self) {
            _ = try await service.page(index, filter: .init(newlyFailingVs: "nope"), page: (1, 10))
        }
        #expect(unknown?.kind == .invalidInput)
    }
}
