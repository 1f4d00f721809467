import Foundation

/// Answers as each vendor streams them: server-sent events carrying the text in several deltas, the finish
/// reason and the usage.
extension WireFormats {
    /// The text cut into deltas: each word with the whitespace before it, and words longer than
    /// `maxLength` characters cut into pieces of at most that many. Joined, the deltas are the text.
    static func deltas(of text: String, maxLength: Int) -> [String] {
        let limit = max(1, maxLength)
        var pieces: [String] = []
        var current = ""
        var inWord = false
        for character in text {
            let isSpace = character.isWhitespace
            // A new piece starts at whitespace that follows a word, and when the piece is full.
            if (isSpace && inWord) || current.count == limit {
                pieces.append(current)
                current = ""
            }
            current.append(character)
            inWord = !isSpace
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    /// One encoded event: an optional `event:` line, a `data:` line and the blank line, ending lines with
    /// `lineEnding`.
    static func event(_ data: JSONValue, type: String? = nil, lineEnding: String = "\n") -> Data {
        var text = type.map { "event: \($0)\(lineEnding)" } ?? ""
        text += "data: " + String(decoding: data.data, as: UTF8.self) + lineEnding + lineEnding
        return Data(text.utf8)
    }

    /// An answer streamed in the vendor's format (written as `content-type: text/event-stream`).
    ///
    /// - OpenAI: a role chunk, a chunk per delta, a chunk with `finish_reason`, the usage chunk (with empty
    ///   `choices`) when `includeUsage`, then `data: [DONE]`.
    /// - Anthropic: `message_start` (id, model, input usage), a thinking block, `ping`, one text block of
    ///   `text_delta`s, `message_delta` (stop reason, output usage) and `message_stop`.
    /// - Gemini (lines end with CRLF): a thought, a chunk per delta, then a chunk with `finishReason` and the
    ///   whole `usageMetadata`; the stream ends with the body.
    static func streamedAnswer(
        _ vendor: Vendor, _ answer: Answer, number: Int, requestID: String?, deltaLength: Int, includeUsage: Bool
    ) -> Reply {
        let pieces = deltas(of: answer.text, maxLength: deltaLength)
        switch vendor {
        case .openai:
            func chunk(_ delta: JSONValue, finish: JSONValue = .null) -> Data {
                var body: JSONValue = [
                    "id": .string("chatcmpl-\(number)"), "object": "chat.completion.chunk", "created": 1_700_000_000,
                    "model": .string(answer.modelName),
                    "choices": [["index": 0, "delta": delta, "logprobs": .null, "finish_reason": finish]],
                ]
                if includeUsage, case .object(var members) = body {
                    members["usage"] = .null
                    body = .object(members)
                }
                return event(body)
            }
            var closing = [chunk([:], finish: .string(answer.finish == "stop_sequence" ? "stop" : answer.finish))]
            if includeUsage {
                let usage: JSONValue = [
                    "id": .string("chatcmpl-\(number)"), "object": "chat.completion.chunk", "created": 1_700_000_000,
                    "model": .string(answer.modelName), "choices": [],
                    "usage": [
                        "prompt_tokens": .int(answer.inputTokens), "completion_tokens": .int(answer.outputTokens),
                        "total_tokens": .int(answer.inputTokens + answer.outputTokens),
                        "prompt_tokens_details": ["cached_tokens": .int(answer.cachedTokens)],
                    ],
                ]
                closing.append(event(usage))
            }
            closing.append(Data("data: [DONE]\n\n".utf8))
            let stream = EventStream(
                opening: [chunk(["role": "assistant", "content": "", "refusal": .null])],
                deltas: pieces.map { chunk(["content": .string($0)]) }, closing: closing)
            return Reply(
                status: 200, headers: [("x-request-id", requestID ?? "req_\(number)")], body: Data(), stream: stream)
        case .anthropic:
            let stopReason =
                answer.finish == "length" ? "max_tokens" : (answer.finish == "stop_sequence" ? "stop_sequence" : "end_turn")
            let start: JSONValue = [
                "type": "message_start",
                "message": [
                    "id": .string("msg_\(number)"), "type": "message", "role": "assistant", "model": .string(answer.modelName),
                    "content": [], "stop_reason": .null, "stop_sequence": .null,
                    "usage": [
                        "input_tokens": .int(answer.inputTokens - answer.cachedTokens), "output_tokens": 1,
                        "cache_read_input_tokens": .int(answer.cachedTokens), "cache_creation_input_tokens": 0,
                    ],
                ],
            ]
            let opening = [
                event(start, type: "message_start"),
                event(
                    ["type": "content_block_start", "index": 0, "content_block": ["type": "thinking", "thinking": ""]],
                    type: "content_block_start"),
                event(
                    ["type": "content_block_delta", "index": 0, "delta": ["type": "thinking_delta", "thinking": "(thinking about it)"]],
                    type: "content_block_delta"),
                event(
                    [
                        "type": "content_block_delta", "index": 0,
                        "delta": ["type": "signature_delta", "signature": .string("sig_\(number)")],
                    ],
                    type: "content_block_delta"),
                event(["type": "content_block_stop", "index": 0], type: "content_block_stop"),
                event(["type": "ping"], type: "ping"),
                event(
                    ["type": "content_block_start", "index": 1, "content_block": ["type": "text", "text": ""]], type: "content_block_start"),
            ]
            let deltas = pieces.map {
                event(
                    ["type": "content_block_delta", "index": 1, "delta": ["type": "text_delta", "text": .string($0)]],
                    type: "content_block_delta")
            }
            let closing = [
                event(["type": "content_block_stop", "index": 1], type: "content_block_stop"),
                event(
                    [
                        "type": "message_delta", "delta": ["stop_reason": .string(stopReason), "stop_sequence": .null],
                        "usage": ["output_tokens": .int(answer.outputTokens)],
                    ], type: "message_delta"),
                event(["type": "message_stop"], type: "message_stop"),
            ]
            return Reply(
                status: 200, headers: [("request-id", requestID ?? "req_\(number)")], body: Data(),
                stream: EventStream(opening: opening, deltas: deltas, closing: closing))
        case .gemini:
            func chunk(_ parts: JSONValue, finish: String? = nil, usage: JSONValue) -> Data {
                var candidate: [String: JSONValue] = ["content": ["role": "model", "parts": parts], "index": 0]
                if let finish { candidate["finishReason"] = .string(finish) }
                let body: JSONValue = [
                    "candidates": [.object(candidate)], "usageMetadata": usage, "modelVersion": .string(answer.modelName),
                    "responseId": .string(requestID ?? "resp_\(number)"),
                ]
                return event(body, lineEnding: "\r\n")
            }
            let partialUsage: JSONValue = ["promptTokenCount": .int(answer.inputTokens), "totalTokenCount": .int(answer.inputTokens)]
            let usage: JSONValue = [
                "promptTokenCount": .int(answer.inputTokens), "candidatesTokenCount": .int(answer.outputTokens),
                "totalTokenCount": .int(answer.inputTokens + answer.outputTokens), "cachedContentTokenCount": .int(answer.cachedTokens),
            ]
            let stream = EventStream(
                opening: [chunk([["text": "(thinking about it)", "thought": true]], usage: partialUsage)],
                deltas: pieces.map { chunk([["text": .string($0)]], usage: partialUsage) },
                closing: [chunk([["text": ""]], finish: answer.finish == "length" ? "MAX_TOKENS" : "STOP", usage: usage)])
            return Reply(status: 200, body: Data(), stream: stream)
        }
    }

    /// The error a vendor sends inside a stream that has already begun: Anthropic's `error` event
    /// (`overloaded_error`), OpenAI's `{"error": …}` chunk (`server_error`), Gemini's (503 `UNAVAILABLE`).
    static func streamedError(_ vendor: Vendor) -> Data {
        switch vendor {
        case .openai:
            event([
                "error": [
                    "message": "The server had an error while processing your request (injected fault)", "type": "server_error",
                    "param": .null, "code": .null,
                ]
            ])
        case .anthropic:
            event(["type": "error", "error": ["type": "overloaded_error", "message": "Overloaded (injected fault)"]], type: "error")
        case .gemini:
            event(
                ["error": ["code": 503, "message": "The model is overloaded (injected fault)", "status": "UNAVAILABLE"]], lineEnding: "\r\n"
            )
        }
    }
}
