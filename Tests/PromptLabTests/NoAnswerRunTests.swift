import Foundation
import PromptLabProviders
import PromptLabStore
import ProviderTestServer
import Testing

@testable import PromptExperiments

/// A run records a response without an answer as its vendor defines it: an error row of the right
/// kind with the vendor's finish reason, sent once; or, for a legitimate empty answer, an empty output.
@Suite struct NoAnswerRunTests {
    @Test func contentFilteredCellsAreErrorRowsWithTheFinishReasonAndAreNotRetried() async throws {
        let fixture = try RunnerTests.Fixture()
        try await ProviderTestServer.withServer { server in
            let filtered =
                #"{"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"content_filter"}]}"#
            server.enqueue(.status(200, body: filtered), .status(200, body: filtered))
            let experiment = try fixture.experiment(model: "openai/gpt-4o-mini", cases: 1, vendorBase: server.baseURL)
            let result = try await fixture.run(experiment)
            let rows = try await fixture.store.responses(runID: result.runID)
            #expect(rows.count == 2)
            for row in rows {
                #expect(row.status == .error)
                #expect(row.errorKind == "content_filtered")
                #expect(row.finishReason == "content_filter")
                #expect(row.attempts == 1)
            }
            #expect(server.requestCount == 2)
        }
    }

    @Test func anthropicStopSequenceWithoutTextIsAnEmptyAnswer() async throws {
        let fixture = try RunnerTests.Fixture()
        try await ProviderTestServer.withServer { server in
            let empty =
                #"{"id":"m","type":"message","role":"assistant","content":[],"stop_reason":"stop_sequence","usage":{"input_tokens":3,"output_tokens":0}}"#
            server.enqueue(.status(200, body: empty), .status(200, body: empty))
            let experiment = try fixture.experiment(model: "anthropic/claude-haiku-4-5", cases: 1, vendorBase: server.baseURL)
            let result = try await fixture.run(experiment, environment: ["ANTHROPIC_API_KEY": RunnerTests.key])
            let rows = try await fixture.store.responses(runID: result.runID)
            #expect(rows.count == 2)
            #expect(rows.allSatisfy { $0.status == .ok && $0.output == "" && $0.finishReason == "stop_sequence" })
            #expect(server.requestCount == 2)
        }
    }
}
