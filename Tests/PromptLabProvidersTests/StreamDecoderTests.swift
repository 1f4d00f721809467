import NIOHTTP1
import Testing

@testable import PromptLabProviders

/// The vendors' stream decoders fed events directly: what ends an answer, what withholds it, and what
/// fails it.
@Suite("Stream decoders")
struct StreamDecoderTests {
    func event(_ data: String, type: String? = nil) -> ServerSentEvent {
        ServerSentEvent(type: type, data: data, id: nil)
    }

    /// Feeds `events` to `decoder` and then the end of the body; returns the events it produced, or the
    /// error it threw with the events produced before it.
    func run(_ decoder: some ChatStreamDecoder, _ events: [ServerSentEvent]) -> (events: [ChatStreamEvent], error: ProviderError?) {
        var decoder = decoder
        var output: [ChatStreamEvent] = []
        do throws(ProviderError) {
            for event in events {
                output += try decoder.read(event)
                if decoder.isComplete { return (output, nil) }
            }
            output += try decoder.end()
            return (output, nil)
        } catch {
            return (output, error)
        }
    }

    func texts(_ events: [ChatStreamEvent]) -> [String] {
        events.compactMap { if case .text(let text) = $0 { text } else { nil } }
    }

    func summary(_ events: [ChatStreamEvent]) -> ChatStreamSummary? {
        events.compactMap { if case .finished(let summary) = $0 { summary } else { nil } }.first
    }

    // MARK: - OpenAI

    let openAI = OpenAIStreamDecoder(headers: HTTPHeaders(), model: "gpt-4o-mini", provider: "openai")

    @Test func openAIReadsDeltasFinishReasonAndUsage() {
        let (events, error) = run(
            openAI,
            [
                event(
                    #"{"id":"chatcmpl-9","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#
                ),
                event(#"{"id":"chatcmpl-9","choices":[{"index":0,"delta":{"content":"Hel"}}]}"#),
                event(#"{"id":"chatcmpl-9","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}"#),
                event(#"{"id":"chatcmpl-9","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#),
                event(
                    #"{"id":"chatcmpl-9","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":4}}}"#
                ),
                event("[DONE]"),
                event("after the end is not read"),
            ])
        #expect(error == nil)
        #expect(texts(events) == ["Hel", "lo"])
        #expect(
            summary(events)
                == ChatStreamSummary(
                    finishReason: "stop", inputTokens: 7, outputTokens: 2, cachedTokens: 4, requestID: "chatcmpl-9",
                    model: "gpt-4o-mini-2024-07-18"))
    }

    @Test func openAIWithoutUsageHasNoCounts() {
        let (events, error) = run(openAI, [event(#"{"choices":[{"delta":{"content":"a"},"finish_reason":"length"}]}"#), event("[DONE]")])
        #expect(error == nil)
        #expect(summary(events) == ChatStreamSummary(finishReason: "length", model: "gpt-4o-mini"))
    }

    @Test func openAIFailures() {
        // A content filter withholds the answer, even after some deltas.
        let filtered = run(
            openAI,
            [event(#"{"choices":[{"delta":{"content":"a"}}]}"#), event(#"{"choices":[{"delta":{},"finish_reason":"content_filter"}]}"#)])
        #expect(texts(filtered.events) == ["a"])
        #expect(filtered.error?.finishReason == "content_filter")
        // A refusal instead of content.
        let refused = run(openAI, [event(#"{"choices":[{"delta":{"refusal":"I can't"},"finish_reason":"stop"}]}"#), event("[DONE]")])
        #expect(refused.error?.kind == .contentFiltered("the model refused: I can't"))
        // A tool call instead of content.
        let tool = run(openAI, [event(#"{"choices":[{"delta":{},"finish_reason":"tool_calls"}]}"#), event("[DONE]")])
        #expect(tool.error?.kind == .noTextAnswer("finish_reason tool_calls: the model called a tool instead of answering"))
        // The body ends before [DONE].
        let cut = run(openAI, [event(#"{"choices":[{"delta":{"content":"a"},"finish_reason":"stop"}]}"#)])
        #expect(cut.error?.kind == .malformedResponse("the stream ended before data: [DONE]"))
        // Not JSON.
        let garbled = run(openAI, [event("{not json")])
        #expect(garbled.error?.kind == .malformedResponse("invalid JSON in a streamed event; data starts with '{not json'"))
        // An error chunk in the middle of the stream (a compatible server's numeric code is its status).
        let failed = run(openAI, [event(#"{"error":{"message":"model crashed","type":"BadRequestError","code":400}}"#)])
        #expect(failed.error?.kind == .http(status: 400, type: "BadRequestError", code: "400", message: "model crashed"))
        #expect(failed.error?.isRetryable == false)
    }

    // MARK: - Anthropic

    let anthropic = AnthropicStreamDecoder(headers: ["request-id": "req_7"], model: "claude", provider: "anthropic")

    @Test func anthropicReadsTextDeltasOnly() {
        let (events, error) = run(
            anthropic,
            [
                event(
                    #"{"type":"message_start","message":{"id":"msg_1","model":"claude-3-5-haiku-20241022","usage":{"input_tokens":5,"output_tokens":1,"cache_read_input_tokens":3,"cache_creation_input_tokens":2}}}"#
                ),
                event(#"{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"#),
                event(#"{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}}"#),
                event(#"{"type":"ping"}"#, type: "ping"),
                event(#"{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"#),
                event(#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hi"}}"#),
                event(#"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{"}}"#),
                event(#"{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":" there"}}"#),
                event(#"{"type":"a_future_event","anything":[1,2]}"#),
                event(#"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}}"#),
                event(#"{"type":"message_stop"}"#),
            ])
        #expect(error == nil)
        #expect(texts(events) == ["Hi", " there"])
        #expect(
            summary(events)
                == ChatStreamSummary(
                    finishReason: "end_turn", inputTokens: 10, outputTokens: 9, cachedTokens: 3, cacheWriteTokens: 2, requestID: "req_7",
                    model: "claude-3-5-haiku-20241022"))
    }

    @Test func anthropicFailures() {
        let start = event(#"{"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":5}}}"#)
        let text = event(#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#)
        // An error event after the 200 status, with the status that error type has.
        let overloaded = run(
            anthropic, [start, text, event(#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)])
        #expect(texts(overloaded.events) == ["Hi"])
        #expect(overloaded.error?.kind == .http(status: 529, type: "overloaded_error", code: nil, message: "Overloaded"))
        #expect(overloaded.error?.isOverload == true)
        let invalid = run(anthropic, [event(#"{"type":"error","error":{"type":"invalid_request_error","message":"bad"}}"#)])
        #expect(invalid.error?.httpStatus == 400)
        // A refusal withholds the partial answer.
        let refusal = run(
            anthropic,
            [start, text, event(#"{"type":"message_delta","delta":{"stop_reason":"refusal"}}"#), event(#"{"type":"message_stop"}"#)])
        #expect(refusal.error?.kind == .contentFiltered("stop_reason refusal: the model declined to answer"))
        // A tool call without text.
        let tool = run(
            anthropic, [start, event(#"{"type":"message_delta","delta":{"stop_reason":"tool_use"}}"#), event(#"{"type":"message_stop"}"#)])
        #expect(tool.error?.finishReason == "tool_use")
        // The body ends before message_stop.
        let cut = run(anthropic, [start, text, event(#"{"type":"message_delta","delta":{"stop_reason":"end_turn"}}"#)])
        #expect(cut.error?.kind == .malformedResponse("the stream ended before message_stop"))
        #expect(cut.error?.requestID == "req_7")
    }

    // MARK: - Gemini

    let gemini = GeminiStreamDecoder(headers: HTTPHeaders(), model: "gemini-2.0-flash", provider: "gemini")

    @Test func geminiEndsWithTheBodyAfterAFinishReason() {
        let (events, error) = run(
            gemini,
            [
                event(#"{"candidates":[{"content":{"parts":[{"text":"thinking","thought":true}]}}],"responseId":"r1"}"#),
                event(#"{"candidates":[{"content":{"parts":[{"text":"Hel"},{"text":"lo"}]}}],"usageMetadata":{"promptTokenCount":4}}"#),
                event(
                    #"{"candidates":[{"content":{"parts":[{"text":"!"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":3,"thoughtsTokenCount":2},"modelVersion":"gemini-2.0-flash-001"}"#
                ),
            ])
        #expect(error == nil)
        #expect(texts(events) == ["Hel", "lo", "!"])
        #expect(
            summary(events)
                == ChatStreamSummary(finishReason: "STOP", inputTokens: 4, outputTokens: 5, requestID: "r1", model: "gemini-2.0-flash-001"))
    }

    @Test func geminiFailures() {
        let text = event(#"{"candidates":[{"content":{"parts":[{"text":"Hel"}]}}]}"#)
        let cut = run(gemini, [text])
        #expect(cut.error?.kind == .malformedResponse("the stream ended before a finishReason"))
        let safety = run(gemini, [text, event(#"{"candidates":[{"finishReason":"SAFETY"}]}"#)])
        #expect(safety.error?.kind == .contentFiltered("finishReason SAFETY: the answer was withheld by Gemini's filters"))
        let blocked = run(gemini, [event(#"{"promptFeedback":{"blockReason":"OTHER"}}"#)])
        #expect(blocked.error?.kind == .contentFiltered("the prompt was blocked (blockReason OTHER)"))
        let failed = run(gemini, [text, event(#"{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}"#)])
        #expect(failed.error?.kind == .http(status: 429, type: "RESOURCE_EXHAUSTED", code: "429", message: "quota"))
        let empty = run(gemini, [event(#"{"candidates":[{"content":{"parts":[{"text":""}]},"finishReason":"STOP"}]}"#)])
        #expect(empty.error == nil && texts(empty.events).isEmpty && summary(empty.events)?.finishReason == "STOP")
    }
}
