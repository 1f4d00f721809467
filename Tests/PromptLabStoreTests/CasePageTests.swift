import Foundation
import PromptLabStore
import Testing

/// The queries behind a page of cases and the web app's caches.
@Suite struct CasePageTests {
    @Test func graderConfigurationsListEveryGraderAndConfigurationOnce() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture()
            try await fixture.create(in: store)
            let response = fixture.response()
            try await store.insertResponses([response])
            var grades = [GradeRecord]()
            for (grader, hash) in [("b", "c1"), ("a", "c2"), ("a", "c1"), ("c", "c9"), ("a", "c3")] {
                grades.append(
                    GradeRecord(runID: fixture.runID, responseKey: response.idempotencyKey, grader: grader, configHash: hash, passed: true))
            }
            try await store.insertGrades(grades)
            let found = try await store.graderConfigurations(runID: fixture.runID)
            #expect(found.map { "\($0.grader)/\($0.configHash)" } == ["a/c1", "a/c2", "a/c3", "b/c1", "c/c9"])
            // Only a grader with several configurations needs to know which is newest.
            #expect(found.filter { $0.grader == "a" }.map(\.latestGradeID).allSatisfy { $0 > 0 })
            #expect(found.first { $0.grader == "b" }?.latestGradeID == 0)
        }
    }

    @Test func aPageReadsOnlyItsCasesAndTheStateTokenFollowsEveryWrite() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture()
            try await fixture.create(in: store)
            let empty = try await store.stateToken(runID: fixture.runID)
            var responses = [ResponseRecord]()
            for variant in fixture.variants.map(\.name) {
                for caseIndex in 0..<3 { responses.append(fixture.response(variant: variant, caseIndex: caseIndex)) }
            }
            responses[4].outcome = .success(output: "Refund REQUESTED")
            try await store.insertResponses(responses)
            let answered = try await store.stateToken(runID: fixture.runID)
            #expect(answered != empty)
            let page = try await store.responses(runID: fixture.runID, caseIDs: ["case-1"])
            #expect(Set(page.map(\.caseID)) == ["case-1"])
            #expect(page.count == fixture.variants.count)
            let grade = GradeRecord(
                runID: fixture.runID, responseKey: page[0].idempotencyKey, grader: "g", configHash: "h", passed: false)
            try await store.insertGrades([grade])
            let graded = try await store.stateToken(runID: fixture.runID)
            #expect(graded != answered)
            #expect(try await store.grades(runID: fixture.runID, responseKeys: [page[0].idempotencyKey, "nope"]).count == 1)
            // The search ignores ASCII case and finds outputs, variables and expected values.
            #expect(try await store.caseIDs(runID: fixture.runID, containing: "refund requested") == [responses[4].caseID])
            #expect(try await store.caseIDs(runID: fixture.runID, containing: "%").isEmpty)
            try await store.updateRunStatus(fixture.runID, .completed)
            #expect(try await store.stateToken(runID: fixture.runID) != graded)
            await expectStoreError(.runNotFound) { _ = try await store.stateToken(runID: "r-nope") }
        }
    }
}
