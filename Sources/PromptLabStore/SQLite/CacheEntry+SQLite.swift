internal import GRDB

extension CacheEntry {
    /// The `response_cache` columns in the order ``init(row:)`` reads them.
    static let selectColumns = """
        cache_key, provider, model, output, input_tokens, output_tokens, cached_tokens,
        finish_reason, request_id, created_at
        """

    /// Decodes a row selected with ``selectColumns``.
    init(row: Row) throws {
        var reader = ColumnReader(row)
        self.init(
            cacheKey: try reader.next(),
            provider: try reader.next(),
            model: try reader.next(),
            output: try reader.next(),
            inputTokens: try reader.next(),
            outputTokens: try reader.next(),
            cachedTokens: try reader.next(),
            finishReason: try reader.next(),
            requestID: try reader.next(),
            createdAt: try reader.nextDate())
    }

    /// Inserts the entry, replacing any entry with the same key.
    func insertOrReplace(_ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO response_cache (\(Self.selectColumns))
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            cacheKey, provider, model, output, inputTokens, outputTokens, cachedTokens,
            finishReason, requestID, Timestamp.string(from: createdAt),
        ])
    }
}
