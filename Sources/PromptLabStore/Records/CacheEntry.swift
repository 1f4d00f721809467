import Foundation

/// A successful provider response kept so that an identical request is not paid for twice.
///
/// The cache is keyed by a content address that the caller computes from the
/// provider, the model, the canonical request and the repeat index (so that
/// repeats of one request stay independent samples). Only successful
/// responses can be cached: the type has no place for an error, and
/// ``init(cacheKey:response:createdAt:)`` returns `nil` for a failed response.
public struct CacheEntry: Sendable, Hashable, Codable {
    /// The content address of the request (hex digest), computed by the caller.
    public var cacheKey: String
    /// The provider that produced the output.
    public var provider: String
    /// The model that produced the output.
    public var model: String
    /// The model's output.
    public var output: String
    /// Prompt tokens reported for the original request.
    public var inputTokens: Int?
    /// Completion tokens reported for the original request.
    public var outputTokens: Int?
    /// Prompt-cache tokens reported for the original request.
    public var cachedTokens: Int?
    /// The original finish reason.
    public var finishReason: String?
    /// The original provider request id.
    public var requestID: String?
    /// When the entry was stored.
    public var createdAt: Date

    /// Creates a cache entry from its parts.
    public init(
        cacheKey: String,
        provider: String,
        model: String,
        output: String,
        inputTokens: Int? = nil,
        outputTokens: Int? = nil,
        cachedTokens: Int? = nil,
        finishReason: String? = nil,
        requestID: String? = nil,
        createdAt: Date = Date()
    ) {
        self.cacheKey = cacheKey
        self.provider = provider
        self.model = model
        self.output = output
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedTokens = cachedTokens
        self.finishReason = finishReason
        self.requestID = requestID
        self.createdAt = createdAt
    }

    /// Creates a cache entry from a recorded response, or `nil` if the response failed.
    ///
    /// - Parameters:
    ///   - cacheKey: The content address of the request that produced `response`.
    ///   - response: A response fresh from the provider.
    ///   - createdAt: When the entry is stored; now by default.
    public init?(cacheKey: String, response: ResponseRecord, createdAt: Date = Date()) {
        guard case .success(let output) = response.outcome else { return nil }
        self.init(
            cacheKey: cacheKey,
            provider: response.provider,
            model: response.model,
            output: output,
            inputTokens: response.inputTokens,
            outputTokens: response.outputTokens,
            cachedTokens: response.cachedTokens,
            finishReason: response.finishReason,
            requestID: response.requestID,
            createdAt: createdAt
        )
    }
}
