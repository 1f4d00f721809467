import AsyncHTTPClient
import Foundation
import PromptLabTestSupport
import ProviderTestServer
import Testing

@testable import PromptLabProviders

/// A response that parses but holds no answer is classified as its vendor defines it (refused,
/// filtered, legitimately empty, or a non-retryable "no text answer"), with the finish reason kept;
/// only an unparseable response is "malformed" and retried. Each case goes through the loopback
/// server and the retry layer, so the request count proves whether it was retried.
@Suite("No-answer classification")
struct NoAnswerTests {
    enum Vendor { case openAI, anthropic, gemini }

    /// Sends one request through a retrying provider of `vendor` whose server answers `status` with
    /// `body` every time, and returns the answer or the error with the number of requests sent.
    func exchange(
        _ vendor: Vendor, status: Int = 200, body: String
    ) async throws -> (result: Result<ChatResponse, ProviderError>, requests: Int) {
        try await withServerAndClient { server, client in
            server.enqueue(contentsOf: Array(repeating: Fault.status(status, body: body), count: 4))
            let base: any ChatProvider =
                switch vendor {
                case .openAI:
                    OpenAIProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
                case .anthropic:
                    AnthropicProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
                case .gemini:
                    GeminiProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
                }
            let provider = RetryingProvider(base, policy: fastRetries(4), clock: ManualClock(), logger: quietLogger)
            let result: Result<ChatResponse, ProviderError>
            do throws(ProviderError) {
                result = .success(try await provider.send(ChatRequest(model: "m", messages: [.user("hi")])))
            } catch {
                result = .failure(error)
            }
            return (result, server.requestCount)
        }
    }

    func failure(_ outcome: (result: Result<ChatResponse, ProviderError>, requests: Int)) -> ProviderError? {
        guard case .failure(let error) = outcome.result else {
            Issue.record("expected a failure, got \(outcome.result)")
            return nil
        }
        return error
    }

    static func openAIBody(message: String, finishReason: String) -> String {
        #"{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":\#(message),"finish_reason":"\#(finishReason)","logprobs":null}],"usage":{"prompt_tokens":3,"completion_tokens":0,"total_tokens":3}}"#
    }

    static func anthropicBody(content: String, stopReason: String) -> String {
        #"{"id":"msg_1","type":"message","role":"assistant","model":"m","content":\#(content),"stop_reason":"\#(stopReason)","stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":0}}"#
    }

    // MARK: - OpenAI

    @Test func openAIRefusalIsNotAnAnswer() async throws {
        let body = Self.openAIBody(
            message: #"{"role":"assistant","content":null,"refusal":"I can't help with that."}"#, finishReason: "stop")
        let outcome = try await exchange(.openAI, body: body)
        let error = failure(outcome)
        guard case .contentFiltered(let detail) = error?.kind else {
            Issue.record("expected content-filtered, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("I can't help with that."))
        #expect(error?.finishReason == "stop")
        #expect(outcome.requests == 1)
    }

    @Test func openAIContentFilterIsFilteredAndNotRetried() async throws {
        let body = Self.openAIBody(message: #"{"role":"assistant","content":null}"#, finishReason: "content_filter")
        let outcome = try await exchange(.openAI, body: body)
        let error = failure(outcome)
        guard case .contentFiltered = error?.kind else {
            Issue.record("expected content-filtered, got \(String(describing: error))")
            return
        }
        #expect(error?.finishReason == "content_filter")
        #expect(outcome.requests == 1)
    }

    @Test func openAIToolCallsWithoutTextAreANonRetryableNoAnswer() async throws {
        let message =
            #"{"role":"assistant","content":null,"tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":"{}"}}]}"#
        let outcome = try await exchange(.openAI, body: Self.openAIBody(message: message, finishReason: "tool_calls"))
        let error = failure(outcome)
        guard case .noTextAnswer(let detail) = error?.kind else {
            Issue.record("expected no-text-answer, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("tool"))
        #expect(error?.isRetryable == false)
        #expect(error?.finishReason == "tool_calls")
        #expect(outcome.requests == 1)
    }

    @Test func openAIEmptyContentIsALegitimateEmptyAnswer() async throws {
        let outcome = try await exchange(
            .openAI, body: Self.openAIBody(message: #"{"role":"assistant","content":""}"#, finishReason: "length"))
        let response = try outcome.result.get()
        #expect(response.text == "")
        #expect(response.finishReason == "length")
        #expect(outcome.requests == 1)
    }

    // MARK: - Anthropic

    @Test func anthropicStopSequenceWithEmptyContentIsAnEmptyAnswer() async throws {
        let outcome = try await exchange(.anthropic, body: Self.anthropicBody(content: "[]", stopReason: "stop_sequence"))
        let response = try outcome.result.get()
        #expect(response.text == "")
        #expect(response.finishReason == "stop_sequence")
        #expect(outcome.requests == 1)
    }

    @Test(arguments: ["model_context_window_exceeded", "tool_use", "pause_turn"])
    func anthropicStopReasonsWithoutTextAreNotRetried(stopReason: String) async throws {
        let content = stopReason == "tool_use" ? #"[{"type":"tool_use","id":"t","name":"f","input":{}}]"# : "[]"
        let outcome = try await exchange(.anthropic, body: Self.anthropicBody(content: content, stopReason: stopReason))
        let error = failure(outcome)
        guard case .noTextAnswer = error?.kind else {
            Issue.record("expected no-text-answer, got \(String(describing: error))")
            return
        }
        #expect(error?.finishReason == stopReason)
        #expect(outcome.requests == 1)
    }

    @Test func anthropicRefusalIsFilteredEvenWithPartialText() async throws {
        let outcome = try await exchange(
            .anthropic, body: Self.anthropicBody(content: #"[{"type":"text","text":"Sure, here"}]"#, stopReason: "refusal"))
        let error = failure(outcome)
        guard case .contentFiltered = error?.kind else {
            Issue.record("expected content-filtered, got \(String(describing: error))")
            return
        }
        #expect(error?.finishReason == "refusal")
        #expect(outcome.requests == 1)
    }

    // MARK: - Gemini

    @Test(arguments: ["SAFETY", "RECITATION", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII"])
    func geminiFilterReasonsAreContentFiltered(reason: String) async throws {
        // Partial text before the block is not an answer either.
        let body =
            #"{"candidates":[{"content":{"role":"model","parts":[{"text":"partial"}]},"finishReason":"\#(reason)","index":0}],"responseId":"r"}"#
        let outcome = try await exchange(.gemini, body: body)
        let error = failure(outcome)
        guard case .contentFiltered(let detail) = error?.kind else {
            Issue.record("expected content-filtered, got \(String(describing: error))")
            return
        }
        #expect(detail.contains(reason))
        #expect(error?.finishReason == reason)
        #expect(outcome.requests == 1)
    }

    @Test func geminiBlockedPromptIsContentFiltered() async throws {
        let outcome = try await exchange(.gemini, body: #"{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"}}"#)
        let error = failure(outcome)
        guard case .contentFiltered(let detail) = error?.kind else {
            Issue.record("expected content-filtered, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("PROHIBITED_CONTENT"))
        #expect(outcome.requests == 1)
    }

    @Test func geminiToolFinishWithoutTextIsANonRetryableNoAnswer() async throws {
        let body = #"{"candidates":[{"content":{"role":"model","parts":[]},"finishReason":"MALFORMED_FUNCTION_CALL"}]}"#
        let outcome = try await exchange(.gemini, body: body)
        let error = failure(outcome)
        guard case .noTextAnswer = error?.kind else {
            Issue.record("expected no-text-answer, got \(String(describing: error))")
            return
        }
        #expect(outcome.requests == 1)
    }

    // MARK: - Malformed means unparseable

    @Test func unparseableBodiesAreStillMalformedAndRetried() async throws {
        let outcome = try await exchange(.anthropic, body: #"{"content": "not a list"}"#)
        let error = failure(outcome)
        guard case .malformedResponse = error?.kind else {
            Issue.record("expected malformed, got \(String(describing: error))")
            return
        }
        #expect(outcome.requests == 4)
    }
}
