import PromptLabCore

/// The role of a chat message.
///
/// Dotprompt names the assistant `model`; `{{role "model"}}` and `{{role "assistant"}}` both give
/// ``assistant``.
public enum MessageRole: String, Sendable, Hashable, Codable, CaseIterable {
    case system, user, assistant

    /// The role a `{{role "…"}}` marker or a history message names, accepting Dotprompt's `model`.
    public init?(dotpromptName name: String) {
        if name == "model" {
            self = .assistant
        } else {
            self.init(rawValue: name)
        }
    }

    /// The name Dotprompt uses for this role (`model` for the assistant).
    public var dotpromptName: String { self == .assistant ? "model" : rawValue }
}

/// One piece of a rendered message.
public enum MessagePart: Sendable, Hashable {
    /// Text, exactly as the template produced it.
    case text(String)
    /// An image, audio, video or document: an `http(s)` URL or a `data:` URI, with its content type when known.
    case media(url: String, contentType: String?)
    /// Where a `{{section "name"}}` marker stood: Dotprompt's pending part with this purpose.
    case section(String)
}

/// One rendered chat message: a role and its parts.
public struct PromptMessage: Sendable, Hashable {
    public var role: MessageRole
    public var parts: [MessagePart]
    /// Dotprompt's message metadata: `purpose: history` on history messages, `key=value` pairs from a role
    /// marker. Empty for most messages.
    public var metadata: [(key: String, value: PromptValue)]

    public init(role: MessageRole, parts: [MessagePart], metadata: [(key: String, value: PromptValue)] = []) {
        self.role = role
        self.parts = parts
        self.metadata = metadata
    }

    /// A message of one text part.
    public init(role: MessageRole, content: String) {
        self.init(role: role, parts: [.text(content)])
    }

    /// The text parts joined: what a provider that takes plain text receives.
    public var content: String {
        var text = ""
        for case .text(let piece) in parts { text += piece }
        return text
    }

    /// Whether any part is media.
    public var hasMedia: Bool {
        parts.contains { if case .media = $0 { true } else { false } }
    }

    public static func == (lhs: PromptMessage, rhs: PromptMessage) -> Bool {
        lhs.role == rhs.role && lhs.parts == rhs.parts && PromptValue.object(lhs.metadata) == PromptValue.object(rhs.metadata)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(role)
        hasher.combine(parts)
        hasher.combine(PromptValue.object(metadata))
    }
}

// MARK: - JSON

/// `render --format json` and the API write a message as
/// `{"role": …, "content": "<text parts joined>", "parts": [{"type": "text", "text": …} |
/// {"type": "media", "url": …, "content_type": …} | {"type": "section", "purpose": …}], "metadata": {…}}`;
/// `parts` and `metadata` are left out when the message is one text part without metadata.
extension PromptMessage: Codable {
    private enum CodingKeys: String, CodingKey {
        case role, content, parts, metadata
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(MessageRole.self, forKey: .role)
        if let parts = try container.decodeIfPresent([MessagePart].self, forKey: .parts) {
            self.parts = parts
        } else {
            parts = [.text(try container.decode(String.self, forKey: .content))]
        }
        if case .object(let pairs)? = try container.decodeIfPresent(PromptValue.self, forKey: .metadata) {
            metadata = pairs
        } else {
            metadata = []
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(role, forKey: .role)
        try container.encode(content, forKey: .content)
        let plain = parts.count == 1 && { if case .text = parts[0] { true } else { false } }()
        if !plain { try container.encode(parts, forKey: .parts) }
        if !metadata.isEmpty { try container.encode(PromptValue.object(metadata), forKey: .metadata) }
    }
}

extension MessagePart: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, text, url
        case contentType = "content_type"
        case purpose
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .type) {
        case "text": self = .text(try container.decode(String.self, forKey: .text))
        case "media":
            self = .media(
                url: try container.decode(String.self, forKey: .url),
                contentType: try container.decodeIfPresent(String.self, forKey: .contentType))
        case "section": self = .section(try container.decode(String.self, forKey: .purpose))
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container, debugDescription: "unknown message part type '\(other)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let text):
            try container.encode("text", forKey: .type)
            try container.encode(text, forKey: .text)
        case .media(let url, let contentType):
            try container.encode("media", forKey: .type)
            try container.encode(url, forKey: .url)
            try container.encodeIfPresent(contentType, forKey: .contentType)
        case .section(let purpose):
            try container.encode("section", forKey: .type)
            try container.encode(purpose, forKey: .purpose)
        }
    }
}
