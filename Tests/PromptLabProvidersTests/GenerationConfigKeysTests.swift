import AsyncHTTPClient
import Foundation
import ProviderTestServer
import Testing

@testable import PromptLabProviders

/// `topK` and the provider-specific entries of a prompt's `config` (``GenerationConfig/additional``).
@Suite("Generation config keys")
struct GenerationConfigKeysTests {
    static func request(_ config: GenerationConfig) -> ChatRequest {
        ChatRequest(model: "m", messages: [.user("hi")], config: config)
    }

    @Test func snakeCaseConversion() {
        #expect(AdditionalSettings.snakeCase("frequencyPenalty") == "frequency_penalty")
        #expect(AdditionalSettings.snakeCase("topK") == "top_k")
        #expect(AdditionalSettings.snakeCase("logitBias") == "logit_bias")
        #expect(AdditionalSettings.snakeCase("already_snake") == "already_snake")
        #expect(AdditionalSettings.snakeCase("parseJSONOutput") == "parse_json_output")
        #expect(AdditionalSettings.snakeCase("top2Logprobs") == "top2_logprobs")
        #expect(AdditionalSettings.camelCase("max_output_tokens") == "maxOutputTokens")
        #expect(AdditionalSettings.camelCase("candidateCount") == "candidateCount")
    }

    @Test func openAIRefusesTopKAndSendsAdditionalInSnakeCase() async throws {
        try await withServerAndClient { server, client in
            let provider = OpenAIProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let error = await providerError { try await provider.send(Self.request(GenerationConfig(topK: 40))) }
            #expect(error?.description == "openai: invalid configuration: OpenAI has no topK setting; remove topK from the prompt's config")
            #expect(error?.attempts == 0)
            #expect(server.requests.isEmpty)

            let additional: [String: ProviderJSON] = ["frequencyPenalty": 0.5, "presence_penalty": 0.1, "logitBias": ["50256": -100]]
            _ = try await provider.send(Self.request(GenerationConfig(additional: additional)))
            #expect(server.violations.isEmpty, "\(server.violations)")
            let body = try #require(server.lastRequest?.json)
            #expect(body["frequency_penalty"]?.doubleValue == 0.5)
            #expect(body["presence_penalty"]?.doubleValue == 0.1)
            #expect(body["logit_bias"] == ["50256": -100])
            #expect(body["frequencyPenalty"] == nil)
        }
    }

    @Test func compatibleServersGetTopK() async throws {
        try await withServerAndClient { server, client in
            let provider = OpenAIProvider(
                name: "openai-compatible", baseURL: server.baseURL, apiKey: nil, dialect: .compatible, httpClient: client,
                logger: quietLogger)
            _ = try await provider.send(Self.request(GenerationConfig(topK: -1)))
            #expect(server.violations.isEmpty, "\(server.violations)")
            #expect(server.lastRequest?.json?["top_k"] == -1)
        }
    }

    @Test func anthropicGetsTopKAndSnakeCaseKeys() async throws {
        try await withServerAndClient { server, client in
            let provider = AnthropicProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            _ = try await provider.send(
                Self.request(GenerationConfig(topK: 5, additional: ["metadata": ["userId": "u1"]])))
            #expect(server.violations.isEmpty, "\(server.violations)")
            let body = try #require(server.lastRequest?.json)
            #expect(body["top_k"] == 5)
            #expect(body["metadata"] == ["userId": "u1"])  // values are sent as given; only keys are converted
            let negative = await providerError { try await provider.send(Self.request(GenerationConfig(topK: -1))) }
            #expect(negative?.description == "anthropic: invalid configuration: topK -1 is out of range; Anthropic accepts 0 or more")
        }
    }

    @Test func geminiPutsSafetySettingsAtTheTopAndTheRestInGenerationConfig() async throws {
        try await withServerAndClient { server, client in
            let provider = GeminiProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let additional: [String: ProviderJSON] = [
                "safetySettings": [["category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"]], "candidateCount": 1,
                "frequencyPenalty": 0.2,
            ]
            _ = try await provider.send(Self.request(GenerationConfig(topK: 40, additional: additional)))
            #expect(server.violations.isEmpty, "\(server.violations)")
            let body = try #require(server.lastRequest?.json)
            #expect(body["safetySettings"] == [["category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"]])
            #expect(body["generationConfig"] == ["topK": 40, "candidateCount": 1, "frequencyPenalty": 0.2])
            let tooLarge = await providerError { try await provider.send(Self.request(GenerationConfig(topK: Int(Int32.max) + 1))) }
            #expect(tooLarge?.description.contains("topK 2147483648 is out of range; Gemini accepts 0 to 2147483647") == true)
        }
    }

    @Test func keysThatPromptLabSetsAreRefused() async throws {
        try await withServerAndClient { server, client in
            let openAI = OpenAIProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let anthropic = AnthropicProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let gemini = GeminiProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let cases: [(any ChatProvider, [String: ProviderJSON], String)] = [
                (openAI, ["stream": true], "config key 'stream' is a field PromptLab sets itself"),
                (openAI, ["maxTokens": 5], "config key 'maxTokens' (sent as 'max_tokens') is a field PromptLab sets itself"),
                (openAI, ["messages": []], "config key 'messages' is a field PromptLab sets itself"),
                (anthropic, ["stopSequences": ["x"]], "config key 'stopSequences' (sent as 'stop_sequences')"),
                (anthropic, ["system": "x"], "config key 'system' is a field PromptLab sets itself"),
                (gemini, ["temperature": 1], "config key 'temperature' is a field PromptLab sets itself"),
                (gemini, ["response_schema": [:]], "config key 'response_schema' (sent as 'responseSchema')"),
                (openAI, ["frequencyPenalty": 1, "frequency_penalty": 1], "'frequencyPenalty' and 'frequency_penalty' are both sent"),
                (openAI, ["": 1], "a config key is empty"),
            ]
            for (provider, additional, expected) in cases {
                let error = await providerError { try await provider.send(Self.request(GenerationConfig(additional: additional))) }
                #expect(error?.description.contains(expected) == true, "\(additional): \(String(describing: error))")
                #expect(error?.attempts == 0)
            }
            #expect(server.requests.isEmpty)
        }
    }

    @Test func unsetAndEmptySettingsSendNothing() async throws {
        try await withServerAndClient { server, client in
            let gemini = GeminiProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            _ = try await gemini.send(Self.request(GenerationConfig(additional: [:])))
            #expect(Set(try #require(server.lastRequest?.json?.objectValue).keys) == ["contents"])
            let anthropic = AnthropicProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            _ = try await anthropic.send(Self.request(GenerationConfig()))
            #expect(Set(try #require(server.lastRequest?.json?.objectValue).keys) == ["model", "max_tokens", "messages"])
        }
    }

    @Test func configEncodingIsUnchangedWithoutTheNewSettings() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let old = GenerationConfig(temperature: 0.5, maxOutputTokens: 9, seed: 1, responseFormat: .json)
        #expect(
            String(decoding: try encoder.encode(old), as: UTF8.self)
                == #"{"maxOutputTokens":9,"responseFormat":"json","seed":1,"temperature":0.5}"#)
        let new = GenerationConfig(topK: 3, responseSchema: ["type": "object"], additional: ["candidateCount": 2])
        let text = String(decoding: try encoder.encode(new), as: UTF8.self)
        #expect(text == #"{"additional":{"candidateCount":2},"responseSchema":{"type":"object"},"topK":3}"#)
        #expect(try JSONDecoder().decode(GenerationConfig.self, from: Data(text.utf8)) == new)
    }

    @Test func execProgramsGetTheNewSettings() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let captured = directory.path + "/input.json"
        let script = try directory.script("answer.sh", "cat > \"$1\"\nprintf '{\"text\": \"ok\"}'")
        let provider = ExecProvider(arguments: [script, captured], logger: quietLogger)
        _ = try await provider.send(
            Self.request(GenerationConfig(responseFormat: .json, topK: 4, responseSchema: ["type": "object"], additional: ["x": 1])))
        let input = try #require(JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: captured))))
        #expect(
            input["config"] == ["response_format": "json", "top_k": 4, "response_schema": ["type": "object"], "additional": ["x": 1]])
        _ = try await provider.send(Self.request(GenerationConfig()))
        let plain = try #require(JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: captured))))
        #expect(plain["config"] == [:])
    }
}
