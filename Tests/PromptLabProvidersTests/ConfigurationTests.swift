import AsyncHTTPClient
import Foundation
import ProviderTestServer
import Testing

@testable import PromptLabProviders

@Suite("Model references and settings")
struct ConfigurationTests {
    // MARK: - ModelReference

    @Test func parsesEveryProvider() throws {
        let cases: [(String, ModelReference.Provider, String)] = [
            ("openai/gpt-4o-mini", .openai, "gpt-4o-mini"),
            ("anthropic/claude-3-5-haiku-latest", .anthropic, "claude-3-5-haiku-latest"),
            ("gemini/gemini-2.0-flash", .gemini, "gemini-2.0-flash"),
            ("ollama/llama3.2:3b", .ollama, "llama3.2:3b"),
            ("openai-compatible/meta-llama/Llama-3.1-8B", .openAICompatible, "meta-llama/Llama-3.1-8B"),
            ("exec/python3 classify.py --fast", .exec, "python3 classify.py --fast"),
            ("local/baseline", .local, "baseline"),
            ("  OpenAI/gpt-4o \n", .openai, "gpt-4o"),
        ]
        for (text, provider, model) in cases {
            let reference = try ModelReference(parsing: text)
            #expect(reference.provider == provider)
            #expect(reference.model == model)
        }
        #expect(try ModelReference(parsing: "openai/gpt-4o").description == "openai/gpt-4o")
        #expect(ModelReference("local/echo") == ModelReference(provider: .local, model: "echo"))
    }

    @Test(arguments: ["gpt-4o", "foo/bar", "openai/", "openai/gpt 4o", "/x", "exec/"])
    func rejectsBadReferences(text: String) async {
        let error = await providerError { try ModelReference(parsing: text) }
        guard case .invalidConfiguration(let message) = error?.kind else {
            Issue.record("expected invalidConfiguration for '\(text)'")
            return
        }
        #expect(!message.isEmpty)
    }

    @Test func unknownProviderListsTheKnownOnes() async {
        let error = await providerError { try ModelReference(parsing: "mistral/large") }
        #expect(error?.description.contains("openai, anthropic, gemini, ollama, openai-compatible, exec, local") == true)
    }

    @Test func execCommandsSplitLikeAShell() throws {
        let reference = try ModelReference(parsing: #"exec/python3 "my classifier.py" --label 'a b' x\ y "q\"uote" ''"#)
        #expect(try reference.commandLine() == ["python3", "my classifier.py", "--label", "a b", "x y", "q\"uote", ""])
        #expect(try ModelReference.splitCommandLine("  a   b  ") == ["a", "b"])
        #expect(try ModelReference.splitCommandLine(#"a"b"c"#) == ["abc"])
    }

    @Test func execUnterminatedQuoteIsAnError() async {
        let error = await providerError { try ModelReference(parsing: "exec/run 'oops") }
        #expect(error?.description.contains("unterminated quote") == true)
    }

    @Test func referencesAreCodableAsStrings() throws {
        let data = try JSONEncoder().encode([ModelReference(provider: .gemini, model: "gemini-2.5-pro")])
        #expect(String(decoding: data, as: UTF8.self) == #"["gemini\/gemini-2.5-pro"]"#)
        #expect(try JSONDecoder().decode([ModelReference].self, from: data).first?.provider == .gemini)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([ModelReference].self, from: Data(#"["nope"]"#.utf8)) }
    }

    // MARK: - Settings resolution

    @Test func configurationBeatsEnvironmentBeatsDefault() throws {
        let reference = try ModelReference(parsing: "openai/gpt-4o-mini")
        let environment = ["OPENAI_API_KEY": "env-key", "OPENAI_BASE_URL": "http://env.example/v1/"]

        let defaults = ProviderSettings(reference: reference, environment: [:])
        #expect(defaults.baseURL == "https://api.openai.com")
        #expect(defaults.baseURLSource == "default")
        #expect(defaults.timeout == .seconds(60))
        #expect(defaults.retryPolicy.maxAttempts == 4)

        let fromEnvironment = ProviderSettings(reference: reference, environment: environment)
        #expect(fromEnvironment.baseURL == "http://env.example")
        #expect(fromEnvironment.baseURLSource == "OPENAI_BASE_URL")
        #expect(fromEnvironment.apiKey == APIKey("env-key"))

        let overrides = ProviderOverrides(
            baseURL: "http://config.example", apiKeyEnv: "TEAM_OPENAI_KEY", timeout: .seconds(5), maxAttempts: 2, maxConcurrency: 3)
        let configured = ProviderSettings(reference: reference, overrides: overrides, environment: environment)
        #expect(configured.baseURL == "http://config.example")
        #expect(configured.baseURLSource == "configuration")
        #expect(configured.apiKeyVariable == "TEAM_OPENAI_KEY")
        #expect(configured.apiKey == nil)
        #expect(configured.timeout == .seconds(5))
        #expect(configured.retryPolicy.maxAttempts == 2)
        #expect(configured.maxConcurrency == 3)
    }

    @Test func defaultsPerProvider() throws {
        let expectations: [(String, String?, String?)] = [
            ("anthropic/x", "https://api.anthropic.com", "ANTHROPIC_API_KEY"),
            ("gemini/x", "https://generativelanguage.googleapis.com", "GEMINI_API_KEY"),
            ("ollama/x", "http://localhost:11434", nil),
            ("openai-compatible/x", nil, nil),
            ("local/baseline", nil, nil),
        ]
        for (text, url, variable) in expectations {
            let settings = ProviderSettings(reference: try ModelReference(parsing: text), environment: [:])
            #expect(settings.baseURL == url, "\(text)")
            #expect(settings.apiKeyVariable == variable, "\(text)")
        }
        let gemini = ProviderSettings(
            reference: try ModelReference(parsing: "gemini/x"), environment: ["GEMINI_BASE_URL": "http://g.example/v1beta"])
        #expect(gemini.baseURL == "http://g.example")
    }

    @Test func overridesDecodeFromSnakeCase() throws {
        let json = #"{"base_url": "http://h:1", "api_key_env": "K", "timeout": 2.5, "max_attempts": 6, "max_concurrency": 4}"#
        let overrides = try JSONDecoder().decode(ProviderOverrides.self, from: Data(json.utf8))
        #expect(
            overrides
                == ProviderOverrides(baseURL: "http://h:1", apiKeyEnv: "K", timeout: .milliseconds(2500), maxAttempts: 6, maxConcurrency: 4)
        )
    }

    /// Timeouts read from JSON are checked like the experiment file's: `Duration.seconds(_:)` traps on
    /// values it cannot hold, so they are refused as a decoding error first.
    @Test(arguments: ["1e300", "-1", "0", "3601", "1e400"])
    func overridesRefuseTimeoutsOutOfRange(seconds: String) {
        let json = #"{"timeout": \#(seconds)}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ProviderOverrides.self, from: Data(json.utf8)) }
    }

    // MARK: - Validation before any request

    @Test(arguments: [
        ("openai/gpt-4o-mini", "OPENAI_API_KEY"), ("anthropic/claude-3-5-haiku-latest", "ANTHROPIC_API_KEY"),
        ("gemini/gemini-2.0-flash", "GEMINI_API_KEY"),
    ])
    func missingKeyFailsBeforeAnyRequest(reference: String, variable: String) async throws {
        try await withServerAndClient { server, client in
            let registry = ProviderRegistry(
                httpClient: client, environment: ["OPENAI_API_KEY": "", "PATH": "/bin"],
                overrides: [
                    "openai": .init(baseURL: server.baseURL), "anthropic": .init(baseURL: server.baseURL),
                    "gemini": .init(baseURL: server.baseURL),
                ],
                logger: quietLogger)
            let parsed = try ModelReference(parsing: reference)
            let error = await providerError { try registry.makeRetryingProvider(for: parsed) }
            #expect(error?.kind == .missingAPIKey(variable))
            #expect(error?.description.contains("set the environment variable \(variable)") == true)
            #expect(await providerError { try registry.settings(for: parsed).validate() }?.kind == .missingAPIKey(variable))
            #expect(server.requestCount == 0)
        }
    }

    @Test func otherConfigurationProblems() async throws {
        let compatible = ProviderSettings(reference: try ModelReference(parsing: "openai-compatible/m"), environment: [:])
        #expect(await providerError { try compatible.validate() }?.description.contains("needs a base URL") == true)

        let badURL = ProviderSettings(
            reference: try ModelReference(parsing: "ollama/m"), overrides: .init(baseURL: "localhost:11434"), environment: [:])
        #expect(await providerError { try badURL.validate() }?.description.contains("is not an http(s) URL") == true)

        let unknownLocal = ProviderSettings(reference: try ModelReference(parsing: "local/gpt"), environment: [:])
        #expect(await providerError { try unknownLocal.validate() }?.description.contains("local/baseline, local/echo") == true)

        let zeroAttempts = ProviderSettings(
            reference: try ModelReference(parsing: "local/echo"), overrides: .init(maxConcurrency: 0), environment: [:])
        #expect(await providerError { try zeroAttempts.validate() } != nil)

        let compatibleWithKeyVariable = ProviderSettings(
            reference: try ModelReference(parsing: "openai-compatible/m"),
            overrides: .init(baseURL: "http://h", apiKeyEnv: "TOGETHER_API_KEY"), environment: [:])
        #expect(await providerError { try compatibleWithKeyVariable.validate() }?.kind == .missingAPIKey("TOGETHER_API_KEY"))

        let ollama = ProviderSettings(reference: try ModelReference(parsing: "ollama/m"), environment: [:])
        try ollama.validate()
    }

    @Test func registrySharesOneLimiterPerEndpoint() async throws {
        try await HTTPClient.withHTTPClient(configuration: .promptLabProviders()) { client in
            let registry = ProviderRegistry(
                httpClient: client, environment: ["OPENAI_API_KEY": "k"], overrides: ["openai": .init(maxConcurrency: 5)],
                logger: quietLogger)
            let first = try registry.makeRetryingProvider(for: try ModelReference(parsing: "openai/gpt-4o"))
            let second = try registry.makeRetryingProvider(for: try ModelReference(parsing: "openai/gpt-4o-mini"))
            let other = try registry.makeRetryingProvider(
                for: try ModelReference(parsing: "openai/gpt-4o-mini"), overrides: .init(baseURL: "http://127.0.0.1:9"))
            #expect(first.limiter === second.limiter)
            #expect(first.limiter !== other.limiter)
            #expect(await first.limiter?.maxLimit == 5)
            #expect(first.policy.maxAttempts == 4)
            #expect(try registry.makeProvider(for: try ModelReference(parsing: "local/baseline")) is LocalProvider)
            #expect(try registry.makeProvider(for: try ModelReference(parsing: "local/echo")) is EchoProvider)
        }
    }
}
