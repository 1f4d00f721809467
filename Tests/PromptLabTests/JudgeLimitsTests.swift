import Foundation
import PromptLabCore
import PromptLabProviders
import ProviderTestServer
import Testing

@testable import PromptExperiments

/// A judge prompt whose settings its provider does not accept stops grading before any request,
/// with the provider's limit in the error.
@Suite struct JudgeLimitsTests {
    @Test func aJudgeWithTooManyStopStringsIsRefusedBeforeSending() async throws {
        let fixture = try await GradingFixture(
            cases: [.init(id: "c1", expected: nil)], responses: [.init(variant: "control", caseID: "c1", output: "x")],
            graders: "  - {type: llm-rubric, rubric: r, judge: judges/strict}")
        let judge = GradingJudgeTests.echoRubric.replacingOccurrences(
            of: "  temperature: 0\n", with: "  temperature: 0\n  stopSequences: [a, b, c, d, e]\n")
        try fixture.repository.commit("judges/strict", judge)
        try await ProviderTestServer.withServer { server in
            do {
                _ = try await GradingFixture.withRegistry(baseURL: server.baseURL) { try await fixture.grade(registry: $0) }
                Issue.record("expected the judge's settings to be refused")
            } catch let error as PromptLabError {
                #expect(error.kind == .invalidInput)
                #expect(error.message.contains("stopSequences has 5 entries; OpenAI accepts at most 4"), "\(error.message)")
            }
            #expect(server.requestCount == 0)
        }
    }
}
