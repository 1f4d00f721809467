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
/// `request-id` header. `seed`, ``ResponseFormat/json`` and ``GenerationConfig/responseSchema`` have no
/// Messages equivalent and are not sent (a prompt that wants JSON from Claude must ask for it in words).
///
/// A user message with media is sent as content blocks: images as `image` blocks and PDFs as `document`
/// blocks, each with a `base64` source (a `data:` URI) or a `url` source (``mediaSupport``).
/// ``GenerationConfig/topK`` is `top_k`; ``GenerationConfig/additional`` entries go at the top level in
/// snake_case.
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
    let transport: HTTPTransport

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
        let exchange = try exchange(for: request, streaming: false)
        let response = try await transport.post(url: exchange.url, headers: exchange.headers, body: exchange.body, model: request.model)
        do {
            var answer = try AnthropicProvider.interpretResponse(
                status: response.status, headers: response.headers, body: response.body, provider: name)
            answer.latencySeconds = response.latencySeconds
            return answer
        } catch {
            throw transport.redactor(error)
        }
    }

    /// The URL, headers and body of `request`, checked, with `"stream": true` when `streaming`.
    func exchange(for request: ChatRequest, streaming: Bool) throws(ProviderError) -> HTTPTransport.Exchange {
        if let problem = AnthropicProvider.documentedLimits.problem(with: request.config) {
            throw ProviderError(.invalidConfiguration(problem), provider: name, attempts: 0)
        }
        var wire = try AnthropicWire.Request(request, provider: name)
        guard !wire.messages.isEmpty else {
            throw ProviderError(
                .invalidConfiguration("the Messages API needs at least one user or assistant message"), provider: name)
        }
        if streaming { wire.stream = true }
        var headers = HTTPHeaders()
        headers.add(name: "x-api-key", value: apiKey.value)
        headers.add(name: "anthropic-version", value: AnthropicProvider.apiVersion)
        return HTTPTransport.Exchange(
            url: baseURL + "/v1/messages", headers: headers,
            body: try HTTPTransport.encode(WithExtraFields(base: wire, extra: wire.extra), provider: name))
    }

    /// The ranges of the Messages API (<https://docs.anthropic.com/en/api/messages>): `temperature`
    /// 0–1, `top_p` 0–1, `max_tokens` at least 1. No limit on the number of `stop_sequences` is documented.
    /// `top_k` is a non-negative integer.
    public static let documentedLimits = GenerationLimits(vendor: "Anthropic", temperature: 0...1, topK: 0...Int.max)

    /// Images (JPEG, PNG, GIF, WebP) and PDFs, in user messages
    /// (<https://docs.anthropic.com/en/docs/build-with-claude/vision>,
    /// <https://docs.anthropic.com/en/docs/build-with-claude/pdf-support>). A URL whose type cannot be
    /// told is sent as an image.
    public static let mediaSupport: MediaSupport = {
        var support = MediaSupport(
            summary: "images (image/png, image/jpeg, image/gif, image/webp) and PDFs (application/pdf)",
            contentTypes: MediaSupport.webImageTypes.union(["application/pdf"]))
        // Claude 2, Claude Instant and Claude 3.5 Haiku take text only.
        support.textOnlyModels = ["claude-2*", "claude-instant*", "claude-3-5-haiku*"]
        return support
    }()

    /// The body fields PromptLab sets (or must not have set, like `stream`), which
    /// ``GenerationConfig/additional`` may not name.
    static let reservedFields: Set<String> = [
        "model", "max_tokens", "system", "messages", "temperature", "top_p", "top_k", "stop_sequences", "stream",
    ]

    /// Reads one Messages response: the answer, or the ``ProviderError`` it amounts to.
    ///
    /// A pure function of the response, so that tests and the fuzzer can call it with any bytes; it never
    /// traps. Vendor text in its errors is not redacted (``send(_:)`` does that) and the answer's
    /// ``ChatResponse/latencySeconds`` is 0.
    ///
    /// - A non-2xx status is an `.http` error with the vendor's `error.type` and `message`.
    /// - The answer is the `text` blocks of `content`, joined. With no text block, `end_turn`,
    ///   `max_tokens` and `stop_sequence` mean an empty answer (the model said nothing).
    /// - `refusal` is `.contentFiltered` (any partial text is not an answer); `tool_use`, `pause_turn`,
    ///   `model_context_window_exceeded` or another stop reason without text is `.noTextAnswer`. Neither
    ///   is retried.
    /// - Only a body that does not parse as a message (not JSON, no `content` list, or no text and no
    ///   `stop_reason`) is `.malformedResponse`, which is retried.
    /// - `usage.input_tokens` excludes cache reads and writes; they are added back into
    ///   ``ChatResponse/inputTokens`` and also reported apart, so ``Pricing`` can price each at its rate.
    /// See <https://docs.anthropic.com/en/api/messages> and
    /// <https://docs.anthropic.com/en/docs/build-with-claude/handling-stop-reasons>.
    package static func interpretResponse(
        status: Int, headers: HTTPHeaders, body: ByteBuffer, provider: String = "anthropic"
    ) throws(ProviderError) -> ChatResponse {
        let headerRequestID = headers.first(name: "request-id")
        guard (200..<300).contains(status) else {
            throw ResponseDecoding.httpError(
                status: status, headers: headers, body: body, provider: provider, requestID: headerRequestID)
        }
        let decoded = try ResponseDecoding.decode(
            AnthropicWire.Response.self, body: body, provider: provider, requestID: headerRequestID)
        let requestID = headerRequestID ?? decoded.id?.value
        let stopReason = decoded.stopReason
        func fail(_ kind: ProviderError.Kind) -> ProviderError {
            ProviderError(kind, provider: provider, requestID: requestID, finishReason: stopReason)
        }
        if stopReason == "refusal" {
            throw fail(.contentFiltered("stop_reason refusal: the model declined to answer"))
        }
        let textBlocks = decoded.content.filter { $0.type == "text" }.compactMap(\.text)
        if textBlocks.isEmpty {
            switch stopReason {
            case "end_turn", "max_tokens", "stop_sequence":
                break  // the model finished without saying anything: an empty answer
            case "tool_use":
                throw fail(.noTextAnswer("stop_reason tool_use: the model called a tool instead of answering"))
            case "model_context_window_exceeded":
                throw fail(.noTextAnswer("stop_reason model_context_window_exceeded: the prompt fills the model's context window"))
            case .some(let reason):
                throw fail(.noTextAnswer("stop_reason \(ProviderError.oneLine(reason, limit: 60)) without a text block"))
            case .none:
                throw fail(.malformedResponse("the response has neither a text block nor a stop_reason"))
            }
        }
        let usage = decoded.usage?.value
        return ChatResponse(
            text: textBlocks.joined(),
            inputTokens: ResponseDecoding.total(
                usage?.inputTokens, adding: usage?.cacheReadInputTokens, usage?.cacheCreationInputTokens),
            outputTokens: ResponseDecoding.total(usage?.outputTokens),
            cachedTokens: ResponseDecoding.total(usage?.cacheReadInputTokens),
            cacheWriteTokens: ResponseDecoding.total(usage?.cacheCreationInputTokens),
            finishReason: stopReason,
            requestID: requestID,
            latencySeconds: 0,
            attempts: 1
        )
    }
}

// MARK: - Wire format

enum AnthropicWire {
    struct Request: Encodable {
        struct Message: Encodable {
            var role: String
            var content: Content
        }
        /// A plain string for text, content blocks for a message with media.
        enum Content: Encodable {
            case text(String)
            case blocks([Block])

            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case .text(let text): try container.encode(text)
                case .blocks(let blocks): try container.encode(blocks)
                }
            }
        }
        /// A `text`, `image` or `document` block.
        struct Block: Encodable {
            struct Source: Encodable {
                var type: String
                var mediaType: String?
                var data: String?
                var url: String?

                enum CodingKeys: String, CodingKey {
                    case type, data, url
                    case mediaType = "media_type"
                }
            }
            var type: String
            var text: String?
            var source: Source?
        }
        var model: String
        var maxTokens: Int
        var system: String?
        var messages: [Message]
        var temperature: Double?
        var topP: Double?
        var topK: Int?
        var stopSequences: [String]?
        /// Set only for ``AnthropicProvider/stream(_:)``, so that other requests encode as they always have.
        var stream: Bool?
        /// ``GenerationConfig/additional``, keys in snake_case, to encode beside the fields above
        /// (``WithExtraFields``).
        var extra: [String: ProviderJSON] = [:]

        enum CodingKeys: String, CodingKey {
            case model, system, messages, temperature, stream
            case maxTokens = "max_tokens"
            case topP = "top_p"
            case topK = "top_k"
            case stopSequences = "stop_sequences"
        }

        /// - Throws: ``ProviderError`` for media the API cannot take and for ``GenerationConfig/additional``
        ///   keys that collide with the fields PromptLab sets.
        init(_ request: ChatRequest, provider: String) throws(ProviderError) {
            try AnthropicProvider.mediaSupport.check(model: request.model, request.messages, provider: provider)
            model = request.model
            maxTokens = request.config.maxOutputTokens ?? AnthropicProvider.defaultMaxTokens
            // The top-level `system` is text: media in a system message is refused by the check below.
            let systemParts = request.messages.filter { $0.role == .system }.map(\.content)
            system = systemParts.isEmpty ? nil : systemParts.joined(separator: "\n\n")
            messages = []
            for (index, message) in request.messages.enumerated() {
                if message.role == .system {
                    if message.hasMedia { try AnthropicProvider.mediaSupport.check([message], at: index, provider: provider) }
                    continue
                }
                messages.append(
                    Message(role: message.role.rawValue, content: try Self.content(of: message, index: index, provider: provider)))
            }
            temperature = request.config.temperature
            topP = request.config.topP
            topK = request.config.topK
            stopSequences = request.config.stopSequences.flatMap { $0.isEmpty ? nil : $0 }
            extra = try AdditionalSettings.place(
                request.config.additional, convert: AdditionalSettings.snakeCase, reserved: AnthropicProvider.reservedFields,
                provider: provider)
        }

        static func content(of message: ChatMessage, index: Int, provider: String) throws(ProviderError) -> Content {
            guard message.hasMedia else { return .text(message.content) }
            var blocks: [Block] = []
            for part in message.parts {
                switch part {
                case .text(let text):
                    blocks.append(Block(type: "text", text: text))
                case .media(let url, let contentType):
                    let media = try AnthropicProvider.mediaSupport.resolve(
                        url: url, contentType: contentType, role: message.role, place: "messages[\(index)]", provider: provider)
                    let source =
                        media.base64Data.map { Block.Source(type: "base64", mediaType: media.contentType, data: $0) }
                        ?? Block.Source(type: "url", url: media.url)
                    blocks.append(Block(type: media.contentType == "application/pdf" ? "document" : "image", source: source))
                }
            }
            return .blocks(blocks)
        }
    }

    struct Response: Decodable {
        struct Block: Decodable {
            var type: String
            var text: String?
        }
        struct Usage: Decodable {
            var inputTokens: TokenCount?
            var outputTokens: TokenCount?
            var cacheCreationInputTokens: TokenCount?
            var cacheReadInputTokens: TokenCount?

            enum CodingKeys: String, CodingKey {
                case inputTokens = "input_tokens"
                case outputTokens = "output_tokens"
                case cacheCreationInputTokens = "cache_creation_input_tokens"
                case cacheReadInputTokens = "cache_read_input_tokens"
            }
        }
        var id: Lenient<String>?
        var content: [Block]
        var stopReason: String?
        var usage: Lenient<Usage>?

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
        apiKey: .required(variable: "ANTHROPIC_API_KEY"), generationLimits: AnthropicProvider.documentedLimits,
        mediaSupport: AnthropicProvider.mediaSupport,
        make: { (settings, context) throws(ProviderError) in
            AnthropicProvider(
                name: settings.providerName, baseURL: try settings.requiredBaseURL(), apiKey: try settings.requiredAPIKey(),
                httpClient: context.httpClient, timeout: settings.timeout, logger: context.logger)
        })
}
