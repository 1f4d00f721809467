// MARK: - Messages

/// One piece of a message: text, or a media file given by URL (`https://…`) or inline (`data:…;base64,…`).
///
/// Encoded as Genkit and Dotprompt write parts: `{"text": "…"}` or
/// `{"media": {"url": "…", "contentType": "…"}}` (no `contentType` when it is nil).
public enum ChatPart: Sendable, Hashable, Codable {
    /// Text.
    case text(String)
    /// A media file. `contentType` (`image/png`, `application/pdf`, …) may be nil when the URL implies it:
    /// a `data:` URI's own type, or a common file extension.
    case media(url: String, contentType: String?)

    private enum CodingKeys: String, CodingKey { case text, media }
    private enum MediaKeys: String, CodingKey { case url, contentType }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let text = try container.decodeIfPresent(String.self, forKey: .text) {
            self = .text(text)
            return
        }
        guard container.contains(.media) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "a part needs \"text\" or \"media\""))
        }
        let media = try container.nestedContainer(keyedBy: MediaKeys.self, forKey: .media)
        self = .media(
            url: try media.decode(String.self, forKey: .url), contentType: try media.decodeIfPresent(String.self, forKey: .contentType))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let text):
            try container.encode(text, forKey: .text)
        case .media(let url, let contentType):
            var media = container.nestedContainer(keyedBy: MediaKeys.self, forKey: .media)
            try media.encode(url, forKey: .url)
            try media.encodeIfPresent(contentType, forKey: .contentType)
        }
    }

    /// The text of a text part; nil for media.
    public var text: String? {
        if case .text(let text) = self { return text }
        return nil
    }
}

/// One message of a chat conversation, after the prompt template has been rendered.
///
/// **Encoding.** A message without media encodes as it always has, `{"content": "…", "role": "…"}`, so
/// request hashes, caches and stored requests of text prompts do not change. A message with media adds
/// `"parts"` (see ``ChatPart``); its `"content"` is still the text alone, for readers that only want text.
public struct ChatMessage: Sendable, Hashable, Codable {
    /// Who speaks a message.
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        case system
        case user
        case assistant
    }

    /// Who speaks this message.
    public var role: Role
    /// The message's text and media, in order.
    public var parts: [ChatPart]

    /// The text parts joined (media left out): the whole message when it has no media.
    public var content: String {
        if parts.count == 1, case .text(let text) = parts[0] { return text }
        return parts.compactMap(\.text).joined()
    }

    /// Whether any part is media.
    public var hasMedia: Bool {
        parts.contains { if case .media = $0 { true } else { false } }
    }

    /// Creates a text message (one text part).
    public init(role: Role, content: String) {
        self.role = role
        self.parts = [.text(content)]
    }

    /// Creates a message from parts.
    ///
    /// The parts are normalised so that messages that send the same thing are equal and hash alike:
    /// adjacent text parts are joined (every provider sends them as one text); without media the
    /// message is one text part, as ``init(role:content:)`` makes it; with media, empty text parts are dropped.
    public init(role: Role, parts: [ChatPart]) {
        self.role = role
        var normalised: [ChatPart] = []
        var pendingText: String?
        for part in parts {
            switch part {
            case .text(let text):
                pendingText = (pendingText ?? "") + text
            case .media:
                if let text = pendingText, !text.isEmpty { normalised.append(.text(text)) }
                pendingText = nil
                normalised.append(part)
            }
        }
        if normalised.isEmpty {
            normalised = [.text(pendingText ?? "")]
        } else if let text = pendingText, !text.isEmpty {
            normalised.append(.text(text))
        }
        self.parts = normalised
    }

    /// A system message.
    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: .system, content: content) }
    /// A user message.
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: .user, content: content) }
    /// An assistant message (for example the answer of a few-shot example).
    public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: .assistant, content: content) }

    private enum CodingKeys: String, CodingKey { case role, content, parts }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let role = try container.decode(Role.self, forKey: .role)
        if let parts = try container.decodeIfPresent([ChatPart].self, forKey: .parts) {
            self.init(role: role, parts: parts)
        } else {
            self.init(role: role, content: try container.decode(String.self, forKey: .content))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(role, forKey: .role)
        try container.encode(content, forKey: .content)
        if hasMedia { try container.encode(parts, forKey: .parts) }
    }
}

// MARK: - Generation settings

/// The format a provider is asked to answer in.
public enum ResponseFormat: String, Sendable, Hashable, Codable {
    /// Free text (every provider's default).
    case text
    /// A JSON object, following ``GenerationConfig/responseSchema`` when one is set. OpenAI gets
    /// `response_format` `json_object` (or `json_schema` with a schema), Gemini gets
    /// `responseMimeType: "application/json"` (and `responseSchema`); Anthropic has no such switch and
    /// ignores it (the prompt must ask for JSON itself).
    case json
}

/// Sampling and length settings for one request. `nil` means "the provider's default" and is never sent.
public struct GenerationConfig: Sendable, Hashable, Codable {
    /// Sampling temperature.
    public var temperature: Double?
    /// The most tokens the answer may have. Anthropic requires a value and gets 1024 when this is `nil`.
    public var maxOutputTokens: Int?
    /// Nucleus sampling probability mass.
    public var topP: Double?
    /// Sequences that end the answer.
    public var stopSequences: [String]?
    /// A sampling seed, for the providers that accept one (OpenAI, compatible servers, Gemini).
    public var seed: Int?
    /// The answer format.
    public var responseFormat: ResponseFormat?
    /// Sampling from the `topK` most likely tokens, for the providers that have it (Anthropic `top_k`,
    /// Gemini `topK`, compatible servers `top_k`). OpenAI has no such setting and refuses a request with one.
    public var topK: Int?
    /// The JSON Schema the answer must follow, used when ``responseFormat`` is ``ResponseFormat/json``.
    /// OpenAI gets it as `json_schema`, Gemini as `responseSchema` (reduced to the OpenAPI subset it
    /// takes); Anthropic has no such setting and does not send it.
    public var responseSchema: ProviderJSON?
    /// Provider-specific settings from a prompt's `config` that PromptLab has no field for
    /// (`frequencyPenalty`, `safetySettings`, `candidateCount`, …), sent as given: Gemini puts
    /// `safetySettings` at the top level and the others in `generationConfig`; OpenAI, compatible servers
    /// and Anthropic put them at the top level with the key in snake_case (`frequency_penalty`). A key
    /// that names something PromptLab sets itself (`model`, `messages`, `stream`, …) is refused.
    public var additional: [String: ProviderJSON]

    /// Creates a configuration; every setting defaults to the provider's own default.
    public init(
        temperature: Double? = nil,
        maxOutputTokens: Int? = nil,
        topP: Double? = nil,
        stopSequences: [String]? = nil,
        seed: Int? = nil,
        responseFormat: ResponseFormat? = nil,
        topK: Int? = nil,
        responseSchema: ProviderJSON? = nil,
        additional: [String: ProviderJSON] = [:]
    ) {
        self.temperature = temperature
        self.maxOutputTokens = maxOutputTokens
        self.topP = topP
        self.stopSequences = stopSequences
        self.seed = seed
        self.responseFormat = responseFormat
        self.topK = topK
        self.responseSchema = responseSchema
        self.additional = additional
    }

    private enum CodingKeys: String, CodingKey {
        case temperature, maxOutputTokens, topP, stopSequences, seed, responseFormat, topK, responseSchema, additional
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        maxOutputTokens = try container.decodeIfPresent(Int.self, forKey: .maxOutputTokens)
        topP = try container.decodeIfPresent(Double.self, forKey: .topP)
        stopSequences = try container.decodeIfPresent([String].self, forKey: .stopSequences)
        seed = try container.decodeIfPresent(Int.self, forKey: .seed)
        responseFormat = try container.decodeIfPresent(ResponseFormat.self, forKey: .responseFormat)
        topK = try container.decodeIfPresent(Int.self, forKey: .topK)
        responseSchema = try container.decodeIfPresent(ProviderJSON.self, forKey: .responseSchema)
        additional = try container.decodeIfPresent([String: ProviderJSON].self, forKey: .additional) ?? [:]
    }

    /// Leaves out unset settings and an empty ``additional``, so a configuration without the newer
    /// settings encodes exactly as it did before they existed.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(temperature, forKey: .temperature)
        try container.encodeIfPresent(maxOutputTokens, forKey: .maxOutputTokens)
        try container.encodeIfPresent(topP, forKey: .topP)
        try container.encodeIfPresent(stopSequences, forKey: .stopSequences)
        try container.encodeIfPresent(seed, forKey: .seed)
        try container.encodeIfPresent(responseFormat, forKey: .responseFormat)
        try container.encodeIfPresent(topK, forKey: .topK)
        try container.encodeIfPresent(responseSchema, forKey: .responseSchema)
        if !additional.isEmpty { try container.encode(additional, forKey: .additional) }
    }
}

// MARK: - Request

/// One chat request to one model of one provider.
public struct ChatRequest: Sendable, Hashable, Codable {
    /// The provider-local model name, for example `gpt-4o-mini` (not `openai/gpt-4o-mini`).
    public var model: String
    /// The rendered conversation.
    public var messages: [ChatMessage]
    /// Sampling and length settings.
    public var config: GenerationConfig

    /// Creates a request.
    public init(model: String, messages: [ChatMessage], config: GenerationConfig = GenerationConfig()) {
        self.model = model
        self.messages = messages
        self.config = config
    }
}
