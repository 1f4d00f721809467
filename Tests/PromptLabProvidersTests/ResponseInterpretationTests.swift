import Foundation
import NIOCore
import NIOHTTP1
import PromptLabStats
import Testing

@testable import PromptLabProviders

/// The vendors' pure response readers, `interpretResponse(status:headers:body:provider:)`, called
/// directly with bytes, as the fuzzer calls them.
@Suite("Response interpretation")
struct ResponseInterpretationTests {
    typealias Reader = @Sendable (Int, HTTPHeaders, ByteBuffer) throws(ProviderError) -> ChatResponse

    static let readers: [(name: String, read: Reader)] = [
        (
            "openai",
            { (status, headers, body) throws(ProviderError) in
                try OpenAIProvider.interpretResponse(status: status, headers: headers, body: body)
            }
        ),
        (
            "anthropic",
            { (status, headers, body) throws(ProviderError) in
                try AnthropicProvider.interpretResponse(status: status, headers: headers, body: body)
            }
        ),
        (
            "gemini",
            { (status, headers, body) throws(ProviderError) in
                try GeminiProvider.interpretResponse(status: status, headers: headers, body: body)
            }
        ),
    ]

    static func result(_ read: Reader, status: Int = 200, headers: HTTPHeaders = [:], _ body: String) -> Result<
        ChatResponse, ProviderError
    > {
        Result { () throws(ProviderError) in try read(status, headers, ByteBuffer(string: body)) }
    }

    @Test func answersAreRead() throws {
        let openAI = try OpenAIProvider.interpretResponse(
            status: 200, headers: ["x-request-id": "req_9"],
            body: ByteBuffer(
                string:
                    #"{"id":"c","choices":[{"message":{"content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":2}}}"#
            ))
        #expect(
            openAI
                == ChatResponse(
                    text: "hi", inputTokens: 5, outputTokens: 1, cachedTokens: 2, finishReason: "stop", requestID: "req_9",
                    latencySeconds: 0))

        let anthropic = try AnthropicProvider.interpretResponse(
            status: 200, headers: [:],
            body: ByteBuffer(
                string:
                    #"{"id":"msg_1","content":[{"type":"thinking","thinking":"t"},{"type":"text","text":"a"},{"type":"text","text":"b"}],"stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":2,"cache_read_input_tokens":3,"cache_creation_input_tokens":4}}"#
            ))
        #expect(anthropic.text == "ab")
        #expect(anthropic.inputTokens == 17)
        #expect(anthropic.cachedTokens == 3)
        #expect(anthropic.cacheWriteTokens == 4)
        #expect(anthropic.requestID == "msg_1")

        let gemini = try GeminiProvider.interpretResponse(
            status: 200, headers: [:],
            body: ByteBuffer(
                string:
                    #"{"candidates":[{"content":{"parts":[{"text":"x","thought":true},{"text":"y"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":1,"thoughtsTokenCount":6},"responseId":"r1"}"#
            ))
        #expect(
            gemini == ChatResponse(text: "y", inputTokens: 4, outputTokens: 7, finishReason: "STOP", requestID: "r1", latencySeconds: 0))
    }

    @Test func garbledUsageLeavesTheAnswerWithUnknownUsage() throws {
        let response = try OpenAIProvider.interpretResponse(
            status: 200, headers: [:],
            body: ByteBuffer(string: #"{"id":7,"choices":[{"message":{"content":"ok"},"finish_reason":"stop"}],"usage":"lots"}"#))
        #expect(response.text == "ok")
        #expect(response.inputTokens == nil && response.outputTokens == nil)
        #expect(response.requestID == nil)
    }

    @Test func vendorErrorsAreRead() {
        let openAI = Self.result(
            Self.readers[0].read, status: 429, headers: ["retry-after": "2"],
            #"{"error":{"message":"Slow down","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#)
        guard case .failure(let error) = openAI else {
            Issue.record("expected an error")
            return
        }
        #expect(error.kind == .http(status: 429, type: "requests", code: "rate_limit_exceeded", message: "Slow down"))
        #expect(error.retryAfter == .seconds(2))
        #expect(error.isRetryable)
    }

    @Test func geminiRetryDelayParsing() {
        #expect(GeminiWire.parseDuration("31s") == .seconds(31))
        #expect(GeminiWire.parseDuration("1.5s") == .milliseconds(1500))
        #expect(GeminiWire.parseDuration("0s") == .zero)
        #expect(GeminiWire.parseDuration("99999999999999999999s") == .seconds(86_400))
        #expect(GeminiWire.parseDuration("1e308s") == nil)
        for bad in ["", "s", "31", "-1s", "nans", "infs", "1.5 s", "+3s", "３s"] {
            #expect(GeminiWire.parseDuration(bad) == nil, "\(bad)")
        }
    }

    @Test func tokenCountsAreBelievedOnlyInRange() throws {
        func count(_ json: String) throws -> Int? {
            try JSONDecoder().decode([TokenCount].self, from: Data("[\(json)]".utf8))[0].value
        }
        #expect(try count("0") == 0)
        #expect(try count("1000000000000") == 1_000_000_000_000)
        #expect(try count("12.0") == 12)
        for absurd in [
            "-1", "1000000000001", "12.5", "1e300", "-1e300", "9223372036854775807", "18446744073709551616", "\"3\"", "[]", "{}", "true",
            "null",
        ] {
            #expect(try count(absurd) == nil, "\(absurd)")
        }
        #expect(ResponseDecoding.total(TokenCount(1_000_000_000_000), adding: TokenCount(1)) == nil)
        #expect(ResponseDecoding.total(TokenCount(5), adding: nil, TokenCount(2)) == 7)
        #expect(ResponseDecoding.total(TokenCount(5), adding: TokenCount(nil)) == nil)
    }

    /// A body nested far deeper than any answer is an error, not a stack overflow.
    @Test func deeplyNestedBodiesAreMalformed() {
        let nested = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let wrapped = #"{"choices":"# + nested + "}"
        for reader in Self.readers {
            for body in [nested, wrapped] {
                guard case .failure(let error) = Self.result(reader.read, body) else {
                    Issue.record("\(reader.name): expected an error")
                    continue
                }
                guard case .malformedResponse = error.kind else {
                    Issue.record("\(reader.name): expected malformed, got \(error)")
                    continue
                }
            }
            let errorBody = #"{"error":"# + nested + "}"
            guard case .failure(let error) = Self.result(reader.read, status: 500, errorBody) else {
                Issue.record("\(reader.name): expected an error")
                continue
            }
            #expect(error.httpStatus == 500)
        }
    }

    /// Any bytes give an answer or a `ProviderError`, never a trap: mutations of real responses
    /// (truncations, byte flips, spliced numbers) and random bytes, with a fixed seed.
    @Test func arbitraryBytesNeverTrap() {
        var generator = SplitMix64(seed: 8)
        let seeds = [
            #"{"id":"c","choices":[{"message":{"content":"hi","refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"prompt_tokens_details":{"cached_tokens":2}}}"#,
            #"{"id":"m","content":[{"type":"text","text":"a"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":2,"cache_read_input_tokens":3}}"#,
            #"{"candidates":[{"content":{"parts":[{"text":"y"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":4},"promptFeedback":{}}"#,
            #"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"m","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"3s"},{"violations":[{"quotaId":"PerDay"}]}]}}"#,
        ]
        let splices = ["-1", "1e400", "9223372036854775808", "null", "[]", "{}", "\"\\ud800\"", "0.5", "\u{FF}", "[[[[[[[["]
        var outcomes = 0
        for round in 0..<3000 {
            var bytes = Array(seeds[round % seeds.count].utf8)
            switch round % 4 {
            case 0: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
            case 1:
                for _ in 0..<3 { bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            case 2:
                let at = Int.random(in: 0...bytes.count, using: &generator)
                bytes.insert(contentsOf: Array(splices[Int.random(in: 0..<splices.count, using: &generator)].utf8), at: at)
            default: bytes = (0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
            let status = [200, 200, 429, 500, 0, -1, Int.max][round % 7]
            for reader in Self.readers {
                _ = Result { () throws(ProviderError) in try reader.read(status, [:], ByteBuffer(bytes: bytes)) }
                outcomes += 1
            }
        }
        #expect(outcomes == 9000)
    }
}
