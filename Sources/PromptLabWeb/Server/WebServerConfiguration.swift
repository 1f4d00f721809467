import Foundation
import PromptLab
import PromptLabCore

/// What `promptlab serve` serves and how: the workspace, the address and the access token.
public struct WebServerConfiguration: Sendable {
    /// The address to bind; loopback unless a token protects the server.
    public var host: String
    public var port: Int
    /// A folder inside the prompt repository.
    public var repositoryPath: String
    /// The results database (`--db`), else `PROMPTLAB_DB`, else `.promptlab/results.sqlite`.
    public var database: String?
    /// `PROMPTLAB_TOKEN`: when set, every request must carry it, and writes always need it.
    public var token: String?
    /// Where keys, base URLs and `PROMPTLAB_DB` come from; tests inject a dictionary.
    public var environment: [String: String]
    /// How often a live page's event stream looks at a running run.
    public var liveInterval: Duration
    /// How long an event stream stays open; the browser reconnects after it ends.
    public var liveStreamLimit: Duration
    /// `--api-only`: serve the `/v1` API alone (production), without the web app's pages.
    public var apiOnly = false
    /// The serving API's keys (`PROMPTLAB_API_KEYS` or `--api-keys`); `PROMPTLAB_TOKEN` counts as an admin key.
    public var apiKeys = APIKeys()
    /// How the serving API resolves prompts and rollouts.
    public var serving = ServingConfiguration()
    /// A pricing file over the bundled one (`--pricing`, as `promptlab run` takes it), for the gateway's costs.
    public var pricingPath: String?
    /// How often the server checks active rollouts' guardrails (pausing a breached arm); nil: never.
    public var guardrailInterval: Duration? = .seconds(60)

    public init(
        host: String = "127.0.0.1", port: Int = 4242, repositoryPath: String = ".", database: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment, liveInterval: Duration = .milliseconds(500),
        liveStreamLimit: Duration = .seconds(300)
    ) {
        self.host = host
        self.port = port
        self.repositoryPath = repositoryPath
        self.database = database
        self.environment = environment
        let token = environment["PROMPTLAB_TOKEN"]
        self.token = (token?.isEmpty ?? true) ? nil : token
        self.liveInterval = liveInterval
        self.liveStreamLimit = liveStreamLimit
    }

    /// Whether `host` only accepts connections from this machine.
    public var isLoopback: Bool {
        ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.")
    }

    /// Refuses a configuration that would expose the workspace without a token.
    ///
    /// - Throws: ``PromptLabError`` `usage` for a port out of range or a public address without a token.
    public func validate() throws(PromptLabError) {
        if apiOnly, apiKeys.isEmpty, token == nil, !isLoopback {
            throw PromptLabError(
                .usage, "--api-only on \(host) needs API keys", hint: "set PROMPTLAB_API_KEYS or pass --api-keys FILE")
        }
        guard (0...65_535).contains(port) else {
            throw PromptLabError(.usage, "--port must be between 0 and 65535, got \(port)")
        }
        if !isLoopback, token == nil, !(apiOnly && !apiKeys.isEmpty) {
            throw PromptLabError(
                .usage, "serving on \(host) would let anyone who can reach this machine read and change the workspace",
                hint: "set PROMPTLAB_TOKEN to a secret (or PROMPTLAB_API_KEYS with --api-only), or bind to 127.0.0.1 (the default)")
        }
        if let token, token.utf8.count < 16 {
            throw PromptLabError(
                .usage, "PROMPTLAB_TOKEN is too short (\(token.utf8.count) bytes)", hint: "use at least 16 random characters")
        }
    }
}
