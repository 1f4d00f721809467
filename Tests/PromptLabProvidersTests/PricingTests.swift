import Foundation
import Testing

@testable import PromptLabProviders

@Suite("Pricing")
struct PricingTests {
    @Test func bundledTableLoads() throws {
        let pricing = try Pricing.bundled()
        #expect(pricing.currency == "USD")
        #expect(pricing.asOf.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil)
        for model in [
            "openai/gpt-4o-mini", "openai/gpt-4o", "anthropic/claude-3-5-haiku-latest", "anthropic/claude-sonnet-4-5",
            "gemini/gemini-2.0-flash", "gemini/gemini-2.5-pro",
        ] {
            #expect(pricing.price(for: model) != nil, "\(model)")
        }
    }

    @Test func knownModelCost() throws {
        let pricing = try Pricing.bundled()
        let full = try #require(pricing.cost(model: "openai/gpt-4o-mini", inputTokens: 1_000_000, outputTokens: 1_000_000))
        #expect(abs(full - 0.75) < 1e-9)  // 0.15 in + 0.60 out
        let cached = try #require(
            pricing.cost(model: "openai/gpt-4o-mini", inputTokens: 1_000_000, outputTokens: 0, cachedTokens: 500_000))
        #expect(abs(cached - (0.5 * 0.15 + 0.5 * 0.075)) < 1e-9)
    }

    @Test func cacheWritesAndReadsHaveTheirOwnRates() throws {
        let pricing = Pricing(
            asOf: "2025-01-01",
            models: [
                "a/m": .init(inputPerMillion: 2, outputPerMillion: 10, cachedInputPerMillion: 0.2, cacheWriteInputPerMillion: 2.5),
                "b/m": .init(inputPerMillion: 2, outputPerMillion: 10),
            ])
        // 1M uncached + 1M read + 1M written, then 1M out.
        let cost = try #require(
            pricing.cost(
                model: "a/m", inputTokens: 3_000_000, outputTokens: 1_000_000, cachedTokens: 1_000_000, cacheWriteTokens: 1_000_000))
        #expect(abs(cost - (2 + 0.2 + 2.5 + 10)) < 1e-9)
        // Without cache rates, both fall back to the input rate.
        let plain = try #require(
            pricing.cost(model: "b/m", inputTokens: 3_000_000, outputTokens: 0, cachedTokens: 1_000_000, cacheWriteTokens: 1_000_000))
        #expect(abs(plain - 6) < 1e-9)
    }

    @Test func countsThatCannotBeRightAreNeverPriced() throws {
        let pricing = try Pricing.bundled()
        let model = "openai/gpt-4o-mini"
        #expect(pricing.cost(model: model, inputTokens: -1, outputTokens: 10) == nil)
        #expect(pricing.cost(model: model, inputTokens: 10, outputTokens: -1) == nil)
        #expect(pricing.cost(model: model, inputTokens: 10, outputTokens: 1, cachedTokens: -1) == nil)
        #expect(pricing.cost(model: model, inputTokens: 10, outputTokens: 1, cachedTokens: 11) == nil)
        #expect(pricing.cost(model: model, inputTokens: 10, outputTokens: 1, cachedTokens: 6, cacheWriteTokens: 6) == nil)
        #expect(pricing.cost(model: model, inputTokens: .max, outputTokens: .max, cachedTokens: .max) == nil)
        #expect(pricing.cost(model: model, inputTokens: Pricing.maxTokenCount + 1, outputTokens: 0) == nil)
        #expect(pricing.cost(model: model, inputTokens: Pricing.maxTokenCount, outputTokens: Pricing.maxTokenCount) != nil)
    }

    @Test func unknownModelHasNoCostNotZero() throws {
        let pricing = try Pricing.bundled()
        #expect(pricing.cost(model: "openai/gpt-imaginary", inputTokens: 10, outputTokens: 10) == nil)
        #expect(pricing.cost(model: "openai-compatible/llama", inputTokens: 10, outputTokens: 10) == nil)
        #expect(pricing.cost(model: "openai/gpt-4o-mini", inputTokens: nil, outputTokens: 10) == nil)
    }

    @Test func localModelsAreFreeExplicitly() throws {
        let pricing = try Pricing.bundled()
        for model in ["local/baseline", "local/echo", "exec/./classify.sh --x", "ollama/llama3.2:3b"] {
            #expect(pricing.cost(model: model, inputTokens: 1000, outputTokens: 1000) == 0, "\(model)")
        }
        let reference = try ModelReference(parsing: "local/baseline")
        let response = ChatResponse(text: "x", inputTokens: 3, outputTokens: 1, latencySeconds: 0)
        #expect(pricing.cost(of: response, reference: reference) == 0)
    }

    @Test func longestWildcardWins() {
        let pricing = Pricing(
            asOf: "2025-01-01",
            models: [
                "openai/*": .init(inputPerMillion: 1, outputPerMillion: 1),
                "openai/gpt-4o-*": .init(inputPerMillion: 2, outputPerMillion: 2),
            ])
        #expect(pricing.price(for: "openai/gpt-4o-2024") == .init(inputPerMillion: 2, outputPerMillion: 2))
        #expect(pricing.price(for: "openai/o3") == .init(inputPerMillion: 1, outputPerMillion: 1))
        #expect(pricing.price(for: "anthropic/x") == nil)
    }

    @Test func userOverrideFileReplacesAndAddsEntries() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.url.appendingPathComponent("prices.json")
        try #"""
        {"as_of": "2030-01-02", "currency": "USD", "models": {
          "openai/gpt-4o-mini": {"input_per_million": 1.0, "output_per_million": 2.0},
          "acme/model": {"input_per_million": 3.0, "output_per_million": 4.0, "cached_input_per_million": 0.5}}}
        """#.write(to: file, atomically: true, encoding: .utf8)
        let pricing = try Pricing.load(overridePath: file.path)
        #expect(pricing.asOf == "2030-01-02")
        #expect(pricing.cost(model: "openai/gpt-4o-mini", inputTokens: 1_000_000, outputTokens: 0) == 1.0)
        #expect(pricing.price(for: "acme/model")?.cachedInputPerMillion == 0.5)
        #expect(pricing.price(for: "anthropic/claude-3-5-haiku-latest") != nil)  // bundled entries stay

        let broken = directory.url.appendingPathComponent("broken.json")
        try #"{"as_of": "x", "models": {"a/b": {"input_per_million": -1, "output_per_million": 0}}, "currency": "USD"}"#
            .write(to: broken, atomically: true, encoding: .utf8)
        let error = await providerError { try Pricing.load(overridePath: broken.path) }
        #expect(error?.description.contains("broken.json") == true)
        let missing = await providerError { try Pricing.load(overridePath: directory.path + "/nope.json") }
        #expect(missing?.description.contains("cannot read pricing file") == true)
    }
}
