import ArgumentParser
import Foundation
import Logging
import PromptLab
import PromptLabCore
import PromptLabProviders
import PromptLabWeb

extension PromptLabCommand {
    /// `promptlab serve`
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Serve the web app and the serving API: prompts, runs, reports, review, rollouts and the LLM gateway.",
            discussion: """
                Serves the prompt repository and its results database on http://127.0.0.1:4242/ by default. \
                Every page's data is also a JSON API under /api/v1 (described at /api/v1/openapi.json). \
                Binding to an address other than loopback requires PROMPTLAB_TOKEN; when it is set, every \
                request needs it (as 'Authorization: Bearer TOKEN', or through the login page).

                Applications use the serving API under /v1: GET /v1/prompts/NAME?label=production, \
                POST /v1/prompts/NAME/resolve, POST /v1/feedback, and the OpenAI-compatible gateway \
                POST /v1/chat/completions with model "promptlab/NAME" (see docs/production-ab.md). It takes \
                API keys with scopes from PROMPTLAB_API_KEYS ("KEY=resolve,feedback;KEY2=admin") or --api-keys. \
                For production, --api-only serves /v1 alone; with API keys it may bind to any address. \
                Stop with Ctrl-C.
                """)

        @Option(help: "The address to listen on.")
        var host = "127.0.0.1"

        @Option(help: "The port to listen on (0: any free port).")
        var port = 4242

        @Flag(help: "Serve the /v1 API alone, without the web app (for production).")
        var apiOnly = false

        @Option(
            help: ArgumentHelp("A file of API keys: one 'KEY scope,scope' a line (scopes: resolve, feedback, admin).", valueName: "file"))
        var apiKeys: String?

        @Option(help: "The label served when no rollout is active and a request names none.")
        var defaultLabel = "production"

        @Option(help: "Seconds between checks of active rollouts' guardrails (0: never).")
        var guardrailInterval = 60

        @Option(help: "A pricing file that overrides the bundled one, for the gateway's costs (same JSON format).")
        var pricing: String?

        @Option(help: "The gateway's time limit per upstream attempt, in seconds (default: each provider's).")
        var upstreamTimeout: Int?

        @Option(help: "Attempts per gateway request, the first included (default: each provider's, 4).")
        var upstreamAttempts: Int?

        @OptionGroup var workspace: WorkspaceOptions

        func validate() throws {
            guard (0...86_400).contains(guardrailInterval) else {
                throw ValidationError("--guardrail-interval must be between 0 and 86400 seconds")
            }
            if let upstreamTimeout, !(1...3_600).contains(upstreamTimeout) {
                throw ValidationError("--upstream-timeout must be between 1 and 3600 seconds")
            }
            if let upstreamAttempts, !(1...10).contains(upstreamAttempts) {
                throw ValidationError("--upstream-attempts must be between 1 and 10")
            }
        }

        func run() async throws {
            var configuration = WebServerConfiguration(
                host: host, port: port, repositoryPath: workspace.path, database: workspace.db)
            configuration.apiOnly = apiOnly
            configuration.apiKeys = try keys(environment: configuration.environment)
            configuration.serving.defaultLabel = defaultLabel
            configuration.pricingPath = pricing
            configuration.guardrailInterval = guardrailInterval == 0 ? nil : .seconds(guardrailInterval)
            var logger = Logger(label: "promptlab.serve")
            logger.logLevel = configuration.environment["PROMPTLAB_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
            // The same limits for every provider the gateway may call.
            let limits = ProviderOverrides(timeout: upstreamTimeout.map { .seconds($0) }, maxAttempts: upstreamAttempts)
            let overrides = Dictionary(uniqueKeysWithValues: ModelReference.Provider.allCases.map { ($0.rawValue, limits) })
            try await ProviderRegistry.withRegistry(
                environment: configuration.environment, overrides: overrides, logger: logger, maxConnectionsPerHost: 256
            ) { registry in
                let app = try await WebApp.make(configuration: configuration, registry: registry, logger: logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    if let interval = configuration.guardrailInterval { group.addTask { await app.monitor().run(every: interval) } }
                    group.addTask {
                        try await app.application { url in
                            Terminal.write("PromptLab is serving \(url)\n")
                            fflush(nil)  // scripts wait for this line to learn the port
                        }.runService()
                    }
                    // The server ends on a signal; the monitor ends with it.
                    try await group.next()
                    group.cancelAll()
                }
            }
        }

        /// The API keys: the file's, else `PROMPTLAB_API_KEYS`.
        private func keys(environment: [String: String]) throws -> APIKeys {
            if let apiKeys {
                guard let data = FileManager.default.contents(atPath: apiKeys), data.count <= 1 << 20,
                    let text = String(data: data, encoding: .utf8)
                else {
                    throw PromptLabError(.usage, "cannot read the API keys file \(apiKeys)", hint: "one 'KEY scope,scope' a line")
                }
                return try APIKeys(parsing: text, source: apiKeys)
            }
            if let text = environment["PROMPTLAB_API_KEYS"], !text.isEmpty {
                return try APIKeys(parsing: text, source: "PROMPTLAB_API_KEYS")
            }
            return APIKeys()
        }
    }
}
