/// Something that answers chat requests: a vendor API, a local program, or the built-in baseline.
///
/// A provider makes exactly **one** attempt per call (per iteration of a stream). Retrying, back-off and
/// concurrency limits live in ``RetryingProvider`` alone, so retries never multiply across layers.
public protocol ChatProvider: Sendable {
    /// The provider's short name as used in model references, for example `openai` or `local`.
    var name: String { get }

    /// Sends one request and waits for the whole answer.
    ///
    /// - Parameter request: The request; its `model` is the provider-local model name.
    /// - Returns: The answer, with ``ChatResponse/attempts`` set to 1.
    /// - Throws: ``ProviderError`` for every failure; its description never contains an API key.
    func send(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse

    /// The answer to one request as it is generated: text deltas, then a summary.
    ///
    /// Nothing is sent until the stream is iterated. The vendor providers use their APIs' server-sent
    /// events; the default implementation calls ``send(_:)`` and delivers the whole answer as one delta,
    /// so every provider can stream.
    ///
    /// - Parameter request: The request; its `model` is the provider-local model name.
    /// - Returns: The events; a failure is the stream's ``ProviderError``, before or after some deltas.
    func stream(_ request: ChatRequest) -> ChatStream
}

extension ChatProvider {
    /// Sends the request with ``send(_:)`` and delivers its answer as one delta and a summary.
    public func stream(_ request: ChatRequest) -> ChatStream {
        ChatStream(provider: name) { continuation throws(ProviderError) in
            let response = try await send(request)
            continuation.yield(.text(response.text))
            continuation.yield(.finished(ChatStreamSummary(response, model: request.model)))
        }
    }
}
