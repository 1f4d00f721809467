import Foundation
import Logging
import PromptLab
import PromptLabCore
import PromptLabProviders
import PromptLabStore
import Testing

@testable import PromptExperiments
@testable import PromptFormat
@testable import PromptVersioning

/// The grading engine against a real SQLite file: what is stored, idempotency,
/// re-grading after a change, error responses, and grading after a real run.
@Suite struct GradingEngineTests {
    static let cases: [GradingFixture.Case] = [
        .init(id: "c1", expected: "billing"), .init(id: "c2", expected: "technical"), .init(id: "c3", expected: "shipping"),
    ]
    static let responses: [GradingFixture.Response] = [
        .init(variant: "control", caseID: "c1", output: "billing", outputTokens: 1),
        .init(variant: "control", caseID: "c2", output: "Billing.", outputTokens: 1),
        .init(variant: "control", caseID: "c3", output: nil),
        .init(variant: "challenger", caseID: "c1", output: "billing", outputTokens: 1),
        .init(variant: "challenger", caseID: "c2", output: "technical", outputTokens: 40),
        .init(variant: "challenger", caseID: "c3", output: "It is a shipping matter", outputTokens: 5),
    ]
    static let graders = """
          - {type: classification, labels: [billing, technical, shipping]}
          - {type: equals, name: exact}
          - {type: max-tokens, max: 10}
        """

    func fixture() async throws -> GradingFixture {
        try await GradingFixture(cases: Self.cases, responses: Self.responses, graders: Self.graders)
    }

    @Test func storesOneGradePerSuccessfulResponseAndGrader() async throws {
        let fixture = try await fixture()
        let result = try await fixture.grade()
        #expect(result.stored == 15, "5 successful responses × 3 graders")
        #expect(result.errorResponses == 1)
        #expect(result.failures.isEmpty)
        let grades = try await fixture.store.grades(runID: fixture.runID)
        #expect(grades.count == 15)
        #expect(!grades.contains { $0.responseKey == fixture.key("control", "c3") }, "error responses are not graded")

        let classification = Dictionary(uniqueKeysWithValues: try await fixture.grades("classification").map { ($0.responseKey, $0) })
        #expect(classification[fixture.key("control", "c1")]?.passed == true)
        #expect(classification[fixture.key("control", "c2")]?.passed == false)
        #expect(classification[fixture.key("control", "c2")]?.reason == "predicted billing, expected technical")
        #expect(classification[fixture.key("challenger", "c3")]?.passed == true)
        #expect(classification.values.allSatisfy { $0.order == nil && $0.rawJudgeOutput == nil })

        let exact = Dictionary(uniqueKeysWithValues: try await fixture.grades("exact").map { ($0.responseKey, $0.passed) })
        #expect(exact[fixture.key("challenger", "c3")] == false)
        #expect(exact[fixture.key("challenger", "c2")] == true)
        let tokens = Dictionary(uniqueKeysWithValues: try await fixture.grades("max-tokens").map { ($0.responseKey, $0.passed) })
        #expect(tokens[fixture.key("challenger", "c2")] == false)
        #expect(tokens[fixture.key("challenger", "c3")] == true)

        // Each grader's rows carry its configuration hash.
        let configuration = try fixture.configuration()
        for grader in configuration.graders {
            let hash = try grader.configHash(repository: nil)
            #expect(try await fixture.grades(grader.name).allSatisfy { $0.configHash == hash })
            #expect(result.graders.first { $0.name == grader.name }?.configHash == hash)
        }
    }

    @Test func gradingTwiceIsIdempotent() async throws {
        let fixture = try await fixture()
        let first = try await fixture.grade()
        let before = try await fixture.store.grades(runID: fixture.runID)
        let second = try await fixture.grade()
        #expect(first.stored == 15)
        #expect(second.stored == 0)
        #expect(second.graders.map(\.alreadyGraded) == [5, 5, 5])
        #expect(second.graders.map(\.graded) == [0, 0, 0])
        let after = try await fixture.store.grades(runID: fixture.runID)
        #expect(after == before)
        // Forcing re-evaluates, finds the same grades, and stores nothing new.
        let forced = try await fixture.grade(options: GradingOptions(force: true))
        #expect(forced.stored == 0)
        #expect(forced.graders.map(\.changed) == [0, 0, 0])
        #expect(forced.graders.map(\.alreadyGraded) == [5, 5, 5])
    }

    @Test func aChangedGraderGetsNewGradesBesideTheOld() async throws {
        let fixture = try await fixture()
        _ = try await fixture.grade()
        // The experiment file now treats "billing" loosely and adds a grader.
        let changed =
            fixture.experimentYAML.replacingOccurrences(
                of: "{type: equals, name: exact}", with: "{type: equals, name: exact, ignore_case: true}")
            + "  - {type: contains, value: shipping}\n"
        let configuration = try fixture.configuration(changed)
        #expect(configuration.graders.map(\.name) == ["classification", "exact", "max-tokens", "contains"])
        let result = try await fixture.grade(changed)
        #expect(result.graders.map(\.graded) == [0, 5, 0, 5])
        #expect(result.graders.map(\.alreadyGraded) == [5, 0, 5, 0])
        #expect(result.stored == 10)

        let exact = try await fixture.grades("exact")
        #expect(exact.count == 10)
        #expect(Set(exact.map(\.configHash)).count == 2)
        let newHash = try #require(result.graders.first { $0.name == "exact" }?.configHash)
        let loose = exact.filter { $0.configHash == newHash }
        let strict = exact.filter { $0.configHash != newHash }
        #expect(loose.count == 5 && strict.count == 5)
        #expect(try await fixture.grades("contains").filter { $0.passed == true }.count == 1)
    }

    @Test func onlyTheSelectedGraderRuns() async throws {
        let fixture = try await fixture()
        let result = try await fixture.grade(only: ["max-tokens"])
        #expect(result.graders.map(\.name) == ["max-tokens"])
        #expect(try await fixture.store.grades(runID: fixture.runID).allSatisfy { $0.grader == "max-tokens" })
        do {
            _ = try await fixture.grade(only: ["typo"])
            Issue.record("expected an unknown grader error")
        } catch let error as PromptLabError {
            #expect(error.message == "the experiment has no grader named 'typo' (graders: classification, exact, max-tokens)")
        }
    }

    @Test func gradingFailuresAreReportedAndNotStored() async throws {
        let fixture = try await GradingFixture(
            cases: [.init(id: "c1", expected: "4"), .init(id: "c2", expected: "four")],
            responses: [
                .init(variant: "control", caseID: "c1", output: "2 + 2 = 4"),
                .init(variant: "control", caseID: "c2", output: "4"),
            ],
            graders: "  - {type: numeric}")
        let result = try await fixture.grade()
        #expect(result.stored == 1)
        #expect(result.failures.count == 1)
        #expect(result.failures.first?.message == "the 'expected' value of case 'c2' is not a number: 'four'")
        #expect(result.failures.first?.responseKey == fixture.key("control", "c2"))
        #expect(result.graders.first?.failed == 1)
        // The next pass retries only the failure.
        let again = try await fixture.grade()
        #expect(again.graders.first?.alreadyGraded == 1)
        #expect(again.failures.count == 1)
    }

    @Test func unknownRunIsAStoreError() async throws {
        let fixture = try await fixture()
        await #expect(throws: StoreError.self) {
            _ = try await GradingEngine(graders: [], store: fixture.store, repository: nil, registry: nil, logger: GradingFixture.logger)
                .grade(runID: "r-nope")
        }
    }

    // MARK: - After a real run

    @Test func gradeRunAfterTheRunner() async throws {
        let repository = try TestRepository()
        let prompt = """
            ---
            model: local/baseline
            input:
              schema:
                ticket: string
            ---
            {{role "system"}}
            Route the ticket.
            - billing: charges, refunds, invoices, payments
            - technical: bugs, errors, crashes, login
            {{role "user"}}
            {{ticket}}
            """
        try repository.commit("triage", prompt)
        try repository.commit("triage", prompt.replacingOccurrences(of: "Route the ticket.", with: "Route the support ticket."))
        let yaml = """
            name: routing
            control: a
            variants:
              a: triage@v1
              b: triage@v2
            cases:
              - {id: c1, ticket: "I was charged twice, please refund", expected: billing}
              - {id: c2, ticket: "The app crashes with an error on login", expected: technical}
              - {id: c3, ticket: "Refund my payment for the invoice", expected: technical}
            graders:
              - {type: classification, labels: [billing, technical]}
              - {type: max-tokens, max: 1}
            """
        let experiment = try ExperimentDefinition.parse(yaml, path: repository.path + "experiments/routing.yaml")
        let store = try SQLiteResultsStore(path: repository.path + ".promptlab/results.sqlite")
        let plan = try ExperimentPlan.build(experiment, repository: try repository.open())
        let result = try await ProviderRegistry.withRegistry(environment: [:], logger: GradingFixture.logger) { registry in
            let runner = try ExperimentRunner(
                plan: plan, store: store, registry: registry, pricing: try Pricing.bundled(), logger: GradingFixture.logger)
            let runID = try await runner.createRun(options: RunOptions(), toolVersion: "test")
            let run = try await runner.run(runID, options: RunOptions())
            // What `promptlab run` calls when the runner has finished.
            return try await GradingEngine.gradeRun(
                run.runID, experiment: plan.experiment, store: store, repository: try repository.open(), registry: registry,
                logger: GradingFixture.logger)
        }
        #expect(result.stored == 12, "6 responses × 2 graders")
        #expect(result.failures.isEmpty)
        let responses = try await store.responses(runID: result.runID)
        let grades = try await store.grades(runID: result.runID).filter { $0.grader == "classification" }
        let expected = ["c1": "billing", "c2": "technical", "c3": "technical"]
        for response in responses {
            let grade = try #require(grades.first { $0.responseKey == response.idempotencyKey })
            #expect(grade.passed == (response.output == expected[response.caseID]), "\(response.caseID): \(response.output ?? "")")
        }
        // c3 mentions refunds and invoices, so the baseline says billing: one wrong answer per variant.
        #expect(grades.filter { $0.passed == false }.count == 2)

        let matrices = try await ConfusionMatrix.perVariant(
            runID: result.runID, grader: GradingConfiguration(experiment: experiment).graders[0], store: store)
        #expect(matrices["a"]?.count(expected: "technical", predicted: "billing") == 1)
        #expect(matrices["b"]?.accuracy == 2.0 / 3)

        // Grading again (as `promptlab grade` would) adds nothing.
        let again = try await GradingEngine.gradeRun(
            result.runID, experiment: experiment, store: store, repository: try repository.open(), registry: nil,
            logger: GradingFixture.logger)
        #expect(again.stored == 0)
        #expect(again.graders.map(\.alreadyGraded) == [6, 6])
    }
}
