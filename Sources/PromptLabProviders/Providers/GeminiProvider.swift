import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Google Gemini `generateContent`.
///
/// Sends `POST {base}/v1beta/models/{model}:generateContent` with the key in the `x-goog-api-key` header
/// (never in a `?key=` query, which would end up in access logs). System messages become
/// `systemInstruction`; assistant messages get the role `model`. Reads the text parts of the first
/// candidate (skipping thought summaries), `finishReason`, `usageMetadata` (thinking tokens count as
/// output, as they are billed) and `responseId`.
///
/// Media parts become `inlineData` (a `data:` URI) or `fileData` (a URL) parts, each with its
/// `mimeType` (``mediaSupport``). ``ResponseFormat/json`` is `responseMimeType: application/json`, with
/// ``GenerationConfig/responseSchema`` reduced to the OpenAPI subset Gemini takes (``geminiSchema(_:)``).
/// ``GenerationConfig/topK`` is `generationConfig.topK`; of ``GenerationConfig/additional``,
/// `safetySettings` goes at the top level and every other entry in `generationConfig`.
/// See <https://ai.google.dev/api/generate-content>.
public struct GeminiProvider: ChatProvider {
    public let name: String
    /// The base URL, without `/v1beta`.
    public let baseURL: String
    private let apiKey: APIKey
    let transport: HTTPTransport

    /// Creates a provider.
    ///
    /// - Parameters:
    ///   - baseURL: Without `/v1beta`, for example `https://generativelanguage.googleapis.com`.
    ///   - apiKey: Sent as `x-goog-api-key`.
    ///   - httpClient: A client configured with ``AsyncHTTPClient/HTTPClient/Configuration/promptLabProviders(maxConnectionsPerHost:)``.
    ///   - timeout: The time limit of one attempt.
    ///   - logger: Receives one debug line per request; never the key, headers or bodies.
    public init(
        name: String = "gemini",
        baseURL: String = "https://generativelanguage.googleapis.com",
        apiKey: APIKey,
        httpClient: HTTPClient,
        timeout: Duration = ProviderSettings.defaultTimeout,
        logger: Logger
    ) {
        self.name = name
        self.baseURL = ProviderSettings.normalizedBaseURL(baseURL, provider: .gemini)
        self.apiKey = apiKey
        self.transport = HTTPTransport(
            client: httpClient, providerName: name, timeout: timeout, redactor: Redactor([apiKey]), logger: logger)
    }

    /// The endpoint for `model` (a leading `models/` is accepted and dropped): `generateContent`, or
    /// `streamGenerateContent?alt=sse` (server-sent events) when `streaming`.
    func endpoint(for model: String, streaming: Bool = false) -> String {
        var name = Substring(model)
        if name.hasPrefix("models/") { name = name.dropFirst("models/".count) }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let escaped = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? String(name)
        let method = streaming ? "streamGenerateContent?alt=sse" : "generateContent"
        return "\(baseURL)/v1beta/models/\(escaped):\(method)"
    }

    public func send(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse {
        let exchange = try exchange(for: request, streaming: false)
        let response = try await transport.post(url: exchange.url, headers: exchange.headers, body: exchange.body, model: request.model)
        do {
            var answer = try GeminiProvider.interpretResponse(
                status: response.status, headers: response.headers, body: response.body, provider: name)
            answer.latencySeconds = response.latencySeconds
            return answer
        } catch {
            throw transport.redactor(error)
        }
    }

    /// The URL, headers and body of `request`, checked; the body is the same for both endpoints.
    func exchange(for request: ChatRequest, streaming: Bool) throws(ProviderError) -> HTTPTransport.Exchange {
        if let problem = GeminiProvider.documentedLimits.problem(with: request.config) {
            throw ProviderError(.invalidConfiguration(problem), provider: name, attempts: 0)
        }
        let wire = try GeminiWire.Request(request, provider: name)
        guard !wire.contents.isEmpty else {
            throw ProviderError(
                .invalidConfiguration("generateContent needs at least one user or assistant message"), provider: name)
        }
        var headers = HTTPHeaders()
        headers.add(name: "x-goog-api-key", value: apiKey.value)
        return HTTPTransport.Exchange(
            url: endpoint(for: request.model, streaming: streaming), headers: headers,
            body: try HTTPTransport.encode(WithExtraFields(base: wire, extra: wire.extra), provider: name))
    }

    /// The ranges of `GenerationConfig` (<https://ai.google.dev/api/generate-content#generationconfig>,
    /// `google/ai/generativelanguage/v1beta/generative_service.proto`): `temperature` 0–2, `topP` 0–1,
    /// up to 5 `stopSequences`, and `seed`, `maxOutputTokens` and `topK` are `int32` (`topK` not negative).
    public static let documentedLimits = GenerationLimits(
        vendor: "Gemini", temperature: 0...2, maxOutputTokens: 1...Int(Int32.max), maxStopSequences: 5,
        seed: GenerationLimits.int32Range, topK: 0...Int(Int32.max))

    /// Images, audio, video, PDFs and text, in user and model messages, each with a known type
    /// (<https://ai.google.dev/gemini-api/docs/file-input-methods>): `mimeType` is required, so a URL
    /// whose type cannot be told from its extension needs a `contentType`.
    public static let mediaSupport = MediaSupport(
        summary: "images, audio, video, PDFs and text (image/*, audio/*, video/*, application/pdf, text/*)",
        contentTypes: ["application/pdf"], contentTypePrefixes: ["image/", "audio/", "video/", "text/"],
        roles: [.user, .assistant], needsContentType: true)

    /// The `generationConfig` fields PromptLab sets, which ``GenerationConfig/additional`` may not name.
    static let reservedConfigFields: Set<String> = [
        "temperature", "maxOutputTokens", "topP", "topK", "stopSequences", "seed", "responseMimeType", "responseSchema",
        "responseJsonSchema",
    ]

    /// The ``GenerationConfig/additional`` entries that belong at the top level of the request rather
    /// than in `generationConfig`.
    static let topLevelAdditional: Set<String> = ["safetySettings"]

    /// The JSON Schema keywords Gemini's `Schema` (an OpenAPI 3.0 subset) accepts; others are dropped.
    /// See <https://ai.google.dev/api/caching#Schema>.
    static let schemaKeywords: Set<String> = [
        "type", "format", "title", "description", "nullable", "enum", "items", "properties", "required", "minItems",
        "maxItems", "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "minimum", "maximum", "anyOf",
        "propertyOrdering", "default", "example",
    ]

    /// A JSON Schema as Gemini's `responseSchema` takes it: keywords it rejects (`additionalProperties`,
    /// `$schema`, `const`, …) dropped, `oneOf` read as `anyOf`, `type: [T, "null"]` written
    /// `type: T, nullable: true`, and type names upper-cased (`STRING`).
    ///
    /// - Throws: ``ProviderError/Kind/invalidConfiguration(_:)`` for a `$ref` (Gemini has no references)
    ///   or nesting deeper than ``ProviderJSON/maxDepth``.
    static func geminiSchema(_ schema: ProviderJSON, provider: String = "gemini") throws(ProviderError) -> ProviderJSON {
        try geminiSchema(schema, path: "responseSchema", depth: 0, provider: provider)
    }

    private static func geminiSchema(_ schema: ProviderJSON, path: String, depth: Int, provider: String) throws(ProviderError)
        -> ProviderJSON
    {
        func refuse(_ detail: String) -> ProviderError {
            ProviderError(.invalidConfiguration("\(path): \(detail)"), provider: provider, attempts: 0)
        }
        guard depth < ProviderJSON.maxDepth else {
            // Named from the root: the path down to here is too long to be read.
            throw ProviderError(
                .invalidConfiguration("responseSchema is nested deeper than \(ProviderJSON.maxDepth) levels"), provider: provider,
                attempts: 0)
        }
        guard let members = schema.objectValue else { return schema }
        if members["$ref"] != nil { throw refuse("Gemini's responseSchema cannot use $ref; write the schema out in full") }
        var result: [String: ProviderJSON] = [:]
        for (key, value) in members {
            switch key {
            case "type":
                var types = value.arrayValue ?? [value]
                if types.contains(.string("null")) {
                    result["nullable"] = true
                    types.removeAll { $0 == .string("null") }
                }
                let names = types.compactMap { $0.stringValue?.uppercased() }
                if names.count == 1 {
                    result["type"] = .string(names[0])
                } else if names.count > 1 {
                    result["anyOf"] = .array(names.map { .object(["type": .string($0)]) })
                }
            case "properties":
                var properties: [String: ProviderJSON] = [:]
                for (name, property) in value.objectValue ?? [:] {
                    properties[name] = try geminiSchema(property, path: "\(path).properties.\(name)", depth: depth + 1, provider: provider)
                }
                result["properties"] = .object(properties)
            case "items":
                result["items"] = try geminiSchema(value, path: "\(path).items", depth: depth + 1, provider: provider)
            case "anyOf", "oneOf":
                var options: [ProviderJSON] = []
                for (index, option) in (value.arrayValue ?? []).enumerated() {
                    options.append(try geminiSchema(option, path: "\(path).\(key)[\(index)]", depth: depth + 1, provider: provider))
                }
                result["anyOf"] = .array(options)
            case _ where schemaKeywords.contains(key):
                result[key] = value
            default:
                break
            }
        }
        return .object(result)
    }

    /// Finish reasons that mean the answer was withheld by a filter: safety, recitation of training
    /// data, prohibited content, a blocklist term, personal data (`SPII`), and their image counterparts.
    /// See <https://ai.google.dev/api/generate-content#FinishReason>.
    static let filterFinishReasons: Set<String> = [
        "SAFETY", "RECITATION", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT",
        "IMAGE_RECITATION",
    ]

    /// Reads one `generateContent` response: the answer, or the ``ProviderError`` it amounts to.
    ///
    /// A pure function of the response, so that tests and the fuzzer can call it with any bytes; it never
    /// traps. Vendor text in its errors is not redacted (``send(_:)`` does that) and the answer's
    /// ``ChatResponse/latencySeconds`` is 0.
    ///
    /// - A non-2xx status is an `.http` error with the vendor's `error.status` and `message`. A 429's
    ///   `google.rpc.RetryInfo.retryDelay` is the server's delay (when no `retry-after` header gives
    ///   one), and a `google.rpc.QuotaFailure` naming a per-day quota makes it unrecoverable
    ///   (``ProviderError/dailyQuota``), so it is not retried.
    /// - `promptFeedback.blockReason`, or a filter finish reason (``filterFinishReasons``), is
    ///   `.contentFiltered`; another finish reason without text (a tool call, `LANGUAGE`, `OTHER`) is
    ///   `.noTextAnswer`. Neither is retried. `STOP` and `MAX_TOKENS` without text are an empty answer.
    /// - Only a body that does not parse (not JSON, no candidate, or no text and no `finishReason`) is
    ///   `.malformedResponse`, which is retried.
    /// See <https://ai.google.dev/api/generate-content#generatecontentresponse>.
    package static func interpretResponse(
        status: Int, headers: HTTPHeaders, body: ByteBuffer, provider: String = "gemini"
    ) throws(ProviderError) -> ChatResponse {
        let headerRequestID = headers.first(name: "x-request-id")
        guard (200..<300).contains(status) else {
            let details = (try? JSONDecoder().decode(GeminiWire.ErrorEnvelope.self, from: body))?.error?.details ?? []
            var error = ResponseDecoding.httpError(
                status: status, headers: headers, body: body, provider: provider, requestID: headerRequestID,
                bodyDelay: details.lazy.compactMap { $0.retryDelay.flatMap(GeminiWire.parseDuration) }.first)
            error.dailyQuota = details.lazy.flatMap { $0.violations ?? [] }.first(where: \.isPerDay)?.name
            throw error
        }
        let decoded = try ResponseDecoding.decode(
            GeminiWire.Response.self, body: body, provider: provider, requestID: headerRequestID)
        let requestID = headerRequestID ?? decoded.responseId?.value
        if let reason = decoded.promptFeedback?.blockReason {
            throw ProviderError(
                .contentFiltered("the prompt was blocked (blockReason \(ProviderError.oneLine(reason, limit: 60)))"),
                provider: provider, requestID: requestID)
        }
        guard let candidate = decoded.candidates?.first else {
            throw ProviderError(.malformedResponse("the response has no candidates"), provider: provider, requestID: requestID)
        }
        let finishReason = candidate.finishReason
        func fail(_ kind: ProviderError.Kind) -> ProviderError {
            ProviderError(kind, provider: provider, requestID: requestID, finishReason: finishReason)
        }
        if let reason = finishReason, filterFinishReasons.contains(reason) {
            throw fail(.contentFiltered("finishReason \(reason): the answer was withheld by Gemini's filters"))
        }
        let texts = (candidate.content?.parts ?? []).filter { $0.thought != true }.compactMap(\.text)
        if texts.isEmpty {
            switch finishReason {
            case "STOP", "MAX_TOKENS":
                break  // the model finished without saying anything: an empty answer
            case .some(let reason):
                throw fail(.noTextAnswer("finishReason \(ProviderError.oneLine(reason, limit: 60)) without text"))
            case .none:
                throw fail(.malformedResponse("the candidate has neither text parts nor a finishReason"))
            }
        }
        let usage = decoded.usageMetadata?.value
        // Thinking tokens are billed as output.
        let outputTokens =
            usage?.candidatesTokenCount == nil && usage?.thoughtsTokenCount != nil
            ? ResponseDecoding.total(TokenCount(0), adding: usage?.thoughtsTokenCount)
            : ResponseDecoding.total(usage?.candidatesTokenCount, adding: usage?.thoughtsTokenCount)
        return ChatResponse(
            text: texts.joined(),
            inputTokens: ResponseDecoding.total(usage?.promptTokenCount),
            outputTokens: outputTokens,
            cachedTokens: ResponseDecoding.total(usage?.cachedContentTokenCount),
            finishReason: finishReason,
            requestID: requestID,
            latencySeconds: 0,
            attempts: 1
        )
    }
}

// MARK: - Wire format

enum GeminiWire {
    struct Part: Codable {
        // Optional fields: a response part with a partial blob must not make the whole answer unreadable.
        /// Inline bytes, base64 (`Blob`).
        struct InlineData: Codable {
            var mimeType: String?
            var data: String?
        }
        /// A file by URI (`FileData`).
        struct FileData: Codable {
            var mimeType: String?
            var fileUri: String?
        }
        var text: String?
        var thought: Bool?
        var inlineData: InlineData?
        var fileData: FileData?
    }
    struct Content: Codable {
        var role: String?
        var parts: [Part]?
    }

    struct Request: Encodable {
        struct Config: Encodable {
            var temperature: Double?
            var maxOutputTokens: Int?
            var topP: Double?
            var topK: Int?
            var stopSequences: [String]?
            var seed: Int?
            var responseMimeType: String?
            var responseSchema: ProviderJSON?

            var isEmpty: Bool {
                temperature == nil && maxOutputTokens == nil && topP == nil && topK == nil && stopSequences == nil && seed == nil
                    && responseMimeType == nil && responseSchema == nil
            }
        }
        var systemInstruction: Content?
        var contents: [Content]
        /// The settings with the ``GenerationConfig/additional`` entries that belong to them.
        var generationConfig: WithExtraFields<Config>?
        /// ``GenerationConfig/additional`` entries of the top level (`safetySettings`), to encode beside
        /// the fields above (``WithExtraFields``).
        var extra: [String: ProviderJSON] = [:]

        enum CodingKeys: String, CodingKey {
            case systemInstruction, contents, generationConfig
        }

        /// - Throws: ``ProviderError`` for media Gemini cannot take, a schema it cannot read, and
        ///   ``GenerationConfig/additional`` keys that collide with the fields PromptLab sets.
        init(_ request: ChatRequest, provider: String) throws(ProviderError) {
            // `systemInstruction` is text: media in a system message is refused by the check below.
            let system = request.messages.filter { $0.role == .system }.map(\.content)
            if !system.isEmpty {
                systemInstruction = Content(role: nil, parts: [Part(text: system.joined(separator: "\n\n"))])
            }
            contents = []
            for (index, message) in request.messages.enumerated() {
                switch message.role {
                case .system:
                    if message.hasMedia { try GeminiProvider.mediaSupport.check([message], at: index, provider: provider) }
                case .user:
                    contents.append(Content(role: "user", parts: try Self.parts(of: message, index: index, provider: provider)))
                case .assistant:
                    contents.append(Content(role: "model", parts: try Self.parts(of: message, index: index, provider: provider)))
                }
            }
            let settings = request.config
            let json = settings.responseFormat == .json
            var schema: ProviderJSON?
            if json, let responseSchema = settings.responseSchema {
                schema = try GeminiProvider.geminiSchema(responseSchema, provider: provider)
            }
            let config = Config(
                temperature: settings.temperature,
                maxOutputTokens: settings.maxOutputTokens,
                topP: settings.topP,
                topK: settings.topK,
                stopSequences: settings.stopSequences.flatMap { $0.isEmpty ? nil : $0 },
                seed: settings.seed,
                responseMimeType: json ? "application/json" : nil,
                responseSchema: schema
            )
            let additional = try AdditionalSettings.place(
                settings.additional, convert: AdditionalSettings.camelCase,
                reserved: GeminiProvider.reservedConfigFields, provider: provider)
            extra = additional.filter { GeminiProvider.topLevelAdditional.contains($0.key) }
            let configExtra = additional.filter { !GeminiProvider.topLevelAdditional.contains($0.key) }
            generationConfig = config.isEmpty && configExtra.isEmpty ? nil : WithExtraFields(base: config, extra: configExtra)
        }

        /// One text part for a text message (as always); text, `inlineData` and `fileData` parts in order
        /// for a message with media.
        static func parts(of message: ChatMessage, index: Int, provider: String) throws(ProviderError) -> [Part] {
            guard message.hasMedia else { return [Part(text: message.content)] }
            var parts: [Part] = []
            for part in message.parts {
                switch part {
                case .text(let text):
                    parts.append(Part(text: text))
                case .media(let url, let contentType):
                    let media = try GeminiProvider.mediaSupport.resolve(
                        url: url, contentType: contentType, role: message.role, place: "messages[\(index)]", provider: provider)
                    // `resolve` has checked that the type is known: Gemini's support needs it.
                    let mimeType = media.contentType ?? "application/octet-stream"
                    if let data = media.base64Data {
                        parts.append(Part(inlineData: Part.InlineData(mimeType: mimeType, data: data)))
                    } else {
                        parts.append(Part(fileData: Part.FileData(mimeType: mimeType, fileUri: media.url)))
                    }
                }
            }
            return parts
        }
    }

    struct Response: Decodable {
        struct Candidate: Decodable {
            var content: Content?
            var finishReason: String?
        }
        struct Usage: Decodable {
            var promptTokenCount: TokenCount?
            var candidatesTokenCount: TokenCount?
            var cachedContentTokenCount: TokenCount?
            var thoughtsTokenCount: TokenCount?
        }
        struct Feedback: Decodable {
            var blockReason: String?
        }
        var candidates: [Candidate]?
        var usageMetadata: Lenient<Usage>?
        var promptFeedback: Feedback?
        var responseId: Lenient<String>?
    }

    // MARK: Errors

    /// A `google.rpc.Status` error body, read only for its typed `details`.
    /// See <https://github.com/googleapis/googleapis/blob/master/google/rpc/error_details.proto>.
    struct ErrorEnvelope: Decodable {
        struct Status: Decodable {
            var details: [Detail]?

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                details = (try? container.decodeIfPresent([Lenient<Detail>].self, forKey: .details))?.compactMap(\.value)
            }
            enum CodingKeys: String, CodingKey { case details }
        }
        var error: Status?
    }

    /// One entry of `details`: `RetryInfo` has `retryDelay`, `QuotaFailure` has `violations`.
    struct Detail: Decodable {
        var retryDelay: String?
        var violations: [QuotaViolation]?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            retryDelay = try? container.decodeIfPresent(String.self, forKey: .retryDelay)
            violations = (try? container.decodeIfPresent([Lenient<QuotaViolation>].self, forKey: .violations))?
                .compactMap(\.value)
        }
        enum CodingKeys: String, CodingKey { case retryDelay, violations }
    }

    /// A `QuotaFailure.Violation`; Gemini names the quota in `quotaId` and `quotaMetric`.
    struct QuotaViolation: Decodable {
        var quotaId: String?
        var quotaMetric: String?

        /// The quota's name for messages.
        var name: String { quotaId ?? quotaMetric ?? "unnamed" }

        /// Whether the quota resets daily (`GenerateRequestsPerDayPerProjectPerModel`, `..._per_day`):
        /// retrying within minutes cannot succeed.
        var isPerDay: Bool {
            [quotaId, quotaMetric].contains { text in
                guard let text = text?.lowercased() else { return false }
                return text.contains("perday") || text.contains("per_day")
            }
        }
    }

    /// The most a body's `retryDelay` is believed, before the retry policy caps it further.
    static let maxRetryDelaySeconds = 86_400.0

    /// Reads a `google.protobuf.Duration` in its JSON form: decimal seconds with an `s` suffix (`"31s"`,
    /// `"1.5s"`). Negative, non-finite and malformed values give nil; huge ones are clamped to
    /// ``maxRetryDelaySeconds`` before any conversion, so no value can trap.
    static func parseDuration(_ text: String) -> Duration? {
        guard text.hasSuffix("s") else { return nil }
        let number = text.dropLast()
        guard !number.isEmpty, number.utf8.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".") }),
            let seconds = Double(number), seconds.isFinite
        else { return nil }
        let clamped = min(seconds, maxRetryDelaySeconds)
        return .milliseconds(Int64((clamped * 1000).rounded()))
    }
}

// MARK: - Descriptor

extension ModelReference.Provider {
    /// Google Gemini `generateContent`.
    public static let gemini = Self(declaring: "gemini")
}

extension ProviderDescriptor {
    public static let gemini = ProviderDescriptor(
        .gemini, summary: "Google Gemini generateContent",
        endpoint: Endpoint(
            defaultBaseURL: "https://generativelanguage.googleapis.com", baseURLVariable: "GEMINI_BASE_URL",
            versionSuffixes: ["/v1beta", "/v1"]),
        apiKey: .required(variable: "GEMINI_API_KEY"), generationLimits: GeminiProvider.documentedLimits,
        mediaSupport: GeminiProvider.mediaSupport,
        make: { (settings, context) throws(ProviderError) in
            GeminiProvider(
                name: settings.providerName, baseURL: try settings.requiredBaseURL(), apiKey: try settings.requiredAPIKey(),
                httpClient: context.httpClient, timeout: settings.timeout, logger: context.logger)
        })
}
