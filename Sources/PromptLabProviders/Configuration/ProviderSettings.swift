import Foundation

// MARK: - Overrides

/// Per-provider settings from a configuration file. Every field is optional; a set field beats the
/// environment, which beats the built-in default.
///
/// Decodes from snake_case keys: `base_url`, `api_key_env`, `timeout` (seconds), `max_attempts`,
/// `max_concurrency`.
public struct ProviderOverrides: Sendable, Hashable, Codable {
    /// The server's base URL, without `/v1` (a trailing `/v1` or `/v1beta` is tolerated and removed).
    public var baseURL: String?
    /// The name of the environment variable that holds the API key (not the key itself).
    public var apiKeyEnv: String?
    /// The time limit of one attempt.
    public var timeout: Duration?
    /// The most attempts per request, the first included.
    public var maxAttempts: Int?
    /// The most requests in flight at once for this provider.
    public var maxConcurrency: Int?

    /// Creates overrides; `nil` fields keep the environment's or the default value.
    public init(
        baseURL: String? = nil,
        apiKeyEnv: String? = nil,
        timeout: Duration? = nil,
        maxAttempts: Int? = nil,
        maxConcurrency: Int? = nil
    ) {
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        self.maxConcurrency = maxConcurrency
    }

    /// These overrides with every field that `other` sets taking its value from `other`.
    public func merging(_ other: ProviderOverrides) -> ProviderOverrides {
        ProviderOverrides(
            baseURL: other.baseURL ?? baseURL,
            apiKeyEnv: other.apiKeyEnv ?? apiKeyEnv,
            timeout: other.timeout ?? timeout,
            maxAttempts: other.maxAttempts ?? maxAttempts,
            maxConcurrency: other.maxConcurrency ?? maxConcurrency
        )
    }

    /// The longest time limit of one attempt, in seconds.
    public static let maxTimeoutSeconds = 3600.0

    /// Why a `timeout` is refused.
    public static let timeoutRangeMessage = "'timeout' must be a number of seconds above 0 and at most 3600"

    /// `seconds` as a time limit of one attempt, or `nil` when it is not finite, not positive, or above
    /// ``maxTimeoutSeconds`` (`Duration.seconds(_:)` traps on infinity and NaN, so this is checked first).
    public static func timeout(seconds: Double) -> Duration? {
        guard seconds.isFinite, seconds > 0, seconds <= maxTimeoutSeconds else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }

    private enum CodingKeys: String, CodingKey {
        case baseURL = "base_url"
        case apiKeyEnv = "api_key_env"
        case timeout
        case maxAttempts = "max_attempts"
        case maxConcurrency = "max_concurrency"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        baseURL = try container.decodeIfPresent(String.self, forKey: .baseURL)
        apiKeyEnv = try container.decodeIfPresent(String.self, forKey: .apiKeyEnv)
        if let seconds = try container.decodeIfPresent(Double.self, forKey: .timeout) {
            guard let timeout = ProviderOverrides.timeout(seconds: seconds) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .timeout, in: container, debugDescription: ProviderOverrides.timeoutRangeMessage)
            }
            self.timeout = timeout
        }
        maxAttempts = try container.decodeIfPresent(Int.self, forKey: .maxAttempts)
        maxConcurrency = try container.decodeIfPresent(Int.self, forKey: .maxConcurrency)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(baseURL, forKey: .baseURL)
        try container.encodeIfPresent(apiKeyEnv, forKey: .apiKeyEnv)
        try container.encodeIfPresent(timeout?.seconds, forKey: .timeout)
        try container.encodeIfPresent(maxAttempts, forKey: .maxAttempts)
        try container.encodeIfPresent(maxConcurrency, forKey: .maxConcurrency)
    }
}

// MARK: - Resolved settings

/// Everything needed to build the provider for one model reference, resolved from overrides, the
/// environment and the defaults of the provider's ``ProviderDescriptor`` (in that order of precedence).
///
/// | provider | key variable | base URL variable | default base URL |
/// |---|---|---|---|
/// | `openai` | `OPENAI_API_KEY` | `OPENAI_BASE_URL` | `https://api.openai.com` |
/// | `anthropic` | `ANTHROPIC_API_KEY` | `ANTHROPIC_BASE_URL` | `https://api.anthropic.com` |
/// | `gemini` | `GEMINI_API_KEY` | `GEMINI_BASE_URL` | `https://generativelanguage.googleapis.com` |
/// | `ollama` | none (sends a placeholder) | `OLLAMA_BASE_URL` | `http://localhost:11434` |
/// | `openai-compatible` | only if `api_key_env` is set | `OPENAI_COMPATIBLE_BASE_URL` | none: a base URL is required |
public struct ProviderSettings: Sendable, Hashable, CustomStringConvertible {
    /// The model reference these settings are for.
    public var reference: ModelReference
    /// The name the provider reports (`openai`, `ollama`, `openai-compatible`, ...).
    public var providerName: String
    /// The resolved base URL (HTTP providers only), normalised without a trailing slash or `/v1`.
    public var baseURL: String?
    /// Where the base URL came from: `configuration`, an environment variable name, or `default`.
    public var baseURLSource: String?
    /// The environment variable the key is read from, when the provider needs one.
    public var apiKeyVariable: String?
    /// The key, when found. Prints as `<redacted>`.
    public var apiKey: APIKey?
    /// The time limit of one attempt.
    public var timeout: Duration
    /// The retry policy (``RetryPolicy/maxAttempts`` from the overrides).
    public var retryPolicy: RetryPolicy
    /// The most requests in flight at once for this provider.
    public var maxConcurrency: Int

    /// The default time limit of one attempt: 60 seconds.
    public static let defaultTimeout: Duration = .seconds(60)
    /// The default concurrency limit per provider.
    public static let defaultMaxConcurrency = 8

    /// Resolves settings. Nothing is checked here; call ``validate()`` before sending anything.
    ///
    /// - Parameters:
    ///   - reference: The model reference.
    ///   - overrides: Values from configuration; they beat the environment.
    ///   - environment: The environment to read keys and base URLs from (injectable for tests).
    public init(
        reference: ModelReference,
        overrides: ProviderOverrides = ProviderOverrides(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.reference = reference
        self.providerName = reference.provider.rawValue
        self.timeout = overrides.timeout ?? ProviderSettings.defaultTimeout
        self.retryPolicy = RetryPolicy(maxAttempts: overrides.maxAttempts ?? RetryPolicy.default.maxAttempts)
        self.maxConcurrency = overrides.maxConcurrency ?? ProviderSettings.defaultMaxConcurrency

        let descriptor = reference.provider.descriptor
        if let variable = overrides.apiKeyEnv ?? descriptor?.apiKey.defaultVariable {
            self.apiKeyVariable = variable
            if let value = environment[variable]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty {
                self.apiKey = APIKey(value)
            }
        }
        if let url = ProviderSettings.nonEmpty(overrides.baseURL) {
            self.baseURL = ProviderSettings.normalizedBaseURL(url, provider: reference.provider)
            self.baseURLSource = "configuration"
        } else if let variable = descriptor?.endpoint?.baseURLVariable, let url = ProviderSettings.nonEmpty(environment[variable]) {
            self.baseURL = ProviderSettings.normalizedBaseURL(url, provider: reference.provider)
            self.baseURLSource = variable
        } else if let url = descriptor?.endpoint?.defaultBaseURL {
            self.baseURL = url
            self.baseURLSource = "default"
        }
    }

    /// Checks that a request can be sent, without sending one.
    ///
    /// - Throws: ``ProviderError/Kind/missingAPIKey(_:)`` naming the variable to set when a key is needed
    ///   and absent; ``ProviderError/Kind/invalidConfiguration(_:)`` for a missing or unusable base URL, a
    ///   bad `exec/` command, an unknown `local/` name, or non-positive limits.
    public func validate() throws(ProviderError) {
        // Nothing has been sent when these are thrown: attempts is 0.
        func invalid(_ message: String) -> ProviderError {
            ProviderError(.invalidConfiguration(message), provider: providerName, attempts: 0)
        }
        guard timeout > .zero else { throw invalid("timeout must be positive") }
        guard retryPolicy.maxAttempts >= 1 else { throw invalid("max_attempts must be at least 1") }
        guard maxConcurrency >= 1 else { throw invalid("max_concurrency must be at least 1") }
        guard let descriptor = reference.provider.descriptor else { throw invalid("unknown provider '\(reference.provider)'") }
        if descriptor.endpoint != nil {
            guard let baseURL else {
                throw invalid("\(reference) needs a base URL: \(descriptor.missingBaseURLAdvice)")
            }
            if let problem = BaseURLCheck.problem(with: baseURL) {
                let source = baseURLSource ?? "configuration"
                var error = invalid("base URL '\(BaseURLCheck.redactingCredentials(baseURL))' (from \(source)) \(problem.message)")
                error.hint = baseURLHint(problem, source: source)
                throw error
            }
        }
        // A key is required where the provider uses keys and has a key variable, by default or by configuration.
        if descriptor.apiKey != .unused, let variable = apiKeyVariable, apiKey == nil {
            throw ProviderError(.missingAPIKey(variable), provider: providerName, attempts: 0)
        }
        try descriptor.validateModel(reference)
    }

    /// Checks generation settings against the provider's documented ranges, without sending anything.
    ///
    /// Call it where the settings are first known (a run checks every variant before its plan is
    /// shown, so `--dry-run` catches them too); each HTTP provider checks again before it sends.
    /// - Throws: ``ProviderError/Kind/invalidConfiguration(_:)`` naming the setting and the limit, such
    ///   as `temperature 1.5 is out of range; Anthropic accepts 0 to 1`.
    public func validate(_ config: GenerationConfig) throws(ProviderError) {
        let limits = reference.provider.descriptor?.generationLimits ?? .basic(providerName)
        if let problem = limits.problem(with: config) {
            throw ProviderError(.invalidConfiguration(problem), provider: providerName, attempts: 0)
        }
    }

    /// Checks a whole request without sending it: its generation settings (``validate(_:)``) and its
    /// media parts against what the provider takes (``ProviderDescriptor/mediaSupport``).
    ///
    /// Each provider checks again before it sends, so calling this is optional; it lets a run stop
    /// before its first request rather than fail cell by cell.
    /// - Throws: ``ProviderError/Kind/invalidConfiguration(_:)`` for a setting out of range,
    ///   ``ProviderError/Kind/unsupportedInput(_:)`` for media the provider cannot take.
    public func validate(request: ChatRequest) throws(ProviderError) {
        try validate(request.config)
        let support = reference.provider.descriptor?.mediaSupport ?? .textOnly
        try support.check(model: request.model, request.messages, provider: providerName)
        try support.check(request.messages, provider: providerName)
    }

    /// A one-line summary without the key, for `--verbose` output.
    public var description: String {
        var parts = ["\(reference)"]
        if let baseURL { parts.append("base_url=\(BaseURLCheck.redactingCredentials(baseURL)) (\(baseURLSource ?? "?"))") }
        if let apiKeyVariable { parts.append("key=\(apiKeyVariable)\(apiKey == nil ? " (unset)" : " (set)")") }
        parts.append("timeout=\(formatSeconds(timeout.seconds))")
        parts.append("max_attempts=\(retryPolicy.maxAttempts)")
        parts.append("max_concurrency=\(maxConcurrency)")
        return parts.joined(separator: " ")
    }

    // MARK: - Base URLs

    /// What to do about an unusable base URL from `source` (a variable name or `configuration`).
    func baseURLHint(_ problem: BaseURLCheck.Problem, source: String) -> String {
        let setting = source == "configuration" ? "providers.\(providerName).base_url" : source
        if problem == .credentials {
            let variable = apiKeyVariable ?? "the variable named by api_key_env"
            return "remove the credentials from \(setting) and export \(variable)=... instead; keys are read only from the environment"
        }
        return "set \(setting) to a URL such as https://api.example.com or http://127.0.0.1:8080"
    }

    static func nonEmpty(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }

    /// Removes trailing slashes and a trailing API version segment, since the providers append
    /// `/v1/...` (or `/v1beta/...`) themselves and SDK conventions differ on whether the base includes it.
    static func normalizedBaseURL(_ url: String, provider: ModelReference.Provider) -> String {
        var result = url
        while result.hasSuffix("/") { result.removeLast() }
        let suffixes = provider.descriptor?.endpoint?.versionSuffixes ?? ["/v1"]
        for suffix in suffixes where result.hasSuffix(suffix) {
            result.removeLast(suffix.count)
            break
        }
        while result.hasSuffix("/") { result.removeLast() }
        return result
    }
}
