internal import GRDB

extension ResponseRecord {
    /// The `responses` columns in the order ``init(row:)`` reads them (`id` excluded).
    static let selectColumns = """
        run_id, variant, case_id, repeat_index, status, output, error_kind, error_message,
        input_tokens, output_tokens, cached_tokens, latency_ms, attempts, finish_reason,
        request_id, cost_usd, provider, model, request_hash, from_cache, started_at, finished_at
        """

    /// Inserts a response unless its idempotency key is already recorded.
    ///
    /// The statement is prepared once per connection and reused.
    static let insertSQL = """
        INSERT INTO responses (idempotency_key, \(selectColumns))
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (idempotency_key) DO NOTHING
        """

    /// Decodes a row selected with ``selectColumns``.
    init(row: Row) throws {
        var reader = ColumnReader(row)
        let runID: String = try reader.next()
        let variant: String = try reader.next()
        let caseID: String = try reader.next()
        let repeatIndex: Int = try reader.next()
        let status = try reader.nextEnum(Status.self)
        let output: String? = try reader.next()
        let errorKind: String? = try reader.next()
        let errorMessage: String? = try reader.next()
        let outcome: Outcome
        switch (status, output, errorKind) {
        case (.ok, let output?, _):
            outcome = .success(output: output)
        case (.error, nil, let kind?):
            outcome = .failure(kind: kind, message: errorMessage ?? "")
        default:  // excluded by the table's CHECK constraint
            throw StoreError(
                .corrupt, "response '\(runID)|\(variant)|\(caseID)|\(repeatIndex)' is neither a success nor an error",
                hint: "the file may have been edited by hand; restore it from a backup")
        }
        self.init(
            runID: runID,
            variant: variant,
            caseID: caseID,
            repeatIndex: repeatIndex,
            outcome: outcome,
            inputTokens: try reader.next(),
            outputTokens: try reader.next(),
            cachedTokens: try reader.next(),
            latencyMs: try reader.next(),
            attempts: try reader.next(),
            finishReason: try reader.next(),
            requestID: try reader.next(),
            costUSD: try reader.next(),
            provider: try reader.next(),
            model: try reader.next(),
            requestHash: try reader.next(),
            fromCache: try reader.nextBool(),
            startedAt: try reader.nextDate(),
            finishedAt: try reader.nextDate())
    }

    /// The arguments of ``insertSQL``, in column order.
    var insertArguments: StatementArguments {
        let output: String?
        let errorKind: String?
        let errorMessage: String?
        switch outcome {
        case .success(let text):
            (output, errorKind, errorMessage) = (text, nil, nil)
        case .failure(let kind, let message):
            (output, errorKind, errorMessage) = (nil, kind, message)
        }
        return [
            idempotencyKey, runID, variant, caseID, repeatIndex, status.rawValue,
            output, errorKind, errorMessage, inputTokens, outputTokens, cachedTokens, latencyMs,
            attempts, finishReason, requestID, costUSD, provider, model, requestHash,
            fromCache, Timestamp.string(from: startedAt), Timestamp.string(from: finishedAt),
        ]
    }
}
