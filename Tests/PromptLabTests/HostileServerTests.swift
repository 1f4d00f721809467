import Foundation
import Logging
import PromptLabProviders
import PromptLabStore
import PromptLabTestSupport
import ProviderTestServer
import Testing

@testable import PromptExperiments

/// Whole runs against a hostile server: absurd numbers, huge and trickled bodies, echoed secrets and bytes
/// that are not UTF-8. Whatever the server sends, the run ends in a definite status with one consistent row
/// per cell, the report can be built, and no configured secret reaches the database, the logs or the
/// run's outputs.
@Suite struct HostileServerTests {
    /// The key of the provider being called.
    static let key = RunnerTests.key
    /// Another provider's key, set in the environment but never sent: redacted all the same.
    static let otherKey = "sk-ant-other-Wd3SECRETsecondKey88pQ"

    static let behaviours: [HostileBehaviour] = [
        .retryAfter(seconds: "99999999999999999999", milliseconds: nil),
        .retryAfter(seconds: "1e308", milliseconds: "9223372036854775807"),
        .retryAfter(seconds: "-5", milliseconds: "nan"),
        .retryAfter(seconds: "inf", milliseconds: "-inf"),
        .usage(input: "9223372036854775807", output: "9223372036854775807"),
        .usage(input: "9223372036854775806", output: "-9223372036854775808"),
        .usage(input: "-5", output: "-1"),
        .usage(input: "1e400", output: "-1e400"),
        .hugeBody(bytes: 1 << 20),
        .hugeBody(bytes: 33 << 20),
        .echoSecrets(also: otherKey),
        .echoSecrets(also: otherKey, errorStatus: 400),
        .echoSecrets(also: otherKey, errorStatus: 503),
        .invalidUTF8(status: 200),
        .invalidUTF8(status: 500),
    ]

    @Test(arguments: behaviours)
    func aRunSurvivesAHostileServer(behaviour: HostileBehaviour) async throws {
        let fixture = try RunnerTests.Fixture()
        let sink = LogSink()
        var logger = Logger(label: "test") { _ in CapturingLogHandler(sink: sink) }
        logger.logLevel = .trace
        let environment = ["OPENAI_API_KEY": Self.key, "ANTHROPIC_API_KEY": Self.otherKey]
        // Retry waits go to a manual clock: they return at once, and the test reads what was asked for.
        let clock = ManualClock()
        let result = try await ProviderTestServer.withServer { server in
            server.setRandomFaults([(.hostile(behaviour), 1)], seed: 1)
            let experiment = try fixture.experiment(model: "openai/gpt-4o-mini", cases: 2, vendorBase: server.baseURL)
            return try await fixture.run(experiment, environment: environment, logger: logger, clock: clock)
        }
        try await checkConsistent(result, fixture: fixture, cells: 4)
        #expect(clock.sleeps.allSatisfy { $0 >= .zero && $0 <= RetryPolicy.default.maxServerDelay }, "\(clock.sleeps)")
        try await fixture.store.close()
        try checkNoSecrets(fixture: fixture, logs: sink.text, result: result)
    }

    /// The run's totals and the report's usage survive token counts near `Int64.max` (clamped, not
    /// wrapped or trapped), and the report can be built for the run.
    @Test func hugeTokenCountsKeepTotalsAndTheReportWorking() async throws {
        let fixture = try RunnerTests.Fixture()
        let result = try await ProviderTestServer.withServer { server in
            server.setRandomFaults([(.hostile(.usage(input: "9223372036854775807", output: "9223372036854775807")), 1)], seed: 1)
            let experiment = try fixture.experiment(model: "openai/gpt-4o-mini", cases: 3, vendorBase: server.baseURL)
            return try await fixture.run(experiment)
        }
        try await checkConsistent(result, fixture: fixture, cells: 6)
        for totals in result.totals {
            #expect(totals.inputTokens >= 0 && totals.outputTokens >= 0, "\(totals)")
        }
        let usage = try await fixture.store.variantUsage(runID: result.runID)
        #expect(usage.count == 2)
        for variant in usage {
            #expect(variant.inputTokens >= 0 && variant.outputTokens >= 0, "\(variant)")
        }
    }

    /// A body trickled one byte every 100 ms (about a minute for the whole answer) ends each attempt at its
    /// time limit (2 s here) as a timeout, instead of keeping the cell alive for as
    /// long as the server likes. Real time is safe here: the body cannot arrive within the limit however
    /// fast or loaded the machine is, so the outcome is always a timeout.
    @Test func trickledBodiesEndAtTheTimeLimit() async throws {
        let fixture = try RunnerTests.Fixture()
        let (result, trickled) = try await ProviderTestServer.withServer { server in
            server.setRandomFaults([(.hostile(.trickle(interval: .milliseconds(100))), 1)], seed: 1)
            let experiment = try fixture.experiment(model: "openai/gpt-4o-mini", cases: 1, vendorBase: server.baseURL)
            return (try await fixture.run(experiment, timeout: .seconds(2)), server.trickledBytes)
        }
        try await checkConsistent(result, fixture: fixture, cells: 2)
        let rows = try await fixture.store.responses(runID: result.runID)
        #expect(rows.allSatisfy { $0.errorKind == "timeout" }, "\(rows.map(\.errorKind))")
        #expect(trickled > 0, "the headers and part of the body were sent before the limit")
    }

    /// The report's usage sums cannot overflow: responses stored with counts near `Int64.max` (by an
    /// older version, or before counts were checked) are summed without SQLite's "integer overflow".
    @Test func theReportSumsTokenCountsNearInt64Max() async throws {
        let fixture = try await ReportFixture.make(variants: ["a", "b"], caseCount: 3)
        defer { fixture.remove() }
        for index in 0..<3 {
            try await fixture.grade("a", case: index, score: 1)
            try await fixture.respond("b", case: index, tokens: (Int.max, Int.max - 1))
            try await fixture.grade("b", case: index, score: 0)
        }
        let usage = try await fixture.store.variantUsage(runID: fixture.run.id)
        #expect(usage.map(\.inputTokens) == [300, Int.max])
        #expect(usage.map(\.outputTokens) == [60, Int.max])
        let report = try await ReportBuilder.build(store: fixture.store, runID: fixture.run.id)
        #expect(report.variants.count == 2)
    }

    // MARK: - Checks

    /// One row per cell with a status and the fields that status needs, a finished run, and a report.
    func checkConsistent(
        _ result: RunResult, fixture: RunnerTests.Fixture, cells: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let rows = try await fixture.store.responses(runID: result.runID)
        // Every cell has a row; a run in which every cell failed is recorded as failed, any other as completed.
        let everyCellFailed = !rows.isEmpty && rows.allSatisfy { $0.status == .error }
        if everyCellFailed {
            guard case .failed = result.end else {
                Issue.record("every cell failed but the run ended \(result.end)", sourceLocation: sourceLocation)
                return
            }
        } else {
            #expect(result.end == .completed, sourceLocation: sourceLocation)
        }
        #expect(rows.count == cells, sourceLocation: sourceLocation)
        #expect(Set(rows.map(\.idempotencyKey)).count == cells, sourceLocation: sourceLocation)
        for row in rows {
            switch row.status {
            case .ok:
                #expect(row.output != nil && row.errorKind == nil, "\(row)", sourceLocation: sourceLocation)
            case .error:
                #expect(row.output == nil && row.errorKind != nil && row.errorMessage != nil, "\(row)", sourceLocation: sourceLocation)
            }
            #expect(row.attempts >= 1 && row.attempts <= 3, "\(row)", sourceLocation: sourceLocation)
            for count in [row.inputTokens, row.outputTokens, row.cachedTokens] {
                #expect((count ?? 0) >= 0, "a negative token count was recorded: \(row)", sourceLocation: sourceLocation)
            }
            #expect((row.costUSD ?? 0) >= 0, "\(row)", sourceLocation: sourceLocation)
        }
        let summary = try await fixture.store.summary(runID: result.runID)
        #expect(summary.run.status == (everyCellFailed ? .failed : .completed), sourceLocation: sourceLocation)
        #expect(summary.okCount + summary.errorCount == cells, sourceLocation: sourceLocation)
        _ = try await fixture.store.variantUsage(runID: result.runID)
        _ = try await ReportBuilder.build(store: fixture.store, runID: result.runID)
    }

    /// Neither key, nor a long piece of one, in the SQLite files' bytes, the logs or the run's totals.
    func checkNoSecrets(
        fixture: RunnerTests.Fixture, logs: String, result: RunResult, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        for secret in [Self.key, Self.otherKey] {
            for piece in [secret, String(secret.prefix(12)), String(secret.suffix(12))] {
                for suffix in ["", "-wal", "-shm"] {
                    if let data = FileManager.default.contents(atPath: fixture.dbPath + suffix) {
                        #expect(
                            data.range(of: Data(piece.utf8)) == nil, "'\(piece)' in results.sqlite\(suffix)", sourceLocation: sourceLocation
                        )
                    }
                }
                #expect(!logs.contains(piece), "'\(piece)' in the logs", sourceLocation: sourceLocation)
                #expect(!"\(result)".contains(piece), "'\(piece)' in the run's result", sourceLocation: sourceLocation)
            }
        }
    }
}
