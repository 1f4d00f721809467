import Foundation
import NIOCore
import NIOHTTP1

extension AnthropicProvider {
    /// Streams the answer with `"stream": true`.
    ///
    /// Reads the events `message_start` (id, model, input usage), `content_block_delta` (its `text_delta`s
    /// are the deltas; thinking and tool input are skipped), `message_delta` (stop reason, output usage) and
    /// `message_stop`, which ends the answer; `ping` and events of types added later are skipped. An `error`
    /// event, which can come after the 200 status, fails the stream with the status the error type has
    /// outside a stream (`overloaded_error` is 529).
    /// See <https://docs.anthropic.com/en/docs/build-with-claude/streaming>.
    public func stream(_ request: ChatRequest) -> ChatStream {
        let (name, model) = (self.name, request.model)
        return transport.chatStream(
            Result { () throws(ProviderError) in try self.exchange(for: request, streaming: true) }, provider: name, model: model,
            decoder: { AnthropicStreamDecoder(headers: $0, model: model, provider: name) },
            interpret: { (status, headers, body) throws(ProviderError) in
                try AnthropicProvider.interpretResponse(status: status, headers: headers, body: body, provider: name)
            })
    }
}

/// Reads Messages stream events, with the rules of ``AnthropicProvider/interpretResponse(status:headers:body:provider:)``
/// for the end of the answer: `refusal` is `.contentFiltered`, `tool_use` or another stop reason without
/// text is `.noTextAnswer`. Usage follows the same convention: cache reads and writes are added back
/// into the input tokens.
struct AnthropicStreamDecoder: ChatStreamDecoder {
    let provider: String
    private var requestID: String?
    private var model: String
    private var stopReason: String?
    private var usage = AnthropicWire.Response.Usage()
    private var hasText = false
    private(set) var isComplete = false

    init(headers: HTTPHeaders, model: String, provider: String) {
        self.provider = provider
        self.model = model
        requestID = headers.first(name: "request-id")
    }

    mutating func read(_ event: ServerSentEvent) throws(ProviderError) -> [ChatStreamEvent] {
        guard !isComplete else { return [] }
        let decoded = try ResponseDecoding.decodeEvent(AnthropicWire.StreamEvent.self, event, provider: provider, requestID: requestID)
        switch decoded.type ?? event.type {
        case "message_start":
            if requestID == nil { requestID = decoded.message?.id?.value }
            if let name = decoded.message?.model?.value, !name.isEmpty { model = name }
            if let usage = decoded.message?.usage?.value { self.usage.update(with: usage) }
        case "content_block_start":
            if decoded.contentBlock?.type == "text", let text = decoded.contentBlock?.text, !text.isEmpty {
                hasText = true
                return [.text(text)]
            }
        case "content_block_delta":
            if decoded.delta?.type == "text_delta", let text = decoded.delta?.text, !text.isEmpty {
                hasText = true
                return [.text(text)]
            }
        case "message_delta":
            if let reason = decoded.delta?.stopReason { stopReason = reason }
            if let usage = decoded.usage?.value { self.usage.update(with: usage) }
        case "message_stop":
            isComplete = true
            return [.finished(try summary())]
        case "error":
            throw ResponseDecoding.streamedError(
                decoded.error ?? VendorErrorBody.Details(message: "an error event without details"), provider: provider,
                requestID: requestID)
        default:
            break  // ping, content_block_stop, and event types added after this was written
        }
        return []
    }

    mutating func end() throws(ProviderError) -> [ChatStreamEvent] {
        throw ProviderError(.malformedResponse("the stream ended before message_stop"), provider: provider, requestID: requestID)
    }

    private func summary() throws(ProviderError) -> ChatStreamSummary {
        func fail(_ kind: ProviderError.Kind) -> ProviderError {
            ProviderError(kind, provider: provider, requestID: requestID, finishReason: stopReason)
        }
        if stopReason == "refusal" {
            throw fail(.contentFiltered("stop_reason refusal: the model declined to answer"))
        }
        if !hasText {
            switch stopReason {
            case "end_turn", "max_tokens", "stop_sequence":
                break  // the model finished without saying anything: an empty answer
            case "tool_use":
                throw fail(.noTextAnswer("stop_reason tool_use: the model called a tool instead of answering"))
            case "model_context_window_exceeded":
                throw fail(.noTextAnswer("stop_reason model_context_window_exceeded: the prompt fills the model's context window"))
            case .some(let reason):
                throw fail(.noTextAnswer("stop_reason \(ProviderError.oneLine(reason, limit: 60)) without a text block"))
            case .none:
                throw fail(.malformedResponse("the stream has neither text nor a stop_reason"))
            }
        }
        return ChatStreamSummary(
            finishReason: stopReason,
            inputTokens: ResponseDecoding.total(usage.inputTokens, adding: usage.cacheReadInputTokens, usage.cacheCreationInputTokens),
            outputTokens: ResponseDecoding.total(usage.outputTokens),
            cachedTokens: ResponseDecoding.total(usage.cacheReadInputTokens),
            cacheWriteTokens: ResponseDecoding.total(usage.cacheCreationInputTokens),
            requestID: requestID, model: model)
    }
}

extension AnthropicWire {
    /// One event of a Messages stream; the members present depend on its `type`.
    struct StreamEvent: Decodable {
        struct Message: Decodable {
            var id: Lenient<String>?
            var model: Lenient<String>?
            var usage: Lenient<Response.Usage>?
        }
        struct Block: Decodable {
            var type: String?
            var text: String?
        }
        struct Delta: Decodable {
            var type: String?
            var text: String?
            var stopReason: String?

            enum CodingKeys: String, CodingKey {
                case type, text
                case stopReason = "stop_reason"
            }
        }
        var type: String?
        var message: Message?
        var contentBlock: Block?
        var delta: Delta?
        var usage: Lenient<Response.Usage>?
        var error: VendorErrorBody.Details?

        enum CodingKeys: String, CodingKey {
            case type, message, delta, usage, error
            case contentBlock = "content_block"
        }
    }
}

extension AnthropicWire.Response.Usage {
    /// Takes every count `newer` has: `message_delta` repeats the counts so far, cumulatively.
    mutating func update(with newer: Self) {
        inputTokens = newer.inputTokens ?? inputTokens
        outputTokens = newer.outputTokens ?? outputTokens
        cacheCreationInputTokens = newer.cacheCreationInputTokens ?? cacheCreationInputTokens
        cacheReadInputTokens = newer.cacheReadInputTokens ?? cacheReadInputTokens
    }
}
