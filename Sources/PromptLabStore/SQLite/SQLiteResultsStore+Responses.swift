internal import GRDB

extension SQLiteResultsStore {
    // MARK: - Recording

    /// Records a batch in one immediate transaction with one reused prepared
    /// statement: `INSERT ... ON CONFLICT (idempotency_key) DO NOTHING`.
    ///
    /// Related SQLite documentation: <https://www.sqlite.org/lang_upsert.html>
    @discardableResult
    public func insertResponses(_ batch: [ResponseRecord]) async throws -> Int {
        guard !batch.isEmpty else { return 0 }
        return try await write("record \(batch.count) responses") { db in
            let statement = try db.cachedStatement(sql: ResponseRecord.insertSQL)
            // Check the argument count once; the rest of the batch has the same shape.
            try statement.validateArguments(batch[0].insertArguments)
            let changesBefore = db.totalChangesCount
            do {
                for response in batch {
                    statement.setUncheckedArguments(response.insertArguments)
                    try statement.execute()
                }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                // Name the offending response; the transaction is then rolled back whole.
                throw try Self.diagnose(batch, in: db) ?? error
            }
            return db.totalChangesCount - changesBefore
        }
    }

    // MARK: - Reading

    public func completedCells(runID: String) async throws -> Set<String> {
        try await read("read the recorded cells of run '\(runID)'") { db in
            try Self.requireRun(db, runID)
            return try String.fetchSet(
                db,
                sql: """
                    SELECT idempotency_key FROM responses WHERE run_id = ?
                    """, arguments: [runID])
        }
    }

    public func responses(runID: String) async throws -> [ResponseRecord] {
        try await read("read the responses of run '\(runID)'") { db in
            try Self.requireRun(db, runID)
            var responses: [ResponseRecord] = []
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT \(ResponseRecord.selectColumns) FROM responses WHERE run_id = ? ORDER BY id
                    """, arguments: [runID])
            while let row = try rows.next() {
                responses.append(try ResponseRecord(row: row))
            }
            return responses
        }
    }

    /// Reads pages with keyset pagination on the `id` column (`id > last seen`),
    /// each page in its own short read transaction.
    public func forEachResponse(
        runID: String,
        pageSize: Int,
        isolation: isolated (any Actor)?,
        _ body: (ResponseRecord) async throws -> Void
    ) async throws {
        let pageSize = max(1, pageSize)
        var lastID: Int64 = 0
        var isFirstPage = true
        while true {
            let (after, checkRun) = (lastID, isFirstPage)
            let page = try await read("read the responses of run '\(runID)'") { db -> ResponsePage in
                if checkRun { try Self.requireRun(db, runID) }
                let statement = try db.cachedStatement(
                    sql: """
                        SELECT \(ResponseRecord.selectColumns), id FROM responses
                        WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?
                        """)
                var page = ResponsePage(records: [], lastID: after)
                page.records.reserveCapacity(pageSize)
                let rows = try Row.fetchCursor(statement, arguments: [runID, after, pageSize])
                while let row = try rows.next() {
                    page.records.append(try ResponseRecord(row: row))
                    page.lastID = row[row.count - 1]
                }
                return page
            }
            isFirstPage = false
            for response in page.records {
                try await body(response)
            }
            guard page.records.count == pageSize else { return }
            lastID = page.lastID
        }
    }

    // MARK: - Diagnosing rejected batches

    /// Finds the first response of a rejected batch that breaks a rule, and
    /// says which rule; `nil` if none is found.
    ///
    /// Called only after SQLite refused the batch, inside the same transaction.
    private static func diagnose(_ batch: [ResponseRecord], in db: Database) throws -> StoreError? {
        var runs: [String: (variants: Set<String>, cases: Set<String>)] = [:]
        for response in batch {
            let key = response.idempotencyKey
            if runs[response.runID] == nil {
                guard try runExists(db, response.runID) else {
                    return StoreError(
                        .invalidRecord, "response '\(key)' belongs to run '\(response.runID)', which is not recorded",
                        hint: "record the run with createRun before its responses")
                }
                let variants = try String.fetchSet(
                    db, sql: "SELECT name FROM run_variants WHERE run_id = ?", arguments: [response.runID])
                let cases = try String.fetchSet(
                    db, sql: "SELECT case_id FROM run_cases WHERE run_id = ?", arguments: [response.runID])
                runs[response.runID] = (variants, cases)
            }
            guard let known = runs[response.runID] else { continue }
            if !known.variants.contains(response.variant) {
                return StoreError(
                    .invalidRecord, "response '\(key)' names variant '\(response.variant)', which run '\(response.runID)' does not have",
                    hint: "record every variant with createRun before its responses")
            }
            if !known.cases.contains(response.caseID) {
                return StoreError(
                    .invalidRecord, "response '\(key)' names case '\(response.caseID)', which run '\(response.runID)' does not have",
                    hint: "record every case with createRun before its responses")
            }
            if response.repeatIndex < 0 || response.attempts < 0 {
                return StoreError(
                    .invalidRecord, "response '\(key)' has a negative repeat index or attempt count")
            }
        }
        return nil
    }
}

/// One page of ``SQLiteResultsStore/forEachResponse(runID:pageSize:isolation:_:)``
/// and the row id to continue after.
private struct ResponsePage: Sendable {
    var records: [ResponseRecord]
    var lastID: Int64
}
