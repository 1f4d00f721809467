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
    /// - Throws: ``PromptLabError`` `invalidInput` citing `file:line:col`.
    static func parse(_ node: Node, reader: YAMLReader) throws(PromptLabError) -> ProviderOverrides {
        var overrides = ProviderOverrides()
        for (keyNode, valueNode) in try reader.mapping(node, "a provider's settings") {
            switch try reader.key(keyNode) {
            case "base_url": overrides.baseURL = try reader.string(valueNode, "base_url")
            case "api_key_env": overrides.apiKeyEnv = try reader.string(valueNode, "api_key_env")
            case "timeout":
                let seconds = try reader.number(valueNode, "timeout")
                guard seconds.isFinite, seconds > 0, seconds <= 3600 else {
                    throw reader.problem(valueNode, "'timeout' must be a number of seconds above 0 and at most 3600")
                }
                overrides.timeout = .milliseconds(Int64((seconds * 1000).rounded(.up)))
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
        return overrides
    }
}
