import NIOHTTP1

/// Reads a whole streamed answer body as a provider's stream reader does, in chunks of a given size:
/// the server-sent-event parser, then the vendor's decoder. For tools that replay recorded bodies and
/// for the fuzz target, which feeds it arbitrary bytes; the live path is the providers' `stream(_:)`.
public enum StreamedBody {
    /// The vendors whose streaming formats PromptLab reads.
    public enum Vendor: Sendable, CaseIterable {
        case openAI, anthropic, gemini
    }

    /// The events `body` carries, delivered `chunkSize` bytes at a time.
    ///
    /// - Throws: ``ProviderError`` for what the live stream would fail with: an oversized line or event,
    ///   an error event, a malformed event, or a body that ends before the answer is complete.
    public static func events(of body: [UInt8], vendor: Vendor, chunkSize: Int) throws(ProviderError) -> [ChatStreamEvent] {
        switch vendor {
        case .openAI: try read(body, chunkSize: chunkSize, OpenAIStreamDecoder(headers: HTTPHeaders(), model: "m", provider: "openai"))
        case .anthropic:
            try read(body, chunkSize: chunkSize, AnthropicStreamDecoder(headers: HTTPHeaders(), model: "m", provider: "anthropic"))
        case .gemini: try read(body, chunkSize: chunkSize, GeminiStreamDecoder(headers: HTTPHeaders(), model: "m", provider: "gemini"))
        }
    }

    private static func read(_ body: [UInt8], chunkSize: Int, _ decoder: some ChatStreamDecoder) throws(ProviderError) -> [ChatStreamEvent]
    {
        var decoder = decoder
        var parser = ServerSentEventParser()
        var output = [ChatStreamEvent]()
        let step = max(1, chunkSize)
        var start = 0
        while start < body.count {
            let end = min(body.count, start + step)
            let events: [ServerSentEvent]
            do throws(ServerSentEventError) {
                events = try parser.parse(body[start..<end])
            } catch {
                throw ProviderError(.malformedResponse("the event stream broke a limit: \(error)"), provider: decoder.provider)
            }
            for event in events {
                output += try decoder.read(event)
                if decoder.isComplete { return output }
            }
            start = end
        }
        return output + (try decoder.end())
    }
}
