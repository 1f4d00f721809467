internal import GRDB

extension SQLiteResultsStore {
    // MARK: - Grades

    @discardableResult
    public func insertGrades(_ grades: [GradeRecord]) async throws -> Int {
        guard !grades.isEmpty else { return 0 }
        return try await write("record \(grades.count) grades") { db in
            let owner = try db.cachedStatement(sql: "SELECT run_id FROM responses WHERE idempotency_key = ?")
            var inserted = 0
            for grade in grades {
                guard let runID = try String.fetchOne(owner, arguments: [grade.responseKey]) else {
                    throw StoreError(
                        .invalidRecord, "grade by '\(grade.grader)' refers to response '\(grade.responseKey)', which is not recorded",
                        hint: "grade only responses that were recorded with insertResponses")
                }
                guard runID == grade.runID else {
                    throw StoreError(
                        .invalidRecord,
                        "grade by '\(grade.grader)' says run '\(grade.runID)', but response '\(grade.responseKey)' belongs to run '\(runID)'"
                    )
                }
                if try grade.insertIfNew(db) { inserted += 1 }
            }
            return inserted
        }
    }

    public func grades(runID: String) async throws -> [GradeRecord] {
        try await read("read the grades of run '\(runID)'") { db in
            try Self.requireRun(db, runID)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT \(GradeRecord.selectColumns) FROM grades WHERE run_id = ? ORDER BY id
                    """, arguments: [runID]
            ).map(GradeRecord.init(row:))
        }
    }

    // MARK: - Human review verdicts

    public func insertVerdict(_ verdict: VerdictRecord) async throws {
        guard verdict.variantA != verdict.variantB else {
            throw StoreError(.invalidRecord, "a review compares two different variants, but both are '\(verdict.variantA)'")
        }
        guard verdict.shownLeft == verdict.variantA || verdict.shownLeft == verdict.variantB else {
            throw StoreError(
                .invalidRecord,
                "verdict says '\(verdict.shownLeft)' was shown on the left, but the pair is '\(verdict.variantA)' and '\(verdict.variantB)'"
            )
        }
        try await write("record a review verdict") { db in
            try Self.requireRun(db, verdict.runID)
            let variants = try String.fetchSet(
                db, sql: "SELECT name FROM run_variants WHERE run_id = ?", arguments: [verdict.runID])
            for name in [verdict.variantA, verdict.variantB] where !variants.contains(name) {
                throw StoreError(.invalidRecord, "run '\(verdict.runID)' has no variant '\(name)'")
            }
            guard
                try Int.fetchOne(
                    db, sql: "SELECT 1 FROM run_cases WHERE run_id = ? AND case_id = ?",
                    arguments: [verdict.runID, verdict.caseID]) != nil
            else {
                throw StoreError(.invalidRecord, "run '\(verdict.runID)' has no case '\(verdict.caseID)'")
            }
            try verdict.upsert(db)
        }
    }

    public func verdicts(runID: String, reviewer: String?) async throws -> [VerdictRecord] {
        try await read("read the review verdicts of run '\(runID)'") { db in
            try Self.requireRun(db, runID)
            let select = "SELECT \(VerdictRecord.selectColumns) FROM review_verdicts WHERE run_id = ?"
            let rows: [Row]
            if let reviewer {
                rows = try Row.fetchAll(
                    db, sql: "\(select) AND reviewer = ? ORDER BY created_at, id",
                    arguments: [runID, reviewer])
            } else {
                rows = try Row.fetchAll(db, sql: "\(select) ORDER BY created_at, id", arguments: [runID])
            }
            return try rows.map(VerdictRecord.init(row:))
        }
    }
}
