internal import GRDB

extension GradeRecord {
    /// The `grades` columns in the order ``init(row:)`` reads them (`id` excluded).
    static let selectColumns = """
        run_id, response_key, grader, config_hash, score, passed, reason, raw_judge_output,
        pair_order, created_at
        """

    /// Decodes a row selected with ``selectColumns``.
    init(row: Row) throws {
        var reader = ColumnReader(row)
        self.init(
            runID: try reader.next(),
            responseKey: try reader.next(),
            grader: try reader.next(),
            configHash: try reader.next(),
            score: try reader.next(),
            passed: try reader.nextOptionalBool(),
            reason: try reader.next(),
            rawJudgeOutput: try reader.next(),
            order: try reader.nextOptionalEnum(PairOrder.self),
            createdAt: try reader.nextDate())
    }

    /// Inserts the grade unless an identical grade (same response, grader, config and order) exists.
    ///
    /// - Returns: Whether a row was inserted.
    func insertIfNew(_ db: Database) throws -> Bool {
        try db.cachedStatement(
            sql: """
                INSERT INTO grades (\(Self.selectColumns))
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """
        ).execute(arguments: [
            runID, responseKey, grader, configHash, score, passed, reason, rawJudgeOutput,
            order?.rawValue, Timestamp.string(from: createdAt),
        ])
        return db.changesCount > 0
    }
}
