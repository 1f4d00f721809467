import Foundation
import PromptLabStore
import PromptLabTestSupport

/// A run written into a real SQLite results file, with responses and grades
/// inserted directly (as graders would), for report tests.
struct ReportFixture {
    let store: SQLiteResultsStore
    let folder: String
    let run: RunRecord
    let variants: [String]
    let cases: [String]

    /// Creates a store in a fresh temporary folder and records a run.
    ///
    /// - Parameters:
    ///   - variants: Variant names; the first is the control.
    ///   - caseCount: Cases `case-000` …
    ///   - graders: Grader names listed in the run's settings, in order (the first is primary).
    static func make(
        variants: [String], caseCount: Int, graders: [String] = ["check"], status: RunStatus = .completed,
        experiment: String = "report-test", id: String? = nil, store existing: SQLiteResultsStore? = nil,
        createdAt: Date = Date(timeIntervalSince1970: 1_790_000_000), graderDeclarations: [String]? = nil,
        expected: [String?] = []
    ) async throws -> ReportFixture {
        let folder = TestFolders.root + "promptlab-report-\(UUID().uuidString)/"
        let store = try existing ?? SQLiteResultsStore(path: folder + "results.sqlite")
        let runID = id ?? RunRecord.makeID(at: createdAt)
        let graderJSON = (graderDeclarations ?? graders.map { "{\"name\":\"\($0)\",\"type\":\"equals\"}" }).joined(separator: ",")
        let run = RunRecord(
            id: runID, experimentName: experiment, experimentPath: "experiments/\(experiment).yaml",
            experimentYAML: "name: \(experiment)\n", experimentHash: "e", datasetHash: "d",
            settingsJSON: "{\"repeat\":1,\"graders\":[\(graderJSON)]}", toolVersion: "test", status: .running,
            createdAt: createdAt, cellCount: variants.count * caseCount)
        let cases = (0..<caseCount).map { String(format: "case-%03d", $0) }
        try await store.createRun(
            run,
            variants: variants.enumerated().map { index, name in
                RunVariantRecord(
                    runID: runID, name: name, isControl: index == 0, promptReference: "p@v1", promptName: "p", version: 1,
                    commitSHA: "abc", templateHash: "t", model: "local/echo", configJSON: "{}")
            },
            cases: cases.enumerated().map {
                CaseRecord(runID: runID, caseID: $1, position: $0, variablesJSON: "{}", expected: $0 < expected.count ? expected[$0] : nil)
            })
        if status != .running { try await store.updateRunStatus(runID, status) }
        return ReportFixture(
            store: store, folder: folder, run: try await store.run(id: runID), variants: variants, cases: cases)
    }

    /// Records one successful response per (variant, case, repeat) given.
    func respond(
        _ variant: String, case index: Int, repeatIndex: Int = 0, latencyMs: Double? = 100, cost: Double? = 0.001,
        fromCache: Bool = false, failed: Bool = false, tokens: (Int, Int) = (100, 20), output: String = "answer"
    ) async throws {
        let date = Date(timeIntervalSince1970: 1_790_000_000)
        try await store.insertResponses([
            ResponseRecord(
                runID: run.id, variant: variant, caseID: cases[index], repeatIndex: repeatIndex,
                outcome: failed ? .failure(kind: "timeout", message: "timed out") : .success(output: output),
                inputTokens: failed ? nil : tokens.0, outputTokens: failed ? nil : tokens.1, latencyMs: latencyMs,
                costUSD: cost, provider: "local", model: "local/echo", requestHash: "h", fromCache: fromCache,
                startedAt: date, finishedAt: date)
        ])
    }

    /// Records a response (if needed) and a grade for it.
    func grade(
        _ variant: String, case index: Int, repeatIndex: Int = 0, grader: String = "check", config: String = "c1",
        score: Double? = nil, passed: Bool? = nil, order: GradeRecord.PairOrder? = nil
    ) async throws {
        let key = ResponseRecord.idempotencyKey(runID: run.id, variant: variant, caseID: cases[index], repeatIndex: repeatIndex)
        if try await !store.completedCells(runID: run.id).contains(key) {
            try await respond(variant, case: index, repeatIndex: repeatIndex)
        }
        try await store.insertGrades([
            GradeRecord(
                runID: run.id, responseKey: key, grader: grader, configHash: config, score: score, passed: passed, order: order)
        ])
    }

    /// Grades every case of `variant` pass/fail from a list of outcomes.
    func passFail(_ variant: String, _ outcomes: [Bool], grader: String = "check") async throws {
        for (index, passed) in outcomes.enumerated() {
            try await grade(variant, case: index, grader: grader, passed: passed)
        }
    }

    func remove() {
        try? store.close()
        try? FileManager.default.removeItem(atPath: folder)
    }
}

/// `true` × a, then `false` × b, and so on.
func outcomes(_ runs: (Bool, Int)...) -> [Bool] {
    runs.flatMap { Array(repeating: $0.0, count: $0.1) }
}

func isClose(_ actual: Double?, _ expected: Double, rel: Double = 1e-9, abs absolute: Double = 1e-12) -> Bool {
    guard let actual else { return false }
    return Swift.abs(actual - expected) <= max(absolute, rel * Swift.abs(expected))
}
