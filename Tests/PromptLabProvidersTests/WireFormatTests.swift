import AsyncHTTPClient
import Foundation
import NIOCore
import ProviderTestServer
import Testing

@testable import PromptLabProviders

/// Each vendor's request and response shape, checked against the loopback server (which rejects a
/// request the real API would reject, and lists why in `violations`).
@Suite("Wire formats")
struct WireFormatTests {
    let conversation: [ChatMessage] = [
        .system("Be brief."),
        .system("Answer in English."),
        .user("What is two plus two"),
        .assistant("four"),
        .user("hello there world"),
    ]

    // MARK: - OpenAI

    @Test func openAIRequestShapeAndResponseParsing() async throws {
        try await withServerAndClient(configuration: .init(expectedAPIKey: "sk-test-openai", cachedTokens: 2)) { server, client in
            let provider = OpenAIProvider(
                baseURL: server.baseURL, apiKey: APIKey("sk-test-openai"), httpClient: client, logger: quietLogger)
            let config = GenerationConfig(temperature: 0.2, maxOutputTokens: 50, topP: 0.9, stopSequences: ["STOP"], seed: 7)
            let response = try await provider.send(ChatRequest(model: "gpt-4o-mini", messages: conversation, config: config))

            #expect(server.violations.isEmpty)
            #expect(response.text == "hello there world")
            #expect(response.inputTokens == 14)  // whitespace tokens of all five messages
            #expect(response.outputTokens == 3)
            #expect(response.cachedTokens == 2)
            #expect(response.finishReason == "stop")
            #expect(response.requestID == "req_1")
            #expect(response.attempts == 1)

            let recorded = try #require(server.lastRequest)
            #expect(recorded.method == "POST")
            #expect(recorded.path == "/v1/chat/completions")
            #expect(recorded.header("authorization") == "Bearer sk-test-openai")
            #expect(recorded.header("content-type") == "application/json")
            let body = try #require(recorded.json)
            #expect(body["model"] == "gpt-4o-mini")
            #expect(body["max_completion_tokens"] == 50)
            #expect(body["max_tokens"] == nil)
            #expect(body["temperature"]?.doubleValue == 0.2)
            #expect(body["top_p"]?.doubleValue == 0.9)
            #expect(body["stop"] == ["STOP"])
            #expect(body["seed"] == 7)
            #expect(body["response_format"] == nil)
            let roles = body["messages"]?.arrayValue?.compactMap { $0["role"]?.stringValue }
            #expect(roles == ["system", "system", "user", "assistant", "user"])
        }
    }

    @Test func openAIOmitsUnsetSettings() async throws {
        try await withServerAndClient { server, client in
            let provider = OpenAIProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            _ = try await provider.send(ChatRequest(model: "m", messages: [.user("hi")]))
            let body = try #require(server.lastRequest?.json?.objectValue)
            #expect(Set(body.keys) == ["model", "messages"])
        }
    }

    @Test func openAIJSONModeAndLengthFinish() async throws {
        try await withServerAndClient { server, client in
            let provider = OpenAIProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let json = try await provider.send(
                ChatRequest(model: "m", messages: [.user("say yes")], config: GenerationConfig(responseFormat: .json)))
            #expect(server.lastRequest?.json?["response_format"] == ["type": "json_object"])
            #expect(json.text == #"{"echo":"say yes"}"#)

            let short = try await provider.send(
                ChatRequest(model: "m", messages: [.user("one two three four")], config: GenerationConfig(maxOutputTokens: 2)))
            #expect(short.text == "one two")
            #expect(short.finishReason == "length")
            #expect(server.violations.isEmpty)
        }
    }

    @Test func compatibleServersGetMaxTokensAndThePlaceholderKey() async throws {
        try await withServerAndClient { server, client in
            let registry = ProviderRegistry(httpClient: client, environment: [:], logger: quietLogger)
            let reference = try ModelReference(parsing: "openai-compatible/meta-llama/Llama-3.1-8B")
            let provider = try registry.makeProvider(for: reference, overrides: ProviderOverrides(baseURL: server.baseURL + "/v1/"))
            #expect(provider.name == "openai-compatible")
            let response = try await provider.send(
                ChatRequest(model: reference.model, messages: [.user("hi")], config: GenerationConfig(maxOutputTokens: 9)))
            #expect(response.text == "hi")
            let recorded = try #require(server.lastRequest)
            #expect(recorded.path == "/v1/chat/completions")
            #expect(recorded.header("authorization") == "Bearer \(OpenAIProvider.placeholderKey)")
            #expect(recorded.json?["max_tokens"] == 9)
            #expect(recorded.json?["max_completion_tokens"] == nil)
            #expect(recorded.json?["model"] == "meta-llama/Llama-3.1-8B")
            #expect(server.violations.isEmpty)
        }
    }

    @Test func ollamaUsesItsOpenAICompatibleEndpointFromTheEnvironment() async throws {
        try await withServerAndClient { server, client in
            let registry = ProviderRegistry(
                httpClient: client, environment: ["OLLAMA_BASE_URL": server.baseURL + "/v1"], logger: quietLogger)
            let provider = try registry.makeProvider(for: try ModelReference(parsing: "ollama/llama3.2:3b"))
            #expect(provider.name == "ollama")
            let response = try await provider.send(
                ChatRequest(model: "llama3.2:3b", messages: [.user("ping")], config: GenerationConfig(maxOutputTokens: 4)))
            #expect(response.text == "ping")
            #expect(server.requestCount(path: "/v1/chat/completions") == 1)
            #expect(server.lastRequest?.header("authorization") == "Bearer \(OpenAIProvider.placeholderKey)")
            #expect(server.lastRequest?.json?["max_tokens"] == 4)
        }
    }

    // MARK: - Anthropic

    @Test func anthropicRequestShapeAndResponseParsing() async throws {
        try await withServerAndClient(configuration: .init(expectedAPIKey: "sk-ant-test", cachedTokens: 3)) { server, client in
            let provider = AnthropicProvider(
                baseURL: server.baseURL, apiKey: APIKey("sk-ant-test"), httpClient: client, logger: quietLogger)
            let config = GenerationConfig(temperature: 0.5, topP: 0.8, stopSequences: ["END"], seed: 1, responseFormat: .json)
            let response = try await provider.send(ChatRequest(model: "claude-3-5-haiku-latest", messages: conversation, config: config))

            #expect(server.violations.isEmpty)
            // The server splits the answer over two text blocks after a thinking block.
            #expect(response.text == "hello there world")
            #expect(response.inputTokens == 14)  // input_tokens (11) + cache_read_input_tokens (3)
            #expect(response.cachedTokens == 3)
            #expect(response.outputTokens == 3)
            #expect(response.finishReason == "end_turn")
            #expect(response.requestID == "req_1")

            let recorded = try #require(server.lastRequest)
            #expect(recorded.path == "/v1/messages")
            #expect(recorded.header("x-api-key") == "sk-ant-test")
            #expect(recorded.header("anthropic-version") == "2023-06-01")
            #expect(recorded.header("authorization") == nil)
            let body = try #require(recorded.json)
            #expect(body["system"] == "Be brief.\n\nAnswer in English.")
            #expect(body["max_tokens"] == 1024)
            #expect(body["stop_sequences"] == ["END"])
            #expect(body["temperature"]?.doubleValue == 0.5)
            #expect(body["seed"] == nil)
            let roles = body["messages"]?.arrayValue?.compactMap { $0["role"]?.stringValue }
            #expect(roles == ["user", "assistant", "user"])
        }
    }

    @Test func anthropicMaxTokensAndStopReason() async throws {
        try await withServerAndClient { server, client in
            let provider = AnthropicProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let response = try await provider.send(
                ChatRequest(model: "claude", messages: [.user("a b c d e")], config: GenerationConfig(maxOutputTokens: 2)))
            #expect(server.lastRequest?.json?["max_tokens"] == 2)
            #expect(response.text == "a b")
            #expect(response.finishReason == "max_tokens")
        }
    }

    // MARK: - Gemini

    @Test func geminiRequestShapeAndResponseParsing() async throws {
        try await withServerAndClient(configuration: .init(expectedAPIKey: "AIza-test", cachedTokens: 4)) { server, client in
            let provider = GeminiProvider(baseURL: server.baseURL, apiKey: APIKey("AIza-test"), httpClient: client, logger: quietLogger)
            let config = GenerationConfig(
                temperature: 0.1, maxOutputTokens: 64, topP: 0.95, stopSequences: ["X"], seed: 3, responseFormat: .json)
            let response = try await provider.send(ChatRequest(model: "gemini-2.0-flash", messages: conversation, config: config))

            #expect(server.violations.isEmpty)
            #expect(response.text == #"{"echo":"hello there world"}"#)  // thought part skipped, text parts joined
            #expect(response.inputTokens == 14)
            #expect(response.cachedTokens == 4)
            #expect(response.outputTokens == 3)
            #expect(response.finishReason == "STOP")
            #expect(response.requestID == "resp_1")

            let recorded = try #require(server.lastRequest)
            #expect(recorded.path == "/v1beta/models/gemini-2.0-flash:generateContent")
            #expect(!recorded.uri.contains("key="))
            #expect(recorded.header("x-goog-api-key") == "AIza-test")
            let body = try #require(recorded.json)
            #expect(body["systemInstruction"] == ["parts": [["text": "Be brief.\n\nAnswer in English."]]])
            let roles = body["contents"]?.arrayValue?.compactMap { $0["role"]?.stringValue }
            #expect(roles == ["user", "model", "user"])
            #expect(body["contents"]?[2]?["parts"] == [["text": "hello there world"]])
            let generation = try #require(body["generationConfig"])
            #expect(generation["maxOutputTokens"] == 64)
            #expect(generation["temperature"]?.doubleValue == 0.1)
            #expect(generation["topP"]?.doubleValue == 0.95)
            #expect(generation["stopSequences"] == ["X"])
            #expect(generation["seed"] == 3)
            #expect(generation["responseMimeType"] == "application/json")
        }
    }

    @Test func geminiAcceptsAModelsPrefixAndTrailingVersionInTheBaseURL() async throws {
        try await withServerAndClient { server, client in
            let provider = GeminiProvider(
                baseURL: server.baseURL + "/v1beta/", apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let response = try await provider.send(ChatRequest(model: "models/gemini-2.5-flash", messages: [.user("a b c")]))
            #expect(response.text == "a b c")
            #expect(server.lastRequest?.path == "/v1beta/models/gemini-2.5-flash:generateContent")
            #expect(server.lastRequest?.json?["generationConfig"] == nil)
        }
    }

    @Test func plainStringErrorsOfCompatibleServersAreRead() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.status(404, body: #"{"error":"model 'llama9' not found, try pulling it first"}"#))
            let provider = OpenAIProvider(
                name: "ollama", baseURL: server.baseURL, apiKey: nil, dialect: .compatible, httpClient: client, logger: quietLogger)
            let error = await providerError { try await provider.send(ChatRequest(model: "llama9", messages: [.user("hi")])) }
            #expect(error?.description == "ollama: HTTP 404: model 'llama9' not found, try pulling it first")
            #expect(error?.isRetryable == false)
        }
    }

    // MARK: - Server-side checks work

    @Test func theServerRejectsAWrongShape() async throws {
        try await withServerAndClient { server, client in
            var request = HTTPClientRequest(url: server.baseURL + "/v1/messages")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.headers.add(name: "x-api-key", value: "k")
            request.body = .bytes(ByteBuffer(string: #"{"model":"c","messages":[{"role":"system","content":"x"}]}"#))
            let response = try await client.execute(request, timeout: .seconds(5))
            #expect(response.status.code == 400)
            let problems = server.violations.joined(separator: "\n")
            #expect(problems.contains("anthropic-version"))
            #expect(problems.contains("max_tokens"))
            #expect(problems.contains("top-level 'system'"))
        }
    }
}
