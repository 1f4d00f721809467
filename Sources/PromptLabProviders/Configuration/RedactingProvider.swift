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

    /// The base provider's stream with every delta, the summary and the error redacted.
    ///
    /// A secret split over several deltas is caught too (``StreamRedaction``): the end of the text is held
    /// back until the word it belongs to is complete. When the stream fails, the held-back text is dropped
    /// with it.
    func stream(_ request: ChatRequest) -> ChatStream {
        let (base, redactor) = (self.base, self.redactor)
        return ChatStream(provider: name) { continuation throws(ProviderError) in
            var redaction = StreamRedaction(redactor)
            var events = base.stream(request).makeAsyncIterator()
            do throws(ProviderError) {
                while let event = try await events.next() {
                    switch event {
                    case .text(let delta):
                        continuation.yield(.text(redaction.push(delta)))
                    case .finished(var summary):
                        continuation.yield(.text(redaction.finish()))
                        summary.finishReason = redactor(summary.finishReason)
                        summary.requestID = redactor(summary.requestID)
                        summary.model = redactor(summary.model)
                        continuation.yield(.finished(summary))
                    }
                }
            } catch {
                throw redactor(error)
            }
        }
    }
}
