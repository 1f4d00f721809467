import AsyncHTTPClient
import Foundation
import ProviderTestServer
import Testing

@testable import PromptLabProviders

/// Settings outside a vendor's documented range are refused before anything is sent, naming the
/// limit; settings inside it go through unchanged.
@Suite("Generation limits")
struct GenerationLimitsTests {
    enum Vendor: String, CaseIterable { case openAI, anthropic, gemini }

    func provider(_ vendor: Vendor, _ server: ProviderTestServer, _ client: HTTPClient) -> any ChatProvider {
        switch vendor {
        case .openAI: OpenAIProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
        case .anthropic: AnthropicProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
        case .gemini: GeminiProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
        }
    }

    /// The error `vendor` throws for `config`, checking that nothing reached the server.
    func refusal(_ vendor: Vendor, _ config: GenerationConfig) async throws -> String? {
        try await withServerAndClient { server, client in
            let error = await providerError {
                try await provider(vendor, server, client).send(ChatRequest(model: "m", messages: [.user("hi")], config: config))
            }
            #expect(server.requestCount == 0, "\(vendor): the request was sent")
            guard case .invalidConfiguration(let detail) = error?.kind else {
                Issue.record("\(vendor): expected invalid configuration, got \(String(describing: error))")
                return nil
            }
            #expect(error?.isRetryable == false)
            return detail
        }
    }

    @Test func openAIAcceptsAtMostFourStopStrings() async throws {
        let detail = try await refusal(.openAI, GenerationConfig(stopSequences: ["a", "b", "c", "d", "e"]))
        #expect(detail == "stopSequences has 5 entries; OpenAI accepts at most 4")
    }

    @Test func geminiAcceptsAtMostFiveStopSequences() async throws {
        let detail = try await refusal(.gemini, GenerationConfig(stopSequences: ["a", "b", "c", "d", "e", "f"]))
        #expect(detail == "stopSequences has 6 entries; Gemini accepts at most 5")
    }

    @Test func anthropicTemperatureIsZeroToOne() async throws {
        let detail = try await refusal(.anthropic, GenerationConfig(temperature: 1.5))
        #expect(detail == "temperature 1.5 is out of range; Anthropic accepts 0 to 1")
    }

    @Test func openAIAndGeminiTemperatureIsZeroToTwo() async throws {
        #expect(try await refusal(.openAI, GenerationConfig(temperature: 2.5)) == "temperature 2.5 is out of range; OpenAI accepts 0 to 2")
        #expect(
            try await refusal(.gemini, GenerationConfig(temperature: -0.1)) == "temperature -0.1 is out of range; Gemini accepts 0 to 2")
    }

    @Test func geminiSeedIsAnInt32() async throws {
        let detail = try await refusal(.gemini, GenerationConfig(seed: 2_147_483_648))
        #expect(detail == "seed 2147483648 is out of range; Gemini accepts -2147483648 to 2147483647")
    }

    @Test(arguments: Vendor.allCases)
    func topPIsAProbability(vendor: Vendor) async throws {
        let detail = try await refusal(vendor, GenerationConfig(topP: 1.5))
        #expect(detail?.hasPrefix("topP 1.5 is out of range;") == true)
    }

    @Test(arguments: Vendor.allCases)
    func maxOutputTokensIsPositive(vendor: Vendor) async throws {
        let detail = try await refusal(vendor, GenerationConfig(maxOutputTokens: 0))
        #expect(detail?.hasPrefix("maxOutputTokens 0 is out of range;") == true)
    }

    @Test func geminiMaxOutputTokensIsAnInt32() async throws {
        let detail = try await refusal(.gemini, GenerationConfig(maxOutputTokens: 3_000_000_000))
        #expect(detail == "maxOutputTokens 3000000000 is out of range; Gemini accepts 1 to 2147483647")
    }

    @Test(arguments: Vendor.allCases)
    func nonFiniteNumbersAreRefused(vendor: Vendor) async throws {
        let detail = try await refusal(vendor, GenerationConfig(temperature: .nan))
        #expect(detail?.hasPrefix("temperature nan is out of range;") == true)
    }

    @Test func settingsAtTheLimitsAreSent() async throws {
        try await withServerAndClient { server, client in
            let openAI = GenerationConfig(temperature: 2, maxOutputTokens: 1, topP: 1, stopSequences: ["a", "b", "c", "d"], seed: .max)
            _ = try await provider(.openAI, server, client).send(ChatRequest(model: "m", messages: [.user("hi")], config: openAI))
            let anthropic = GenerationConfig(temperature: 1, topP: 0, stopSequences: Array(repeating: "x", count: 8))
            _ = try await provider(.anthropic, server, client).send(
                ChatRequest(model: "m", messages: [.user("hi")], config: anthropic))
            let gemini = GenerationConfig(
                temperature: 2, maxOutputTokens: Int(Int32.max), stopSequences: ["a", "b", "c", "d", "e"], seed: Int(Int32.min))
            _ = try await provider(.gemini, server, client).send(ChatRequest(model: "m", messages: [.user("hi")], config: gemini))
            #expect(server.requestCount == 3)
            #expect(server.violations.isEmpty)
        }
    }

    @Test func compatibleServersAreNotHeldToOpenAIsStopLimit() async throws {
        try await withServerAndClient { server, client in
            let provider = OpenAIProvider(
                name: "openai-compatible", baseURL: server.baseURL, apiKey: nil, dialect: .compatible, httpClient: client,
                logger: quietLogger)
            let config = GenerationConfig(stopSequences: ["a", "b", "c", "d", "e", "f"])
            _ = try await provider.send(ChatRequest(model: "m", messages: [.user("hi")], config: config))
            #expect(server.requestCount == 1)
        }
    }
}
