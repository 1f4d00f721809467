import AsyncHTTPClient
import Foundation
import ProviderTestServer
import Testing

@testable import PromptLabProviders

/// The Anthropic and Gemini request bodies, checked against the field names, required fields, types
/// and limits of the vendors' published definitions (encoded below, with their sources), for a
/// representative set of settings. OpenAI's bodies are checked against its JSON Schema in
/// `OpenAIContractTests` (PromptLabTests).
@Suite("Vendor request contracts")
struct VendorContractTests {
    /// Representative requests: every setting PromptLab sends, at the edges of the vendors' ranges.
    static let configs: [(label: String, messages: [ChatMessage], config: GenerationConfig)] = [
        ("a bare user message", [.user("hi")], GenerationConfig()),
        ("a system prompt", [.system("Be brief."), .system("Use English."), .user("hi")], GenerationConfig()),
        ("few-shot messages", [.system("Classify."), .user("a"), .assistant("b"), .user("c")], GenerationConfig()),
        ("lowest settings", [.user("hi")], GenerationConfig(temperature: 0, maxOutputTokens: 1, topP: 0, seed: Int(Int32.min))),
        (
            "highest settings", [.user("hi")],
            GenerationConfig(
                temperature: 1, maxOutputTokens: 4096, topP: 1, stopSequences: ["a", "b", "c", "d", "e"], seed: Int(Int32.max))
        ),
        ("JSON mode", [.user("hi")], GenerationConfig(responseFormat: .json)),
        ("top-k", [.user("hi")], GenerationConfig(topK: 40)),
        ("a JSON schema", [.user("hi")], GenerationConfig(responseFormat: .json, responseSchema: StructuredOutputTests.schema)),
        (
            "images and a PDF",
            [
                .system("Describe."),
                ChatMessage(
                    role: .user,
                    parts: [
                        .text("these"), .media(url: "data:image/png;base64,\(MessagePartsTests.png)", contentType: nil),
                        .media(url: "https://example.com/a.jpg", contentType: nil),
                        .media(url: "https://example.com/b.pdf", contentType: nil),
                    ]),
            ], GenerationConfig()
        ),
    ]

    // MARK: - Anthropic

    /// Anthropic Messages, `MessageCreateParamsBase` of the official SDK
    /// (anthropic-sdk-python, `src/anthropic/types/message_create_params.py`) and
    /// <https://docs.anthropic.com/en/api/messages>: required `model`, `max_tokens` (an integer ≥ 1) and
    /// `messages` (each `{role: "user" | "assistant", content}`); optional `system` (a string or text
    /// blocks), `temperature` (0.0–1.0), `top_p` (0–1), `top_k`, `stop_sequences` (strings),
    /// `metadata`, `service_tier`, `stream`, `thinking`, `tool_choice`, `tools`.
    static func anthropicProblems(_ body: JSONValue) -> [String] {
        var problems = [String]()
        guard let object = body.objectValue else { return ["the body is not an object"] }
        let allowed: Set<String> = [
            "model", "max_tokens", "messages", "system", "temperature", "top_p", "top_k", "stop_sequences", "metadata",
            "service_tier", "stream", "thinking", "tool_choice", "tools",
        ]
        for key in object.keys where !allowed.contains(key) { problems.append("unknown field '\(key)'") }
        for key in ["model", "max_tokens", "messages"] where object[key] == nil { problems.append("'\(key)' is required") }
        if object["model"]?.stringValue?.isEmpty ?? true { problems.append("'model' must be a non-empty string") }
        if let maxTokens = object["max_tokens"], !(maxTokens.intValue.map { $0 >= 1 } ?? false) {
            problems.append("'max_tokens' must be an integer ≥ 1")
        }
        for (index, message) in (object["messages"]?.arrayValue ?? []).enumerated() {
            if !["user", "assistant"].contains(message["role"]?.stringValue ?? "") {
                problems.append("messages[\(index)].role must be user or assistant")
            }
            if let blocks = message["content"]?.arrayValue {
                problems += anthropicBlockProblems(blocks, place: "messages[\(index)].content")
            } else if message["content"]?.stringValue == nil {
                problems.append("messages[\(index)].content must be text or content blocks")
            }
        }
        if object["messages"]?.arrayValue?.isEmpty ?? true { problems.append("'messages' must be a non-empty list") }
        if let system = object["system"], system.stringValue == nil { problems.append("'system' must be text") }
        if let value = object["temperature"], !(value.doubleValue.map { (0...1).contains($0) } ?? false) {
            problems.append("'temperature' must be a number from 0 to 1")
        }
        if let value = object["top_p"], !(value.doubleValue.map { (0...1).contains($0) } ?? false) {
            problems.append("'top_p' must be a number from 0 to 1")
        }
        if let stops = object["stop_sequences"], !(stops.arrayValue?.allSatisfy { $0.stringValue != nil } ?? false) {
            problems.append("'stop_sequences' must be a list of strings")
        }
        return problems
    }

    /// Content blocks of `MessageParam` (`TextBlockParam`, `ImageBlockParam`, `DocumentBlockParam`):
    /// `{type: "text", text}`; `{type: "image" | "document", source}` where `source` is
    /// `{type: "base64", media_type, data}` (images: `image/jpeg`, `image/png`, `image/gif`,
    /// `image/webp`; documents: `application/pdf`) or `{type: "url", url}`.
    static func anthropicBlockProblems(_ blocks: [JSONValue], place: String) -> [String] {
        var problems = [String]()
        for (index, block) in blocks.enumerated() {
            let here = "\(place)[\(index)]"
            switch block["type"]?.stringValue {
            case "text":
                if block["text"]?.stringValue == nil { problems.append("\(here).text must be text") }
            case .some(let type) where type == "image" || type == "document":
                let mediaTypes = type == "image" ? ["image/jpeg", "image/png", "image/gif", "image/webp"] : ["application/pdf"]
                let source = block["source"]
                switch source?["type"]?.stringValue {
                case "base64":
                    if !mediaTypes.contains(source?["media_type"]?.stringValue ?? "") {
                        problems.append("\(here).source.media_type must be one of \(mediaTypes)")
                    }
                    if source?["data"]?.stringValue == nil { problems.append("\(here).source.data must be text") }
                case "url":
                    if source?["url"]?.stringValue == nil { problems.append("\(here).source.url must be text") }
                default:
                    problems.append("\(here).source.type must be base64 or url")
                }
            default:
                problems.append("\(here).type must be text, image or document")
            }
        }
        return problems
    }

    // MARK: - Gemini

    /// Gemini `GenerateContentRequest` and `GenerationConfig` of
    /// `google/ai/generativelanguage/v1beta/generative_service.proto` (googleapis), in their JSON
    /// (lowerCamelCase) names, and <https://ai.google.dev/api/generate-content>: required `contents`
    /// (each `{role: "user" | "model", parts: [{text}]}`; the model is in the path); optional
    /// `systemInstruction` (a `Content` of text parts), `generationConfig`, `safetySettings`, `tools`,
    /// `toolConfig`, `cachedContent`. In `generationConfig`: `stopSequences` (at most 5 strings),
    /// `maxOutputTokens`, `candidateCount`, `topK` and `seed` (`int32`), `temperature` (0.0–2.0),
    /// `topP` (0–1), `responseMimeType` (`text/plain`, `application/json`, ...), and others not sent.
    static func geminiProblems(_ body: JSONValue) -> [String] {
        var problems = [String]()
        guard let object = body.objectValue else { return ["the body is not an object"] }
        let allowed: Set<String> = [
            "contents", "systemInstruction", "generationConfig", "safetySettings", "tools", "toolConfig", "cachedContent",
        ]
        for key in object.keys where !allowed.contains(key) { problems.append("unknown field '\(key)'") }
        func checkContent(_ content: JSONValue, _ place: String, roles: Set<String>?) {
            if let roles, !roles.contains(content["role"]?.stringValue ?? "") {
                problems.append("\(place).role must be one of \(roles.sorted())")
            }
            guard let parts = content["parts"]?.arrayValue, !parts.isEmpty else {
                problems.append("\(place).parts must be a non-empty list")
                return
            }
            // A `Part` is one of `text`, `inlineData` (`Blob`: `mimeType`, base64 `data`) and `fileData`
            // (`FileData`: `mimeType`, `fileUri`).
            for (index, part) in parts.enumerated() {
                if let blob = part["inlineData"] {
                    if blob["mimeType"]?.stringValue == nil || blob["data"]?.stringValue == nil {
                        problems.append("\(place).parts[\(index)].inlineData needs mimeType and data")
                    }
                } else if let file = part["fileData"] {
                    if file["mimeType"]?.stringValue == nil || file["fileUri"]?.stringValue == nil {
                        problems.append("\(place).parts[\(index)].fileData needs mimeType and fileUri")
                    }
                } else if part["text"]?.stringValue == nil {
                    problems.append("\(place).parts[\(index)].text must be text")
                }
            }
        }
        guard let contents = object["contents"]?.arrayValue, !contents.isEmpty else {
            return problems + ["'contents' is required and must be a non-empty list"]
        }
        for (index, content) in contents.enumerated() { checkContent(content, "contents[\(index)]", roles: ["user", "model"]) }
        if let system = object["systemInstruction"] { checkContent(system, "systemInstruction", roles: nil) }
        guard let config = object["generationConfig"] else { return problems }
        let configKeys: Set<String> = [
            "stopSequences", "responseMimeType", "responseSchema", "candidateCount", "maxOutputTokens", "temperature", "topP",
            "topK", "seed", "presencePenalty", "frequencyPenalty", "responseLogprobs", "logprobs", "thinkingConfig",
        ]
        for key in (config.objectValue ?? [:]).keys where !configKeys.contains(key) {
            problems.append("unknown field 'generationConfig.\(key)'")
        }
        let int32 = Int(Int32.min)...Int(Int32.max)
        for key in ["maxOutputTokens", "candidateCount", "topK", "seed"] {
            if let value = config[key], !(value.intValue.map { int32.contains($0) } ?? false) {
                problems.append("generationConfig.\(key) must be an int32")
            }
        }
        if let value = config["temperature"], !(value.doubleValue.map { (0...2).contains($0) } ?? false) {
            problems.append("generationConfig.temperature must be a number from 0 to 2")
        }
        if let value = config["topP"], !(value.doubleValue.map { (0...1).contains($0) } ?? false) {
            problems.append("generationConfig.topP must be a number from 0 to 1")
        }
        if let stops = config["stopSequences"] {
            let list = stops.arrayValue ?? []
            if list.count > 5 || !list.allSatisfy({ $0.stringValue != nil }) {
                problems.append("generationConfig.stopSequences must be at most 5 strings")
            }
        }
        if let type = config["responseMimeType"], type.stringValue == nil { problems.append("responseMimeType must be text") }
        return problems
    }

    // MARK: - Tests

    @Test func anthropicBodiesFollowTheMessagesDefinition() async throws {
        try await withServerAndClient { server, client in
            let provider = AnthropicProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            for (label, messages, config) in Self.configs {
                _ = try await provider.send(ChatRequest(model: "claude-sonnet-4-5", messages: messages, config: config))
                let body = try #require(server.lastRequest?.json)
                #expect(Self.anthropicProblems(body).isEmpty, "\(label): \(Self.anthropicProblems(body))")
            }
        }
    }

    @Test func geminiBodiesFollowTheGenerateContentDefinition() async throws {
        try await withServerAndClient { server, client in
            let provider = GeminiProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            for (label, messages, config) in Self.configs {
                _ = try await provider.send(ChatRequest(model: "gemini-2.5-flash", messages: messages, config: config))
                let body = try #require(server.lastRequest?.json)
                #expect(Self.geminiProblems(body).isEmpty, "\(label): \(Self.geminiProblems(body))")
            }
        }
    }

    /// The checks can fail: bodies outside the definitions are caught.
    @Test func theChecksRejectBodiesOutsideTheDefinitions() throws {
        let anthropic = try #require(
            JSONValue.parse(
                Data(#"{"model":"c","messages":[{"role":"system","content":"x"}],"temperature":1.5,"seed":3}"#.utf8)))
        #expect(
            Set(Self.anthropicProblems(anthropic)) == [
                "unknown field 'seed'", "'max_tokens' is required", "messages[0].role must be user or assistant",
                "'temperature' must be a number from 0 to 1",
            ])
        let gemini = try #require(
            JSONValue.parse(
                Data(
                    #"{"contents":[{"role":"assistant","parts":[{"text":"x"}]}],"generationConfig":{"seed":2147483648,"stopSequences":["a","b","c","d","e","f"],"max_tokens":3}}"#
                        .utf8)))
        #expect(
            Set(Self.geminiProblems(gemini)) == [
                "contents[0].role must be one of [\"model\", \"user\"]", "unknown field 'generationConfig.max_tokens'",
                "generationConfig.seed must be an int32", "generationConfig.stopSequences must be at most 5 strings",
            ])
    }
}
