/// `local/echo`: answers instantly with the last user message. Meant for benchmarks of the runner itself.
public struct EchoProvider: ChatProvider {
    public let name = "local"

    /// Creates the echo provider.
    public init() {}

    public func send(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse {
        try MediaSupport.textOnly.check(request.messages, provider: name)
        let text = request.messages.last(where: { $0.role == .user })?.content ?? ""
        return ChatResponse(
            text: text,
            inputTokens: request.messages.reduce(0) { $0 + BagOfWords.whitespaceTokenCount($1.content) },
            outputTokens: BagOfWords.whitespaceTokenCount(text),
            finishReason: "stop",
            latencySeconds: 0,
            attempts: 1
        )
    }
}
