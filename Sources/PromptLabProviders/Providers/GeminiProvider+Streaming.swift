import Foundation
import NIOCore
import NIOHTTP1

extension GeminiProvider {
    /// Streams the answer from `POST …/models/{model}:streamGenerateContent?alt=sse`.
    ///
    /// Each event's data is a `GenerateContentResponse` carrying the next text parts of the first candidate
    /// (thoughts skipped); the last carries the `finishReason` and the whole `usageMetadata`. Gemini sends
    /// no terminator: the answer is complete when the body ends after a `finishReason`.
    /// See <https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent>.
    public func stream(_ request: ChatRequest) -> ChatStream {
        let (name, model) = (self.name, request.model)
        return transport.chatStream(
            Result { () throws(ProviderError) in try self.exchange(for: request, streaming: true) }, provider: name, model: model,
            decoder: { GeminiStreamDecoder(headers: $0, model: model, provider: name) },
            interpret: { (status, headers, body) throws(ProviderError) in
                try GeminiProvider.interpretResponse(status: status, headers: headers, body: body, provider: name)
            })
    }
}

/// Reads `streamGenerateContent` events, with the rules of ``GeminiProvider/interpretResponse(status:headers:body:provider:)``
/// for the end of the answer: a `blockReason` or a filter finish reason is `.contentFiltered`, another
/// finish reason without text is `.noTextAnswer`, and a stream that ends without a finish reason is
/// `.malformedResponse`.
struct GeminiStreamDecoder: ChatStreamDecoder {
    let provider: String
    private var requestID: String?
    private var model: String
    private var finishReason: String?
    private var usage: GeminiWire.Response.Usage?
    private var hasText = false
    /// Always false: the answer ends with the body (``end()``).
    let isComplete = false

    init(headers: HTTPHeaders, model: String, provider: String) {
        self.provider = provider
        self.model = model
        requestID = headers.first(name: "x-request-id")
    }

    mutating func read(_ event: ServerSentEvent) throws(ProviderError) -> [ChatStreamEvent] {
        if event.data.contains("\"error\""),
            let failure = (try? JSONDecoder().decode(VendorErrorBody.self, from: Data(event.data.utf8)))?.error
        {
            throw ResponseDecoding.streamedError(failure, provider: provider, requestID: requestID)
        }
        let chunk = try ResponseDecoding.decodeEvent(GeminiWire.StreamChunk.self, event, provider: provider, requestID: requestID)
        if requestID == nil { requestID = chunk.responseId?.value }
        if let name = chunk.modelVersion?.value, !name.isEmpty { model = name }
        if let usage = chunk.usageMetadata?.value { self.usage = usage }
        if let reason = chunk.promptFeedback?.blockReason {
            throw ProviderError(
                .contentFiltered("the prompt was blocked (blockReason \(ProviderError.oneLine(reason, limit: 60)))"),
                provider: provider, requestID: requestID)
        }
        guard let candidate = chunk.candidates?.first else { return [] }
        if let reason = candidate.finishReason {
            finishReason = reason
            if GeminiProvider.filterFinishReasons.contains(reason) {
                throw ProviderError(
                    .contentFiltered("finishReason \(reason): the answer was withheld by Gemini's filters"), provider: provider,
                    requestID: requestID, finishReason: reason)
            }
        }
        let texts = (candidate.content?.parts ?? []).filter { $0.thought != true }.compactMap(\.text).filter { !$0.isEmpty }
        if !texts.isEmpty { hasText = true }
        return texts.map { .text($0) }
    }

    mutating func end() throws(ProviderError) -> [ChatStreamEvent] {
        func fail(_ kind: ProviderError.Kind) -> ProviderError {
            ProviderError(kind, provider: provider, requestID: requestID, finishReason: finishReason)
        }
        switch finishReason {
        case .none:
            throw fail(.malformedResponse("the stream ended before a finishReason"))
        case "STOP", "MAX_TOKENS":
            break
        case .some(let reason) where !hasText:
            throw fail(.noTextAnswer("finishReason \(ProviderError.oneLine(reason, limit: 60)) without text"))
        default:
            break
        }
        // Thinking tokens are billed as output.
        let outputTokens =
            usage?.candidatesTokenCount == nil && usage?.thoughtsTokenCount != nil
            ? ResponseDecoding.total(TokenCount(0), adding: usage?.thoughtsTokenCount)
            : ResponseDecoding.total(usage?.candidatesTokenCount, adding: usage?.thoughtsTokenCount)
        return [
            .finished(
                ChatStreamSummary(
                    finishReason: finishReason, inputTokens: ResponseDecoding.total(usage?.promptTokenCount), outputTokens: outputTokens,
                    cachedTokens: ResponseDecoding.total(usage?.cachedContentTokenCount), requestID: requestID, model: model))
        ]
    }
}

extension GeminiWire {
    /// One event of `streamGenerateContent`: a `GenerateContentResponse` with the next parts.
    struct StreamChunk: Decodable {
        var candidates: [Response.Candidate]?
        var usageMetadata: Lenient<Response.Usage>?
        var promptFeedback: Response.Feedback?
        var responseId: Lenient<String>?
        var modelVersion: Lenient<String>?
    }
}
