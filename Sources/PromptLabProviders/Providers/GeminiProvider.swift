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
/// See <https://ai.google.dev/api/generate-content>.
public struct GeminiProvider: ChatProvider {
    public let name: String
    /// The base URL, without `/v1beta`.
    public let baseURL: String
    private let apiKey: APIKey
    private let transport: HTTPTransport

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

    /// The endpoint for `model` (a leading `models/` is accepted and dropped).
    func endpoint(for model: String) -> String {
        var name = Substring(model)
        if name.hasPrefix("models/") { name = name.dropFirst("models/".count) }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let escaped = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? String(name)
        return "\(baseURL)/v1beta/models/\(escaped):generateContent"
    }

    public func send(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse {
        let wire = GeminiWire.Request(request)
        guard !wire.contents.isEmpty else {
            throw ProviderError(
                .invalidConfiguration("generateContent needs at least one user or assistant message"), provider: name)
        }
        let body: ByteBuffer
        do {
            body = try JSONEncoder.encodeToBuffer(wire)
        } catch {
            throw ProviderError(.invalidConfiguration("cannot encode the request: \(error)"), provider: name)
        }
        var headers = HTTPHeaders()
        headers.add(name: "x-goog-api-key", value: apiKey.value)

        let response = try await transport.post(url: endpoint(for: request.model), headers: headers, body: body, model: request.model)
        let headerRequestID = response.headers.first(name: "x-request-id")
        guard (200..<300).contains(response.status) else {
            throw transport.httpError(response, requestID: headerRequestID)
        }
        let decoded = try transport.decode(GeminiWire.Response.self, from: response, requestID: headerRequestID)
        let requestID = headerRequestID ?? decoded.responseId
        guard let candidate = decoded.candidates?.first else {
            if let reason = decoded.promptFeedback?.blockReason {
                throw ProviderError(.contentFiltered("prompt blocked (\(reason))"), provider: name, requestID: requestID)
            }
            throw ProviderError(.malformedResponse("the response has no candidates"), provider: name, requestID: requestID)
        }
        let parts = candidate.content?.parts ?? []
        let texts = parts.filter { $0.thought != true }.compactMap(\.text)
        if texts.isEmpty {
            switch candidate.finishReason {
            case "STOP", "MAX_TOKENS":
                break  // a genuinely empty answer
            case .some(let reason):
                throw ProviderError(.contentFiltered("no answer, finishReason \(reason)"), provider: name, requestID: requestID)
            case .none:
                throw ProviderError(.malformedResponse("the candidate has no text parts"), provider: name, requestID: requestID)
            }
        }
        let usage = decoded.usageMetadata
        var outputTokens = usage?.candidatesTokenCount
        if let thoughts = usage?.thoughtsTokenCount { outputTokens = (outputTokens ?? 0) + thoughts }
        return ChatResponse(
            text: texts.joined(),
            inputTokens: usage?.promptTokenCount,
            outputTokens: outputTokens,
            cachedTokens: usage?.cachedContentTokenCount,
            finishReason: candidate.finishReason,
            requestID: requestID,
            latencySeconds: response.latencySeconds,
            attempts: 1
        )
    }
}

// MARK: - Wire format

enum GeminiWire {
    struct Part: Codable {
        var text: String?
        var thought: Bool?
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
            var stopSequences: [String]?
            var seed: Int?
            var responseMimeType: String?

            var isEmpty: Bool {
                temperature == nil && maxOutputTokens == nil && topP == nil && stopSequences == nil && seed == nil
                    && responseMimeType == nil
            }
        }
        var systemInstruction: Content?
        var contents: [Content]
        var generationConfig: Config?

        init(_ request: ChatRequest) {
            let system = request.messages.filter { $0.role == .system }.map(\.content)
            if !system.isEmpty {
                systemInstruction = Content(role: nil, parts: [Part(text: system.joined(separator: "\n\n"))])
            }
            contents = request.messages.compactMap { message in
                switch message.role {
                case .system: return nil
                case .user: return Content(role: "user", parts: [Part(text: message.content)])
                case .assistant: return Content(role: "model", parts: [Part(text: message.content)])
                }
            }
            let settings = request.config
            let config = Config(
                temperature: settings.temperature,
                maxOutputTokens: settings.maxOutputTokens,
                topP: settings.topP,
                stopSequences: settings.stopSequences.flatMap { $0.isEmpty ? nil : $0 },
                seed: settings.seed,
                responseMimeType: settings.responseFormat == .json ? "application/json" : nil
            )
            generationConfig = config.isEmpty ? nil : config
        }
    }

    struct Response: Decodable {
        struct Candidate: Decodable {
            var content: Content?
            var finishReason: String?
        }
        struct Usage: Decodable {
            var promptTokenCount: Int?
            var candidatesTokenCount: Int?
            var cachedContentTokenCount: Int?
            var thoughtsTokenCount: Int?
        }
        struct Feedback: Decodable {
            var blockReason: String?
        }
        var candidates: [Candidate]?
        var usageMetadata: Usage?
        var promptFeedback: Feedback?
        var responseId: String?
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
        apiKey: .required(variable: "GEMINI_API_KEY"),
        make: { (settings, context) throws(ProviderError) in
            GeminiProvider(
                name: settings.providerName, baseURL: try settings.requiredBaseURL(), apiKey: try settings.requiredAPIKey(),
                httpClient: context.httpClient, timeout: settings.timeout, logger: context.logger)
        })
}
