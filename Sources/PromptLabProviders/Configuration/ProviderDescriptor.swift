import AsyncHTTPClient
import Foundation
import Logging

/// Everything PromptLab knows about one provider, in one place: its name in model references and
/// `providers:` blocks, its endpoint defaults and environment variables, whether it needs a key, how its
/// model names are checked, and how it is built.
///
/// ``ProviderSettings`` (defaults and validation), ``ProviderRegistry/makeProvider(settings:)`` and the
/// list of secret variables redacted from `exec/` programs' output are all derived from ``all``, so they
/// cannot drift apart. A new provider is one file in `Providers/` (its ``ChatProvider``, its
/// ``ModelReference/Provider`` name and its descriptor) plus one line in ``all``.
public struct ProviderDescriptor: Sendable {
    /// The provider's name: the prefix of its model references and its key under `providers:`.
    public let provider: ModelReference.Provider
    /// What the provider talks to, for documentation and messages.
    public let summary: String
    /// The HTTP endpoint's defaults; nil for providers that send nothing over HTTP (`exec`, `local`).
    public let endpoint: Endpoint?
    /// Whether requests need an API key, and where it is read from by default.
    public let apiKey: KeyUse
    /// How the model part of a reference is written.
    public let modelSyntax: ModelSyntax
    /// The generation settings the vendor accepts, checked by ``ProviderSettings/validate(_:)``.
    public let generationLimits: GenerationLimits
    /// The media the provider takes in messages, checked by ``ProviderSettings/validate(request:)``.
    public let mediaSupport: MediaSupport
    /// Checks the model part of a reference beyond its syntax (``ProviderSettings/validate()``).
    let validateModel: @Sendable (ModelReference) throws(ProviderError) -> Void
    /// Builds a provider from validated settings.
    let make: @Sendable (ProviderSettings, Context) throws(ProviderError) -> any ChatProvider

    /// Describes a provider.
    ///
    /// - Parameters:
    ///   - generationLimits: The vendor's documented ranges; default: ``GenerationLimits/basic(_:)``.
    ///   - mediaSupport: The media its messages may hold; default: ``MediaSupport/textOnly``.
    ///   - validateModel: Called by ``ProviderSettings/validate()`` after the common checks; default: accepts every model.
    ///   - make: Called with settings that passed ``ProviderSettings/validate()``.
    init(
        _ provider: ModelReference.Provider, summary: String, endpoint: Endpoint?, apiKey: KeyUse,
        modelSyntax: ModelSyntax = .name, generationLimits: GenerationLimits? = nil, mediaSupport: MediaSupport = .textOnly,
        validateModel: @escaping @Sendable (ModelReference) throws(ProviderError) -> Void = { _ in },
        make: @escaping @Sendable (ProviderSettings, Context) throws(ProviderError) -> any ChatProvider
    ) {
        self.provider = provider
        self.summary = summary
        self.endpoint = endpoint
        self.apiKey = apiKey
        self.modelSyntax = modelSyntax
        self.generationLimits = generationLimits ?? .basic(provider.rawValue)
        self.mediaSupport = mediaSupport
        self.validateModel = validateModel
        self.make = make
    }

    /// An HTTP provider's endpoint: where requests go unless configuration says otherwise.
    public struct Endpoint: Sendable, Hashable {
        /// The base URL without a version segment; nil when the user must give one.
        public var defaultBaseURL: String?
        /// The environment variable that may hold the base URL.
        public var baseURLVariable: String?
        /// Version segments removed from the end of a configured base URL, since the provider adds its own.
        public var versionSuffixes: [String]

        public init(defaultBaseURL: String?, baseURLVariable: String?, versionSuffixes: [String] = ["/v1"]) {
            self.defaultBaseURL = defaultBaseURL
            self.baseURLVariable = baseURLVariable
            self.versionSuffixes = versionSuffixes
        }
    }

    /// Whether a provider needs an API key.
    public enum KeyUse: Sendable, Hashable {
        /// Always, read from this environment variable unless `api_key_env` names another.
        case required(variable: String)
        /// Only when `api_key_env` names a variable (local servers that ignore keys, or gateways that want one).
        case ifConfigured
        /// Never: the provider sends nothing that needs a key.
        case unused

        /// The variable a key is read from when configuration names none.
        public var defaultVariable: String? {
            if case .required(let variable) = self { return variable }
            return nil
        }
    }

    /// How the model part of `provider/model` is written.
    public enum ModelSyntax: Sendable, Hashable {
        /// A name without whitespace (slashes are allowed: `meta-llama/Llama-3.1-8B`).
        case name
        /// A command line, split like a POSIX shell (``ModelReference/commandLine()``).
        case commandLine
    }

    /// What a factory may use besides the settings.
    struct Context: Sendable {
        /// The HTTP client shared by the HTTP providers.
        var httpClient: HTTPClient
        /// The environment the registry reads (programs run with it).
        var environment: [String: String]
        /// Every key visible in the environment, to be masked in text that comes from outside.
        var secrets: [APIKey]
        var logger: Logger
    }

    // MARK: - The table

    /// Every provider, in the order messages list them.
    public static let all: [ProviderDescriptor] = [
        .openai,
        .anthropic,
        .gemini,
        .ollama,
        .openAICompatible,
        .exec,
        .local,
    ]

    private static let byName: [String: ProviderDescriptor] = {
        var index = [String: ProviderDescriptor]()
        for descriptor in all where index[descriptor.provider.rawValue] == nil { index[descriptor.provider.rawValue] = descriptor }
        return index
    }()

    /// The descriptor of the provider called `name` (lowercase); nil for an unknown name.
    public static func named(_ name: String) -> ProviderDescriptor? {
        byName[name]
    }

    /// The environment variables that hold API keys by default, from every descriptor: their values are
    /// redacted from what `exec/` programs print.
    public static var secretVariables: [String] {
        all.compactMap(\.apiKey.defaultVariable)
    }

    // MARK: - Messages

    /// What to tell someone whose settings give no base URL for this provider.
    public var missingBaseURLAdvice: String {
        var advice = "set providers: {\(provider.rawValue): {base_url: ...}} in the experiment"
        if let variable = endpoint?.baseURLVariable { advice += " or \(variable) in the environment" }
        return advice
    }
}

// MARK: - Helpers for factories

extension ProviderSettings {
    /// The base URL, which ``validate()`` has checked for HTTP providers.
    func requiredBaseURL() throws(ProviderError) -> String {
        guard let baseURL else {
            throw ProviderError(.invalidConfiguration("\(reference) needs a base URL"), provider: providerName, attempts: 0)
        }
        return baseURL
    }

    /// The key, which ``validate()`` has checked for providers that require one.
    func requiredAPIKey() throws(ProviderError) -> APIKey {
        guard let apiKey else {
            throw ProviderError(.missingAPIKey(apiKeyVariable ?? "an API key variable"), provider: providerName, attempts: 0)
        }
        return apiKey
    }
}
