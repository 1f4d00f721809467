import Foundation
import GRDB
import PromptLabStore
import Testing

/// Several writers on one file, and a writer that holds the lock too long.
@Suite struct ConcurrencyTests {
    /// Two processes opening a database that does not exist yet (a run and a
    /// `promptlab runs` started together) must both succeed, not see each
    /// other's half-created schema as a foreign database.
    @Test func storesOpeningANewFileTogetherBothSucceed() async throws {
        for _ in 0..<20 {
            try await withTemporaryDirectory { folder in
                let path = folder.appendingPathComponent("results.sqlite").path
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            let store = try SQLiteResultsStore(path: path)
                            _ = try await store.runs()
                            try await store.close()
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }
    }

    @Test func twoStoresOnOneFileWriteConcurrently() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("results.sqlite").path
            let first = try SQLiteResultsStore(path: path)
            let second = try SQLiteResultsStore(path: path)
            defer {
                try? first.close()
                try? second.close()
            }
            let fixture = Fixture(caseCount: 100, repeats: 50)
            try await fixture.create(in: first)

            // Each store records one variant's 5,000 cells in 10 batches, at the same time,
            // and also writes to the cache, so their write transactions interleave.
            let results = try await withThrowingTaskGroup(of: Int.self) { group in
                for (store, variant) in [(first, "control"), (second, "candidate")] {
                    group.addTask {
                        var inserted = 0
                        for chunk in 0..<10 {
                            var batch: [ResponseRecord] = []
                            for caseIndex in (chunk * 10)..<(chunk * 10 + 10) {
                                for repeatIndex in 0..<50 {
                                    batch.append(fixture.response(variant: variant, caseIndex: caseIndex, repeatIndex: repeatIndex))
                                }
                            }
                            inserted += try await store.insertResponses(batch)
                            try await store.storeCache([
                                CacheEntry(
                                    cacheKey: "\(variant)-\(chunk)", provider: "p", model: "m", output: "o")
                            ])
                        }
                        return inserted
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results == [5_000, 5_000])
            let summary = try await second.summary(runID: fixture.runID)
            #expect(summary.responseCount == 10_000)
            #expect(try await first.cachedResponses(keys: (0..<10).flatMap { ["control-\($0)", "candidate-\($0)"] }).count == 20)
        }
    }

    @Test func aWriterWaitsForAnotherProcessToReleaseTheLock() async throws {
        try await withTemporaryStore { store, path in
            let fixture = Fixture()
            try await fixture.create(in: store)

            // Another connection (as another process would) holds the write lock while the insert starts.
            let other = try openRaw(path)
            try await other.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE") }
            // A busy timeout far beyond any machine's delay: the insert must wait, never fail.
            let patient = try SQLiteResultsStore(path: path, busyTimeout: 600)
            defer { try? patient.close() }
            let insert = Task { try await patient.insertResponses([fixture.response()]) }
            // Whether the insert is already waiting or not yet started, it must succeed once the lock goes.
            await Task.yield()
            try await other.writeWithoutTransaction { try $0.execute(sql: "COMMIT") }
            #expect(try await insert.value == 1)
            #expect(try await store.summary(runID: fixture.runID).responseCount == 1)
        }
    }

    @Test func aLockHeldPastTheBusyTimeoutIsReportedPlainly() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("results.sqlite").path
            let store = try SQLiteResultsStore(path: path, busyTimeout: 0.2)
            defer { try? store.close() }
            let fixture = Fixture()
            try await fixture.create(in: store)

            let other = try openRaw(path)
            try await other.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE") }
            let error = await #expect(throws: StoreError.self) { try await store.insertResponses([fixture.response()]) }
            try await other.writeWithoutTransaction { try $0.execute(sql: "COMMIT") }

            #expect(error?.kind == .locked)
            #expect(error?.message == "database at \(path) is locked by another process")
            #expect(error?.hint == "wait for the other promptlab command to finish, then try again")
            #expect(error?.detail?.contains("SQLite error 5") == true)
            // Once released, the same write succeeds.
            #expect(try await store.insertResponses([fixture.response()]) == 1)
        }
    }
}
