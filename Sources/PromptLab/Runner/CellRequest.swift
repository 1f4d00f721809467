import PromptLabProviders

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
        let messages = rendered.messages.map { ChatMessage(role: ChatMessage.Role(rawValue: $0.role.rawValue)!, content: $0.content) }  // same three roles
        let config = GenerationConfig(
            temperature: variant.config.temperature, maxOutputTokens: variant.config.maxOutputTokens,
            topP: variant.config.topP, stopSequences: variant.config.stopSequences, seed: variant.config.seed,
            responseFormat: rendered.outputFormat == .json ? .json : nil)
        let request = ChatRequest(model: reference.model, messages: messages, config: config)
        let canonical = Self.canonicalText(reference: reference, endpoint: endpoint, request: request)
        let requestHash = ContentHash.hex(of: canonical)
        return CellRequest(
            reference: reference, request: request, requestHash: requestHash,
            cacheKey: ContentHash.hex(of: "\(requestHash)\nrepeat \(cell.repeatIndex)"))
    }

    /// A stable JSON text of everything that determines a provider's answer.
    static func canonicalText(reference: ModelReference, endpoint: String, request: ChatRequest) -> String {
        func optional<T>(_ value: T?, _ make: (T) -> PromptValue) -> PromptValue { value.map(make) ?? .null }
        let config = request.config
        return PromptValue.object([
            ("provider", .string(reference.provider.rawValue)),
            ("endpoint", .string(endpoint)),
            ("model", .string(request.model)),
            ("messages", .array(request.messages.map { .object([("role", .string($0.role.rawValue)), ("content", .string($0.content))]) })),
            ("temperature", optional(config.temperature, PromptValue.double)),
            ("maxOutputTokens", optional(config.maxOutputTokens, PromptValue.int)),
            ("topP", optional(config.topP, PromptValue.double)),
            ("stopSequences", optional(config.stopSequences) { .array($0.map(PromptValue.string)) }),
            ("seed", optional(config.seed, PromptValue.int)),
            ("responseFormat", optional(config.responseFormat) { .string($0.rawValue) }),
        ]).jsonText(pretty: false)
    }
}
