import Foundation
import PromptLabStore
import Testing

/// Creating, reading, listing runs and moving them through their statuses.
@Suite struct RunTests {
    @Test func createdRunReadsBackWithVariantsAndCasesInOrder() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture(variantNames: ["control", "short", "friendly"], caseCount: 4)
            // Cases arrive out of dataset order; they come back ordered by position.
            try await store.createRun(fixture.run, variants: fixture.variants, cases: fixture.cases.reversed())

            #expect(try await store.run(id: fixture.runID) == fixture.run)
            #expect(try await store.variants(runID: fixture.runID) == fixture.variants)
            #expect(try await store.cases(runID: fixture.runID) == fixture.cases)
            let variants = try await store.variants(runID: fixture.runID)
            #expect(variants.map(\.name) == ["control", "short", "friendly"])
            #expect(variants.map(\.isControl) == [true, false, false])
            #expect(variants[0].version == 1)
        }
    }

    @Test func createRunIsAllOrNothing() async throws {
        try await withTemporaryStore { store, _ in
            var fixture = Fixture()
            fixture.cases.append(fixture.cases[0])  // a duplicate case id
            let error = await #expect(throws: StoreError.self) {
                try await store.createRun(fixture.run, variants: fixture.variants, cases: fixture.cases)
            }
            #expect(error?.kind == .invalidRecord)
            #expect(error?.message == "case id 'case-0' appears twice in run '\(fixture.runID)'")
            await expectStoreError(.runNotFound) { try await store.run(id: fixture.runID) }
            let runs = try await store.runs()
            #expect(runs.isEmpty)
        }
    }

    @Test func aRunIDCanBeUsedOnlyOnce() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture()
            try await fixture.create(in: store)
            let error = await #expect(throws: StoreError.self) { try await fixture.create(in: store) }
            #expect(error?.kind == .runAlreadyExists)
            #expect(error?.message.hasPrefix("run '\(fixture.runID)' already exists") == true)
        }
    }

    @Test func unknownRunIDsSayWhereToLook() async throws {
        try await withTemporaryStore { store, _ in
            let error = await #expect(throws: StoreError.self) { try await store.run(id: "r-20990101-000000-beef") }
            #expect(error?.kind == .runNotFound)
            #expect(error?.message == "no run 'r-20990101-000000-beef'")
            #expect(error?.hint?.contains("promptlab runs") == true)

            for operation in [
                { _ = try await store.variants(runID: "r-missing") },
                { _ = try await store.cases(runID: "r-missing") },
                { _ = try await store.completedCells(runID: "r-missing") },
                { _ = try await store.responses(runID: "r-missing") },
                { _ = try await store.summary(runID: "r-missing") },
                { try await store.updateRunStatus("r-missing", .completed) },
                { try await store.forEachResponse(runID: "r-missing") { _ in } },
            ] as [() async throws -> Void] {
                await expectStoreError(.runNotFound) { try await operation() }
            }
            let latest = try await store.latestRun(experiment: "nothing")
            #expect(latest == nil)
        }
    }

    @Test func statusTransitions() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture()
            try await fixture.create(in: store)
            let id = fixture.runID
            #expect(try await store.run(id: id).status == .running)
            #expect(try await store.run(id: id).finishedAt == nil)

            // Interrupted: finish time defaults to now, note is kept.
            let before = Date().addingTimeInterval(-1)
            try await store.updateRunStatus(id, .interrupted, note: "interrupted by Ctrl-C")
            var run = try await store.run(id: id)
            #expect(run.status == .interrupted)
            #expect(run.note == "interrupted by Ctrl-C")
            #expect(try #require(run.finishedAt) >= before)

            // Resumed: running again, finish time and note cleared.
            try await store.updateRunStatus(id, .running)
            run = try await store.run(id: id)
            #expect(run.status == .running)
            #expect(run.finishedAt == nil)
            #expect(run.note == nil)

            // Failed, resumed, completed at a given time.
            try await store.updateRunStatus(id, .failed, note: "provider rejected the API key")
            try await store.updateRunStatus(id, .running)
            let end = Date(milliseconds: 1_800_000_000_123)
            try await store.updateRunStatus(id, .completed, finishedAt: end, note: nil)
            run = try await store.run(id: id)
            #expect(run.status == .completed)
            #expect(run.finishedAt == end)

            // Setting the same status again is harmless.
            try await store.updateRunStatus(id, .completed, finishedAt: end, note: nil)

            // A completed run is final.
            let error = await #expect(throws: StoreError.self) { try await store.updateRunStatus(id, .running) }
            #expect(error?.kind == .invalidStatusTransition)
            #expect(error?.message == "run '\(id)' is completed and cannot become running")
            #expect(error?.hint == "a completed run is final; start a new run instead")
            #expect(try await store.run(id: id).status == .completed)
        }
    }

    @Test func onlyACompletedRunIsFinal() {
        for from in RunStatus.allCases {
            for to in RunStatus.allCases {
                #expect(from.canChange(to: to) == (from != .completed || to == .completed), "\(from) -> \(to)")
            }
        }
    }

    @Test func aResumeWithNothingLeftCanCompleteDirectly() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture()
            try await fixture.create(in: store)
            try await store.updateRunStatus(fixture.runID, .interrupted, note: "interrupted; 0 cells missing")
            try await store.updateRunStatus(fixture.runID, .completed)
            let run = try await store.run(id: fixture.runID)
            #expect(run.status == .completed)
            #expect(run.note == nil)
            #expect(run.finishedAt != nil)
        }
    }

    @Test func runListingCountsResponsesAndKeepsUnknownCostUnknown() async throws {
        try await withTemporaryStore { store, _ in
            let base = Date(milliseconds: 1_790_000_000_000)
            let priced = Fixture(id: "r-a", experiment: "triage", caseCount: 3, createdAt: base)
            let partlyPriced = Fixture(id: "r-b", experiment: "triage", caseCount: 3, createdAt: base.addingTimeInterval(60))
            let other = Fixture(id: "r-c", experiment: "summarize", caseCount: 1, createdAt: base.addingTimeInterval(120))
            for fixture in [priced, partlyPriced, other] {
                try await fixture.create(in: store)
            }

            // r-a: 5 priced successes (one from cache, free) and a priced error.
            try await store.insertResponses([
                priced.response(variant: "control", caseIndex: 0, costUSD: 0.25),
                priced.response(variant: "control", caseIndex: 1, costUSD: 0.25),
                priced.response(variant: "control", caseIndex: 2, costUSD: 0, fromCache: true),
                priced.response(variant: "candidate", caseIndex: 0, costUSD: 0.5),
                priced.response(variant: "candidate", caseIndex: 1, costUSD: 0.125),
                priced.response(
                    variant: "candidate", caseIndex: 2,
                    outcome: .failure(kind: "http_400", message: "bad request"), costUSD: 0),
            ])
            // r-b: one response of unknown cost among priced ones.
            try await store.insertResponses([
                partlyPriced.response(variant: "control", caseIndex: 0, costUSD: 1.0),
                partlyPriced.response(variant: "candidate", caseIndex: 0, costUSD: nil),
                partlyPriced.response(
                    variant: "candidate", caseIndex: 1,
                    outcome: .failure(kind: "timeout", message: "no answer in 60 s"), costUSD: nil),
            ])

            let all = try await store.runs()
            #expect(all.map(\.run.id) == ["r-c", "r-b", "r-a"])  // newest first

            let triage = try await store.runs(experiment: "triage", limit: 10)
            #expect(triage.map(\.run.id) == ["r-b", "r-a"])
            let (b, a) = (triage[0], triage[1])

            #expect(a.okCount == 5)
            #expect(a.errorCount == 1)
            #expect(a.cachedCount == 1)
            #expect(a.responseCount == 6)
            #expect(a.remainingCount == 0)
            #expect(a.unknownCostCount == 0)
            #expect(a.totalCostUSD == 1.125)
            #expect(a.costIsPartial == false)

            #expect(b.okCount == 2)
            #expect(b.errorCount == 1)
            #expect(b.remainingCount == 3)
            #expect(b.knownCostUSD == 1.0)
            #expect(b.unknownCostCount == 2)
            #expect(b.totalCostUSD == nil)  // unknown, never silently 1.0 or 0
            #expect(b.costIsPartial == true)

            let empty = try await store.summary(runID: "r-c")
            #expect(empty.responseCount == 0)
            #expect(empty.totalCostUSD == 0)

            #expect(try await store.runs(experiment: nil, limit: 1).map(\.run.id) == ["r-c"])
            #expect(try await store.runs(experiment: nil, limit: 0).isEmpty)
            #expect(try await store.latestRun(experiment: "triage")?.id == "r-b")
            #expect(try await store.summary(runID: "r-a") == a)
        }
    }

    @Test func runIDsAreTimeSortableAndWellFormed() throws {
        let first = RunRecord.makeID(at: Date(milliseconds: 1_795_999_912_000))
        #expect(first.wholeMatch(of: /r-\d{8}-\d{6}-[0-9a-f]{4}/) != nil)
        #expect(first.hasPrefix("r-20261130-005152-"))
        let later = RunRecord.makeID(at: Date(milliseconds: 1_796_000_000_000))
        #expect(first < later)
        let ids = Set((0..<200).map { _ in RunRecord.makeID() })
        #expect(ids.count > 190)  // 16 random bits per second: collisions are rare
    }
}
