import Foundation
import GRDB
import Testing

@testable import PromptLabStore

/// Opening a results file: schema, pragmas, and files that are not ours.
@Suite struct SchemaTests {
    @Test func migrationsCreateEveryTableAndIndex() async throws {
        try await withTemporaryStore { _, path in
            let raw = try openRaw(path)
            let (tables, indexes, migrations) = try await raw.read { db in
                (
                    try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"),
                    try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"),
                    try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
                )
            }
            #expect(
                tables == [
                    "grdb_migrations", "runs", "run_variants", "run_cases", "responses",
                    "response_cache", "grades", "review_verdicts", "run_leases", "rollout_events", "rollout_exposures",
                    "rollout_assignments", "rollout_metric_values",
                ])
            #expect(
                Set(indexes) == [
                    "runs_by_experiment", "responses_by_run", "grades_identity", "grades_by_run", "grades_by_grader",
                    "responses_by_variant", "rollout_events_by_rollout", "rollout_exposures_by_arm", "rollout_assignments_by_arm",
                    "rollout_metric_values_by_arm",
                ])
            #expect(
                migrations == [
                    "v1-runs-responses", "v1-cache", "v1-grades", "v1-review-verdicts", "v2-report-indexes", "v3-run-leases", "v4-rollouts",
                ])

            let responseColumns = try await raw.read { db in
                try db.columns(in: "responses").map(\.name)
            }
            #expect(responseColumns.contains("idempotency_key"))
            #expect(responseColumns.contains("cost_usd"))
            #expect(responseColumns.count == 24)
        }
    }

    @Test func databaseIsInWALModeWithOurApplicationID() async throws {
        try await withTemporaryStore { store, path in
            // Seen from an independent connection, as sqlite3 would see it.
            let raw = try openRaw(path)
            let (journalMode, applicationID) = try await raw.read { db in
                (
                    try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                    try Int.fetchOne(db, sql: "PRAGMA application_id")
                )
            }
            #expect(journalMode == "wal")
            #expect(applicationID == 0x504C_5253)
            #expect(FileManager.default.fileExists(atPath: path + "-wal"))
            _ = store
        }
    }

    @Test func storeConnectionsEnforceForeignKeysAndWaitWhenBusy() async throws {
        try await withTemporaryStore { store, _ in
            let (foreignKeys, busyTimeout) = try await store.pool.write { db in
                (try Int.fetchOne(db, sql: "PRAGMA foreign_keys"), try Int.fetchOne(db, sql: "PRAGMA busy_timeout"))
            }
            #expect(foreignKeys == 1)
            #expect(busyTimeout == 5000)
        }
    }

    @Test func openingCreatesMissingParentFolders() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("project/.promptlab/results.sqlite").path
            let runs = try await SQLiteResultsStore.withStore(path: path) { store in
                try await store.runs()
            }
            #expect(runs.isEmpty)
            #expect(FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func reopeningKeepsDataAndDoesNotMigrateAgain() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("results.sqlite").path
            let fixture = Fixture()
            try await SQLiteResultsStore.withStore(path: path) { try await fixture.create(in: $0) }
            let reread = try await SQLiteResultsStore.withStore(path: path) { store in
                try await store.run(id: fixture.runID)
            }
            #expect(reread == fixture.run)
        }
    }

    @Test func aFileThatIsNotADatabaseIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("results.sqlite").path
            try Data(String(repeating: "this is not sqlite\n", count: 300).utf8).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: StoreError.self) { try SQLiteResultsStore(path: path) }
            #expect(error?.kind == .notAPromptLabDatabase)
            #expect(error?.message == "results database at \(path) is not a PromptLab database")
            #expect(error?.hint != nil)
        }
    }

    @Test func anotherProgramsDatabaseIsRefusedAndLeftUntouched() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("other.sqlite").path
            let raw = try openRaw(path)
            try await raw.write { db in
                try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
            }
            try raw.close()
            let error = #expect(throws: StoreError.self) { try SQLiteResultsStore(path: path) }
            #expect(error?.kind == .notAPromptLabDatabase)
            let tables = try await openRaw(path).read { db in
                try String.fetchSet(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            #expect(tables == ["notes"])
        }
    }

    @Test func aDatabaseFromANewerPromptLabIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("results.sqlite").path
            try SQLiteResultsStore(path: path).close()
            let raw = try openRaw(path)
            try await raw.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')")
            }
            try raw.close()
            let error = #expect(throws: StoreError.self) { try SQLiteResultsStore(path: path) }
            #expect(error?.kind == .newerSchema)
            #expect(error?.message.contains("newer version of promptlab") == true)
        }
    }

    @Test func onlyAFilePathIsAccepted() {
        for path in ["", ":memory:"] {
            let error = #expect(throws: StoreError.self) { try SQLiteResultsStore(path: path) }
            #expect(error?.kind == .cannotOpen)
        }
    }

    @Test func aFolderInPlaceOfTheFileCannotBeOpened() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("results.sqlite").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let error = #expect(throws: StoreError.self) { try SQLiteResultsStore(path: path) }
            #expect(error?.kind == .cannotOpen)
            #expect(error?.message == "cannot open results database at \(path)")
        }
    }
}
