import Foundation
import PromptFormat
import PromptLab
import PromptLabCore
import Testing

@testable import PromptExperiments

/// A setting outside a provider's documented range stops `run` before anything is sent, even with
/// `--dry-run`, with the limit in the error (exit 4).
@Suite struct ProviderLimitsRunTests {
    /// A repository whose prompt asks for `temperature`, run against `model` (no server is reachable:
    /// nothing may be sent).
    static func dryRun(model: String, temperature: Double) async throws -> PromptLabError? {
        let repo = try TestRepository()
        defer { try? FileManager.default.removeItem(atPath: repo.path) }
        try repo.commit("support/triage", samplePrompt(temperature: temperature), message: "first")
        try repo.write(
            "experiments/limits.yaml",
            """
            name: limits
            model: \(model)
            control: only
            variants:
              only: support/triage@v1
            cases:
              - {id: a, ticket: "I was charged twice"}
            """)
        let environment = [
            "ANTHROPIC_API_KEY": "sk-ant-test-key", "ANTHROPIC_BASE_URL": "http://127.0.0.1:9",
            "OPENAI_API_KEY": "sk-test-key", "OPENAI_BASE_URL": "http://127.0.0.1:9",
        ]
        let workspace = try Workspace(at: repo.path, database: repo.path + ".promptlab/results.sqlite", environment: environment)
        var request = RunService.Request(experimentPath: repo.path + "experiments/limits.yaml")
        request.dryRun = true
        do {
            _ = try await RunService(workspace: workspace).run(request)
            return nil
        } catch let error as PromptLabError {
            return error
        }
    }

    @Test func anthropicTemperatureAboveOneIsRefusedAtDryRun() async throws {
        let error = try await Self.dryRun(model: "anthropic/claude-sonnet-4-5", temperature: 1.5)
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.contains("temperature 1.5") == true)
        #expect(error?.message.contains("0 to 1") == true)
        #expect(error?.hint?.contains("config:") == true)
    }

    @Test func theSameTemperatureIsFineForOpenAI() async throws {
        let error = try await Self.dryRun(model: "openai/gpt-4o-mini", temperature: 1.5)
        #expect(error == nil)
    }
}
