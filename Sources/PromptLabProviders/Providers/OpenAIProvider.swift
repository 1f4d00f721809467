import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// OpenAI Chat Completions, and every server that copies it (Ollama's `/v1`, vLLM, llama.cpp, LM Studio).
///
/// Sends `POST {base}/v1/chat/completions` with `Authorization: Bearer <key>`; reads
/// `choices[0].message.content`, `finish_reason`, `usage` (with `prompt_tokens_details.cached_tokens`)
/// and the `x-request-id` header.
///
/// `seed` is sent when a prompt sets one. OpenAI marks it deprecated ("Beta", best effort) but still
/// accepts it (it is in the published request schema), a prompt that sets it asks for the closest to
/// repeatable sampling there is, and the compatible servers (vLLM, llama.cpp, Ollama) honour it; it
/// is never sent by default.
///
/// A message with media is sent as a content array of `text` and `image_url` parts (a URL or `data:` URI
/// as given); only images, in user messages, are accepted (``mediaSupport``). ``ResponseFormat/json`` is
/// `json_object`, or `json_schema` (named `output`, not strict) with a ``GenerationConfig/responseSchema``.
/// ``GenerationConfig/topK`` is sent as `top_k` to compatible servers and refused for OpenAI, which has
/// none; ``GenerationConfig/additional`` entries go at the top level in snake_case.
/// See <https://platform.openai.com/docs/api-reference/chat/create>.
public struct OpenAIProvider: ChatProvider {
    /// Which flavour of the API the server speaks.
    public enum Dialect: Sendable, Hashable {
        /// api.openai.com: the answer length is `max_completion_tokens` (required by reasoning models).
        case openAI
        /// A compatible server: the answer length is the older `max_tokens`, which they all accept.
        case compatible
    }

    /// `openai`, `ollama` or `openai-compatible`.
    public let name: String
    /// The base URL, without `/v1`.
    public let baseURL: String
    /// The API flavour.
    public let dialect: Dialect
    private let apiKey: APIKey?
    let transport: HTTPTransport

    /// The bearer token sent when no key is configured (Ollama and most local servers ignore it, but
    /// some clients and proxies insist on the header being present).
    public static let placeholderKey = "promptlab-no-key"

    /// Creates a provider.
    ///
    /// - Parameters:
    ///   - name: The name reported in errors and results.
    ///   - baseURL: The server's base URL without `/v1`, for example `https://api.openai.com`.
    ///   - apiKey: The bearer token; `nil` sends ``placeholderKey``.
    ///   - dialect: ``Dialect/openAI`` for api.openai.com, ``Dialect/compatible`` otherwise.
    ///   - httpClient: A client configured with ``AsyncHTTPClient/HTTPClient/Configuration/promptLabProviders(maxConnectionsPerHost:)``.
    ///   - timeout: The time limit of one attempt.
    ///   - logger: Receives one debug line per request; never the key, headers or bodies.
    public init(
        name: String = "openai",
        baseURL: String = "https://api.openai.com",
        apiKey: APIKey?,
        dialect: Dialect = .openAI,
        httpClient: HTTPClient,
        timeout: Duration = ProviderSettings.defaultTimeout,
        logger: Logger
    ) {
        self.name = name
        self.baseURL = ProviderSettings.normalizedBaseURL(baseURL, provider: .openai)
        self.apiKey = apiKey
        self.dialect = dialect
        self.transport = HTTPTransport(
            client: httpClient, providerName: name, timeout: timeout, redactor: Redactor([apiKey]), logger: logger)
    }

    public func send(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse {
        let exchange = try exchange(for: request, streaming: false)
        let response = try await transport.post(url: exchange.url, headers: exchange.headers, body: exchange.body, model: request.model)
        do {
            var answer = try OpenAIProvider.interpretResponse(
                status: response.status, headers: response.headers, body: response.body, provider: name)
            answer.latencySeconds = response.latencySeconds
            return answer
        } catch {
            throw transport.redactor(error)
        }
    }

    /// The URL, headers and body of `request`, checked, with `stream` and `stream_options` when `streaming`.
    func exchange(for request: ChatRequest, streaming: Bool) throws(ProviderError) -> HTTPTransport.Exchange {
        let limits = dialect == .openAI ? OpenAIProvider.documentedLimits : .basic(name)
        if let problem = limits.problem(with: request.config) {
            throw ProviderError(.invalidConfiguration(problem), provider: name, attempts: 0)
        }
        var wire = try OpenAIWire.Request(request, dialect: dialect, provider: name)
        if streaming {
            wire.stream = true
            wire.streamOptions = OpenAIWire.Request.StreamOptions(includeUsage: true)
        }
        var headers = HTTPHeaders()
        headers.add(name: "authorization", value: "Bearer \(apiKey?.value ?? OpenAIProvider.placeholderKey)")
        return HTTPTransport.Exchange(
            url: baseURL + "/v1/chat/completions", headers: headers,
            body: try HTTPTransport.encode(WithExtraFields(base: wire, extra: wire.extra), provider: name))
    }

    /// The ranges of OpenAI's Chat Completions request schema (`CreateChatCompletionRequest` in
    /// <https://github.com/openai/openai-openapi>): `temperature` 0–2, `top_p` 0–1, `stop` up to 4
    /// strings. `seed` is any 64-bit integer. Compatible servers (``Dialect/compatible``) document their
    /// own limits and get ``GenerationLimits/basic(_:)``.
    public static let documentedLimits = GenerationLimits(
        vendor: "OpenAI", temperature: 0...2, maxStopSequences: 4, topK: nil)

    /// Images in user messages: the `image_url` content part of Chat Completions takes PNG, JPEG, GIF and
    /// WebP (<https://platform.openai.com/docs/guides/images-vision>). Compatible servers get the same
    /// check, since `image_url` is the only media part their copies of the format share.
    ///
    /// The older text-only models (GPT-3.5, the first GPT-4 snapshots, o1-mini, o3-mini) are refused media
    /// by name.
    public static let mediaSupport: MediaSupport = {
        var support = MediaSupport(
            summary: "images (image/png, image/jpeg, image/gif, image/webp)", contentTypes: MediaSupport.webImageTypes)
        support.textOnlyModels = ["gpt-3.5-*", "gpt-4", "gpt-4-0314", "gpt-4-0613", "gpt-4-32k*", "o1-mini*", "o3-mini*"]
        return support
    }()

    /// The body fields PromptLab sets (or must not have set, like `stream`), which
    /// ``GenerationConfig/additional`` may not name.
    static let reservedFields: Set<String> = [
        "model", "messages", "temperature", "max_tokens", "max_completion_tokens", "top_p", "top_k", "stop", "seed",
        "response_format", "stream", "stream_options",
    ]

    /// Reads one Chat Completions response: the answer, or the ``ProviderError`` it amounts to.
    ///
    /// A pure function of the response, so that tests and the fuzzer can call it with any bytes; it never
    /// traps. Vendor text in its errors is not redacted (``send(_:)`` does that) and the answer's
    /// ``ChatResponse/latencySeconds`` is 0.
    ///
    /// - A non-2xx status is an `.http` error with the vendor's `error.type`, `code` and `message`.
    /// - `choices[0].message.content` is the answer, even when empty (the model said nothing).
    /// - A `refusal`, or `finish_reason: content_filter`, is `.contentFiltered`; `tool_calls` (or the
    ///   older `function_call`) without content is `.noTextAnswer`. Neither is retried.
    /// - Only a body that does not parse as a chat completion (not JSON, no `choices`, or no content and
    ///   no `finish_reason`) is `.malformedResponse`, which is retried.
    /// - Usage counts are believed only as described in ``TokenCount``.
    /// See <https://platform.openai.com/docs/api-reference/chat/object>.
    package static func interpretResponse(
        status: Int, headers: HTTPHeaders, body: ByteBuffer, provider: String = "openai"
    ) throws(ProviderError) -> ChatResponse {
        let headerRequestID = headers.first(name: "x-request-id")
        guard (200..<300).contains(status) else {
            throw ResponseDecoding.httpError(
                status: status, headers: headers, body: body, provider: provider, requestID: headerRequestID)
        }
        let decoded = try ResponseDecoding.decode(
            OpenAIWire.Response.self, body: body, provider: provider, requestID: headerRequestID)
        let requestID = headerRequestID ?? decoded.id?.value
        guard let choice = decoded.choices.first else {
            throw ProviderError(.malformedResponse("the response has no choices"), provider: provider, requestID: requestID)
        }
        let finishReason = choice.finishReason
        func fail(_ kind: ProviderError.Kind) -> ProviderError {
            ProviderError(kind, provider: provider, requestID: requestID, finishReason: finishReason)
        }
        if finishReason == "content_filter" {
            throw fail(.contentFiltered("finish_reason content_filter: the answer was withheld by OpenAI's content filter"))
        }
        let text: String
        if let content = choice.message?.content {
            text = content
        } else if let refusal = choice.message?.refusal {
            throw fail(.contentFiltered("the model refused: \(ProviderError.oneLine(refusal, limit: 200))"))
        } else {
            switch finishReason {
            case "tool_calls", "function_call":
                throw fail(.noTextAnswer("finish_reason \(finishReason ?? ""): the model called a tool instead of answering"))
            case "stop", "length":
                text = ""  // the model finished (or ran out of tokens) without saying anything: an empty answer
            case .some(let reason):
                throw fail(.noTextAnswer("finish_reason \(ProviderError.oneLine(reason, limit: 60)) without message content"))
            case .none:
                throw fail(.malformedResponse("choices[0] has neither message content nor a finish_reason"))
            }
        }
        let usage = decoded.usage?.value
        return ChatResponse(
            text: text, inputTokens: usage?.inputTokens, outputTokens: usage?.outputTokens, cachedTokens: usage?.cachedTokens,
            finishReason: finishReason, requestID: requestID, latencySeconds: 0, attempts: 1)
    }
}

// MARK: - Wire format

enum OpenAIWire {
    struct Request: Encodable {
        struct Message: Encodable {
            var role: String
            var content: Content
        }
        /// A plain string for text, an array of parts for a message with media.
        enum Content: Encodable {
            case text(String)
            case parts([Part])

            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case .text(let text): try container.encode(text)
                case .parts(let parts): try container.encode(parts)
                }
            }
        }
        struct Part: Encodable {
            struct ImageURL: Encodable {
                var url: String
            }
            var type: String
            var text: String?
            var imageURL: ImageURL?

            enum CodingKeys: String, CodingKey {
                case type, text
                case imageURL = "image_url"
            }
        }
        struct Format: Encodable {
            struct Schema: Encodable {
                var name: String
                var schema: ProviderJSON
                var strict: Bool
            }
            var type: String
            var jsonSchema: Schema?

            enum CodingKeys: String, CodingKey {
                case type
                case jsonSchema = "json_schema"
            }
        }
        var model: String
        var messages: [Message]
        var temperature: Double?
        var maxTokens: Int?
        var maxCompletionTokens: Int?
        var topP: Double?
        var topK: Int?
        var stop: [String]?
        var seed: Int?
        var responseFormat: Format?
        /// Set only for ``OpenAIProvider/stream(_:)``, so that other requests encode as they always have.
        var stream: Bool?
        var streamOptions: StreamOptions?
        /// ``GenerationConfig/additional``, keys in snake_case, to encode beside the fields above
        /// (``WithExtraFields``).
        var extra: [String: ProviderJSON] = [:]

        enum CodingKeys: String, CodingKey {
            case model, messages, temperature, stop, seed
            case maxTokens = "max_tokens"
            case maxCompletionTokens = "max_completion_tokens"
            case topP = "top_p"
            case topK = "top_k"
            case responseFormat = "response_format"
            case stream
            case streamOptions = "stream_options"
        }

        /// `stream_options`: `include_usage` asks for a last chunk with the usage.
        struct StreamOptions: Encodable {
            var includeUsage: Bool

            enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
        }

        /// - Throws: ``ProviderError`` for media the server cannot take and for ``GenerationConfig/additional``
        ///   keys that collide with the fields PromptLab sets.
        init(_ request: ChatRequest, dialect: OpenAIProvider.Dialect, provider: String) throws(ProviderError) {
            try OpenAIProvider.mediaSupport.check(model: request.model, request.messages, provider: provider)
            model = request.model
            messages = []
            for (index, message) in request.messages.enumerated() {
                messages.append(
                    Message(role: message.role.rawValue, content: try Self.content(of: message, index: index, provider: provider)))
            }
            let config = request.config
            temperature = config.temperature
            switch dialect {
            case .openAI: maxCompletionTokens = config.maxOutputTokens
            case .compatible:
                maxTokens = config.maxOutputTokens
                topK = config.topK
            }
            topP = config.topP
            stop = config.stopSequences.flatMap { $0.isEmpty ? nil : $0 }
            seed = config.seed
            if config.responseFormat == .json {
                responseFormat = Format(
                    type: config.responseSchema == nil ? "json_object" : "json_schema",
                    jsonSchema: config.responseSchema.map { Format.Schema(name: "output", schema: $0, strict: false) })
            }
            extra = try AdditionalSettings.place(
                config.additional, convert: AdditionalSettings.snakeCase, reserved: OpenAIProvider.reservedFields,
                provider: provider)
        }

        static func content(of message: ChatMessage, index: Int, provider: String) throws(ProviderError) -> Content {
            guard message.hasMedia else { return .text(message.content) }
            var parts: [Part] = []
            for part in message.parts {
                switch part {
                case .text(let text):
                    parts.append(Part(type: "text", text: text))
                case .media(let url, let contentType):
                    let source = try OpenAIProvider.mediaSupport.resolve(
                        url: url, contentType: contentType, role: message.role, place: "messages[\(index)]", provider: provider)
                    parts.append(Part(type: "image_url", imageURL: Part.ImageURL(url: source.dataURI)))
                }
            }
            return .parts(parts)
        }
    }

    struct Response: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable {
                var content: String?
                var refusal: String?
            }
            var message: Message?
            var finishReason: String?

            enum CodingKeys: String, CodingKey {
                case message
                case finishReason = "finish_reason"
            }
        }
        struct Usage: Decodable {
            struct PromptDetails: Decodable {
                var cachedTokens: TokenCount?
                enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
            }
            var promptTokens: TokenCount?
            var completionTokens: TokenCount?
            var promptTokensDetails: PromptDetails?

            var inputTokens: Int? { ResponseDecoding.total(promptTokens) }
            var outputTokens: Int? { ResponseDecoding.total(completionTokens) }
            var cachedTokens: Int? { ResponseDecoding.total(promptTokensDetails?.cachedTokens) }

            enum CodingKeys: String, CodingKey {
                case promptTokens = "prompt_tokens"
                case completionTokens = "completion_tokens"
                case promptTokensDetails = "prompt_tokens_details"
            }
        }
        var id: Lenient<String>?
        var choices: [Choice]
        var usage: Lenient<Usage>?
    }
}

// MARK: - Descriptors

extension ModelReference.Provider {
    /// OpenAI Chat Completions.
    public static let openai = Self(declaring: "openai")
    /// Ollama, through its OpenAI-compatible `/v1/chat/completions` endpoint.
    public static let ollama = Self(declaring: "ollama")
    /// Any OpenAI-compatible server (vLLM, llama.cpp, LM Studio, ...); needs a base URL.
    public static let openAICompatible = Self(declaring: "openai-compatible")
}

extension ProviderDescriptor {
    public static let openai = ProviderDescriptor(
        .openai, summary: "OpenAI Chat Completions",
        endpoint: Endpoint(defaultBaseURL: "https://api.openai.com", baseURLVariable: "OPENAI_BASE_URL"),
        apiKey: .required(variable: "OPENAI_API_KEY"), generationLimits: OpenAIProvider.documentedLimits,
        mediaSupport: OpenAIProvider.mediaSupport,
        make: { (settings, context) throws(ProviderError) in try OpenAIProvider(settings, dialect: .openAI, context) })

    public static let ollama = ProviderDescriptor(
        .ollama, summary: "Ollama's OpenAI-compatible /v1",
        endpoint: Endpoint(defaultBaseURL: "http://localhost:11434", baseURLVariable: "OLLAMA_BASE_URL"),
        apiKey: .ifConfigured, mediaSupport: OpenAIProvider.mediaSupport,
        make: { (settings, context) throws(ProviderError) in try OpenAIProvider(settings, dialect: .compatible, context) })

    public static let openAICompatible = ProviderDescriptor(
        .openAICompatible, summary: "an OpenAI-compatible server (vLLM, llama.cpp, LM Studio, ...)",
        endpoint: Endpoint(defaultBaseURL: nil, baseURLVariable: "OPENAI_COMPATIBLE_BASE_URL"),
        apiKey: .ifConfigured, mediaSupport: OpenAIProvider.mediaSupport,
        make: { (settings, context) throws(ProviderError) in try OpenAIProvider(settings, dialect: .compatible, context) })
}

extension OpenAIProvider {
    /// A provider from validated settings.
    init(_ settings: ProviderSettings, dialect: Dialect, _ context: ProviderDescriptor.Context) throws(ProviderError) {
        self.init(
            name: settings.providerName, baseURL: try settings.requiredBaseURL(), apiKey: settings.apiKey, dialect: dialect,
            httpClient: context.httpClient, timeout: settings.timeout, logger: context.logger)
    }
}
