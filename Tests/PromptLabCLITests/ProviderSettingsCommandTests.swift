import Foundation
import Testing

/// Provider settings that no request could use are refused when the configuration is read, with one
/// `error:` line, a hint and exit 4, also by `run --dry-run`, and never with a trap.
@Suite struct ProviderSettingsCommandTests {
    static let key = "sk-settings-test-Hq7SECRETvalue-5k2"
    let cli: CLITests

    init() throws {
        cli = try CLITests()
        try cli.initialise()
        try cli.write("triage.prompt", CLITests.prompt)
        #expect(try cli.run(["commit", "-m", "v1"]).status == 0)
    }

    /// Writes an experiment whose `providers.openai` block holds `settings` (YAML flow mapping members).
    func writeExperiment(providerSettings settings: String? = nil) throws {
        var yaml = "name: settings\ncontrol: a\nmodel: openai/gpt-4o-mini\nvariants:\n  a: triage@v1\ncases:\n  - {id: c1, ticket: hello}\n"
        if let settings { yaml += "providers:\n  openai: {\(settings)}\n" }
        try cli.write("experiments/settings.yaml", yaml)
    }

    /// Runs `run --dry-run` and checks the refusal: exit 4, one error line naming `expected`, one hint.
    func expectRefused(
        environment: [String: String] = [:], _ expected: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        var environment = environment
        environment["OPENAI_API_KEY"] = environment["OPENAI_API_KEY"] ?? Self.key
        let result = try cli.run(["run", "experiments/settings.yaml", "--dry-run"], environment: environment)
        #expect(result.status == 4, "\(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 2, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(lines.first?.hasPrefix("error: ") == true, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(lines.first?.contains(expected) == true, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(lines.last?.hasPrefix("hint: ") == true, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains(Self.key) && !result.stdout.contains(Self.key), sourceLocation: sourceLocation)
    }

    // MARK: - Base URLs

    static let unusableBaseURLs = [
        "http://127.0.0.1:65536", "http://127.0.0.1:99999", "http://127.0.0.1:0", "http://[::1]:70000", "ftp://example.com",
        "http://", "localhost:11434",
    ]

    @Test(arguments: unusableBaseURLs)
    func unusableBaseURLFromTheEnvironmentIsRefused(url: String) throws {
        try writeExperiment()
        try expectRefused(environment: ["OPENAI_BASE_URL": url], "OPENAI_BASE_URL")
    }

    @Test(arguments: unusableBaseURLs)
    func unusableBaseURLInTheExperimentIsRefused(url: String) throws {
        try writeExperiment(providerSettings: "base_url: \"\(url)\"")
        try expectRefused("base_url")
    }

    /// A key in a URL's userinfo would be stored with the experiment (`runs.experiment_yaml`) and
    /// printed with the settings: it is refused, pointing to the key's environment variable.
    @Test func credentialsInABaseURLAreRefused() throws {
        try writeExperiment(providerSettings: "base_url: \"https://user:\(Self.key)@api.example.com\"")
        try expectRefused("credentials")
        let hint = try cli.run(["run", "experiments/settings.yaml", "--dry-run"], environment: ["OPENAI_API_KEY": "k"]).stderr
        #expect(hint.contains("OPENAI_API_KEY"), "\(hint)")

        try writeExperiment()
        try expectRefused(environment: ["OPENAI_BASE_URL": "https://\(Self.key)@api.example.com"], "credentials")
        // Nothing was recorded: the database holds no run, so no experiment text with the key.
        let runs = try cli.run(["runs", "--format", "json"])
        #expect(!runs.stdout.contains("\"id\""), "\(runs.stdout)")
    }

    // MARK: - Timeouts

    @Test(arguments: [".inf", "-.inf", ".nan", "1e300", "0", "-1", "3601"])
    func timeoutsOutOfRangeAreRefused(value: String) throws {
        try writeExperiment(providerSettings: "timeout: \(value)")
        try expectRefused("timeout")
    }
}
