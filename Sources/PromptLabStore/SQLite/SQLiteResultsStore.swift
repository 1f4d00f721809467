import Foundation
internal import GRDB

/// A ``ResultsStore`` kept in one SQLite file, read and written through a GRDB `DatabasePool`.
///
/// The file is opened in WAL mode, so readers (a `promptlab report` in another
/// terminal, or `sqlite3`) never block the writer and see only committed
/// transactions. Foreign keys are enforced. When another process holds the
/// write lock, a write waits up to the busy timeout (5 seconds by default)
/// before failing with ``StoreError/Kind/locked``. `synchronous` is `NORMAL`,
/// which in WAL mode survives a crash of the process and loses at most the
/// last transactions on a power failure.
///
/// Opening a store creates the file and its parent folders if needed and
/// applies any pending schema migrations (see `docs/results-schema.md`).
///
/// ```swift
/// try await SQLiteResultsStore.withStore(path: ".promptlab/results.sqlite") { store in
///     try await store.createRun(run, variants: variants, cases: cases)
///     try await store.insertResponses(batch)
/// }
/// ```
///
/// Related SQLite documentation: <https://www.sqlite.org/wal.html>,
/// <https://www.sqlite.org/pragma.html#pragma_busy_timeout>.
public final class SQLiteResultsStore: ResultsStore {
    /// The database file's path, as given to ``init(path:busyTimeout:)``.
    public let path: String
    /// Whether the file could only be opened for reading (this process may not write it or its
    /// folder): reads work, and every write fails with ``StoreError/Kind/readOnly``.
    public let isReadOnly: Bool
    let pool: any DatabaseReader & DatabaseWriter

    /// Opens (creating if needed) the results database at `path`.
    ///
    /// - Parameters:
    ///   - path: The database file, such as `.promptlab/results.sqlite`.
    ///     Missing parent folders are created.
    ///   - busyTimeout: How long, in seconds, a write waits for another
    ///     process to release the database before failing.
    /// - Throws: ``StoreError`` of kind ``StoreError/Kind/notAPromptLabDatabase``
    ///   when the file is not a database or belongs to another program,
    ///   ``StoreError/Kind/newerSchema`` when a newer promptlab wrote it,
    ///   ``StoreError/Kind/cannotOpen``, ``StoreError/Kind/readOnly`` or
    ///   ``StoreError/Kind/locked``.
    ///
    /// An existing database this process may not write (a file shared read-only, results on a
    /// read-only mount) is opened for reading instead; see ``isReadOnly``.
    public init(path: String, busyTimeout: TimeInterval = 5) throws {
        self.path = path
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else {
            throw StoreError(
                .cannotOpen, "'\(path)' is not a path to a results database file",
                hint: "give the path of a file, such as .promptlab/results.sqlite")
        }
        if let reader = try Self.openForReadingIfNotWritable(path: path) {
            pool = reader
            isReadOnly = true
            return
        }
        isReadOnly = false
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw StoreError(
                .cannotOpen, "cannot create folder \(folder.path) for the results database",
                hint: "check that the path is writable, or choose another results file",
                detail: String(describing: error))
        }

        var configuration = Configuration()
        configuration.label = "PromptLabStore"
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeout)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        // Switching a new file to WAL mode takes an exclusive lock without waiting for the busy
        // timeout, so two processes creating the same database at once can see SQLITE_BUSY here:
        // retry the open for a while before reporting the lock.
        var attempt = 0
        while true {
            do {
                let pool = try DatabasePool(path: path, configuration: configuration)
                try Self.checkOwnership(of: pool, path: path)
                try Self.migrate(pool, path: path)
                self.pool = pool
                break
            } catch {
                let translated = StoreError.translating(error, path: path, while: "open the results database")
                attempt += 1
                guard (translated as? StoreError)?.kind == .locked, attempt < 100 else { throw translated }
                usleep(UInt32.random(in: 5_000...30_000))
            }
        }
    }

    /// Opens a store, runs `body` with it, and closes it, even when `body` throws.
    ///
    /// - Parameters:
    ///   - path: The database file; see ``init(path:busyTimeout:)``.
    ///   - isolation: The caller's actor; `body` runs there.
    ///   - body: The work to do with the open store.
    /// - Returns: What `body` returns.
    public static func withStore<Result>(
        path: String,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (SQLiteResultsStore) async throws -> Result
    ) async throws -> Result {
        let store = try SQLiteResultsStore(path: path)
        let result: Result
        do {
            result = try await body(store)
        } catch {
            try? store.close()
            throw error
        }
        try store.close()
        return result
    }

    /// Closes the database connections; later calls on this store fail.
    public func close() throws {
        do {
            try pool.close()
        } catch {
            throw StoreError.translating(error, path: path, while: "close the results database")
        }
    }

    // MARK: - Opening

    /// Opens an existing database that this process may not write, for reading only; `nil` when
    /// the file is missing or writable (it is then opened, or created, for writing).
    ///
    /// A database in WAL mode can be read without write access only if its `-shm` file exists or
    /// can be created; otherwise SQLite's `immutable` mode reads the file as it is, which is safe
    /// because no one with this process's rights can change it.
    private static func openForReadingIfNotWritable(path: String) throws -> DatabaseQueue? {
        let files = FileManager.default
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard files.fileExists(atPath: path), !files.isWritableFile(atPath: path) || !files.isWritableFile(atPath: folder) else {
            return nil
        }
        var configuration = Configuration()
        configuration.label = "PromptLabStore"
        configuration.readonly = true
        configuration.foreignKeysEnabled = true
        var immutable = URLComponents()
        immutable.scheme = "file"
        immutable.path = URL(fileURLWithPath: path).standardizedFileURL.path
        immutable.queryItems = [URLQueryItem(name: "immutable", value: "1")]
        var firstError: (any Error)?
        for candidate in [path, immutable.string ?? path] {
            do {
                let queue = try DatabaseQueue(path: candidate, configuration: configuration)
                try checkOwnership(of: queue, path: path)
                if try queue.read({ try Schema.migrator.hasBeenSuperseded($0) }) {
                    throw StoreError(
                        .newerSchema, "results database at \(path) was written by a newer version of promptlab",
                        hint: "upgrade promptlab, or point it at another results file")
                }
                return queue
            } catch let error as StoreError where error.kind != .readOnly && error.kind != .cannotOpen {
                throw error
            } catch {
                firstError = firstError ?? error
            }
        }
        throw StoreError.translating(firstError ?? CancellationError(), path: path, while: "open the results database for reading")
    }

    /// Refuses files that belong to another program: a PromptLab database has
    /// our `application_id`, and a new file is empty.
    private static func checkOwnership(of pool: some DatabaseReader, path: String) throws {
        let isOurs = try pool.read { db -> Bool in
            let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
            if applicationID == Schema.applicationID { return true }
            if applicationID != 0 { return false }
            // GRDB creates its `grdb_migrations` table before the first migration commits, so another
            // process may be creating this very database right now: that table alone is not a foreign schema.
            let objectCount =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'
                        """) ?? 0
            return objectCount == 0
        }
        guard isOurs else { throw StoreError.notAPromptLabDatabase(path: path) }
    }

    /// Applies pending migrations, tolerating another process migrating the same new file at the same time.
    private static func migrate(_ pool: DatabasePool, path: String) throws {
        let migrator = Schema.migrator
        if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
            throw StoreError(
                .newerSchema, "results database at \(path) was written by a newer version of promptlab",
                hint: "upgrade promptlab, or point it at another results file")
        }
        // Another process may be applying the same migrations to a new file right now: each migration
        // is its own transaction, so a clash ("table already exists") means it got there first.
        // Retry until the schema is complete (applied migrations are skipped) or the clash persists.
        var attempt = 0
        while true {
            do {
                try migrator.migrate(pool)
                return
            } catch {
                if try pool.read({ try migrator.hasCompletedMigrations($0) }) { return }
                attempt += 1
                guard attempt < 50 else { throw error }
                usleep(UInt32.random(in: 5_000...30_000))
            }
        }
    }

    // MARK: - Database access

    /// Runs `body` in a read transaction, translating errors.
    func read<T: Sendable>(_ action: String, _ body: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw StoreError.translating(error, path: path, while: action)
        }
    }

    /// Runs `body` in an immediate write transaction, translating errors.
    ///
    /// The transaction lasts exactly as long as `body`, which must do nothing but SQL.
    func write<T: Sendable>(_ action: String, _ body: @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw StoreError.translating(error, path: path, while: action)
        }
    }

    /// Throws ``StoreError/Kind/runNotFound`` unless the run exists.
    static func requireRun(_ db: Database, _ id: String) throws {
        guard try runExists(db, id) else { throw StoreError.runNotFound(id) }
    }

    /// Whether a run with this id exists.
    static func runExists(_ db: Database, _ id: String) throws -> Bool {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM runs WHERE id = ?"), arguments: [id]) != nil
    }
}
