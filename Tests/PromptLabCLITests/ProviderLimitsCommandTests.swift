import Foundation
import ProviderTestServer
import Testing

/// `promptlab run --dry-run` refuses a setting outside the provider's documented range: exit 4, one
/// `error:` line naming the limit, one `hint:` line, and nothing sent.
@Suite struct ProviderLimitsCommandTests {
    @Test func anOutOfRangeSettingStopsADryRun() async throws {
        let cli = try CLITests()
        try cli.initialise()
        try cli.write("triage.prompt", CLITests.prompt)
        #expect(try cli.run(["commit", "-m", "v1"]).status == 0)
        try cli.write(
            "experiments/hot.yaml",
            """
            name: hot
            control: a
            model: anthropic/claude-haiku-4-5
            variants:
              a: {prompt: triage@v1, config: {temperature: 1.5}}
            cases: [{ticket: x}]
            """)
        try await ProviderTestServer.withServer { server in
            let result = try cli.run(
                ["run", "experiments/hot.yaml", "--dry-run"],
                environment: ["ANTHROPIC_API_KEY": "sk-ant-cli-test-key", "ANTHROPIC_BASE_URL": server.baseURL])
            #expect(result.status == 4)
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.filter { $0.hasPrefix("error:") }.count == 1, "\(result.stderr)")
            #expect(lines.filter { $0.hasPrefix("hint:") }.count == 1, "\(result.stderr)")
            #expect(result.stderr.contains("temperature 1.5 is out of range; Anthropic accepts 0 to 1"), "\(result.stderr)")
            #expect(server.requestCount == 0)
        }
    }
}
