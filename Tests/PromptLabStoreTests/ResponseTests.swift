import Foundation
import GRDB
import PromptLabStore
import Testing

/// Recording responses: round trips, idempotency, resume, errors and streaming.
@Suite struct ResponseTests {
    @Test func responsesReadBackExactly() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture()
            try await fixture.create(in: store)
            var failed = fixture.response(
                variant: "candidate", caseIndex: 1, repeatIndex: 0,
                outcome: .failure(kind: "rate_limited", message: "429 after 5 attempts"), costUSD: nil)
            failed.attempts = 5
            failed.inputTokens = nil
            failed.outputTokens = nil
            failed.latencyMs = nil
            failed.finishReason = nil
            let batch = [
                fixture.response(variant: "control", caseIndex: 0, outcome: .success(output: "billing")),
                fixture.response(variant: "control", caseIndex: 1, outcome: .success(output: "")),  // a real empty answer
                failed,
            ]
            #expect(try await store.insertResponses(batch) == 3)
            let stored = try await store.responses(runID: fixture.runID)
            #expect(stored == batch)
            #expect(stored.map(\.status) == [.ok, .ok, .error])
            #expect(stored[2].output == nil)
            #expect(stored[2].errorKind == "rate_limited")
            #expect(stored[2].costUSD == nil)
            #expect(stored[1].output == "")
        }
    }

    @Test func insertingTheSameBatchTwiceKeepsOneRowPerCell() async throws {
        try await withTemporaryStore { store, path in
            let fixture = Fixture(caseCount: 5)
            try await fixture.create(in: store)
            let batch = fixture.allResponses(repeats: 2)
            #expect(batch.count == 20)
            #expect(try await store.insertResponses(batch) == 20)
            #expect(try await store.insertResponses(batch) == 0)

            // A retried cell with a different outcome does not replace the first one.
            var retried = batch[0]
            retried.outcome = .failure(kind: "timeout", message: "late")
            #expect(try await store.insertResponses([retried, retried]) == 0)

            let counts = try await openRaw(path).read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM responses"),
                    try Int.fetchOne(db, sql: "SELECT count(DISTINCT idempotency_key) FROM responses")
                )
            }
            #expect(counts.0 == 20)
            #expect(counts.1 == 20)
            #expect(try await store.responses(runID: fixture.runID).first?.output == "billing")
        }
    }

    @Test func completedCellsLetAResumedRunSkipRecordedWork() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture(caseCount: 4)
            try await fixture.create(in: store)
            let all = fixture.allResponses(repeats: 3)  // 2 variants × 4 cases × 3 repeats
            #expect(try await store.completedCells(runID: fixture.runID).isEmpty)

            // The first run records 10 cells, one of them an error, then stops.
            var firstPart = Array(all.prefix(10))
            firstPart[9].outcome = .failure(kind: "http_500", message: "server error")
            try await store.insertResponses(firstPart)
            try await store.updateRunStatus(fixture.runID, .interrupted, note: "interrupted")

            let done = try await store.completedCells(runID: fixture.runID)
            #expect(done == Set(firstPart.map(\.idempotencyKey)))
            #expect(done.contains("\(fixture.runID)|control|case-0|0"))

            // The resumed run sends only the rest.
            try await store.updateRunStatus(fixture.runID, .running)
            let remaining = all.filter { !done.contains($0.idempotencyKey) }
            #expect(remaining.count == 14)
            #expect(try await store.insertResponses(remaining) == 14)
            try await store.updateRunStatus(fixture.runID, .completed)
            let summary = try await store.summary(runID: fixture.runID)
            #expect(summary.responseCount == 24)
            #expect(summary.errorCount == 1)
            #expect(summary.remainingCount == 0)
        }
    }

    @Test func idempotencyKeysAreUnambiguous() {
        #expect(
            ResponseRecord.idempotencyKey(runID: "r-1", variant: "control", caseID: "c-7", repeatIndex: 2)
                == "r-1|control|c-7|2")
        let a = ResponseRecord.idempotencyKey(runID: "r", variant: "a|b", caseID: "c", repeatIndex: 0)
        let b = ResponseRecord.idempotencyKey(runID: "r", variant: "a", caseID: "b|c", repeatIndex: 0)
        #expect(a == "r|a%7Cb|c|0")
        #expect(a != b)
        #expect(
            ResponseRecord.idempotencyKey(runID: "r", variant: "100%", caseID: "%7C", repeatIndex: 0)
                == "r|100%25|%257C|0")
    }

    @Test func anErrorCanNeverBeStoredAsAnEmptySuccess() async throws {
        try await withTemporaryStore { store, path in
            let fixture = Fixture()
            try await fixture.create(in: store)
            let failure = fixture.response(outcome: .failure(kind: "timeout", message: "no answer"))
            #expect(failure.status == .error)
            #expect(failure.output == nil)
            try await store.insertResponses([failure])

            // Even a hand-written row cannot be an error with an output, or a success without one.
            let raw = try openRaw(path)
            let columns =
                "run_id, variant, case_id, repeat_index, idempotency_key, status, output, error_kind, attempts, provider, model, request_hash, from_cache, started_at, finished_at"
            for (key, status, output, kind) in [
                ("k1", "ok", nil, nil), ("k2", "error", "", "timeout"), ("k3", "ok", "x", "timeout"),
                ("k4", "error", nil, nil), ("k5", "maybe", "x", nil),
            ] as [(String, String, String?, String?)] {
                await #expect(throws: DatabaseError.self) {
                    try await raw.write { db in
                        try db.execute(
                            sql: """
                                INSERT INTO responses (\(columns))
                                VALUES (?, 'control', 'case-0', 1, ?, ?, ?, ?, 1, 'p', 'm', 'h', 0, 't', 't')
                                """, arguments: [fixture.runID, key, status, output, kind])
                    }
                }
            }
        }
    }

    @Test func responsesForUnknownVariantsOrCasesAreRejectedWhole() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture()
            try await fixture.create(in: store)
            let good = fixture.response(variant: "control", caseIndex: 0)

            var error = await #expect(throws: StoreError.self) {
                try await store.insertResponses([good, fixture.response(variant: "ghost", caseIndex: 1)])
            }
            #expect(error?.kind == .invalidRecord)
            #expect(
                error?.message
                    == "response '\(fixture.runID)|ghost|case-1|0' names variant 'ghost', which run '\(fixture.runID)' does not have")

            error = await #expect(throws: StoreError.self) {
                try await store.insertResponses([good, fixture.response(variant: "control", caseIndex: 9)])
            }
            #expect(error?.message.contains("names case 'case-9'") == true)

            var stray = good
            stray.runID = "r-nowhere"
            error = await #expect(throws: StoreError.self) { try await store.insertResponses([stray]) }
            #expect(error?.message == "response 'r-nowhere|control|case-0|0' belongs to run 'r-nowhere', which is not recorded")

            // Nothing of the rejected batches was kept.
            #expect(try await store.completedCells(runID: fixture.runID).isEmpty)
        }
    }

    @Test func streamingVisitsFiftyThousandRowsInOrder() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture(variantNames: ["control", "candidate"], caseCount: 250, repeats: 100)
            try await fixture.create(in: store)
            let template = fixture.response()
            var batch: [ResponseRecord] = []
            for variant in ["control", "candidate"] {
                for caseIndex in 0..<250 {
                    for repeatIndex in 0..<100 {
                        var response = template
                        response.variant = variant
                        response.caseID = "case-\(caseIndex)"
                        response.repeatIndex = repeatIndex
                        response.outcome = .success(output: "answer \(batch.count)")
                        batch.append(response)
                        if batch.count % 1000 == 0 {
                            try await store.insertResponses(Array(batch.suffix(1000)))
                        }
                    }
                }
            }
            #expect(batch.count == 50_000)

            var seen = 0
            var outOfOrder = 0
            try await store.forEachResponse(runID: fixture.runID, pageSize: 1000, isolation: #isolation) { response in
                if response.output != "answer \(seen)" { outOfOrder += 1 }
                seen += 1
            }
            #expect(seen == 50_000)
            #expect(outOfOrder == 0)

            // Default page size, a page size that does not divide the total, and stopping early.
            var count = 0
            try await store.forEachResponse(runID: fixture.runID) { _ in count += 1 }
            #expect(count == 50_000)
            count = 0
            try await store.forEachResponse(runID: fixture.runID, pageSize: 777, isolation: #isolation) { _ in count += 1 }
            #expect(count == 50_000)
            struct Enough: Error {}
            count = 0
            await #expect(throws: Enough.self) {
                try await store.forEachResponse(runID: fixture.runID) { _ in
                    count += 1
                    if count == 1500 { throw Enough() }
                }
            }
            #expect(count == 1500)
        }
    }

    @Test func streamingCallsBodyOnTheCallersActor() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture(caseCount: 3)
            try await fixture.create(in: store)
            try await store.insertResponses(fixture.allResponses())
            let collector = Collector()
            try await collector.collect(from: store, runID: fixture.runID)
            #expect(await collector.keys.count == 6)
        }
    }
}

/// An actor that gathers responses through a non-Sendable closure.
private actor Collector {
    var keys: [String] = []

    func collect(from store: some ResultsStore, runID: String) async throws {
        try await store.forEachResponse(runID: runID, pageSize: 2, isolation: self) { response in
            keys.append(response.idempotencyKey)
        }
    }
}
