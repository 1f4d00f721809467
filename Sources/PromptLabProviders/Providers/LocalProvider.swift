import Foundation

/// The built-in offline providers, addressed as `local/NAME`.
public enum LocalProviderName: String, Sendable, Hashable, CaseIterable {
    /// ``LocalProvider``: the bag-of-words baseline classifier.
    case baseline
    /// ``EchoProvider``: returns the last user message, for benchmarks and smoke tests.
    case echo

    /// A new provider of this kind.
    func makeProvider() -> any ChatProvider {
        switch self {
        case .baseline: LocalProvider()
        case .echo: EchoProvider()
        }
    }
}

/// `local/baseline`: an offline, deterministic bag-of-words classifier that gives an experiment a floor to
/// beat. It is honestly a baseline, not a language model.
///
/// With few-shot examples in the conversation it answers like its nearest example (TF-IDF cosine, k = 1);
/// otherwise it picks the label, among those the prompt names, whose name and description share the most
/// words with the input; otherwise it echoes the input's first line. Token counts are whitespace-token
/// counts; `finishReason` is `stop`.
public struct LocalProvider: ChatProvider {
    public let name = "local"

    /// Creates the baseline.
    public init() {}

    public func send(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse {
        let clock = ContinuousClock()
        let start = clock.now
        try MediaSupport.textOnly.check(request.messages, provider: name)
        guard request.messages.contains(where: { $0.role == .user }) else {
            throw ProviderError(.invalidConfiguration("local/baseline needs a user message to answer"), provider: name)
        }
        let decision = BaselineClassifier.decide(request.messages)
        return ChatResponse(
            text: decision.answer,
            inputTokens: request.messages.reduce(0) { $0 + BagOfWords.whitespaceTokenCount($1.content) },
            outputTokens: BagOfWords.whitespaceTokenCount(decision.answer),
            cachedTokens: nil,
            finishReason: "stop",
            requestID: nil,
            latencySeconds: (clock.now - start).seconds,
            attempts: 1
        )
    }
}

// MARK: - Descriptor

extension ModelReference.Provider {
    /// Built-in offline providers: `local/baseline` and `local/echo`.
    public static let local = Self(declaring: "local")
}

extension ProviderDescriptor {
    public static let local = ProviderDescriptor(
        .local, summary: "the built-in offline providers", endpoint: nil, apiKey: .unused, mediaSupport: .textOnly,
        validateModel: { (reference) throws(ProviderError) in _ = try LocalProviderName(validating: reference) },
        make: { (settings, _) throws(ProviderError) in try LocalProviderName(validating: settings.reference).makeProvider() })
}

extension LocalProviderName {
    /// The local provider `reference` names.
    ///
    /// - Throws: ``ProviderError/Kind/invalidConfiguration(_:)`` listing the known names.
    init(validating reference: ModelReference) throws(ProviderError) {
        guard let name = LocalProviderName(rawValue: reference.model) else {
            let known = LocalProviderName.allCases.map { "local/\($0.rawValue)" }.joined(separator: ", ")
            throw ProviderError(
                .invalidConfiguration("unknown local provider '\(reference)': use one of \(known)"), provider: reference.provider.rawValue,
                attempts: 0)
        }
        self = name
    }
}
