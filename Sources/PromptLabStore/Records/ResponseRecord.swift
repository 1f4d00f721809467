import Foundation

/// The recorded result of one cell: one variant × one case × one repeat.
///
/// A response either succeeded, with the model's output, or failed, with an
/// error kind and message; ``Outcome`` makes it impossible to record an error
/// as an empty successful output. Every response carries the attempt count,
/// latency, token usage, finish reason and provider request id where known.
///
/// Each cell has exactly one row, identified by ``idempotencyKey``:
/// inserting the same cell again is ignored (see
/// ``ResultsStore/insertResponses(_:)``).
public struct ResponseRecord: Sendable, Hashable, Codable {
    /// Whether a response succeeded, as stored in the `status` column.
    public enum Status: String, Sendable, Hashable, Codable, CustomStringConvertible {
        /// The provider returned an output.
        case ok
        /// No usable output: the request failed after all retries, or was refused.
        case error

        public var description: String { rawValue }
    }

    /// What the provider gave back.
    public enum Outcome: Sendable, Hashable, Codable {
        /// The model's text output (possibly empty, if the model really said nothing).
        case success(output: String)
        /// The request failed.
        ///
        /// - `kind`: a short, stable machine-readable category chosen by the
        ///   caller, such as `rate_limited`, `timeout`, `http_400`, `content_filter`.
        /// - `message`: the human-readable detail.
        case failure(kind: String, message: String)
    }

    /// The run the cell belongs to.
    public var runID: String
    /// The variant's name (``RunVariantRecord/name``).
    public var variant: String
    /// The case's identifier (``CaseRecord/caseID``).
    public var caseID: String
    /// The 0-based repeat number of this cell.
    public var repeatIndex: Int
    /// The output or the error.
    public var outcome: Outcome
    /// Prompt tokens billed, when the provider reported them.
    public var inputTokens: Int?
    /// Completion tokens billed, when the provider reported them.
    public var outputTokens: Int?
    /// Prompt tokens served from the provider's prompt cache, when reported.
    public var cachedTokens: Int?
    /// Wall-clock time of the successful (or last) attempt, in milliseconds.
    public var latencyMs: Double?
    /// How many HTTP attempts were made, including the first (1 means no retry).
    public var attempts: Int
    /// The provider's finish reason, such as `stop`, `length` or `end_turn`.
    public var finishReason: String?
    /// The provider's request id, for support tickets.
    public var requestID: String?
    /// Cost in US dollars; `nil` means *unknown* (for example an unpriced model), never free.
    ///
    /// Record `0` only for responses known to be free, such as local cache hits.
    public var costUSD: Double?
    /// The provider's name, such as `openai` or `anthropic`.
    public var provider: String
    /// The model that answered, as the provider named it.
    public var model: String
    /// A content hash of the canonical request that was sent (hex).
    public var requestHash: String
    /// Whether the output came from the local response cache rather than the provider.
    public var fromCache: Bool
    /// When the first attempt started.
    public var startedAt: Date
    /// When the last attempt finished.
    public var finishedAt: Date

    /// Creates a response record.
    ///
    /// Dates are stored with millisecond precision.
    public init(
        runID: String,
        variant: String,
        caseID: String,
        repeatIndex: Int,
        outcome: Outcome,
        inputTokens: Int? = nil,
        outputTokens: Int? = nil,
        cachedTokens: Int? = nil,
        latencyMs: Double? = nil,
        attempts: Int = 1,
        finishReason: String? = nil,
        requestID: String? = nil,
        costUSD: Double? = nil,
        provider: String,
        model: String,
        requestHash: String,
        fromCache: Bool = false,
        startedAt: Date,
        finishedAt: Date
    ) {
        self.runID = runID
        self.variant = variant
        self.caseID = caseID
        self.repeatIndex = repeatIndex
        self.outcome = outcome
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedTokens = cachedTokens
        self.latencyMs = latencyMs
        self.attempts = attempts
        self.finishReason = finishReason
        self.requestID = requestID
        self.costUSD = costUSD
        self.provider = provider
        self.model = model
        self.requestHash = requestHash
        self.fromCache = fromCache
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    // MARK: - Derived values

    /// The cell's unique key, `runID|variant|caseID|repeatIndex`; see ``idempotencyKey(runID:variant:caseID:repeatIndex:)``.
    public var idempotencyKey: String {
        Self.idempotencyKey(runID: runID, variant: variant, caseID: caseID, repeatIndex: repeatIndex)
    }

    /// ``Status/ok`` for a success, ``Status/error`` for a failure.
    public var status: Status {
        if case .success = outcome { return .ok }
        return .error
    }

    /// The model's output, or `nil` for a failed response.
    public var output: String? {
        if case .success(let output) = outcome { return output }
        return nil
    }

    /// The error category, or `nil` for a successful response.
    public var errorKind: String? {
        if case .failure(let kind, _) = outcome { return kind }
        return nil
    }

    /// The error detail, or `nil` for a successful response.
    public var errorMessage: String? {
        if case .failure(_, let message) = outcome { return message }
        return nil
    }

    /// The idempotency key of a cell: `runID|variant|caseID|repeatIndex`.
    ///
    /// So that the key is unambiguous whatever the names contain, `%` and `|`
    /// inside a component are written as `%25` and `%7C`. Names without those
    /// characters appear unchanged, for example `r-20261130-014512-3fa9|control|case-7|0`.
    ///
    /// - Returns: The key stored in `responses.idempotency_key`.
    public static func idempotencyKey(runID: String, variant: String, caseID: String, repeatIndex: Int) -> String {
        "\(escapeKeyComponent(runID))|\(escapeKeyComponent(variant))|\(escapeKeyComponent(caseID))|\(repeatIndex)"
    }

    private static func escapeKeyComponent(_ text: String) -> String {
        guard needsEscaping(text) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 6)
        for character in text.unicodeScalars {
            switch character {
            case "%": escaped += "%25"
            case "|": escaped += "%7C"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// Whether `text` contains `|` or `%` (checked on the raw bytes: this runs for every recorded response).
    private static func needsEscaping(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "|") || bytes[index] == UInt8(ascii: "%") { return true }
                index += 1
            }
            return false
        }
    }
}
