// MARK: - Messages

/// One message of a chat conversation, after the prompt template has been rendered.
public struct ChatMessage: Sendable, Hashable, Codable {
    /// Who speaks a message.
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        case system
        case user
        case assistant
    }

    /// Who speaks this message.
    public var role: Role
    /// The message text.
    public var content: String

    /// Creates a message.
    public init(role: Role, content: String) {
        self.role = role
        self.content = content
    }

    /// A system message.
    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: .system, content: content) }
    /// A user message.
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: .user, content: content) }
    /// An assistant message (for example the answer of a few-shot example).
    public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: .assistant, content: content) }
}

// MARK: - Generation settings

/// The format a provider is asked to answer in.
public enum ResponseFormat: String, Sendable, Hashable, Codable {
    /// Free text (every provider's default).
    case text
    /// A JSON object. OpenAI gets `response_format: {"type": "json_object"}`, Gemini gets
    /// `responseMimeType: "application/json"`; Anthropic has no such switch and ignores it.
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

    /// Creates a configuration; every setting defaults to the provider's own default.
    public init(
        temperature: Double? = nil,
        maxOutputTokens: Int? = nil,
        topP: Double? = nil,
        stopSequences: [String]? = nil,
        seed: Int? = nil,
        responseFormat: ResponseFormat? = nil
    ) {
        self.temperature = temperature
        self.maxOutputTokens = maxOutputTokens
        self.topP = topP
        self.stopSequences = stopSequences
        self.seed = seed
        self.responseFormat = responseFormat
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
