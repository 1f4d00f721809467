/// Something that answers chat requests: a vendor API, a local program, or the built-in baseline.
///
/// A provider makes exactly **one** attempt per call. Retrying, back-off and concurrency limits live in
/// ``RetryingProvider`` alone, so retries never multiply across layers.
public protocol ChatProvider: Sendable {
    /// The provider's short name as used in model references, for example `openai` or `local`.
    var name: String { get }

    /// Sends one request and waits for the whole answer.
    ///
    /// - Parameter request: The request; its `model` is the provider-local model name.
    /// - Returns: The answer, with ``ChatResponse/attempts`` set to 1.
    /// - Throws: ``ProviderError`` for every failure; its description never contains an API key.
    func send(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse
}
