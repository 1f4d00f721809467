import AsyncHTTPClient
import Foundation
import Testing

@testable import PromptLabProviders

/// The provider descriptor table: every provider is registered once, builds from its defaults, and
/// has its key variable redacted. A provider added without its table line, or added twice, fails here.
@Suite("Provider descriptor table")
struct ProviderTableTests {
    /// The providers PromptLab ships, in the order messages list them. Adding a provider means adding it here too.
    static let expected = ["openai", "anthropic", "gemini", "ollama", "openai-compatible", "exec", "local"]

    /// A reference each provider accepts.
    static func sampleReference(_ descriptor: ProviderDescriptor) throws -> ModelReference {
        let model =
            descriptor.modelSyntax == .commandLine ? "/bin/cat" : (descriptor.provider == .local ? "echo" : "some-model")
        return try ModelReference(parsing: "\(descriptor.provider.rawValue)/\(model)")
    }

    @Test func theTableListsEveryProviderOnce() {
        let names = ProviderDescriptor.all.map(\.provider.rawValue)
        #expect(names == Self.expected)
        #expect(Set(names).count == names.count, "a provider is registered twice")
        #expect(ModelReference.Provider.allCases.map(\.rawValue) == names)
        let declared: [ModelReference.Provider] = [.openai, .anthropic, .gemini, .ollama, .openAICompatible, .exec, .local]
        for provider in declared {
            #expect(provider.descriptor?.provider == provider, "\(provider) is declared but not in ProviderDescriptor.all")
            #expect(ModelReference.Provider(rawValue: provider.rawValue) == provider)
        }
        #expect(ModelReference.Provider(rawValue: "mistral") == nil)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ModelReference.Provider.self, from: Data(#""mistral""#.utf8)) }
    }

    @Test func unknownProvidersAreListedFromTheTable() async {
        let error = await providerError { try ModelReference(parsing: "mistral/large") }
        #expect(error?.description.contains(Self.expected.joined(separator: ", ")) == true)
    }

    @Test func secretVariablesComeFromTheDescriptors() {
        let required = ProviderDescriptor.all.compactMap { descriptor -> String? in
            if case .required(let variable) = descriptor.apiKey { return variable }
            return nil
        }
        #expect(ProviderDescriptor.secretVariables == required)
        #expect(Set(required) == ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY"])
        for descriptor in ProviderDescriptor.all {
            // Every sample parses (tested below).
            let settings = ProviderSettings(reference: try! Self.sampleReference(descriptor), environment: [:])
            #expect(settings.apiKeyVariable == descriptor.apiKey.defaultVariable, "\(descriptor.provider)")
            #expect(settings.baseURL == descriptor.endpoint?.defaultBaseURL, "\(descriptor.provider)")
        }
    }

    @Test func everyProviderBuildsWithItsDefaults() async throws {
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        for variable in ProviderDescriptor.secretVariables { environment[variable] = "key-for-\(variable)" }
        try await HTTPClient.withHTTPClient(configuration: .promptLabProviders()) { client in
            // A provider without a default base URL gets one from configuration, as its message asks.
            var overrides = [String: ProviderOverrides]()
            for descriptor in ProviderDescriptor.all where descriptor.endpoint != nil && descriptor.endpoint?.defaultBaseURL == nil {
                overrides[descriptor.provider.rawValue] = ProviderOverrides(baseURL: "http://127.0.0.1:9")
            }
            let registry = ProviderRegistry(httpClient: client, environment: environment, overrides: overrides, logger: quietLogger)
            for descriptor in ProviderDescriptor.all {
                let reference = try Self.sampleReference(descriptor)
                let provider = try registry.makeProvider(for: reference)
                #expect(provider.name == descriptor.provider.rawValue)
                let settings = registry.settings(for: reference)
                if descriptor.apiKey.defaultVariable != nil { #expect(settings.apiKey != nil, "\(descriptor.provider)") }
            }
        }
    }

    @Test func providersWithoutABaseURLSayHowToSetOne() async throws {
        for descriptor in ProviderDescriptor.all where descriptor.endpoint != nil && descriptor.endpoint?.defaultBaseURL == nil {
            let settings = ProviderSettings(reference: try Self.sampleReference(descriptor), environment: [:])
            let message = await providerError { try settings.validate() }?.description ?? ""
            #expect(message.contains("needs a base URL"))
            #expect(message.contains("providers: {\(descriptor.provider.rawValue): {base_url: ...}}"))
            if let variable = descriptor.endpoint?.baseURLVariable {
                #expect(message.contains(variable))
                let fromEnvironment = ProviderSettings(
                    reference: try Self.sampleReference(descriptor), environment: [variable: "http://gateway.example/v1"])
                #expect(fromEnvironment.baseURL == "http://gateway.example")
                #expect(fromEnvironment.baseURLSource == variable)
                try fromEnvironment.validate()
            }
        }
        let compatible = ProviderSettings(reference: try ModelReference(parsing: "openai-compatible/m"), environment: [:])
        #expect(
            await providerError { try compatible.validate() }?.description.contains(
                "openai-compatible/m needs a base URL: set providers: {openai-compatible: {base_url: ...}} in the experiment or OPENAI_COMPATIBLE_BASE_URL in the environment"
            ) == true)
    }

    @Test func everySecretVariableIsRedactedFromPrograms() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let variables = ProviderDescriptor.secretVariables
        var environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        for variable in variables { environment[variable] = "sk-SECRET-\(variable)-0123456789" }
        try await HTTPClient.withHTTPClient(configuration: .promptLabProviders()) { client in
            let registry = ProviderRegistry(httpClient: client, environment: environment, logger: quietLogger)
            #expect(Set(registry.knownSecrets()) == Set(variables.compactMap { environment[$0] }.map(APIKey.init)))
            for variable in variables {
                let script = try directory.script("leak-\(variable).sh", "echo \"auth failed for $\(variable)\" >&2\nexit 1")
                let provider = try registry.makeProvider(for: try ModelReference(parsing: "exec/\(script)"))
                let error = try #require(await providerError { try await provider.send(ChatRequest(model: "m", messages: [.user("x")])) })
                #expect(error.description.contains("auth failed for <redacted>"), "\(variable)")
                #expect(!error.description.contains("SECRET"), "\(variable) leaked")
            }
        }
    }
}
