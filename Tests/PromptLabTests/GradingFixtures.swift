import Foundation
import Logging
import PromptLab
import PromptLabCore
import PromptLabProviders
import PromptLabStore

@testable import PromptExperiments
@testable import PromptFormat
@testable import PromptVersioning

/// A recorded run built directly in a real SQLite file, with chosen outputs,
/// in a fresh prompt repository (for judge prompts).
struct GradingFixture {
    /// One stored response: `output` nil records an error.
    struct Response {
        var variant: String
        var caseID: String
        var repeatIndex = 0
        var output: String?
        var outputTokens: Int? = nil
        var latencyMs: Double? = nil
        var costUSD: Double? = nil
    }

    struct Case {
        var id: String
        var expected: String?
        var variables: String = #"{"ticket":"text"}"#
    }

    let repository: TestRepository
    let store: SQLiteResultsStore
    let runID: String
    let experimentYAML: String

    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// - Parameters:
    ///   - variants: Variant names; the first is the control.
    ///   - graders: The experiment's `graders:` block, as YAML list lines.
    init(
        variants: [String] = ["control", "challenger"], cases: [Case], responses: [Response], graders: String,
        providers: String = ""
    ) async throws {
        repository = try TestRepository()
        store = try SQLiteResultsStore(path: repository.path + ".promptlab/results.sqlite")
        var yaml = "name: graded\ncontrol: \(variants[0])\nvariants:\n"
        for variant in variants { yaml += "  \(variant): triage@v1\n" }
        yaml += "cases:\n  - {ticket: x}\ngraders:\n\(graders)\n\(providers)"
        experimentYAML = yaml
        let runID = RunRecord.makeID()
        self.runID = runID
        let run = RunRecord(
            id: runID, experimentName: "graded", experimentPath: "experiments/graded.yaml", experimentYAML: yaml,
            experimentHash: ContentHash.hex(of: yaml), datasetHash: "d", settingsJSON: "{}", toolVersion: "test",
            cellCount: responses.count)
        let variantRecords = variants.enumerated().map { index, name in
            RunVariantRecord(
                runID: runID, name: name, isControl: index == 0, promptReference: "triage@v1", promptName: "triage", version: 1,
                commitSHA: "working", templateHash: "t", model: "local/baseline", configJSON: "{}")
        }
        let caseRecords = cases.enumerated().map { index, testCase in
            CaseRecord(runID: runID, caseID: testCase.id, position: index, variablesJSON: testCase.variables, expected: testCase.expected)
        }
        try await store.createRun(run, variants: variantRecords, cases: caseRecords)
        let now = Date()
        try await store.insertResponses(
            responses.map { response in
                ResponseRecord(
                    runID: runID, variant: response.variant, caseID: response.caseID, repeatIndex: response.repeatIndex,
                    outcome: response.output.map { .success(output: $0) } ?? .failure(kind: "http_500", message: "server error"),
                    outputTokens: response.outputTokens, latencyMs: response.latencyMs, costUSD: response.costUSD,
                    provider: "local", model: "local/baseline", requestHash: "h", startedAt: now, finishedAt: now)
            })
    }

    func configuration(_ yaml: String? = nil) throws -> GradingConfiguration {
        try GradingConfiguration.parse(experimentYAML: yaml ?? experimentYAML, displayPath: "experiments/graded.yaml")
    }

    /// Grades the run with the experiment's graders (or `yaml`'s), judges talking to `registry`.
    func grade(
        _ yaml: String? = nil, only names: [String] = [], registry: ProviderRegistry? = nil,
        options: GradingOptions = GradingOptions(), progress: (GradingProgress) -> Void = { _ in }
    ) async throws -> GradingResult {
        let graders = try configuration(yaml).selecting(names)
        let engine = try GradingEngine(
            graders: graders, store: store, repository: try repository.open(), registry: registry, logger: Self.logger,
            retryPolicy: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(5), maxDelay: .milliseconds(20)))
        return try await engine.grade(runID: runID, options: options, progress: progress)
    }

    /// Runs `body` with a provider registry whose OpenAI base URL is `baseURL` (the loopback server).
    static func withRegistry<T>(baseURL: String? = nil, _ body: (ProviderRegistry) async throws -> T) async throws -> T {
        var overrides = [String: ProviderOverrides]()
        if let baseURL { overrides["openai"] = ProviderOverrides(baseURL: baseURL, timeout: .seconds(60)) }
        return try await ProviderRegistry.withRegistry(
            environment: ["OPENAI_API_KEY": "sk-grading-test-key"], overrides: overrides, logger: logger, body)
    }

    /// The run's grades by one grader.
    func grades(_ grader: String) async throws -> [GradeRecord] {
        try await store.grades(runID: runID).filter { $0.grader == grader }
    }

    func key(_ variant: String, _ caseID: String, _ repeatIndex: Int = 0) -> String {
        ResponseRecord.idempotencyKey(runID: runID, variant: variant, caseID: caseID, repeatIndex: repeatIndex)
    }

    /// The package's root folder (for the shipped judge prompts).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Copies the shipped judge prompts into the test repository and commits them (as judges/rubric@v1 and judges/pairwise@v1).
    func commitShippedJudges() throws {
        for name in ["rubric", "pairwise"] {
            let text = try String(contentsOfFile: "\(Self.packageRoot)/prompt-repo/judges/\(name).prompt", encoding: .utf8)
            try repository.commit("judges/\(name)", text)
        }
    }
}
