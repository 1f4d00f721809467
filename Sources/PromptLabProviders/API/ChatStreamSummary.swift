/// What is known about a streamed answer once it is complete: everything of ``ChatResponse`` but the text,
/// which arrived as deltas.
///
/// Token counts follow ``ChatResponse``'s convention (``inputTokens`` includes cached tokens). A count is
/// nil when the upstream did not report it: OpenAI-compatible servers that ignore
/// `stream_options.include_usage`, or a provider that never counts.
public struct ChatStreamSummary: Sendable, Hashable, Codable {
    /// The vendor's finish reason as it was sent (`stop`, `length`, `end_turn`, `STOP`, ...).
    public var finishReason: String?
    /// Prompt tokens, including cached ones, when the provider reports them.
    public var inputTokens: Int?
    /// Answer tokens, when the provider reports them.
    public var outputTokens: Int?
    /// Prompt tokens served from the provider's cache, when reported.
    public var cachedTokens: Int?
    /// Prompt tokens written to the provider's cache (Anthropic), when reported.
    public var cacheWriteTokens: Int?
    /// The vendor's request id (`x-request-id`, `request-id`, the message or chunk id, Gemini's `responseId`).
    public var requestID: String?
    /// The model that answered, as the upstream names it (it may be a dated snapshot of the model
    /// requested); the requested model when the upstream does not say.
    public var model: String?
    /// Wall-clock seconds from sending the request of the attempt that succeeded to its last event.
    public var latencySeconds: Double
    /// How many attempts were made, this one included (set by ``RetryingProvider``).
    public var attempts: Int

    /// Creates a summary.
    public init(
        finishReason: String? = nil,
        inputTokens: Int? = nil,
        outputTokens: Int? = nil,
        cachedTokens: Int? = nil,
        cacheWriteTokens: Int? = nil,
        requestID: String? = nil,
        model: String? = nil,
        latencySeconds: Double = 0,
        attempts: Int = 1
    ) {
        self.finishReason = finishReason
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedTokens = cachedTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.requestID = requestID
        self.model = model
        self.latencySeconds = latencySeconds
        self.attempts = attempts
    }

    /// The summary of a whole answer, for providers that stream by sending (``ChatProvider/stream(_:)``'s
    /// default).
    public init(_ response: ChatResponse, model: String?) {
        self.init(
            finishReason: response.finishReason, inputTokens: response.inputTokens, outputTokens: response.outputTokens,
            cachedTokens: response.cachedTokens, cacheWriteTokens: response.cacheWriteTokens, requestID: response.requestID,
            model: model, latencySeconds: response.latencySeconds, attempts: response.attempts)
    }
}

extension ChatResponse {
    /// The answer a complete stream amounts to: its deltas joined, with its summary.
    public init(text: String, summary: ChatStreamSummary) {
        self.init(
            text: text, inputTokens: summary.inputTokens, outputTokens: summary.outputTokens, cachedTokens: summary.cachedTokens,
            cacheWriteTokens: summary.cacheWriteTokens, finishReason: summary.finishReason, requestID: summary.requestID,
            latencySeconds: summary.latencySeconds, attempts: summary.attempts)
    }
}
