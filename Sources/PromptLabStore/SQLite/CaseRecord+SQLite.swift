internal import GRDB

extension CaseRecord {
    /// The `run_cases` columns in the order ``init(row:)`` reads them.
    static let selectColumns = "run_id, case_id, position, variables_json, expected, metadata_json"

    /// Decodes a row selected with ``selectColumns``.
    init(row: Row) throws {
        var reader = ColumnReader(row)
        self.init(
            runID: try reader.next(),
            caseID: try reader.next(),
            position: try reader.next(),
            variablesJSON: try reader.next(),
            expected: try reader.next(),
            metadataJSON: try reader.next())
    }

    /// Inserts the case.
    func insert(_ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO run_cases (\(Self.selectColumns)) VALUES (?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [runID, caseID, position, variablesJSON, expected, metadataJSON])
    }
}
