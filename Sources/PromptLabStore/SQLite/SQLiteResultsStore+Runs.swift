import Foundation
internal import GRDB

extension SQLiteResultsStore {
    // MARK: - Creating and updating runs

    public func createRun(_ run: RunRecord, variants: [RunVariantRecord], cases: [CaseRecord]) async throws {
        try Self.validate(run, variants: variants, cases: cases)
        let path = self.path
        try await write("create run '\(run.id)'") { db in
            guard try !Self.runExists(db, run.id) else {
                throw StoreError(
                    .runAlreadyExists, "run '\(run.id)' already exists in \(path)",
                    hint: "start the run again; every new run gets a fresh id")
            }
            try run.insert(db)
            for (position, variant) in variants.enumerated() {
                try variant.insert(db, position: position)
            }
            for testCase in cases {
                try testCase.insert(db)
            }
        }
    }

    public func updateRunStatus(_ id: String, _ status: RunStatus, finishedAt: Date?, note: String?) async throws {
        try await write("update the status of run '\(id)'") { db in
            guard let current = try String.fetchOne(db, sql: "SELECT status FROM runs WHERE id = ?", arguments: [id])
            else { throw StoreError.runNotFound(id) }
            guard let from = RunStatus(rawValue: current) else {
                throw StoreError(
                    .corrupt, "run '\(id)' has an unknown status '\(current)'",
                    hint: "the file may have been edited by hand; restore it from a backup")
            }
            guard from.canChange(to: status) else {
                throw StoreError(
                    .invalidStatusTransition, "run '\(id)' is \(from) and cannot become \(status)",
                    hint: "a completed run is final; start a new run instead")
            }
            let finished = status == .running ? nil : Timestamp.string(from: finishedAt ?? Date())
            try db.execute(
                sql: "UPDATE runs SET status = ?, finished_at = ?, note = ? WHERE id = ?",
                arguments: [status.rawValue, finished, note, id])
        }
    }

    // MARK: - Reading runs

    public func run(id: String) async throws -> RunRecord {
        try await read("read run '\(id)'") { db in
            try Self.fetchRun(db, id)
        }
    }

    public func summary(runID: String) async throws -> RunSummary {
        try await read("read run '\(runID)'") { db in
            try Self.summarize(db, try Self.fetchRun(db, runID))
        }
    }

    public func runs(experiment: String?, limit: Int) async throws -> [RunSummary] {
        let records = try await runRecords(experiment: experiment, limit: limit)
        return try await read("list runs") { db in try records.map { try Self.summarize(db, $0) } }
    }

    public func runRecords(experiment: String?, limit: Int) async throws -> [RunRecord] {
        guard limit > 0 else { return [] }
        return try await read("list runs") { db in
            let order = "ORDER BY created_at DESC, id DESC LIMIT ?"
            let rows: [Row]
            if let experiment {
                rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(RunRecord.selectColumns) FROM runs WHERE experiment_name = ? \(order)
                        """, arguments: [experiment, limit])
            } else {
                rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(RunRecord.selectColumns) FROM runs \(order)
                        """, arguments: [limit])
            }
            return try rows.map(RunRecord.init(row:))
        }
    }

    public func latestRun(experiment: String) async throws -> RunRecord? {
        try await read("find the latest run of '\(experiment)'") { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT \(RunRecord.selectColumns) FROM runs WHERE experiment_name = ?
                    ORDER BY created_at DESC, id DESC LIMIT 1
                    """, arguments: [experiment]
            ).map(RunRecord.init(row:))
        }
    }

    public func variants(runID: String) async throws -> [RunVariantRecord] {
        try await read("read the variants of run '\(runID)'") { db in
            try Self.requireRun(db, runID)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT \(RunVariantRecord.selectColumns) FROM run_variants WHERE run_id = ? ORDER BY position
                    """, arguments: [runID]
            ).map(RunVariantRecord.init(row:))
        }
    }

    public func cases(runID: String) async throws -> [CaseRecord] {
        try await read("read the cases of run '\(runID)'") { db in
            try Self.requireRun(db, runID)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT \(CaseRecord.selectColumns) FROM run_cases WHERE run_id = ? ORDER BY position, case_id
                    """, arguments: [runID]
            ).map(CaseRecord.init(row:))
        }
    }

    // MARK: - Helpers

    private static func fetchRun(_ db: Database, _ id: String) throws -> RunRecord {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT \(RunRecord.selectColumns) FROM runs WHERE id = ?
                    """, arguments: [id])
        else { throw StoreError.runNotFound(id) }
        return try RunRecord(row: row)
    }

    /// Counts a run's responses. `TOTAL` adds up known costs (0.0 when there
    /// are none); `COUNT(*) - COUNT(cost_usd)` counts the unknown ones.
    private static func summarize(_ db: Database, _ run: RunRecord) throws -> RunSummary {
        let statement = try db.cachedStatement(
            sql: """
                SELECT coalesce(sum(status = 'ok'), 0), coalesce(sum(status = 'error'), 0),
                       coalesce(sum(from_cache), 0), total(cost_usd), count(*) - count(cost_usd)
                FROM responses WHERE run_id = ?
                """)
        guard let row = try Row.fetchOne(statement, arguments: [run.id]) else {
            return RunSummary(run: run, okCount: 0, errorCount: 0, cachedCount: 0, knownCostUSD: 0, unknownCostCount: 0)
        }
        var reader = ColumnReader(row)
        return RunSummary(
            run: run,
            okCount: try reader.next(),
            errorCount: try reader.next(),
            cachedCount: try reader.next(),
            knownCostUSD: try reader.next(),
            unknownCostCount: try reader.next())
    }

    /// Checks what the schema cannot express well, so the message can name the culprit.
    private static func validate(_ run: RunRecord, variants: [RunVariantRecord], cases: [CaseRecord]) throws {
        var names = Set<String>()
        for variant in variants {
            guard variant.runID == run.id else {
                throw StoreError(.invalidRecord, "variant '\(variant.name)' belongs to run '\(variant.runID)', not '\(run.id)'")
            }
            guard names.insert(variant.name).inserted else {
                throw StoreError(
                    .invalidRecord, "variant name '\(variant.name)' appears twice in run '\(run.id)'",
                    hint: "give every variant in the experiment a unique name")
            }
        }
        var caseIDs = Set<String>()
        for testCase in cases {
            guard testCase.runID == run.id else {
                throw StoreError(.invalidRecord, "case '\(testCase.caseID)' belongs to run '\(testCase.runID)', not '\(run.id)'")
            }
            guard caseIDs.insert(testCase.caseID).inserted else {
                throw StoreError(
                    .invalidRecord, "case id '\(testCase.caseID)' appears twice in run '\(run.id)'",
                    hint: "give every case in the dataset a unique id")
            }
        }
        guard run.cellCount >= 0 else {
            throw StoreError(.invalidRecord, "run '\(run.id)' has a negative cell count (\(run.cellCount))")
        }
    }
}
