import Foundation
import PromptFormat
import PromptLabCore
import PromptLabProviders

/// OpenAI's chat-completions request as the gateway reads it. Fields PromptLab does not use
/// (sampling settings, `n`, tools…) are accepted and ignored; the prompt version decides those.
struct ChatCompletionBody: Decodable {
    var model: String
    var messages: [WireMessage]
    var user: String?
    var stream: Bool?
    var streamOptions: StreamOptions?
    var promptlab: Extension?

    enum CodingKeys: String, CodingKey {
        case model, messages, user, stream, promptlab
        case streamOptions = "stream_options"
    }

    struct StreamOptions: Decodable {
        var includeUsage: Bool?
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    /// `promptlab`: what the rendered prompt needs (`extra_body` in the OpenAI SDKs).
    struct Extension: Decodable {
        var variables: [String: PromptValue]?
        var unit: String?
        var attributes: [String: PromptValue]?
    }

    struct WireMessage: Decodable {
        var role: String
        var content: WireContent?
    }

    enum WireContent: Decodable {
        case text(String)
        case parts([WirePart])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                self = .parts(try container.decode([WirePart].self))
            }
        }
    }

    struct WirePart: Decodable {
        var type: String
        var text: String?
        var imageURL: ImageURL?

        struct ImageURL: Decodable { var url: String }

        enum CodingKeys: String, CodingKey {
            case type, text
            case imageURL = "image_url"
        }
    }

    /// The request's messages as the provider layer takes them.
    ///
    /// - Throws: ``PromptLabError`` `usage` for roles and parts the gateway does not forward (tools).
    func chatMessages() throws(PromptLabError) -> [ChatMessage] {
        guard messages.count <= 1_000 else { throw PromptLabError(.usage, "a request holds at most 1000 messages") }
        var result = [ChatMessage]()
        for (index, message) in messages.enumerated() {
            let role: ChatMessage.Role
            switch message.role {
            case "system", "developer": role = .system
            case "user": role = .user
            case "assistant": role = .assistant
            default:
                throw PromptLabError(
                    .usage, "messages[\(index)] has role '\(message.role.prefix(40))', which the gateway does not forward",
                    hint: "the gateway takes system, developer, user and assistant messages")
            }
            switch message.content {
            case .text(let text)?:
                result.append(ChatMessage(role: role, content: text))
            case .parts(let parts)?:
                var chatParts = [ChatPart]()
                for part in parts {
                    switch part.type {
                    case "text": chatParts.append(.text(part.text ?? ""))
                    case "image_url":
                        guard let url = part.imageURL?.url else {
                            throw PromptLabError(.usage, "messages[\(index)]: image_url needs a url")
                        }
                        chatParts.append(.media(url: url, contentType: nil))
                    default:
                        throw PromptLabError(
                            .usage, "messages[\(index)] has a '\(part.type.prefix(40))' part, which the gateway does not forward")
                    }
                }
                result.append(ChatMessage(role: role, parts: chatParts))
            case nil:
                throw PromptLabError(.usage, "messages[\(index)] has no content")
            }
        }
        return result
    }
}

/// An error in OpenAI's format, so that OpenAI SDKs raise their usual exceptions.
struct OpenAIErrorBody: Encodable {
    var error: Detail

    struct Detail: Encodable {
        var message: String
        var type: String
        var code: String?
        var param: String?
    }
}

/// One `chat.completion.chunk` of a streamed answer.
struct OpenAIChunk: Encodable {
    var id: String
    var object = "chat.completion.chunk"
    var created: Int
    var model: String
    var choices: [Choice]
    var usage: GatewayUsage?

    struct Choice: Encodable {
        var index: Int
        var delta: Delta
        var finishReason: String?

        enum CodingKeys: String, CodingKey {
            case index, delta
            case finishReason = "finish_reason"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(delta, forKey: .delta)
            // OpenAI sends `"finish_reason": null` until the last chunk; SDKs read the key.
            try container.encode(finishReason, forKey: .finishReason)
        }
    }

    struct Delta: Encodable {
        var role: String?
        var content: String?
    }
}

/// Token usage in OpenAI's words.
struct GatewayUsage: Encodable {
    var promptTokens: Int
    var completionTokens: Int
    var totalTokens: Int

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
    }
}
