import Foundation
import PromptExperiments
import PromptLabCore
import PromptLabProviders
import PromptLabStats
import PromptLabStore

/// The experiment use case: validate, plan, send every cell, grade, and apply the regression gate.
///
/// Front ends call ``run(_:events:)`` and render the returned ``RunOutput``; ``RunOutput/exitStatus``
/// says how the CLI ends. Cancelling the calling task (Ctrl-C) stops new requests, records what
/// finished and returns an `interrupted` outcome that `--resume` can finish.
public struct RunService {
    public let workspace: Workspace

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    /// What to run.
    public struct Request: Sendable {
        /// The experiment file; nil with ``resumeRunID``.
        public var experimentPath: String?
        /// Complete the missing cells of this run instead.
        public var resumeRunID: String?
        /// Use this model for every variant.
        public var model: String?
        public var repeatCount: Int?
        /// Use only the first N cases.
        public var limit: Int?
        /// Requests in flight at once (default: the experiment's, else 8).
        public var concurrency: Int?
        public var useCache = true
        /// Stop before spending more than this many USD (default: the experiment's budget).
        public var budgetUSD: Double?
        /// A pricing file that overrides the bundled table.
        public var pricingPath: String?
        /// Check the run against the control after grading.
        public var failOnRegression = false
        /// Plan only; send nothing.
        public var dryRun = false

        public init(experimentPath: String? = nil, resumeRunID: String? = nil) {
            self.experimentPath = experimentPath
            self.resumeRunID = resumeRunID
        }

        /// Rejects settings no run could use, before anything is read.
        public func validate() throws(PromptLabError) {
            if experimentPath == nil && resumeRunID == nil {
                throw PromptLabError(.usage, "give an experiment file, or --resume RUN", hint: "promptlab run experiments/NAME.yaml")
            }
            if let concurrency, !(1...1024).contains(concurrency) { throw PromptLabError(.usage, "--concurrency must be 1...1024") }
            if let repeatCount, !(1...1000).contains(repeatCount) { throw PromptLabError(.usage, "--repeat must be 1...1000") }
            if let limit, limit < 1 { throw PromptLabError(.usage, "--limit must be at least 1") }
            if let budgetUSD, !(budgetUSD.isFinite && budgetUSD >= 0) {
                throw PromptLabError(.usage, "--budget must be a finite amount of at least 0, got \(budgetUSD)")
            }
            if resumeRunID != nil && (repeatCount != nil || limit != nil || model != nil) {
                throw PromptLabError(
                    .usage, "--resume completes a run as it was started", hint: "drop --repeat, --limit and --model")
            }
        }
    }

    /// Callbacks a front end uses to show a run as it happens; all run on the calling task.
    public struct Events {
        /// The plan, before anything is sent (also for a dry run).
        public var planned: (RunPlanOutput) -> Void = { _ in }
        /// The run's id, once it is recorded.
        public var started: (String) -> Void = { _ in }
        /// After each cell.
        public var progress: (RunProgress) -> Void = { _ in }
        /// As judge and `exec` grades finish.
        public var grading: (GradingProgress) -> Void = { _ in }

        public init() {}
    }

    /// The result of ``run(_:events:)``: the plan, and for a real run its outcome.
    public struct Outcome: Sendable {
        /// nil when a resumed run was already complete.
        public var plan: RunPlanOutput?
        /// nil for a dry run.
        public var run: RunOutput?

        /// How the CLI ends: 130 interrupted, 11 budget, 12 every cell failed, 10 regression, 1 grading failures, else 0.
        public var exitStatus: ExitStatus {
            guard let run else { return .success }
            switch run.status {
            case "interrupted": return .interrupted
            case "budget_reached": return .budgetReached
            case "failed": return .runFailed
            default: break
            }
            if let regression = run.regression, !regression.regressions.isEmpty { return .regression }
            if let grading = run.grading, !grading.failures.isEmpty { return .failure }
            return .success
        }
    }

    /// Runs (or resumes, or only plans) an experiment.
    public func run(_ request: Request, events: Events = Events()) async throws -> Outcome {
        try request.validate()
        let store = try workspace.results()
        let pricing: Pricing
        do {
            pricing = try Pricing.load(overridePath: request.pricingPath)
        } catch {
            throw PromptLabError(.invalidInput, error.description, hint: "check the pricing file's JSON")
        }

        // The experiment: from the file, or as recorded for --resume.
        let experiment: ExperimentDefinition
        var resumed: RunRecord?
        if let resumeID = request.resumeRunID {
            let record = try await store.run(id: resumeID)
            if record.status == .completed { return Outcome(plan: nil, run: Self.alreadyComplete(resumeID)) }
            experiment = try ExperimentDefinition.recorded(record, variants: try await store.variants(runID: resumeID))
            resumed = record
        } else if let path = request.experimentPath {
            experiment = try ExperimentDefinition.load(path: path)
        } else {
            throw PromptLabError(.usage, "give an experiment file, or --resume RUN")
        }
        let plan = try ExperimentPlan.build(
            experiment, repository: workspace.repository, modelOverride: request.model, repeatOverride: request.repeatCount,
            limit: request.limit)
        let options = RunOptions(
            concurrency: request.concurrency ?? experiment.concurrency ?? 8, useCache: request.useCache,
            budgetUSD: request.budgetUSD ?? experiment.budget.maxUSD, maxRequests: experiment.budget.maxRequests)
        // Parse the graders before any request, so a typo in one stops the run early.
        let grading = GradingConfiguration(experiment: experiment)
        if request.failOnRegression && grading.graders.isEmpty {
            throw PromptLabError(
                .invalidInput, "--fail-on-regression needs at least one grader in the experiment",
                hint: "add a 'graders:' list, such as '- type: classification'")
        }

        return try await ProviderRegistry.withRegistry(
            environment: workspace.environment, overrides: experiment.providers, logger: workspace.logger
        ) { registry in
            let runner = try ExperimentRunner(plan: plan, store: store, registry: registry, pricing: pricing, logger: workspace.logger)
            // Judges need their prompts and providers: check them now, not after every request was sent.
            let engine =
                grading.graders.isEmpty
                ? nil
                : try GradingEngine(
                    graders: grading.graders, store: store, repository: workspace.repository, registry: registry,
                    logger: workspace.logger)
            let estimate = try await runner.estimate(missingFrom: resumed?.id)
            let planOutput = Self.planOutput(plan, estimate: estimate, options: options, pricing: pricing, resuming: resumed?.id)
            events.planned(planOutput)
            if let budget = options.budgetUSD, !estimate.unpricedModels.isEmpty {
                throw PromptLabError(
                    .invalidInput,
                    "a budget of \(Money.usd(budget)) is set but the cost of \(Self.uniqueList(estimate.unpricedModels)) is unknown",
                    hint: "add the model to a pricing file (--pricing FILE) or run without a budget")
            }
            if request.dryRun { return Outcome(plan: planOutput, run: nil) }

            let runID: String
            if let resumed {
                runID = resumed.id
            } else {
                runID = try await runner.createRun(options: options, toolVersion: PromptLabVersion.current)
            }
            // Only one process executes a run at a time: a second `--resume` is refused with the holder's name.
            return try await RunLeaseKeeper(store: store, logger: workspace.logger).withLease(runID: runID) {
                if resumed != nil {
                    // The holder this process waited for may have finished the run meanwhile.
                    if try await store.run(id: runID).status == .completed {
                        return Outcome(plan: planOutput, run: Self.alreadyComplete(runID))
                    }
                    try await store.updateRunStatus(runID, .running, note: nil)
                }
                events.started(runID)
                let result = try await runner.run(runID, options: options, progress: events.progress)
                var output = Self.runOutput(result)
                if let engine, result.end.hasResponses {
                    let schemas = GradingEngine.outputSchemas(
                        of: try await store.variants(runID: result.runID), repository: workspace.repository)
                    let graded = try await engine.grade(runID: result.runID, outputSchemas: schemas, progress: events.grading)
                    output.grading = try await GradeService.summary(of: graded, store: store)
                }
                if request.failOnRegression, result.end == .completed {
                    let gate = try await RegressionGate.check(store: store, runID: result.runID)
                    output.regression = RegressionOutput(
                        grader: gate.grader, control: gate.report.control, regressions: gate.regressions.map(\.variant))
                }
                return Outcome(plan: planOutput, run: output)
            }
        }
    }

    // MARK: - Outputs

    static func planOutput(
        _ plan: ExperimentPlan, estimate: RunEstimate, options: RunOptions, pricing: Pricing, resuming: String?
    ) -> RunPlanOutput {
        RunPlanOutput(
            experiment: plan.experiment.name, resuming: resuming, cases: plan.cases.count, repeats: plan.repeatCount,
            cells: plan.cellCount, cellsToSend: estimate.cells,
            variants: zip(plan.variants, estimate.lines).map { variant, line in
                RunPlanOutput.Variant(
                    name: variant.name, control: variant.isControl, prompt: variant.version.name.rawValue,
                    version: variant.version.number, versionLabel: variant.version.label,
                    commit: variant.version.record?.commit.hex, model: variant.model, cells: line.cells,
                    inputTokensTotal: line.inputTokens, maxOutputTokensTotal: line.maxOutputTokens, maxCostUsd: line.maxCostUSD)
            },
            maxCostUsd: estimate.maxCostUSD, pricesAsOf: pricing.asOf, concurrency: options.concurrency,
            budgetUsd: options.budgetUSD, maxRequests: options.maxRequests, cache: options.useCache)
    }

    static func runOutput(_ result: RunResult) -> RunOutput {
        let (status, reason): (String, String?) =
            switch result.end {
            case .completed: ("completed", nil)
            case .interrupted: ("interrupted", nil)
            case .budgetReached(let reason): ("budget_reached", reason)
            case .failed(let reason): ("failed", reason)
            }
        return RunOutput(
            run: result.runID, status: status, stopReason: reason, remaining: result.remaining,
            providerRequests: result.providerCalls, seconds: result.elapsedSeconds,
            variants: result.totals.map { totals in
                let sorted = totals.latenciesMs.sorted()
                return VariantUsageOutput(
                    name: totals.name, model: totals.model, ok: totals.ok, errors: totals.errors, cached: totals.cached,
                    inputTokensTotal: totals.inputTokens, outputTokensTotal: totals.outputTokens, costUsdTotal: totals.costUSD,
                    latencyMsP50: sorted.isEmpty ? nil : Descriptive.quantile(sorted: sorted, 0.5),
                    latencyMsP95: sorted.isEmpty ? nil : Descriptive.quantile(sorted: sorted, 0.95))
            })
    }

    static func alreadyComplete(_ runID: String) -> RunOutput {
        RunOutput(run: runID, status: "already_complete", remaining: 0, providerRequests: 0, seconds: 0, variants: [])
    }

    /// `a, b` with each name once, in first-seen order.
    static func uniqueList(_ names: [String]) -> String {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }.joined(separator: ", ")
    }
}

/// The version recorded with every run and printed by `--version`.
public enum PromptLabVersion {
    public static let current = "0.2.0"
}
