import Foundation
internal import GRDB

extension SQLiteResultsStore {
    public func stateToken(runID: String) async throws -> String {
        try await read("read the state of run '\(runID)'") { db in
            try Self.requireRun(db, runID)
            // max(id) of an indexed run_id is one index probe, not a scan.
            let status = try String.fetchOne(db, sql: "SELECT status FROM runs WHERE id = ?", arguments: [runID]) ?? ""
            let response = try Int64.fetchOne(db, sql: "SELECT max(id) FROM responses WHERE run_id = ?", arguments: [runID]) ?? 0
            let grade = try Int64.fetchOne(db, sql: "SELECT max(id) FROM grades WHERE run_id = ?", arguments: [runID]) ?? 0
            let verdicts =
                try String.fetchOne(
                    db, sql: "SELECT max(id) || ':' || count(*) FROM review_verdicts WHERE run_id = ?", arguments: [runID]) ?? ""
            return "\(runID)|\(status)|\(response)|\(grade)|\(verdicts)"
        }
    }

    public func responses(runID: String, caseIDs: [String]) async throws -> [ResponseRecord] {
        try await read("read the responses of run '\(runID)'") { db in
            try Self.requireRun(db, runID)
            let variants = try String.fetchAll(db, sql: "SELECT name FROM run_variants WHERE run_id = ?", arguments: [runID])
            let statement = try db.cachedStatement(
                sql: """
                    SELECT \(ResponseRecord.selectColumns) FROM responses
                    WHERE idempotency_key >= ? AND idempotency_key < ?
                    """)
            var responses = [ResponseRecord]()
            // A cell's key is `run|variant|case|repeat`: one short key range per variant and case.
            for caseID in Set(caseIDs) {
                for variant in variants {
                    let prefix = String(
                        ResponseRecord.idempotencyKey(runID: runID, variant: variant, caseID: caseID, repeatIndex: 0).dropLast())
                    let rows = try Row.fetchCursor(statement, arguments: [prefix, String(prefix.dropLast()) + "}"])
                    while let row = try rows.next() {
                        let response = try ResponseRecord(row: row)
                        if response.caseID == caseID && response.runID == runID { responses.append(response) }
                    }
                }
            }
            return responses
        }
    }

    public func grades(runID: String, responseKeys: [String]) async throws -> [GradeRecord] {
        try await read("read the grades of run '\(runID)'") { db in
            try Self.requireRun(db, runID)
            // Only response_key is constrained: with run_id too, SQLite may pick the run's index and
            // scan every grade of the run for each key. Keys start with the run id anyway.
            let statement = try db.cachedStatement(
                sql: "SELECT \(GradeRecord.selectColumns) FROM grades WHERE response_key = ? ORDER BY id")
            var grades = [GradeRecord]()
            for key in Set(responseKeys) {
                grades.append(
                    contentsOf: try Row.fetchAll(statement, arguments: [key]).map(GradeRecord.init(row:)).filter { $0.runID == runID })
            }
            return grades.sorted { $0.createdAt < $1.createdAt }
        }
    }

    public func caseIDs(runID: String, containing text: String) async throws -> Set<String> {
        try await read("search the cases of run '\(runID)'") { db in
            try Self.requireRun(db, runID)
            // instr() on lower() instead of LIKE: the text needs no escaping of % and _.
            var found = try String.fetchSet(
                db,
                sql: """
                    SELECT case_id FROM run_cases WHERE run_id = ?1
                    AND (instr(lower(variables_json), lower(?2)) > 0 OR instr(lower(ifnull(expected, '')), lower(?2)) > 0)
                    """, arguments: [runID, text])
            found.formUnion(
                try String.fetchSet(
                    db,
                    sql: """
                        SELECT DISTINCT case_id FROM responses
                        WHERE run_id = ?1 AND instr(lower(ifnull(output, '')), lower(?2)) > 0
                        """, arguments: [runID, text]))
            return found
        }
    }
}
