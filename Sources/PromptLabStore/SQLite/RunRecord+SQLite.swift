internal import GRDB

extension RunRecord {
    /// The `runs` columns in the order ``init(row:)`` reads them.
    static let selectColumns = """
        id, experiment_name, experiment_path, experiment_yaml, experiment_hash, dataset_hash,
        settings_json, tool_version, status, created_at, finished_at, cell_count, note
        """

    /// Decodes a row selected with ``selectColumns``.
    init(row: Row) throws {
        var reader = ColumnReader(row)
        self.init(
            id: try reader.next(),
            experimentName: try reader.next(),
            experimentPath: try reader.next(),
            experimentYAML: try reader.next(),
            experimentHash: try reader.next(),
            datasetHash: try reader.next(),
            settingsJSON: try reader.next(),
            toolVersion: try reader.next(),
            status: try reader.nextEnum(RunStatus.self),
            createdAt: try reader.nextDate(),
            finishedAt: try reader.nextOptionalDate(),
            cellCount: try reader.next(),
            note: try reader.next())
    }

    /// Inserts the run; fails on a duplicate id.
    func insert(_ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO runs (\(Self.selectColumns))
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            id, experimentName, experimentPath, experimentYAML, experimentHash, datasetHash,
            settingsJSON, toolVersion, status.rawValue, Timestamp.string(from: createdAt),
            finishedAt.map(Timestamp.string(from:)), cellCount, note,
        ])
    }
}
