import Foundation
import PromptLabStore
import Testing

/// Grades and human review verdicts.
@Suite struct ReviewTests {
    @Test func gradesAreRecordedOncePerResponseGraderConfigAndOrder() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture()
            try await fixture.create(in: store)
            let response = fixture.response()
            try await store.insertResponses([response])
            let key = response.idempotencyKey
            let exact = GradeRecord(
                runID: fixture.runID, responseKey: key, grader: "exact-match", configHash: "c1",
                score: 1, passed: true, createdAt: Date(milliseconds: 1_000))
            let judgeAB = GradeRecord(
                runID: fixture.runID, responseKey: key, grader: "judge", configHash: "j1",
                score: 0.75, reason: "mostly right", rawJudgeOutput: "{\"score\":0.75}",
                order: .ab, createdAt: Date(milliseconds: 2_000))
            var judgeBA = judgeAB
            judgeBA.order = .ba
            var rubricChanged = exact
            rubricChanged.configHash = "c2"
            rubricChanged.passed = false

            #expect(try await store.insertGrades([exact, judgeAB, judgeBA]) == 3)
            #expect(try await store.insertGrades([exact, judgeAB, judgeBA]) == 0)  // re-grading is a no-op
            #expect(try await store.insertGrades([rubricChanged]) == 1)
            #expect(try await store.grades(runID: fixture.runID) == [exact, judgeAB, judgeBA, rubricChanged])
        }
    }

    @Test func gradesMustReferToARecordedResponseOfTheSameRun() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture()
            try await fixture.create(in: store)
            let ghost = GradeRecord(
                runID: fixture.runID, responseKey: "\(fixture.runID)|control|case-0|0",
                grader: "exact-match", configHash: "c1", passed: true)
            let error = await #expect(throws: StoreError.self) { try await store.insertGrades([ghost]) }
            #expect(error?.kind == .invalidRecord)
            #expect(error?.message.contains("which is not recorded") == true)

            try await store.insertResponses([fixture.response()])
            var wrongRun = ghost
            wrongRun.runID = "r-other"
            await expectStoreError(.invalidRecord) { try await store.insertGrades([wrongRun]) }
            #expect(try await store.insertGrades([ghost]) == 1)
        }
    }

    @Test func aReviewerCanChangeTheirVerdict() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture()
            try await fixture.create(in: store)
            let first = VerdictRecord(
                runID: fixture.runID, caseID: "case-0", variantA: "control", variantB: "candidate",
                shownLeft: "candidate", verdict: .b, reviewer: "ana",
                createdAt: Date(milliseconds: 1_000))
            var changed = first
            changed.verdict = .tie
            changed.shownLeft = "control"
            changed.createdAt = Date(milliseconds: 3_000)
            let other = VerdictRecord(
                runID: fixture.runID, caseID: "case-0", variantA: "control", variantB: "candidate",
                shownLeft: "control", verdict: .a, reviewer: "ben",
                createdAt: Date(milliseconds: 2_000))
            try await store.insertVerdict(first)
            try await store.insertVerdict(other)
            try await store.insertVerdict(changed)
            #expect(try await store.verdicts(runID: fixture.runID) == [other, changed])
            #expect(try await store.verdicts(runID: fixture.runID, reviewer: "ana") == [changed])
        }
    }

    @Test func inconsistentVerdictsAreRefused() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture()
            try await fixture.create(in: store)
            let valid = VerdictRecord(
                runID: fixture.runID, caseID: "case-0", variantA: "control", variantB: "candidate",
                shownLeft: "control", verdict: .a, reviewer: "ana")
            var sameVariant = valid
            sameVariant.variantB = "control"
            var wrongSide = valid
            wrongSide.shownLeft = "friendly"
            var unknownVariant = valid
            unknownVariant.variantB = "friendly"
            unknownVariant.shownLeft = "friendly"
            var unknownCase = valid
            unknownCase.caseID = "case-99"
            for verdict in [sameVariant, wrongSide, unknownVariant, unknownCase] {
                await expectStoreError(.invalidRecord) { try await store.insertVerdict(verdict) }
            }
            var unknownRun = valid
            unknownRun.runID = "r-nowhere"
            await expectStoreError(.runNotFound) { try await store.insertVerdict(unknownRun) }
            #expect(try await store.verdicts(runID: fixture.runID).isEmpty)
        }
    }
}
