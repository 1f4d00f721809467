import Foundation
import PromptExperiments
import PromptFormat
import PromptLabCore
import PromptLabProviders
import PromptLabStore

/// The grading use case: grade a run's stored responses, and summarise grades per grader and variant.
public struct GradeService {
    public let workspace: Workspace

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    /// What to grade and how.
    public struct Request: Sendable {
        /// The run to grade.
        public var runID: String
        /// Only these graders (all when empty).
        public var graderNames: [String] = []
        /// Read graders from this experiment file instead of the run's stored copy.
        public var experimentPath: String?
        /// Re-evaluate responses that already have a grade with the same configuration.
        public var force = false
        /// Judge requests and exec graders in flight at once.
        public var concurrency = 4

        public init(runID: String, graderNames: [String] = [], experimentPath: String? = nil, force: Bool = false, concurrency: Int = 4) {
            self.runID = runID
            self.graderNames = graderNames
            self.experimentPath = experimentPath
            self.force = force
            self.concurrency = concurrency
        }
    }

    /// Grades `request.runID` with its experiment's graders.
    ///
    /// - Parameter progress: Called as judge and `exec` grades finish.
    /// - Returns: the grading summary; check ``GradingOutput/failures`` and ``GradingOutput/interrupted``.
    public func grade(_ request: Request, progress: (GradingProgress) -> Void = { _ in }) async throws -> GradingOutput {
        guard (1...256).contains(request.concurrency) else {
            throw PromptLabError(.usage, "concurrency must be 1...256, got \(request.concurrency)")
        }
        let store = try workspace.results()
        let record = try await store.run(id: request.runID)
        let configuration: GradingConfiguration
        if let path = request.experimentPath {
            configuration = try GradingConfiguration.load(path: path)
        } else {
            configuration = try GradingConfiguration.parse(
                experimentYAML: record.experimentYAML, displayPath: "\(record.experimentPath) (as stored with run \(request.runID))")
        }
        let graders = try configuration.selecting(request.graderNames)
        guard !graders.isEmpty else {
            throw PromptLabError(
                .invalidInput, "the experiment of run \(request.runID) declares no graders",
                hint: "add graders to the experiment file and run: promptlab grade \(request.runID) --experiment \(record.experimentPath)")
        }
        let options = GradingOptions(force: request.force, concurrency: request.concurrency)
        let result = try await ProviderRegistry.withRegistry(
            environment: workspace.environment, overrides: configuration.providers, logger: workspace.logger
        ) { registry in
            let engine = try GradingEngine(
                graders: graders, store: store, repository: workspace.repository, registry: registry, logger: workspace.logger)
            let schemas = GradingEngine.outputSchemas(
                of: try await store.variants(runID: request.runID), repository: workspace.repository)
            return try await engine.grade(runID: request.runID, options: options, outputSchemas: schemas, progress: progress)
        }
        return try await Self.summary(of: result, store: store)
    }

    /// Summarises a grading pass: totals, then pass rates and mean scores per grader and variant
    /// (pairwise judges: wins, ties and losses against the control after the MT-Bench rule).
    static func summary(of result: GradingResult, store: any ResultsStore) async throws -> GradingOutput {
        let responses = try await store.responses(runID: result.runID)
        let grades = try await store.grades(runID: result.runID)
        let variantOf = Dictionary(responses.map { ($0.idempotencyKey, $0.variant) }, uniquingKeysWith: { first, _ in first })
        var variantOrder = [String]()
        for response in responses where !variantOrder.contains(response.variant) { variantOrder.append(response.variant) }

        let graders = result.graders.map { tally -> GradingOutput.Grader in
            let current = grades.filter { $0.grader == tally.name && $0.configHash == tally.configHash }
            var variants = [GradingOutput.Variant]()
            if tally.type.isPairwise {
                let pairwise = PairwiseResults.summarize(current, responses: responses)
                for name in variantOrder {
                    guard let summary = pairwise[name] else { continue }
                    let pairs = summary.comparisons.count
                    variants.append(
                        GradingOutput.Variant(
                            variant: name, pairs: pairs, wins: summary.wins, ties: summary.ties, losses: summary.losses,
                            winRate: pairs == 0 ? nil : (Double(summary.wins) + Double(summary.ties) / 2) / Double(pairs),
                            positionConsistency: summary.positionConsistency, incomplete: summary.incomplete))
                }
            } else {
                var tallies = [String: (grades: Int, judged: Int, passed: Int, scored: Int, scoreSum: Double)]()
                for grade in current {
                    guard let variant = variantOf[grade.responseKey] else { continue }
                    var line = tallies[variant] ?? (0, 0, 0, 0, 0)
                    line.grades += 1
                    if let passed = grade.passed {
                        line.judged += 1
                        if passed { line.passed += 1 }
                    }
                    if let score = grade.score {
                        line.scored += 1
                        line.scoreSum += score
                    }
                    tallies[variant] = line
                }
                for name in variantOrder {
                    guard let line = tallies[name] else { continue }
                    variants.append(
                        GradingOutput.Variant(
                            variant: name, grades: line.grades, judged: line.judged, passed: line.passed,
                            passRate: line.judged == 0 ? nil : Double(line.passed) / Double(line.judged),
                            meanScore: line.scored == 0 ? nil : line.scoreSum / Double(line.scored)))
                }
            }
            return GradingOutput.Grader(
                name: tally.name, type: tally.type.rawValue, configHash: tally.configHash, graded: tally.graded,
                alreadyGraded: tally.alreadyGraded, failed: tally.failed, changed: tally.changed, variants: variants)
        }
        return GradingOutput(
            run: result.runID, stored: result.stored, errorResponses: result.errorResponses,
            unpairedResponses: result.unpairedResponses, judgeRequests: result.judgeRequests, interrupted: result.interrupted,
            seconds: result.elapsedSeconds, graders: graders,
            failures: result.failures.map { .init(grader: $0.grader, response: $0.responseKey, message: $0.message) })
    }
}

extension GradingOutput {
    /// Fails with one line when some grades could not be computed (they are retried next time).
    public func checkFailures() throws(PromptLabError) {
        guard let first = failures.first else { return }
        throw PromptLabError(
            .failure, "\(failures.count) grades could not be computed (first: \(first.grader): \(first.message))",
            hint: "fix the cause and run 'promptlab grade \(run)' again; it computes only the missing grades")
    }

    /// Failures grouped by grader and message, most frequent first, at most 10 lines.
    public var failureLines: [String] {
        var counts = [String: Int]()
        var order = [String]()
        for failure in failures {
            let key = "\(failure.grader): \(failure.message)"
            if counts[key] == nil { order.append(key) }
            counts[key, default: 0] += 1
        }
        let sorted = order.sorted { counts[$0, default: 0] > counts[$1, default: 0] }
        var lines = sorted.prefix(10).map { key in
            let count = counts[key, default: 0]
            return count > 1 ? "\(key) (\(count) responses)" : key
        }
        if sorted.count > 10 { lines.append("... and \(sorted.count - 10) other kinds of grading failure") }
        return lines
    }
}
