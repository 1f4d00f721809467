internal import GRDB

extension VerdictRecord {
    /// The `review_verdicts` columns in the order ``init(row:)`` reads them (`id` excluded).
    static let selectColumns = """
        run_id, case_id, variant_a, variant_b, shown_left, verdict, reviewer, created_at
        """

    /// Decodes a row selected with ``selectColumns``.
    init(row: Row) throws {
        var reader = ColumnReader(row)
        self.init(
            runID: try reader.next(),
            caseID: try reader.next(),
            variantA: try reader.next(),
            variantB: try reader.next(),
            shownLeft: try reader.next(),
            verdict: try reader.nextEnum(Verdict.self),
            reviewer: try reader.next(),
            createdAt: try reader.nextDate())
    }

    /// Inserts the verdict, or replaces the reviewer's earlier verdict on the same case and pair.
    func upsert(_ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO review_verdicts (\(Self.selectColumns))
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (run_id, case_id, variant_a, variant_b, reviewer) DO UPDATE SET
                    shown_left = excluded.shown_left,
                    verdict = excluded.verdict,
                    created_at = excluded.created_at
                """
        ).execute(arguments: [
            runID, caseID, variantA, variantB, shownLeft, verdict.rawValue, reviewer,
            Timestamp.string(from: createdAt),
        ])
    }
}
