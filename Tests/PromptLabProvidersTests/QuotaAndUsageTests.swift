import AsyncHTTPClient
import Foundation
import PromptLabTestSupport
import ProviderTestServer
import Testing

@testable import PromptLabProviders

/// Gemini's quota errors, and token counts a provider should never send.
@Suite("Quota and usage")
struct QuotaAndUsageTests {
    let request = ChatRequest(model: "gemini-2.0-flash", messages: [.user("hi")])

    func gemini(_ server: ProviderTestServer, _ client: HTTPClient, clock: ManualClock) -> RetryingProvider {
        let base = GeminiProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
        return RetryingProvider(base, policy: fastRetries(4), clock: clock, logger: quietLogger)
    }

    /// A Gemini 429 as the API sends it: `google.rpc.Status` with typed `details`.
    /// See <https://ai.google.dev/gemini-api/docs/rate-limits> and
    /// <https://github.com/googleapis/googleapis/blob/master/google/rpc/error_details.proto>.
    static func geminiQuotaBody(quotaID: String, metric: String, retryDelay: String?) -> String {
        let retryInfo =
            retryDelay.map { #",{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"\#($0)"}"# } ?? ""
        return #"""
            {"error":{"code":429,"message":"You exceeded your current quota.","status":"RESOURCE_EXHAUSTED","details":[
              {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"\#(metric)","quotaId":"\#(quotaID)","quotaDimensions":{"location":"global","model":"gemini-2.0-flash"},"quotaValue":"15"}]},
              {"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]}
              \#(retryInfo)]}}
            """#
    }

    // MARK: - Gemini quota

    @Test func geminiRetryInfoIsTheServersDelay() async throws {
        try await withServerAndClient { server, client in
            let body = Self.geminiQuotaBody(
                quotaID: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                metric: "generativelanguage.googleapis.com/generate_content_free_tier_requests", retryDelay: "31s")
            server.enqueue(.status(429, body: body))
            let clock = ManualClock()
            let response = try await gemini(server, client, clock: clock).send(request)
            #expect(response.attempts == 2)
            #expect(clock.sleeps == [.seconds(31)])
        }
    }

    @Test func geminiFractionalRetryDelay() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.status(429, body: Self.geminiQuotaBody(quotaID: "PerMinute", metric: "m", retryDelay: "1.5s")))
            let clock = ManualClock()
            _ = try await gemini(server, client, clock: clock).send(request)
            #expect(clock.sleeps == [.milliseconds(1500)])
        }
    }

    @Test(arguments: ["99999999999999999999s", "1e308s", "-5s", "nans", "infs", "s", "31", "9223372036854775807s"])
    func absurdRetryDelaysNeverTrap(delay: String) async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.status(429, body: Self.geminiQuotaBody(quotaID: "PerMinute", metric: "m", retryDelay: delay)))
            let clock = ManualClock()
            _ = try await gemini(server, client, clock: clock).send(request)
            // Whatever was read, the wait is within the policy's cap.
            #expect(clock.sleeps.count == 1)
            #expect(clock.sleeps.allSatisfy { $0 >= .zero && $0 <= RetryPolicy.default.maxServerDelay })
        }
    }

    @Test func geminiPerDayQuotaIsNotRetried() async throws {
        try await withServerAndClient { server, client in
            let body = Self.geminiQuotaBody(
                quotaID: "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
                metric: "generativelanguage.googleapis.com/generate_content_free_tier_requests", retryDelay: "20s")
            server.enqueue(.status(429, body: body), .status(429, body: body))
            let error = await providerError { try await gemini(server, client, clock: ManualClock()).send(request) }
            #expect(error?.httpStatus == 429)
            #expect(error?.isRetryable == false)
            #expect(error?.isOverload == false)
            #expect(server.requestCount == 1)
            #expect(error?.description.contains("PerDay") == true)
        }
    }

    // MARK: - Usage

    @Test(arguments: ["-5", "12.5", "1e300", "9223372036854775807", "1000000000001", "\"12\"", "true"])
    func absurdTokenCountsAreUnknownNotPriced(count: String) async throws {
        try await withServerAndClient { server, client in
            let body =
                #"{"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":\#(count),"completion_tokens":\#(count),"prompt_tokens_details":{"cached_tokens":\#(count)}}}"#
            server.enqueue(.status(200, body: body))
            let provider = OpenAIProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let response = try await provider.send(ChatRequest(model: "gpt-4o-mini", messages: [.user("hi")]))
            #expect(response.text == "ok")
            #expect(response.inputTokens == nil)
            #expect(response.outputTokens == nil)
            #expect(response.cachedTokens == nil)
            let pricing = try Pricing.bundled()
            #expect(pricing.cost(of: response, reference: try ModelReference(parsing: "openai/gpt-4o-mini")) == nil)
        }
    }

    @Test func anthropicAndGeminiUsageIsCheckedToo() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(
                .status(
                    200,
                    body:
                        #"{"id":"m","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":-1,"output_tokens":4,"cache_read_input_tokens":1e300}}"#
                ))
            let anthropic = AnthropicProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let answer = try await anthropic.send(ChatRequest(model: "claude", messages: [.user("hi")]))
            #expect(answer.text == "ok")
            #expect(answer.inputTokens == nil)
            #expect(answer.outputTokens == 4)

            server.enqueue(
                .status(
                    200,
                    body:
                        #"{"candidates":[{"content":{"parts":[{"text":"ok"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":9223372036854775807,"thoughtsTokenCount":9223372036854775807}}"#
                ))
            let gemini = GeminiProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let reply = try await gemini.send(ChatRequest(model: "gemini-2.0-flash", messages: [.user("hi")]))
            #expect(reply.inputTokens == 3)
            #expect(reply.outputTokens == nil)
        }
    }

    // MARK: - Cache writes

    @Test func anthropicCacheWritesArePricedAtTheCacheWriteRate() async throws {
        try await withServerAndClient { server, client in
            let body =
                #"{"id":"m","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":1000000,"output_tokens":0,"cache_creation_input_tokens":1000000,"cache_read_input_tokens":1000000}}"#
            server.enqueue(.status(200, body: body))
            let provider = AnthropicProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let response = try await provider.send(ChatRequest(model: "claude-sonnet-4-5", messages: [.user("hi")]))
            #expect(response.inputTokens == 3_000_000)
            #expect(response.cachedTokens == 1_000_000)
            let pricing = try Pricing.bundled()
            let cost = try #require(pricing.cost(of: response, reference: try ModelReference(parsing: "anthropic/claude-sonnet-4-5")))
            // $3 base input, $3.75 five-minute cache write (1.25 × base), $0.30 cache read, per million.
            // See <https://docs.anthropic.com/en/docs/about-claude/pricing>.
            #expect(abs(cost - (3.0 + 3.75 + 0.30)) < 1e-9)
        }
    }
}
