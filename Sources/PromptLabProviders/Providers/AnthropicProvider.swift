import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Anthropic Messages.
///
/// Sends `POST {base}/v1/messages` with `x-api-key`, `anthropic-version: 2023-06-01`; system messages are
/// joined (blank line between) into the top-level `system` field; `max_tokens` is required by the API and
/// defaults to ``defaultMaxTokens``. Reads the `text` blocks of `content`, `stop_reason`, `usage` and the
/// `request-id` header. `seed` and ``ResponseFormat/json`` have no Messages equivalent and are not sent.
/// See <https://docs.anthropic.com/en/api/messages>.
public struct AnthropicProvider: ChatProvider {
    /// The `anthropic-version` header value.
    public static let apiVersion = "2023-06-01"
    /// `max_tokens` when the request sets no ``GenerationConfig/maxOutputTokens``.
    public static let defaultMaxTokens = 1024

    public let name: String
    /// The base URL, without `/v1`.
    public let baseURL: String
    private let apiKey: APIKey
    private let transport: HTTPTransport

    /// Creates a provider.
    ///
    /// - Parameters:
    ///   - baseURL: Without `/v1`, for example `https://api.anthropic.com`.
    ///   - apiKey: Sent as `x-api-key`.
    ///   - httpClient: A client configured with ``AsyncHTTPClient/HTTPClient/Configuration/promptLabProviders(maxConnectionsPerHost:)``.
    ///   - timeout: The time limit of one attempt.
    ///   - logger: Receives one debug line per request; never the key, headers or bodies.
    public init(
        name: String = "anthropic",
        baseURL: String = "https://api.anthropic.com",
        apiKey: APIKey,
        httpClient: HTTPClient,
        timeout: Duration = ProviderSettings.defaultTimeout,
        logger: Logger
    ) {
        self.name = name
        self.baseURL = ProviderSettings.normalizedBaseURL(baseURL, provider: .anthropic)
        self.apiKey = apiKey
        self.transport = HTTPTransport(
            client: httpClient, providerName: name, timeout: timeout, redactor: Redactor([apiKey]), logger: logger)
    }

    public func send(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse {
        let wire = AnthropicWire.Request(request)
        guard !wire.messages.isEmpty else {
            throw ProviderError(
                .invalidConfiguration("the Messages API needs at least one user or assistant message"), provider: name)
        }
        let body: ByteBuffer
        do {
            body = try JSONEncoder.encodeToBuffer(wire)
        } catch {
            throw ProviderError(.invalidConfiguration("cannot encode the request: \(error)"), provider: name)
        }
        var headers = HTTPHeaders()
        headers.add(name: "x-api-key", value: apiKey.value)
        headers.add(name: "anthropic-version", value: AnthropicProvider.apiVersion)

        let response = try await transport.post(url: baseURL + "/v1/messages", headers: headers, body: body, model: request.model)
        let requestID = response.headers.first(name: "request-id")
        guard (200..<300).contains(response.status) else {
            throw transport.httpError(response, requestID: requestID)
        }
        let decoded = try transport.decode(AnthropicWire.Response.self, from: response, requestID: requestID)
        let textBlocks = decoded.content.filter { $0.type == "text" }.compactMap(\.text)
        if decoded.stopReason == "refusal" && textBlocks.isEmpty {
            throw ProviderError(.contentFiltered("stop_reason refusal"), provider: name, requestID: requestID)
        }
        // An empty answer is only believable when the model says it finished (or ran out of tokens).
        guard !textBlocks.isEmpty || decoded.stopReason == "max_tokens" || decoded.stopReason == "end_turn" else {
            throw ProviderError(.malformedResponse("the response has no text block"), provider: name, requestID: requestID)
        }
        let usage = decoded.usage
        let cacheRead = usage?.cacheReadInputTokens
        // Anthropic's input_tokens excludes cached tokens; add them back (see ChatResponse).
        let inputTokens = usage?.inputTokens.map { $0 + (cacheRead ?? 0) + (usage?.cacheCreationInputTokens ?? 0) }
        return ChatResponse(
            text: textBlocks.joined(),
            inputTokens: inputTokens,
            outputTokens: usage?.outputTokens,
            cachedTokens: cacheRead,
            finishReason: decoded.stopReason,
            requestID: requestID ?? decoded.id,
            latencySeconds: response.latencySeconds,
            attempts: 1
        )
    }
}

// MARK: - Wire format

enum AnthropicWire {
    struct Request: Encodable {
        struct Message: Encodable {
            var role: String
            var content: String
        }
        var model: String
        var maxTokens: Int
        var system: String?
        var messages: [Message]
        var temperature: Double?
        var topP: Double?
        var stopSequences: [String]?

        enum CodingKeys: String, CodingKey {
            case model, system, messages, temperature
            case maxTokens = "max_tokens"
            case topP = "top_p"
            case stopSequences = "stop_sequences"
        }

        init(_ request: ChatRequest) {
            model = request.model
            maxTokens = request.config.maxOutputTokens ?? AnthropicProvider.defaultMaxTokens
            let systemParts = request.messages.filter { $0.role == .system }.map(\.content)
            system = systemParts.isEmpty ? nil : systemParts.joined(separator: "\n\n")
            messages = request.messages.filter { $0.role != .system }.map {
                Message(role: $0.role.rawValue, content: $0.content)
            }
            temperature = request.config.temperature
            topP = request.config.topP
            stopSequences = request.config.stopSequences.flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    struct Response: Decodable {
        struct Block: Decodable {
            var type: String
            var text: String?
        }
        struct Usage: Decodable {
            var inputTokens: Int?
            var outputTokens: Int?
            var cacheCreationInputTokens: Int?
            var cacheReadInputTokens: Int?

            enum CodingKeys: String, CodingKey {
                case inputTokens = "input_tokens"
                case outputTokens = "output_tokens"
                case cacheCreationInputTokens = "cache_creation_input_tokens"
                case cacheReadInputTokens = "cache_read_input_tokens"
            }
        }
        var id: String?
        var content: [Block]
        var stopReason: String?
        var usage: Usage?

        enum CodingKeys: String, CodingKey {
            case id, content, usage
            case stopReason = "stop_reason"
        }
    }
}

// MARK: - Descriptor

extension ModelReference.Provider {
    /// Anthropic Messages.
    public static let anthropic = Self(declaring: "anthropic")
}

extension ProviderDescriptor {
    public static let anthropic = ProviderDescriptor(
        .anthropic, summary: "Anthropic Messages",
        endpoint: Endpoint(defaultBaseURL: "https://api.anthropic.com", baseURLVariable: "ANTHROPIC_BASE_URL"),
        apiKey: .required(variable: "ANTHROPIC_API_KEY"),
        make: { (settings, context) throws(ProviderError) in
            AnthropicProvider(
                name: settings.providerName, baseURL: try settings.requiredBaseURL(), apiKey: try settings.requiredAPIKey(),
                httpClient: context.httpClient, timeout: settings.timeout, logger: context.logger)
        })
}
