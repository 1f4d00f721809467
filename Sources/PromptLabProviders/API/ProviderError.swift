/// Why a provider call failed.
///
/// Every failure of this module is a `ProviderError`. Its ``description`` is a single line that a person can
/// act on; it never contains an API key (vendor messages are redacted before they are stored here).
public struct ProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable {
        /// The server answered with a non-2xx status. `type`, `code` and `message` are the vendor's error
        /// fields when the body had them (`error.type` / `error.code` / `error.message`; Gemini's `status`
        /// string is reported as `type`).
        case http(status: Int, type: String?, code: String?, message: String?)
        /// The connection failed or was closed before a complete response arrived.
        case transport(String)
        /// The attempt did not finish within its time limit.
        case timeout(seconds: Double)
        /// The server or program answered, but not with the expected shape.
        case malformedResponse(String)
        /// The environment variable that should hold the API key is unset or empty.
        case missingAPIKey(String)
        /// The model reference or the settings cannot work (unknown provider, bad URL, ...).
        case invalidConfiguration(String)
        /// An `exec/` program failed: a non-zero exit status, death by a signal, or an `error` it reported.
        case execFailed(exitStatus: Int32?, signal: Int32?, detail: String)
        /// The provider withheld the answer: a refusal (OpenAI's `refusal`, Anthropic's `refusal` stop
        /// reason), a content filter (`finish_reason: content_filter`, Gemini's `SAFETY`, `RECITATION`, ...)
        /// or a blocked prompt (Gemini's `promptFeedback.blockReason`). Asking again gets the same answer.
        case contentFiltered(String)
        /// The model finished without a text answer, for a reason the vendor states: a tool call
        /// (`tool_calls`, `tool_use`), a full context window (`model_context_window_exceeded`), a paused
        /// turn. Asking again gets the same answer, so it is not retried.
        case noTextAnswer(String)
        /// The request holds something this provider or model cannot take, found before anything was
        /// sent: a media part of a type it does not accept, media in a role it does not allow, an invalid
        /// `data:` URI, a setting the vendor has no equivalent for. Asking again gets the same answer.
        case unsupportedInput(String)
        /// The calling task was cancelled.
        case cancelled
    }

    /// What went wrong.
    public var kind: Kind
    /// The provider's name (`openai`, `anthropic`, ...).
    public var provider: String
    /// How long the server asked the client to wait (`retry-after-ms` or `retry-after`), uncapped.
    public var retryAfter: Duration?
    /// The vendor's request id, when the failed response carried one.
    public var requestID: String?
    /// How many attempts were made before giving up: set by ``RetryingProvider``, 1 for a single call,
    /// 0 when the error was found before anything was sent (``ProviderSettings/validate()``).
    public var attempts: Int
    /// The vendor's finish (stop) reason when a complete response held no usable answer
    /// (`content_filter`, `refusal`, `tool_use`, `SAFETY`, ...), so that it is stored with the error.
    public var finishReason: String?
    /// The quota a 429 exhausted when it is one that waiting minutes cannot restore: a per-day quota
    /// named in Gemini's `google.rpc.QuotaFailure` (`GenerateRequestsPerDayPerProjectPerModel`, ...).
    /// Such a failure is not retried, like OpenAI's `insufficient_quota`.
    public var dailyQuota: String?
    /// What to do about it, when the error knows better than its caller (an unusable base URL says which
    /// setting to change). Not part of ``description``.
    public var hint: String?

    /// Creates an error.
    public init(
        _ kind: Kind,
        provider: String,
        retryAfter: Duration? = nil,
        requestID: String? = nil,
        attempts: Int = 1,
        finishReason: String? = nil
    ) {
        self.kind = kind
        self.provider = provider
        self.retryAfter = retryAfter
        self.requestID = requestID
        self.attempts = attempts
        self.finishReason = finishReason
    }

    // MARK: - Classification

    /// The HTTP status, for ``Kind/http(status:type:code:message:)`` errors.
    public var httpStatus: Int? {
        if case .http(let status, _, _, _) = kind { return status }
        return nil
    }

    /// Whether the account is out of credit (OpenAI's 429 `insufficient_quota`). Retrying cannot help.
    public var isInsufficientQuota: Bool {
        if case .http(_, let type, let code, _) = kind {
            return type == "insufficient_quota" || code == "insufficient_quota"
        }
        return false
    }

    /// Whether the failure is a quota that retrying cannot restore soon: out of credit
    /// (``isInsufficientQuota``) or a per-day quota (``dailyQuota``).
    public var isUnrecoverableQuota: Bool {
        isInsufficientQuota || dailyQuota != nil
    }

    /// Whether the server said it is overloaded or rate limiting (429 other than an unrecoverable quota,
    /// or Anthropic's 529). The ``AdaptiveConcurrencyLimiter`` halves its limit on these.
    public var isOverload: Bool {
        guard let status = httpStatus else { return false }
        return (status == 429 && !isUnrecoverableQuota) || status == 529
    }

    /// Whether another attempt may succeed.
    ///
    /// Retryable: HTTP 408, 409, 429 (but not `insufficient_quota` or a per-day quota), every 5xx and 529;
    /// transport errors; timeouts; malformed (unparseable) responses; and `exec/` programs that exit with
    /// status 75 (`EX_TEMPFAIL`). Never retried: 400, 401, 403, 404 and other 4xx, missing keys, bad
    /// configuration, unsupported input, content filters and refusals, answers without text, cancellation. See <https://platform.openai.com/docs/guides/error-codes> and
    /// <https://docs.anthropic.com/en/api/errors>.
    public var isRetryable: Bool {
        switch kind {
        case .http(let status, _, _, _):
            if isUnrecoverableQuota { return false }
            return status == 408 || status == 409 || status == 429 || (500...599).contains(status)
        case .transport, .timeout, .malformedResponse:
            return true
        case .execFailed(let exitStatus, _, _):
            return exitStatus == 75
        case .missingAPIKey, .invalidConfiguration, .unsupportedInput, .contentFiltered, .noTextAnswer, .cancelled:
            return false
        }
    }

    // MARK: - Description

    /// One line: the provider, what failed and, where known, the request id and attempt count.
    public var description: String {
        var line = "\(provider): \(kindDescription)"
        var notes: [String] = []
        if let dailyQuota { notes.append("daily quota \(dailyQuota) exhausted") }
        if let retryAfter { notes.append("retry after \(formatSeconds(retryAfter.seconds))") }
        if let requestID { notes.append("request id \(requestID)") }
        if attempts > 1 { notes.append("after \(attempts) attempts") }
        if !notes.isEmpty { line += " (\(notes.joined(separator: ", ")))" }
        return ProviderError.oneLine(line, limit: 500)
    }

    private var kindDescription: String {
        switch kind {
        case .http(let status, let type, let code, let message):
            var parts = ["HTTP \(status)"]
            if let type, !type.isEmpty { parts.append(type) }
            if let code, !code.isEmpty, code != type { parts.append(code) }
            var text = parts.joined(separator: " ")
            if let message, !message.isEmpty { text += ": \(message)" }
            return text
        case .transport(let detail):
            return "connection failed: \(detail)"
        case .timeout(let seconds):
            return "no complete answer within \(formatSeconds(seconds))"
        case .malformedResponse(let detail):
            return "malformed response: \(detail)"
        case .missingAPIKey(let variable):
            return "missing API key: set the environment variable \(variable)"
        case .invalidConfiguration(let detail):
            return "invalid configuration: \(detail)"
        case .execFailed(_, _, let detail):
            return "command failed: \(detail)"
        case .contentFiltered(let detail):
            return "answer withheld by the provider: \(detail)"
        case .noTextAnswer(let detail):
            return "no text answer: \(detail)"
        case .unsupportedInput(let detail):
            return "unsupported input: \(detail)"
        case .cancelled:
            return "cancelled"
        }
    }

    /// Collapses whitespace runs (including newlines) to one space and truncates to `limit` characters.
    static func oneLine(_ text: String, limit: Int) -> String {
        var result = ""
        result.reserveCapacity(min(text.utf8.count, limit + 1))
        var lastWasSpace = false
        for character in text {
            if character.isWhitespace || character.isNewline {
                if !lastWasSpace && !result.isEmpty { result.append(" ") }
                lastWasSpace = true
            } else {
                result.append(character)
                lastWasSpace = false
            }
            if result.count > limit {
                return String(result.prefix(limit - 1)) + "…"
            }
        }
        if result.hasSuffix(" ") { result.removeLast() }
        return result
    }
}

// MARK: - Helpers

func formatSeconds(_ seconds: Double) -> String {
    if seconds < 10 {
        let rounded = (seconds * 1000).rounded() / 1000
        return "\(rounded)s"
    }
    return "\(Int(seconds.rounded()))s"
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}

extension ProviderError {
    /// A short, stable name for the kind of failure, stored with error rows.
    public var kindName: String {
        switch kind {
        case .http(let status, _, _, _): isInsufficientQuota ? "insufficient_quota" : "http_\(status)"
        case .transport: "transport"
        case .timeout: "timeout"
        case .malformedResponse: "malformed_response"
        case .missingAPIKey: "missing_api_key"
        case .invalidConfiguration: "invalid_configuration"
        case .execFailed: "exec_failed"
        case .contentFiltered: "content_filtered"
        case .noTextAnswer: "no_text_answer"
        case .unsupportedInput: "unsupported_input"
        case .cancelled: "cancelled"
        }
    }
}
