import AsyncHTTPClient
import Foundation
import Logging
import NIOPosix
import Synchronization

/// Builds providers from model references, and keeps one ``AdaptiveConcurrencyLimiter`` per provider
/// endpoint so that every experiment arm that talks to the same API shares its limit.
///
/// ```swift
/// try await ProviderRegistry.withRegistry(logger: logger) { registry in
///     let provider = try registry.makeRetryingProvider(for: ModelReference(parsing: "openai/gpt-4o-mini"))
///     let answer = try await provider.send(ChatRequest(model: "gpt-4o-mini", messages: [.user("Hi")]))
/// }
/// ```
public final class ProviderRegistry: Sendable {
    /// The HTTP client shared by the HTTP providers.
    public let httpClient: HTTPClient
    /// The environment keys and base URLs are read from.
    public let environment: [String: String]
    /// Overrides by provider name (`openai`, `ollama`, `openai-compatible`, ...), from configuration.
    public let overrides: [String: ProviderOverrides]
    /// What retry back-off waits on; tests inject a manual clock.
    public let clock: any Clock<Duration>
    private let logger: Logger
    private let limiters = LockedDictionary<String, AdaptiveConcurrencyLimiter>()

    /// Creates a registry.
    ///
    /// - Parameters:
    ///   - httpClient: A client configured with ``AsyncHTTPClient/HTTPClient/Configuration/promptLabProviders(maxConnectionsPerHost:)``;
    ///     the caller owns its lifetime.
    ///   - environment: Where keys and base URLs come from; inject a dictionary in tests.
    ///   - overrides: Per-provider configuration; beats the environment.
    ///   - logger: Passed to every provider.
    public init(
        httpClient: HTTPClient,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        overrides: [String: ProviderOverrides] = [:],
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger
    ) {
        self.httpClient = httpClient
        self.environment = environment
        self.overrides = overrides
        self.clock = clock
        self.logger = logger
    }

    /// Runs `body` with a registry whose HTTP client is created for it and shut down afterwards.
    public static func withRegistry<Result>(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        overrides: [String: ProviderOverrides] = [:],
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger,
        maxConnectionsPerHost: Int = 64,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (ProviderRegistry) async throws -> Result
    ) async throws -> Result {
        // One event-loop thread is plenty for LLM traffic (few, slow requests) and, on small
        // machines, leaves the other cores to rendering, hashing and SQLite.
        try await HTTPClient.withHTTPClient(
            eventLoopGroup: Self.eventLoopGroup,
            configuration: .promptLabProviders(maxConnectionsPerHost: maxConnectionsPerHost),
            backgroundActivityLogger: logger
        ) { client in
            try await body(
                ProviderRegistry(httpClient: client, environment: environment, overrides: overrides, clock: clock, logger: logger))
        }
    }

    /// The event loop the providers' HTTP client runs on, shared for the process's lifetime.
    static let eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    // MARK: - Settings

    /// The resolved settings for `reference`: `overrides` (per call) beat the registry's overrides for the
    /// provider, which beat the environment, which beats the defaults.
    public func settings(for reference: ModelReference, overrides callOverrides: ProviderOverrides = ProviderOverrides())
        -> ProviderSettings
    {
        let configured = overrides[reference.provider.rawValue] ?? ProviderOverrides()
        return ProviderSettings(reference: reference, overrides: configured.merging(callOverrides), environment: environment)
    }

    // MARK: - Providers

    /// A validated single-attempt provider for `reference`.
    ///
    /// - Throws: ``ProviderError`` from ``ProviderSettings/validate()`` (for example `missingAPIKey`)
    ///   before anything is sent.
    public func makeProvider(for reference: ModelReference, overrides: ProviderOverrides = ProviderOverrides()) throws(ProviderError)
        -> any ChatProvider
    {
        try makeProvider(settings: settings(for: reference, overrides: overrides))
    }

    /// A validated single-attempt provider for resolved `settings`.
    ///
    /// Its answers and errors are redacted against every key in the environment (``RedactingProvider``),
    /// whichever provider they came from; with no key set there is nothing to redact and no wrapper.
    public func makeProvider(settings: ProviderSettings) throws(ProviderError) -> any ChatProvider {
        try settings.validate()
        guard let descriptor = settings.reference.provider.descriptor else {
            // validate() has already rejected unregistered providers.
            throw ProviderError(.invalidConfiguration("unknown provider '\(settings.reference.provider)'"), provider: settings.providerName)
        }
        let secrets = knownSecrets()
        let redactor = Redactor(secrets)
        // The provider logs (and AsyncHTTPClient, at trace level, logs response heads) through the same redactor.
        let providerLogger = redactor.isEmpty ? logger : RedactingLogHandler.logger(logger, redactor: redactor)
        let context = ProviderDescriptor.Context(
            httpClient: httpClient, environment: environment, secrets: secrets, logger: providerLogger)
        let provider = try descriptor.make(settings, context)
        return redactor.isEmpty ? provider : RedactingProvider(base: provider, redactor: redactor)
    }

    /// A validated provider with retries and the shared adaptive limiter for its endpoint.
    public func makeRetryingProvider(for reference: ModelReference, overrides: ProviderOverrides = ProviderOverrides())
        throws(ProviderError)
        -> RetryingProvider
    {
        let settings = settings(for: reference, overrides: overrides)
        let base = try makeProvider(settings: settings)
        return RetryingProvider(base, policy: settings.retryPolicy, limiter: limiter(for: settings), clock: clock, logger: logger)
    }

    /// The limiter shared by every provider that talks to the same endpoint (created on first use with
    /// `settings.maxConcurrency` as its maximum).
    public func limiter(for settings: ProviderSettings) -> AdaptiveConcurrencyLimiter {
        // HTTP providers share a limit per endpoint; programs and built-in models have one per reference.
        let key =
            settings.reference.provider.descriptor?.endpoint == nil
            ? settings.reference.description : "\(settings.providerName) \(settings.baseURL ?? "")"
        return limiters.value(for: key) { AdaptiveConcurrencyLimiter(maxConcurrency: settings.maxConcurrency) }
    }

    /// Every API key visible in the environment, to be masked in whatever a server or a program sends
    /// back: those of every provider's default key variable, and of every configured `api_key_env`. Each
    /// is trimmed as ``ProviderSettings`` trims the key it sends.
    /// `text` with every configured key (whole, or a piece of 8 characters or more) masked: for text
    /// that reaches the results from elsewhere than a provider, such as an `exec` grader's output.
    public func redact(_ text: String) -> String {
        Redactor(knownSecrets())(text)
    }

    func knownSecrets() -> [APIKey] {
        var variables = Set(ProviderDescriptor.secretVariables)
        for value in overrides.values { if let variable = value.apiKeyEnv { variables.insert(variable) } }
        return variables.sorted().compactMap { environment[$0]?.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }.map(APIKey.init)
    }
}

/// A dictionary behind a lock, for the few shared caches of this module.
final class LockedDictionary<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let storage = Mutex<[Key: Value]>([:])

    func value(for key: Key, orInsert make: () -> Value) -> Value {
        storage.withLock { storage in
            if let existing = storage[key] { return existing }
            let created = make()
            storage[key] = created
            return created
        }
    }
}
