import PromptFormat
import PromptLabCore
import PromptLabProviders
import PromptVersioning

/// One cell of an experiment: a variant, a case and a repeat.
struct Cell: Sendable, Hashable {
    var variant: Int
    var testCase: Int
    var repeatIndex: Int
}

/// The request a cell sends, with its content address.
struct CellRequest: Sendable {
    var reference: ModelReference
    var request: ChatRequest
    /// A hash of the canonical request (provider, endpoint, model, messages, settings).
    var requestHash: String
    /// The response-cache address: the request hash plus the repeat index, so
    /// repeats of one request are cached separately.
    var cacheKey: String
}

extension ExperimentPlan {
    /// Builds a cell's request from its rendered prompt.
    func request(for cell: Cell, reference: ModelReference, endpoint: String) throws(PromptLabError) -> CellRequest {
        let variant = variants[cell.variant]
        let rendered = try render(variant, cases[cell.testCase])
        let messages = rendered.messages.map(ChatMessage.init)
        let config = GenerationConfig(
            variant.config, responseFormat: rendered.outputFormat == .json ? .json : nil,
            responseSchema: rendered.outputFormat == .json ? rendered.outputSchema.map(ProviderJSON.init) : nil)
        let request = ChatRequest(model: reference.model, messages: messages, config: config)
        let canonical = Self.canonicalText(reference: reference, endpoint: endpoint, request: request)
        let requestHash = ContentHash.hex(of: canonical)
        return CellRequest(
            reference: reference, request: request, requestHash: requestHash,
            cacheKey: ContentHash.hex(of: "\(requestHash)\nrepeat \(cell.repeatIndex)"))
    }

    /// A stable JSON text of everything that determines a provider's answer.
    ///
    /// Built directly as text (not through a value tree): it is hashed once per request.
    static func canonicalText(reference: ModelReference, endpoint: String, request: ChatRequest) -> String {
        let config = request.config
        var text = "{\"provider\":" + PromptValue.jsonQuoted(reference.provider.rawValue)
        text += ",\"endpoint\":" + PromptValue.jsonQuoted(endpoint)
        text += ",\"model\":" + PromptValue.jsonQuoted(request.model) + ",\"messages\":["
        for (index, message) in request.messages.enumerated() {
            if index > 0 { text += "," }
            text += "{\"role\":\"" + message.role.rawValue + "\",\"content\":" + PromptValue.jsonQuoted(message.content)
            if message.hasMedia {
                text += ",\"parts\":[" + message.parts.map(canonicalText(of:)).joined(separator: ",") + "]"
            }
            text += "}"
        }
        text += "],\"temperature\":" + (config.temperature.map { String($0) } ?? "null")
        text += ",\"maxOutputTokens\":" + (config.maxOutputTokens.map { String($0) } ?? "null")
        text += ",\"topP\":" + (config.topP.map { String($0) } ?? "null")
        text +=
            ",\"stopSequences\":"
            + (config.stopSequences.map { "[" + $0.map(PromptValue.jsonQuoted).joined(separator: ",") + "]" } ?? "null")
        text += ",\"seed\":" + (config.seed.map { String($0) } ?? "null")
        text += ",\"responseFormat\":" + (config.responseFormat.map { "\"" + $0.rawValue + "\"" } ?? "null")
        // Settings added later are written only when set, so requests without them keep their hashes
        // (and their cached responses).
        if let topK = config.topK { text += ",\"topK\":" + String(topK) }
        if let schema = config.responseSchema { text += ",\"responseSchema\":" + schema.canonicalText }
        if !config.additional.isEmpty { text += ",\"additional\":" + ProviderJSON.object(config.additional).canonicalText }
        return text + "}"
    }

    /// A message part as Genkit writes it, keys sorted.
    private static func canonicalText(of part: ChatPart) -> String {
        switch part {
        case .text(let text):
            return "{\"text\":" + PromptValue.jsonQuoted(text) + "}"
        case .media(let url, let contentType):
            let type = contentType.map { "\"contentType\":" + PromptValue.jsonQuoted($0) + "," } ?? ""
            return "{\"media\":{" + type + "\"url\":" + PromptValue.jsonQuoted(url) + "}}"
        }
    }
}

extension GenerationConfig {
    /// A prompt's generation settings as a provider request carries them.
    public init(_ settings: GenerationSettings, responseFormat: ResponseFormat? = nil, responseSchema: ProviderJSON? = nil) {
        self.init(
            temperature: settings.temperature, maxOutputTokens: settings.maxOutputTokens, topP: settings.topP,
            stopSequences: settings.stopSequences, seed: settings.seed, responseFormat: responseFormat, topK: settings.topK,
            responseSchema: responseSchema,
            additional: Dictionary(settings.additional.map { ($0.key, ProviderJSON($0.value)) }, uniquingKeysWith: { _, last in last }))
    }
}

extension ChatMessage {
    /// A rendered message as providers take it: the same role, text and media parts in order. Section
    /// markers are Dotprompt's bookkeeping and are not sent.
    public init(_ message: PromptMessage) {
        let role: ChatMessage.Role =
            switch message.role {
            case .system: .system
            case .user: .user
            case .assistant: .assistant
            }
        guard message.hasMedia else {
            self.init(role: role, content: message.content)
            return
        }
        self.init(
            role: role,
            parts: message.parts.compactMap { part in
                switch part {
                case .text(let text): .text(text)
                case .media(let url, let contentType): .media(url: url, contentType: contentType)
                case .section: nil
                }
            })
    }
}

extension ProviderJSON {
    /// A prompt value (an output schema) as a provider request carries it.
    public init(_ value: PromptValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .integer(i)
        case .double(let d): self = .number(d)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(ProviderJSON.init))
        case .object(let pairs):
            self = .object(Dictionary(pairs.map { ($0.key, ProviderJSON($0.value)) }, uniquingKeysWith: { _, last in last }))
        }
    }
}
