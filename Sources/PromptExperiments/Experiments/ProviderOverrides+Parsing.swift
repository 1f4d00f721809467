import PromptFormat
import PromptLabCore
import PromptLabProviders
import Yams

extension ProviderOverrides {
    /// The settings names a `providers.NAME` block may hold.
    static let settingNames = ["base_url", "api_key_env", "timeout", "max_attempts", "max_concurrency"]

    /// Reads one provider's settings from an experiment's `providers:` block.
    ///
    /// The run and grading both read the block through this one function, so a setting means the
    /// same to both and an unknown or out-of-range one is refused by both, before any request.
    /// A `base_url` must be usable (``BaseURLCheck``): refused here, a URL with a bad port or with
    /// credentials never reaches the HTTP stack or the stored experiment.
    /// - Parameter provider: The block's name (`openai`, ...), to name its key variable in hints.
    /// - Throws: ``PromptLabError`` `invalidInput` citing `file:line:col`.
    static func parse(_ node: Node, provider: String, reader: YAMLReader) throws(PromptLabError) -> ProviderOverrides {
        var overrides = ProviderOverrides()
        var baseURLNode: Node?
        for (keyNode, valueNode) in try reader.mapping(node, "a provider's settings") {
            switch try reader.key(keyNode) {
            case "base_url":
                overrides.baseURL = try reader.string(valueNode, "base_url")
                baseURLNode = valueNode
            case "api_key_env": overrides.apiKeyEnv = try reader.string(valueNode, "api_key_env")
            case "timeout":
                let seconds = try reader.number(valueNode, "timeout")
                guard let timeout = ProviderOverrides.timeout(seconds: seconds) else {
                    throw reader.problem(valueNode, ProviderOverrides.timeoutRangeMessage)
                }
                overrides.timeout = timeout
            case "max_attempts":
                let attempts = try reader.integer(valueNode, "max_attempts")
                guard (1...20).contains(attempts) else { throw reader.problem(valueNode, "'max_attempts' must be 1...20") }
                overrides.maxAttempts = attempts
            case "max_concurrency":
                let concurrency = try reader.integer(valueNode, "max_concurrency")
                guard (1...1024).contains(concurrency) else { throw reader.problem(valueNode, "'max_concurrency' must be 1...1024") }
                overrides.maxConcurrency = concurrency
            case "api_key":
                throw reader.problem(keyNode, "API keys never go in experiment files; set api_key_env to the variable that holds it")
            default:
                throw reader.problem(keyNode, "unknown provider setting (known: \(settingNames.joined(separator: ", ")))")
            }
        }
        if let url = overrides.baseURL, let node = baseURLNode, let problem = BaseURLCheck.problem(with: url) {
            var error = reader.problem(node, "'base_url' \(problem.message)")
            if problem == .credentials {
                let variable =
                    overrides.apiKeyEnv ?? ModelReference.Provider(rawValue: provider)?.descriptor?.apiKey.defaultVariable
                    ?? "a variable named by api_key_env"
                error.hint = "remove them and export \(variable)=... instead; keys never go in experiment files"
            } else {
                error.hint = "write a URL such as https://api.example.com or http://127.0.0.1:8080"
            }
            throw error
        }
        return overrides
    }
}
