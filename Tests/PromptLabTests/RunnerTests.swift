import Foundation
import Logging
import PromptLab
import PromptLabCore
import PromptLabProviders
import PromptLabStore
import ProviderTestServer
import Testing

@testable import PromptExperiments
@testable import PromptFormat
@testable import PromptVersioning

/// The experiment runner against real parts: a git repository, a SQLite
/// file, and a loopback server speaking the vendors' wire formats.
@Suite struct RunnerTests {
    /// A rate near zero made the estimate astronomically large, and the progress line trapped
    /// converting it to whole minutes; such an estimate is now "unknown".
    @Test func etaIsUnknownWhenTheRateIsNearZero() {
        let crawling = RunProgress(total: 1_000_000, done: 1, errors: 0, cached: 0, costUSD: 0, elapsedSeconds: 1e300)
        #expect(crawling.etaSeconds == nil)
        let steady = RunProgress(total: 10, done: 5, errors: 0, cached: 0, costUSD: 0, elapsedSeconds: 5)
        #expect(steady.etaSeconds == 5)
    }

    static let key = "sk-test-7Qv9SECRETkeyDoNotLeak41xZ"

    struct Fixture {
        let repository: TestRepository
        let dbPath: String
        let store: SQLiteResultsStore

        init() throws {
            repository = try TestRepository()
            try repository.commit("triage", samplePrompt(line: "Route the ticket."))
            try repository.commit("triage", samplePrompt(line: "Route the ticket to a queue.", examples: 2))
            dbPath = repository.path + ".promptlab/results.sqlite"
            store = try SQLiteResultsStore(path: dbPath)
        }

        func experiment(model: String, cases: Int, vendorBase: String? = nil, repeatCount: Int = 1) throws -> ExperimentDefinition {
            var yaml = "name: routing\ncontrol: zero\nmodel: \(model)\nrepeat: \(repeatCount)\n"
            yaml += "variants:\n  zero: triage@v1\n  few: triage@v2\ncases:\n"
            for i in 0..<cases { yaml += "  - {id: c\(i), ticket: \"ticket number \(i) about a refund\", expected: billing}\n" }
            if let vendorBase {
                yaml +=
                    "providers:\n  openai: {base_url: \"\(vendorBase)\"}\n  anthropic: {base_url: \"\(vendorBase)\"}\n  gemini: {base_url: \"\(vendorBase)\"}\n"
            }
            return try ExperimentDefinition.parse(yaml, path: repository.path + "experiments/routing.yaml")
        }

        /// Runs an experiment to its end with fast retries.
        ///
        /// - Parameter timeout: Each attempt's limit. Generous by default, so that a loaded machine can
        ///   never turn an answer into a timeout; tests of the limit itself pass a short one.
        func run(
            _ experiment: ExperimentDefinition, environment: [String: String] = ["OPENAI_API_KEY": RunnerTests.key],
            options: RunOptions = RunOptions(concurrency: 8),
            logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            clock: any Clock<Duration> = ContinuousClock(), timeout: Duration = .seconds(60)
        ) async throws -> RunResult {
            let plan = try ExperimentPlan.build(experiment, repository: try repository.open())
            let overrides = experiment.providers.mapValues { ProviderOverrides(baseURL: $0.baseURL, timeout: timeout) }
            return try await ProviderRegistry.withRegistry(
                environment: environment, overrides: overrides, clock: clock, logger: logger
            ) { registry in
                let runner = try ExperimentRunner(
                    plan: plan, store: store, registry: registry, pricing: try Pricing.bundled(), logger: logger,
                    retryPolicy: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5), maxDelay: .milliseconds(20)))
                let runID = try await runner.createRun(options: options, toolVersion: "test")
                return try await runner.run(runID, options: options)
            }
        }
    }

    @Test func completesUnderInjectedFaultsWithOneRowPerCell() async throws {
        let fixture = try Fixture()
        try await ProviderTestServer.withServer { server in
            server.setRandomFaults(
                [
                    (.rateLimited(retryAfter: "0"), 0.08), (.serverError, 0.08), (.overloaded, 0.05),
                    (.malformedJSON, 0.05), (.dropConnection, 0.05), (.delay(.milliseconds(30)), 0.05),
                    (.badRequest, 0.02),
                ], seed: 7)
            let experiment = try fixture.experiment(model: "openai/gpt-4o-mini", cases: 60, vendorBase: server.baseURL)
            let result = try await fixture.run(experiment)
            #expect(result.end == .completed)
            let rows = try await fixture.store.responses(runID: result.runID)
            #expect(rows.count == 120)
            #expect(Set(rows.map(\.idempotencyKey)).count == 120)
            let errors = rows.filter { $0.status == .error }
            #expect(rows.filter { $0.status == .ok }.allSatisfy { $0.output?.isEmpty == false })
            // Each error row is either not retryable or used every attempt.
            for row in errors {
                #expect(row.output == nil)
                #expect(row.errorKind == "http_400" || row.attempts == 3, "\(row.errorKind ?? "") after \(row.attempts)")
            }
            #expect(server.requestCount >= 120)
            #expect(server.violations.isEmpty, "\(server.violations)")
            let summary = try await fixture.store.summary(runID: result.runID)
            #expect(summary.run.status == .completed)
            #expect(summary.okCount + summary.errorCount == 120)
        }
    }

    @Test(arguments: ["openai/gpt-4o-mini", "anthropic/claude-3-5-haiku-latest", "gemini/gemini-1.5-flash"])
    func everyVendorWireFormat(_ model: String) async throws {
        let fixture = try Fixture()
        try await ProviderTestServer.withServer { server in
            let experiment = try fixture.experiment(model: model, cases: 3, vendorBase: server.baseURL)
            let environment = ["OPENAI_API_KEY": Self.key, "ANTHROPIC_API_KEY": Self.key, "GEMINI_API_KEY": Self.key]
            let result = try await fixture.run(experiment, environment: environment)
            let rows = try await fixture.store.responses(runID: result.runID)
            #expect(rows.count == 6)
            #expect(rows.allSatisfy { $0.status == .ok && $0.output?.contains("ticket number") == true })
            #expect(rows.allSatisfy { $0.inputTokens != nil && $0.outputTokens != nil && $0.latencyMs != nil })
            #expect(server.requestCount == 6)
            #expect(server.violations.isEmpty, "\(server.violations)")
        }
    }

    @Test func secondIdenticalRunMakesNoProviderCalls() async throws {
        let fixture = try Fixture()
        try await ProviderTestServer.withServer { server in
            let experiment = try fixture.experiment(model: "openai/gpt-4o-mini", cases: 10, vendorBase: server.baseURL, repeatCount: 2)
            let first = try await fixture.run(experiment)
            #expect(server.requestCount == 40)
            let second = try await fixture.run(experiment)
            #expect(server.requestCount == 40, "the cache answered every cell")
            #expect(second.providerCalls == 0)
            let rows = try await fixture.store.responses(runID: second.runID)
            #expect(rows.count == 40 && rows.allSatisfy(\.fromCache))
            let firstRows = try await fixture.store.responses(runID: first.runID)
            #expect(Set(rows.map(\.output)) == Set(firstRows.map(\.output)))
            let uncached = try await fixture.run(experiment, options: RunOptions(concurrency: 4, useCache: false))
            #expect(server.requestCount == 80)
            #expect(uncached.providerCalls == 40)
        }
    }

    @Test func errorsAreNeverCached() async throws {
        let fixture = try Fixture()
        try await ProviderTestServer.withServer { server in
            let experiment = try fixture.experiment(model: "openai/gpt-4o-mini", cases: 2, vendorBase: server.baseURL)
            server.enqueue(.badRequest, .badRequest, .badRequest, .badRequest)
            let first = try await fixture.run(experiment, options: RunOptions(concurrency: 1))
            #expect(try await fixture.store.responses(runID: first.runID).allSatisfy { $0.status == .error })
            let second = try await fixture.run(experiment, options: RunOptions(concurrency: 1))
            #expect(second.providerCalls == 4)
            #expect(try await fixture.store.responses(runID: second.runID).allSatisfy { $0.status == .ok && !$0.fromCache })
        }
    }

    @Test func missingKeyFailsBeforeAnyRequest() async throws {
        let fixture = try Fixture()
        try await ProviderTestServer.withServer { server in
            let experiment = try fixture.experiment(model: "openai/gpt-4o-mini", cases: 2, vendorBase: server.baseURL)
            do {
                _ = try await fixture.run(experiment, environment: [:])
                Issue.record("expected a missing-key error")
            } catch let error as PromptLabError {
                #expect(error.message.contains("OPENAI_API_KEY"), "\(error.message)")
            }
            #expect(server.requestCount == 0)
            #expect(try await fixture.store.runs().isEmpty)
        }
    }

    @Test func budgetStopsBeforeGoingOver() async throws {
        let fixture = try Fixture()
        try await ProviderTestServer.withServer { server in
            let experiment = try fixture.experiment(model: "openai/gpt-4o-mini", cases: 30, vendorBase: server.baseURL)
            let result = try await fixture.run(experiment, options: RunOptions(concurrency: 1, maxRequests: 7))
            guard case .budgetReached = result.end else {
                Issue.record("expected the request budget to stop the run, got \(result.end)")
                return
            }
            #expect(result.providerCalls == 7)
            #expect(server.requestCount == 7)
            #expect(try await fixture.store.summary(runID: result.runID).run.status == .interrupted)
        }
    }

    @Test func apiKeyNeverReachesDatabaseLogsOrExports() async throws {
        let fixture = try Fixture()
        let sink = LogSink()
        var logger = Logger(label: "test") { _ in CapturingLogHandler(sink: sink) }
        logger.logLevel = .trace
        try await ProviderTestServer.withServer(configuration: .init(expectedAPIKey: "something-else")) { server in
            server.setRandomFaults([(.serverError, 0.2), (.rateLimited(retryAfter: "0"), 0.2)], seed: 3)
            let experiment = try fixture.experiment(model: "openai/gpt-4o-mini", cases: 8, vendorBase: server.baseURL)
            let result = try await fixture.run(experiment, logger: logger)
            let rows = try await fixture.store.responses(runID: result.runID)
            #expect(rows.contains { $0.status == .error }, "the server refuses the key, so errors are recorded")
            for row in rows {
                #expect(!(row.errorMessage ?? "").contains(Self.key))
                #expect(!(row.output ?? "").contains(Self.key))
            }
        }
        try await fixture.store.close()
        for suffix in ["", "-wal", "-shm"] {
            if let data = FileManager.default.contents(atPath: fixture.dbPath + suffix) {
                #expect(data.range(of: Data(Self.key.utf8)) == nil, "key found in results.sqlite\(suffix)")
                #expect(data.range(of: Data(Self.key.prefix(12).utf8)) == nil)
            }
        }
        #expect(!sink.text.contains(Self.key))
        #expect(!sink.text.isEmpty, "retries were logged")
    }
}

/// Collects log lines in memory.
final class LogSink: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var text: String { lock.withLock { lines.joined(separator: "\n") } }
}

struct CapturingLogHandler: LogHandler {
    let sink: LogSink
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        sink.append("\(event.level) \(event.message) \(event.metadata ?? [:]) \(metadata)")
    }
}
