import Foundation
import NIOCore
import NIOHTTP1

extension OpenAIProvider {
    /// Streams the answer with `"stream": true` and `"stream_options": {"include_usage": true}`.
    ///
    /// Reads `data:` chunks: `choices[0].delta.content` as deltas, `finish_reason`, the usage of the last
    /// chunk (whose `choices` is empty), until `data: [DONE]`. A compatible server that leaves out the
    /// usage chunk gives a summary without token counts.
    /// See <https://platform.openai.com/docs/api-reference/chat-streaming>.
    public func stream(_ request: ChatRequest) -> ChatStream {
        let (name, model) = (self.name, request.model)
        return transport.chatStream(
            Result { () throws(ProviderError) in try self.exchange(for: request, streaming: true) }, provider: name, model: model,
            decoder: { OpenAIStreamDecoder(headers: $0, model: model, provider: name) },
            interpret: { (status, headers, body) throws(ProviderError) in
                try OpenAIProvider.interpretResponse(status: status, headers: headers, body: body, provider: name)
            })
    }
}

/// Reads Chat Completions chunks, with the rules of ``OpenAIProvider/interpretResponse(status:headers:body:provider:)``
/// for the end of the answer: `finish_reason: content_filter` or a refusal is `.contentFiltered`, a tool
/// call without content is `.noTextAnswer`, and a stream that names no finish reason and carried no
/// text is `.malformedResponse`.
struct OpenAIStreamDecoder: ChatStreamDecoder {
    let provider: String
    private var requestID: String?
    private var model: String
    private var finishReason: String?
    private var usage: OpenAIWire.Response.Usage?
    private var hasText = false
    private var refusal = ""
    private(set) var isComplete = false

    init(headers: HTTPHeaders, model: String, provider: String) {
        self.provider = provider
        self.model = model
        requestID = headers.first(name: "x-request-id")
    }

    mutating func read(_ event: ServerSentEvent) throws(ProviderError) -> [ChatStreamEvent] {
        guard !isComplete else { return [] }
        if event.data.trimmingCharacters(in: .whitespaces) == "[DONE]" {
            isComplete = true
            return [.finished(try summary())]
        }
        if event.data.contains("\"error\""),
            let failure = (try? JSONDecoder().decode(VendorErrorBody.self, from: Data(event.data.utf8)))?.error
        {
            throw ResponseDecoding.streamedError(failure, provider: provider, requestID: requestID)
        }
        let chunk = try ResponseDecoding.decodeEvent(OpenAIWire.Chunk.self, event, provider: provider, requestID: requestID)
        if requestID == nil { requestID = chunk.id?.value }
        if let name = chunk.model?.value, !name.isEmpty { model = name }
        if let usage = chunk.usage?.value { self.usage = usage }
        guard let choice = chunk.choices?.first(where: { ($0.index?.value ?? 0) == 0 }) else { return [] }
        var events: [ChatStreamEvent] = []
        if let content = choice.delta?.content, !content.isEmpty {
            hasText = true
            events.append(.text(content))
        }
        if let refusal = choice.delta?.refusal { self.refusal += refusal }
        if let reason = choice.finishReason {
            finishReason = reason
            if reason == "content_filter" {
                throw ProviderError(
                    .contentFiltered("finish_reason content_filter: the answer was withheld by OpenAI's content filter"),
                    provider: provider, requestID: requestID, finishReason: reason)
            }
        }
        return events
    }

    mutating func end() throws(ProviderError) -> [ChatStreamEvent] {
        throw ProviderError(.malformedResponse("the stream ended before data: [DONE]"), provider: provider, requestID: requestID)
    }

    private func summary() throws(ProviderError) -> ChatStreamSummary {
        func fail(_ kind: ProviderError.Kind) -> ProviderError {
            ProviderError(kind, provider: provider, requestID: requestID, finishReason: finishReason)
        }
        if !hasText {
            if !refusal.isEmpty {
                throw fail(.contentFiltered("the model refused: \(ProviderError.oneLine(refusal, limit: 200))"))
            }
            switch finishReason {
            case "tool_calls", "function_call":
                throw fail(.noTextAnswer("finish_reason \(finishReason ?? ""): the model called a tool instead of answering"))
            case "stop", "length":
                break  // the model finished (or ran out of tokens) without saying anything: an empty answer
            case .some(let reason):
                throw fail(.noTextAnswer("finish_reason \(ProviderError.oneLine(reason, limit: 60)) without message content"))
            case .none:
                throw fail(.malformedResponse("the stream has neither content nor a finish_reason"))
            }
        }
        return ChatStreamSummary(
            finishReason: finishReason, inputTokens: usage?.inputTokens, outputTokens: usage?.outputTokens,
            cachedTokens: usage?.cachedTokens, requestID: requestID, model: model)
    }
}

extension OpenAIWire {
    /// One `chat.completion.chunk`.
    struct Chunk: Decodable {
        struct Choice: Decodable {
            struct Delta: Decodable {
                var content: String?
                var refusal: String?
            }
            var index: Lenient<Int>?
            var delta: Delta?
            var finishReason: String?

            enum CodingKeys: String, CodingKey {
                case index, delta
                case finishReason = "finish_reason"
            }
        }
        var id: Lenient<String>?
        var model: Lenient<String>?
        var choices: [Choice]?
        var usage: Lenient<Response.Usage>?
    }
}
