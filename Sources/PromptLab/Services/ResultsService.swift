import Foundation
import PromptExperiments
import PromptFormat
import PromptLabCore
import PromptLabStore

/// The stored-results use cases: list runs, and export a run's responses with their cases and grades.
public struct ResultsService {
    public let workspace: Workspace

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    /// Runs, newest first.
    public func runs(experiment: String? = nil, limit: Int = 50) async throws -> RunListOutput {
        guard limit >= 1 else { throw PromptLabError(.usage, "--limit must be at least 1") }
        let summaries = try await workspace.results().runs(experiment: experiment, limit: limit)
        return RunListOutput(runs: summaries.map(Self.row))
    }

    /// Runs newest first without their counts: cheap, for front ends that cache each run's row.
    public func runRecords(experiment: String? = nil, limit: Int = 50) async throws -> [RunRecord] {
        guard limit >= 1 else { throw PromptLabError(.usage, "--limit must be at least 1") }
        return try await workspace.results().runRecords(experiment: experiment, limit: limit)
    }

    /// One run's row of ``runs(experiment:limit:)``.
    public func run(_ id: String) async throws -> RunListOutput.Run {
        Self.row(try await workspace.results().summary(runID: id))
    }

    static func row(_ summary: RunSummary) -> RunListOutput.Run {
        RunListOutput.Run(
            run: summary.run.id, experiment: summary.run.experimentName, status: summary.run.status.rawValue,
            created: summary.run.createdAt, cells: summary.run.cellCount, ok: summary.okCount, errors: summary.errorCount,
            cached: summary.cachedCount, costUsdTotal: summary.totalCostUSD, knownCostUsdTotal: summary.knownCostUSD,
            note: summary.run.note)
    }

    /// Calls `body` with every response of a run (or of an experiment's latest run) as an export row:
    /// the response, its case's variables and expected value, and every grader's latest grade.
    ///
    /// - Returns: the grader names in the order their columns appear.
    public func export(
        _ target: String, columns: ([String]) throws -> Void, row body: (ExportRow) throws -> Void
    ) async throws {
        let store = try workspace.results()
        let run = try await ReportBuilder.resolveRun(target, in: store)
        var cases = [String: CaseRecord]()
        for record in try await store.cases(runID: run.id) { cases[record.caseID] = record }
        // The newest grade per (response, grader); pairwise judges' two orders are kept apart.
        var latest = [String: [String: GradeRecord]]()
        var graderOrder = [String]()
        for grade in try await store.grades(runID: run.id) {
            let name = grade.order.map { "\(grade.grader).\($0.rawValue)" } ?? grade.grader
            if !graderOrder.contains(name) { graderOrder.append(name) }
            if let existing = latest[grade.responseKey]?[name], existing.createdAt > grade.createdAt { continue }
            latest[grade.responseKey, default: [:]][name] = grade
        }
        try columns(graderOrder)
        var variablesCache = [String: PromptValue]()
        try await store.forEachResponse(runID: run.id) { record in
            let caseRecord = cases[record.caseID]
            let variables: PromptValue
            if let cached = variablesCache[record.caseID] {
                variables = cached
            } else {
                variables = caseRecord.flatMap { try? PromptValue.parseJSON($0.variablesJSON) } ?? .object([])
                variablesCache[record.caseID] = variables
            }
            let grades = graderOrder.compactMap { name -> ExportRow.Grade? in
                guard let grade = latest[record.idempotencyKey]?[name] else { return nil }
                return ExportRow.Grade(grader: name, score: grade.score, passed: grade.passed, reason: grade.reason)
            }
            try body(ExportRow(record, variables: variables, expected: caseRecord?.expected, grades: grades))
        }
    }
}

/// One response of a run as `promptlab export` writes it (a JSON Lines object, or a CSV row).
public struct ExportRow: Codable, Sendable, Equatable {
    public var runId: String
    public var variant: String
    public var caseId: String
    public var `repeat`: Int
    /// `ok` or `error`.
    public var status: String
    public var output: String?
    public var errorKind: String?
    public var errorMessage: String?
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var cachedTokens: Int?
    public var latencyMs: Double?
    public var attempts: Int
    public var finishReason: String?
    public var requestId: String?
    public var costUsd: Double?
    public var provider: String
    public var model: String
    public var requestHash: String
    public var fromCache: Bool
    public var startedAt: Date
    public var finishedAt: Date
    /// The case's variables, keys as written in the dataset.
    public var variables: PromptValue
    /// The case's expected value, as stored.
    public var expected: String?
    /// Each grader's latest grade of this response, in column order.
    public var grades: [Grade]

    public struct Grade: Codable, Sendable, Equatable {
        /// The grader's name; pairwise judges appear once per order (`judge.ab`, `judge.ba`).
        public var grader: String
        public var score: Double?
        public var passed: Bool?
        public var reason: String?
    }

    init(_ r: ResponseRecord, variables: PromptValue, expected: String?, grades: [Grade]) {
        runId = r.runID
        variant = r.variant
        caseId = r.caseID
        `repeat` = r.repeatIndex
        status = r.status.rawValue
        output = r.output
        errorKind = r.errorKind
        errorMessage = r.errorMessage
        inputTokens = r.inputTokens
        outputTokens = r.outputTokens
        cachedTokens = r.cachedTokens
        latencyMs = r.latencyMs
        attempts = r.attempts
        finishReason = r.finishReason
        requestId = r.requestID
        costUsd = r.costUSD
        provider = r.provider
        model = r.model
        requestHash = r.requestHash
        fromCache = r.fromCache
        startedAt = r.startedAt
        finishedAt = r.finishedAt
        self.variables = variables
        self.expected = expected
        self.grades = grades
    }

    /// The fixed CSV columns, before the variables column and the per-grader columns.
    public static let csvColumns = [
        "run_id", "variant", "case_id", "repeat", "status", "output", "error_kind", "error_message", "input_tokens",
        "output_tokens", "cached_tokens", "latency_ms", "attempts", "finish_reason", "request_id", "cost_usd",
        "provider", "model", "request_hash", "from_cache", "started_at", "finished_at", "variables", "expected",
    ]

    /// The CSV header: the fixed columns, then `GRADER.score`, `GRADER.passed`, `GRADER.reason` per grader.
    public static func csvHeader(graders: [String]) -> [String] {
        csvColumns + graders.flatMap { ["\($0).score", "\($0).passed", "\($0).reason"] }
    }

    /// This row's CSV cells, matching ``csvHeader(graders:)``.
    public func csvCells(graders: [String]) -> [String] {
        func number(_ value: Int?) -> String { value.map(String.init) ?? "" }
        func number(_ value: Double?) -> String { value.map { PromptValue.double($0).templateText } ?? "" }
        var cells = [
            runId, variant, caseId, String(`repeat`), status, output ?? "", errorKind ?? "", errorMessage ?? "",
            number(inputTokens), number(outputTokens), number(cachedTokens), number(latencyMs), String(attempts),
            finishReason ?? "", requestId ?? "", number(costUsd), provider, model, requestHash, fromCache ? "true" : "false",
            Timestamps.iso8601(startedAt), Timestamps.iso8601(finishedAt), variables.jsonText(pretty: false), expected ?? "",
        ]
        for grader in graders {
            let grade = grades.first { $0.grader == grader }
            cells += [number(grade?.score), grade?.passed.map { $0 ? "true" : "false" } ?? "", grade?.reason ?? ""]
        }
        return cells
    }
}
