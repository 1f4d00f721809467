import Foundation
import Logging
import PromptFormat
import PromptLabProviders
import ProviderTestServer
import Testing

@testable import PromptExperiments

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// OpenAI's published schemas, read once (nil where the conformance folder is absent).
enum OpenAIConformance {
    /// `../shared/conformance/openai` beside the project (the package root is three levels above this file).
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/conformance/openai")

    static let skipMessage: Comment =
        "skipped: OpenAI's schemas are not at \(folder.path) (the conformance folder is kept beside the project)"

    struct Schemas {
        var request: JSONSchemaValidator
        var response: JSONSchemaValidator
        var error: JSONSchemaValidator
    }

    static let schemas: Schemas? = {
        func load(_ name: String) -> JSONSchemaValidator? {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path),
                let value = try? JSONDecoder().decode(PromptValue.self, from: data)
            else { return nil }
            return try? JSONSchemaValidator(schema: value)
        }
        guard let request = load("chat-completions-request.schema.json"),
            let response = load("chat-completions-response.schema.json"), let error = load("error-response.schema.json")
        else { return nil }
        return Schemas(request: request, response: response, error: error)
    }()

}

/// The OpenAI provider's request bodies, and the loopback server's OpenAI responses, checked against
/// OpenAI's published JSON Schemas (`CreateChatCompletionRequest`, `CreateChatCompletionResponse`,
/// `ErrorResponse` from github.com/openai/openai-openapi), kept in `../shared/conformance/openai`
/// beside the project. Validated with PromptLab's own ``JSONSchemaValidator``, which implements
/// every keyword those schemas use (`$ref`, `anyOf`, `oneOf`, `allOf`, `enum`, `type` lists with
/// `null`, `minItems`/`maxItems`, `minimum`/`maximum`, `maxLength`, `required`, `additionalProperties`);
/// their `format`, `default`, `deprecated` and `x-stainless-*` annotations do not constrain values.
@Suite(.enabled(if: OpenAIConformance.schemas != nil, OpenAIConformance.skipMessage))
struct OpenAIContractTests {
    static let logger = Logger(label: "contract") { _ in SwiftLogNoOpLogHandler() }

    static func violations(of body: Data, against validator: JSONSchemaValidator) throws -> [String] {
        let value = try JSONDecoder().decode(PromptValue.self, from: body)
        return validator.validate(value).map(\.description)
    }

    // MARK: - Requests

    /// Representative requests: every setting PromptLab sends, alone and together.
    static let requests: [(label: String, messages: [ChatMessage], config: GenerationConfig)] = [
        ("a bare user message", [.user("hi")], GenerationConfig()),
        ("temperature", [.user("hi")], GenerationConfig(temperature: 0.7)),
        ("temperature at its limits", [.user("hi")], GenerationConfig(temperature: 2)),
        ("max tokens", [.user("hi")], GenerationConfig(maxOutputTokens: 256)),
        ("top_p", [.user("hi")], GenerationConfig(topP: 0.9)),
        ("one stop string", [.user("hi")], GenerationConfig(stopSequences: ["\n\n"])),
        ("four stop strings", [.user("hi")], GenerationConfig(stopSequences: ["a", "b", "c", "d"])),
        ("seed", [.user("hi")], GenerationConfig(seed: 42)),
        ("a 64-bit seed", [.user("hi")], GenerationConfig(seed: Int.min)),
        ("JSON mode", [.user("answer in JSON")], GenerationConfig(responseFormat: .json)),
        ("text mode", [.user("hi")], GenerationConfig(responseFormat: .text)),
        ("a system prompt", [.system("Be brief."), .user("hi")], GenerationConfig()),
        (
            "images, inline and by URL",
            [
                .system("Describe."),
                ChatMessage(
                    role: .user,
                    parts: [
                        .text("this"), .media(url: "data:image/png;base64,iVBORw0KGgo=", contentType: nil),
                        .media(url: "https://example.com/a.jpg", contentType: nil),
                    ]),
            ],
            GenerationConfig()
        ),
        (
            "a JSON schema", [.user("answer in JSON")],
            GenerationConfig(
                responseFormat: .json,
                responseSchema: [
                    "type": "object", "properties": ["label": ["type": "string"]], "required": ["label"],
                    "additionalProperties": false,
                ])
        ),
        (
            "provider-specific settings", [.user("hi")],
            GenerationConfig(additional: ["frequencyPenalty": 0.5, "presencePenalty": -0.5, "logprobs": true])
        ),
        (
            "few-shot messages and every setting",
            [.system("Classify."), .user("charged twice"), .assistant("billing"), .user("app crashes")],
            GenerationConfig(
                temperature: 0, maxOutputTokens: 5, topP: 1, stopSequences: ["."], seed: 7, responseFormat: .json)
        ),
    ]

    /// A streamed request adds `stream` and `stream_options.include_usage`, which the schema types.
    @Test func aStreamingRequestBodyMatchesTheRequestSchema() async throws {
        let schemas = try #require(OpenAIConformance.schemas)
        try await ProviderTestServer.withServer { server in
            let environment = ["OPENAI_API_KEY": "sk-contract-test", "OPENAI_BASE_URL": server.baseURL]
            try await ProviderRegistry.withRegistry(environment: environment, logger: Self.logger) { registry in
                let provider = try registry.makeProvider(for: try ModelReference(parsing: "openai/gpt-4o-mini"))
                let request = ChatRequest(model: "gpt-4o-mini", messages: [.user("hi there")], config: GenerationConfig(maxOutputTokens: 5))
                let answer = try await provider.stream(request).collect()
                #expect(answer.text == "hi there")
                let body = try #require(server.lastRequest?.body)
                #expect(String(decoding: body, as: UTF8.self).contains(#""stream_options":{"include_usage":true}"#))
                #expect(try Self.violations(of: body, against: schemas.request).isEmpty)
            }
        }
    }

    @Test func everyRequestBodyMatchesTheRequestSchema() async throws {
        let schemas = try #require(OpenAIConformance.schemas)
        try await ProviderTestServer.withServer { server in
            for dialect in ["openai", "openai-compatible"] {
                let environment = [
                    "OPENAI_API_KEY": "sk-contract-test", "OPENAI_BASE_URL": server.baseURL,
                    "OPENAI_COMPATIBLE_BASE_URL": server.baseURL,
                ]
                try await ProviderRegistry.withRegistry(environment: environment, logger: Self.logger) { registry in
                    let provider = try registry.makeProvider(for: try ModelReference(parsing: "\(dialect)/gpt-4o-mini"))
                    for (label, messages, config) in Self.requests {
                        _ = try await provider.send(ChatRequest(model: "gpt-4o-mini", messages: messages, config: config))
                        let body = try #require(server.lastRequest?.body)
                        let problems = try Self.violations(of: body, against: schemas.request)
                        #expect(problems.isEmpty, "\(dialect), \(label): \(problems)")
                    }
                }
            }
        }
    }

    /// The check can fail: what the provider refuses to send (5 stop strings, temperature 2.5) the
    /// schema rejects too.
    @Test func theRequestSchemaRejectsWhatTheProviderRefuses() throws {
        let schemas = try #require(OpenAIConformance.schemas)
        let body = Data(#"{"model":"m","messages":[{"role":"user","content":"x"}],"stop":["a","b","c","d","e"],"temperature":2.5}"#.utf8)
        let problems = try Self.violations(of: body, against: schemas.request)
        #expect(problems.contains { $0.hasPrefix("$.stop") })
        #expect(problems.contains { $0.hasPrefix("$.temperature") })
        #expect(OpenAIProvider.documentedLimits.problem(with: GenerationConfig(stopSequences: ["a", "b", "c", "d", "e"])) != nil)
        #expect(OpenAIProvider.documentedLimits.problem(with: GenerationConfig(temperature: 2.5)) != nil)
    }

    // MARK: - Responses

    /// POSTs a valid Chat Completions request to the loopback server and returns the raw reply.
    static func post(_ server: ProviderTestServer, _ body: String) async throws -> (status: Int, body: Data) {
        var request = URLRequest(url: try #require(URL(string: server.baseURL + "/v1/chat/completions")))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "content-type")
        request.setValue("Bearer k", forHTTPHeaderField: "authorization")
        request.httpBody = Data(body.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    @Test func theServersAnswersMatchTheResponseSchema() async throws {
        let schemas = try #require(OpenAIConformance.schemas)
        try await ProviderTestServer.withServer { server in
            for body in [
                #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello there"}]}"#,
                #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"one two three"}],"max_completion_tokens":1}"#,
                #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"}}"#,
            ] {
                let reply = try await Self.post(server, body)
                #expect(reply.status == 200)
                let problems = try Self.violations(of: reply.body, against: schemas.response)
                #expect(problems.isEmpty, "\(body): \(problems)")
            }
        }
    }

    @Test(arguments: [Fault.badRequest, .unauthorized, .notFound, .rateLimited(), .insufficientQuota, .serverError, .unavailable])
    func theServersErrorsMatchTheErrorSchema(fault: Fault) async throws {
        let schemas = try #require(OpenAIConformance.schemas)
        try await ProviderTestServer.withServer { server in
            server.enqueue(fault)
            let reply = try await Self.post(server, #"{"model":"m","messages":[{"role":"user","content":"x"}]}"#)
            #expect(reply.status >= 400)
            let problems = try Self.violations(of: reply.body, against: schemas.error)
            #expect(problems.isEmpty, "\(fault): \(problems)")
        }
    }
}
