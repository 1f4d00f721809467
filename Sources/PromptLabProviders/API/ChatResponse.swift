/// A provider's answer to one ``ChatRequest``, normalised across vendors.
///
/// Token counts follow one convention for every vendor: ``inputTokens`` counts *all* prompt tokens,
/// including the ``cachedTokens`` that were read from a prompt cache (Anthropic reports these apart; they are
/// added back here), so that ``Pricing`` can price the uncached and cached parts separately.
public struct ChatResponse: Sendable, Hashable, Codable {
    /// The answer text. Never empty-by-error: a failed request throws instead.
    public var text: String
    /// Prompt tokens, including cached ones, when the provider reports them.
    public var inputTokens: Int?
    /// Answer tokens (including reasoning/thinking tokens where the vendor bills them as output).
    public var outputTokens: Int?
    /// Prompt tokens served from the provider's cache, when reported.
    public var cachedTokens: Int?
    /// Prompt tokens written to the provider's cache by this request (Anthropic's
    /// `cache_creation_input_tokens`), when reported. Included in ``inputTokens``, like ``cachedTokens``;
    /// ``Pricing`` prices them at the cache-write rate.
    public var cacheWriteTokens: Int?
    /// The vendor's finish reason as it was sent (`stop`, `length`, `end_turn`, `STOP`, ...).
    public var finishReason: String?
    /// The vendor's request id (`x-request-id`, `request-id`, or Gemini's `responseId`), for support tickets.
    public var requestID: String?
    /// Wall-clock seconds of the attempt that succeeded.
    public var latencySeconds: Double
    /// How many attempts were made, this one included (1 when no retry was needed).
    public var attempts: Int

    /// Creates a response.
    public init(
        text: String,
        inputTokens: Int? = nil,
        outputTokens: Int? = nil,
        cachedTokens: Int? = nil,
        cacheWriteTokens: Int? = nil,
        finishReason: String? = nil,
        requestID: String? = nil,
        latencySeconds: Double,
        attempts: Int = 1
    ) {
        self.text = text
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedTokens = cachedTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.finishReason = finishReason
        self.requestID = requestID
        self.latencySeconds = latencySeconds
        self.attempts = attempts
    }
}
