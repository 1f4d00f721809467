import Foundation
import GRDB
import PromptLabStore
import PromptLabTestSupport
import Testing

/// Runs `body` with a new, empty folder under the system temporary directory,
/// removed afterwards, so that every test has its own database file.
func withTemporaryDirectory<T>(
    isolation: isolated (any Actor)? = #isolation,
    _ body: (URL) async throws -> T
) async throws -> T {
    let folder = TestFolders.rootURL
        .appendingPathComponent("promptlab-store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    return try await body(folder)
}

/// Runs `body` with a store on a new file (`results.sqlite` in a fresh temporary folder).
func withTemporaryStore<T>(
    isolation: isolated (any Actor)? = #isolation,
    _ body: (SQLiteResultsStore, String) async throws -> T
) async throws -> T {
    try await withTemporaryDirectory { folder in
        let path = folder.appendingPathComponent("results.sqlite").path
        return try await SQLiteResultsStore.withStore(path: path) { store in
            try await body(store, path)
        }
    }
}

/// Opens an independent plain SQLite connection on a database file, as `sqlite3` or pandas would.
func openRaw(_ path: String) throws -> DatabaseQueue {
    var configuration = Configuration()
    configuration.busyMode = .timeout(5)
    configuration.allowsUnsafeTransactions = true  // some tests hold a lock across accesses
    return try DatabaseQueue(path: path, configuration: configuration)
}

/// A run with named variants and numbered cases, and a factory for its responses.
struct Fixture {
    var run: RunRecord
    var variants: [RunVariantRecord]
    var cases: [CaseRecord]

    var runID: String { run.id }

    init(
        id: String = RunRecord.makeID(),
        experiment: String = "support-triage",
        variantNames: [String] = ["control", "candidate"],
        caseCount: Int = 3,
        repeats: Int = 1,
        createdAt: Date = Date().roundedToMilliseconds
    ) {
        run = RunRecord(
            id: id,
            experimentName: experiment,
            experimentPath: "experiments/\(experiment).yaml",
            experimentYAML: "name: \(experiment)\nvariants: []\n",
            experimentHash: "e1e1",
            datasetHash: "d4d4",
            settingsJSON: #"{"repeats":\#(repeats)}"#,
            toolVersion: "0.3.0",
            createdAt: createdAt,
            cellCount: variantNames.count * caseCount * repeats)
        variants = variantNames.enumerated().map { index, name in
            RunVariantRecord(
                runID: id, name: name, isControl: index == 0,
                promptReference: "support/triage@v\(index + 1)", promptName: "support/triage",
                version: index + 1, commitSHA: String(repeating: "\(index)", count: 40),
                templateHash: "t\(index)", model: "openai/gpt-4o-mini",
                configJSON: #"{"temperature":0}"#)
        }
        cases = (0..<caseCount).map { index in
            CaseRecord(
                runID: id, caseID: "case-\(index)", position: index,
                variablesJSON: #"{"ticket":"ticket \#(index)"}"#, expected: "billing",
                metadataJSON: index == 0 ? nil : #"{"tag":"t"}"#)
        }
    }

    /// Records the run in `store`.
    func create(in store: some ResultsStore) async throws {
        try await store.createRun(run, variants: variants, cases: cases)
    }

    /// A response for one cell.
    func response(
        variant: String = "control",
        caseIndex: Int = 0,
        repeatIndex: Int = 0,
        outcome: ResponseRecord.Outcome = .success(output: "billing"),
        costUSD: Double? = 0.001,
        fromCache: Bool = false
    ) -> ResponseRecord {
        let start = Date(milliseconds: 1_790_000_000_250 + Int64(caseIndex) * 1000)
        return ResponseRecord(
            runID: runID, variant: variant, caseID: "case-\(caseIndex)", repeatIndex: repeatIndex,
            outcome: outcome, inputTokens: 120, outputTokens: 3, cachedTokens: nil, latencyMs: 412.5,
            attempts: 1, finishReason: "stop", requestID: "req-\(caseIndex)", costUSD: costUSD,
            provider: "openai", model: "gpt-4o-mini", requestHash: "h\(caseIndex)", fromCache: fromCache,
            startedAt: start, finishedAt: Date(milliseconds: 1_790_000_000_662 + Int64(caseIndex) * 1000))
    }

    /// One response for every cell of the run, in variant, case, repeat order.
    func allResponses(repeats: Int = 1) -> [ResponseRecord] {
        var responses: [ResponseRecord] = []
        for variant in variants {
            for index in cases.indices {
                for repeatIndex in 0..<repeats {
                    responses.append(response(variant: variant.name, caseIndex: index, repeatIndex: repeatIndex))
                }
            }
        }
        return responses
    }
}

extension Date {
    /// A date a whole number of milliseconds after 1970, as the store reads dates back.
    init(milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// This date rounded to the millisecond, the precision the store keeps.
    var roundedToMilliseconds: Date {
        Date(milliseconds: Int64((timeIntervalSince1970 * 1000).rounded()))
    }
}

/// Expects `body` to throw a ``StoreError`` of the given kind, and returns it.
@discardableResult
func expectStoreError<T>(
    _ kind: StoreError.Kind,
    isolation: isolated (any Actor)? = #isolation,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> T
) async -> StoreError? {
    let error = await #expect(throws: StoreError.self, sourceLocation: sourceLocation) { _ = try await body() }
    #expect(error?.kind == kind, sourceLocation: sourceLocation)
    return error
}
