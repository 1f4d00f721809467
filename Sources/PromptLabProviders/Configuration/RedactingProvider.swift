/// The one place where everything a provider returns is redacted against every configured secret.
///
/// Servers, proxies and programs can echo a key anywhere: in a request-id header, an error message, a
/// body preview or the answer itself, and with several providers configured, the key they echo need not
/// be the one of the provider called. ``ProviderRegistry/makeProvider(settings:)`` wraps every provider
/// in this layer with the keys of every provider whose variable is set, so the runner, the graders and
/// the logs of ``RetryingProvider`` (which wraps this layer) only ever see redacted text.
struct RedactingProvider: ChatProvider {
    /// The provider whose answers and errors are redacted.
    let base: any ChatProvider
    let redactor: Redactor

    var name: String { base.name }

    func send(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse {
        var response: ChatResponse
        do {
            response = try await base.send(request)
        } catch {
            throw redactor(error)
        }
        response.text = redactor(response.text)
        response.finishReason = redactor(response.finishReason)
        response.requestID = redactor(response.requestID)
        return response
    }
}
