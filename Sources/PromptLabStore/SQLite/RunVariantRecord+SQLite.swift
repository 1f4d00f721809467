internal import GRDB

extension RunVariantRecord {
    /// The `run_variants` columns in the order ``init(row:)`` reads them.
    static let selectColumns = """
        run_id, name, is_control, prompt_reference, prompt_name, version, commit_sha,
        template_hash, model, config_json
        """

    /// Decodes a row selected with ``selectColumns``.
    init(row: Row) throws {
        var reader = ColumnReader(row)
        self.init(
            runID: try reader.next(),
            name: try reader.next(),
            isControl: try reader.nextBool(),
            promptReference: try reader.next(),
            promptName: try reader.next(),
            version: try reader.next(),
            commitSHA: try reader.next(),
            templateHash: try reader.next(),
            model: try reader.next(),
            configJSON: try reader.next())
    }

    /// Inserts the variant at the given position in the run's variant list.
    func insert(_ db: Database, position: Int) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO run_variants (\(Self.selectColumns), position)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            runID, name, isControl, promptReference, promptName, version, commitSHA,
            templateHash, model, configJSON, position,
        ])
    }
}
