import AsyncHTTPClient
import Foundation
import ProviderTestServer
import Testing

@testable import PromptLabProviders

/// JSON answers that follow a schema: `json_schema` for OpenAI, `responseSchema` for Gemini, nothing
/// for Anthropic; checked on the bodies the loopback server received.
@Suite("Structured output")
struct StructuredOutputTests {
    /// A schema as a Picoschema or JSON Schema prompt gives it, with keywords Gemini rejects.
    static let schema: ProviderJSON = [
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": false,
        "properties": [
            "label": ["type": "string", "enum": ["billing", "technical"], "description": "the queue"],
            "confidence": ["type": ["number", "null"], "minimum": 0, "maximum": 1],
            "tags": ["type": "array", "items": ["type": "string", "const": "x"]],
            "detail": ["oneOf": [["type": "string"], ["type": "object", "additionalProperties": true]]],
        ],
        "required": ["label"],
    ]

    static func request(_ config: GenerationConfig) -> ChatRequest {
        ChatRequest(model: "m", messages: [.user("card charged twice")], config: config)
    }

    @Test func openAISendsTheSchemaAsJSONSchema() async throws {
        try await withServerAndClient { server, client in
            let provider = OpenAIProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let answer = try await provider.send(Self.request(GenerationConfig(responseFormat: .json, responseSchema: Self.schema)))
            #expect(server.violations.isEmpty, "\(server.violations)")
            #expect(answer.text == #"{"echo":"card charged twice"}"#)
            let format = try #require(server.lastRequest?.json?["response_format"])
            #expect(format["type"] == "json_schema")
            #expect(format["json_schema"]?["name"] == "output")
            #expect(format["json_schema"]?["strict"] == false)
            let sent = try #require(format["json_schema"]?["schema"])
            // Sent as given, keywords and all.
            #expect(sent == (try JSONValue(encoding: Self.schema)))

            // Without a schema: json_object, as before; a schema without JSON mode is not sent.
            _ = try await provider.send(Self.request(GenerationConfig(responseFormat: .json)))
            #expect(server.lastRequest?.json?["response_format"] == ["type": "json_object"])
            _ = try await provider.send(Self.request(GenerationConfig(responseSchema: Self.schema)))
            #expect(server.lastRequest?.json?["response_format"] == nil)
        }
    }

    @Test func geminiSendsTheOpenAPISubset() async throws {
        try await withServerAndClient { server, client in
            let provider = GeminiProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            _ = try await provider.send(Self.request(GenerationConfig(responseFormat: .json, responseSchema: Self.schema)))
            #expect(server.violations.isEmpty, "\(server.violations)")
            let config = try #require(server.lastRequest?.json?["generationConfig"])
            #expect(config["responseMimeType"] == "application/json")
            let expected: JSONValue = [
                "type": "OBJECT",
                "properties": [
                    "label": ["type": "STRING", "enum": ["billing", "technical"], "description": "the queue"],
                    "confidence": ["type": "NUMBER", "nullable": true, "minimum": 0, "maximum": 1],
                    "tags": ["type": "ARRAY", "items": ["type": "STRING"]],
                    "detail": ["anyOf": [["type": "STRING"], ["type": "OBJECT"]]],
                ],
                "required": ["label"],
            ]
            #expect(config["responseSchema"] == expected)
        }
    }

    @Test func geminiSchemaConversionEdges() throws {
        #expect(try GeminiProvider.geminiSchema(["type": ["null", "integer"]]) == ["type": "INTEGER", "nullable": true])
        #expect(
            try GeminiProvider.geminiSchema(["type": ["string", "integer"]])
                == ["anyOf": [["type": "STRING"], ["type": "INTEGER"]]])
        #expect(try GeminiProvider.geminiSchema(true) == true)
        let reference = #expect(throws: ProviderError.self) {
            try GeminiProvider.geminiSchema(["properties": ["a": ["$ref": "#/$defs/a"]]])
        }
        #expect(reference?.description.contains("responseSchema.properties.a: Gemini's responseSchema cannot use $ref") == true)
        var deep: ProviderJSON = ["type": "string"]
        for _ in 0..<(ProviderJSON.maxDepth + 1) { deep = ["type": "array", "items": deep] }
        let tooDeep = #expect(throws: ProviderError.self) { try GeminiProvider.geminiSchema(deep) }
        #expect(tooDeep?.description == "gemini: invalid configuration: responseSchema is nested deeper than 100 levels")
        #expect(deep.problem(at: "responseSchema") == "responseSchema is nested deeper than 100 levels")
        #expect(
            GenerationLimits.basic("x").problem(with: GenerationConfig(additional: ["k": deep])) == "k is nested deeper than 100 levels")
    }

    @Test func anthropicHasNoSchemaSwitch() async throws {
        try await withServerAndClient { server, client in
            let provider = AnthropicProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            _ = try await provider.send(Self.request(GenerationConfig(responseFormat: .json, responseSchema: Self.schema)))
            #expect(server.violations.isEmpty, "\(server.violations)")
            let body = try #require(server.lastRequest?.json?.objectValue)
            #expect(Set(body.keys) == ["model", "max_tokens", "messages"])
        }
    }

    @Test func schemasThatCannotBeSentAreRefusedFirst() async throws {
        try await withServerAndClient { server, client in
            let provider = OpenAIProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let schema: ProviderJSON = ["type": "number", "maximum": .number(.infinity)]
            let error = await providerError {
                try await provider.send(Self.request(GenerationConfig(responseFormat: .json, responseSchema: schema)))
            }
            #expect(error?.description == "openai: invalid configuration: responseSchema.maximum is inf, which JSON cannot carry")
            #expect(server.requests.isEmpty)
        }
    }

    @Test func providerJSONDecodesExactlyAndBoundsDepth() throws {
        let text = #"{"a":[1,1.5,true,null,"x"],"b":{"c":-2}}"#
        let value = try JSONDecoder().decode(ProviderJSON.self, from: Data(text.utf8))
        #expect(value == ["a": [1, 1.5, true, nil, "x"], "b": ["c": -2]])
        #expect(value.canonicalText == text)
        #expect(ProviderJSON.string("é\"\n\u{1}").canonicalText == "\"é\\\"\\n\\u0001\"")
        let deep = String(repeating: "[", count: ProviderJSON.maxDepth + 2) + String(repeating: "]", count: ProviderJSON.maxDepth + 2)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ProviderJSON.self, from: Data(deep.utf8)) }
    }
}

extension JSONValue {
    /// The test server's reading of a value PromptLab encodes.
    init(encoding value: some Encodable) throws {
        let data = try JSONEncoder().encode(value)
        guard let parsed = JSONValue.parse(data) else { throw CocoaError(.coderInvalidValue) }
        self = parsed
    }
}
