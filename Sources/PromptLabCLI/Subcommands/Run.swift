import ArgumentParser
import Foundation
import Logging
import PromptLab
import PromptLabProviders
import PromptLabStore

extension PromptLabCommand {
    /// `promptlab run FILE`
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run an experiment: every variant over every case, recorded in the results database.",
            discussion: """
                Validates everything first (prompt versions, providers and API keys, every case's variables) and \
                prints the plan. Identical requests are answered from the response cache. Ctrl-C stops new \
                requests, records the finished ones and exits with 130; --resume RUN completes the missing cells \
                after Ctrl-C or a crash. Exit 11 when the budget stopped the run; exit 10 with \
                --fail-on-regression when a variant is significantly worse than the control.
                """)

        @Argument(help: "The experiment file, such as experiments/ticket-routing.yaml.")
        var file: String?

        @Option(help: "Requests in flight at once (default: the experiment's, else 8).")
        var concurrency: Int?

        @Option(name: .customLong("repeat"), help: "Send each (variant, case) this many times.")
        var repeatCount: Int?

        @Option(help: "Use only the first N cases.")
        var limit: Int?

        @Flag(help: "Ignore the response cache (answers are still stored in it).")
        var noCache = false

        @Option(help: "Stop before spending more than this many USD.")
        var budget: Double?

        @Flag(help: "Validate and print the plan, then stop.")
        var dryRun = false

        @Option(help: ArgumentHelp("Complete the missing cells of an earlier run.", valueName: "run-id"))
        var resume: String?

        @Option(help: "Use this model for every variant, such as openai/gpt-4o-mini.")
        var model: String?

        @Option(help: "A pricing file that overrides the bundled one (same JSON format).")
        var pricing: String?

        @Flag(help: "After grading, exit 10 if any variant is significantly worse than the control (Holm-adjusted).")
        var failOnRegression = false

        @OptionGroup var results: ResultsOptions
        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if file == nil && resume == nil { throw ValidationError("give an experiment file, or --resume RUN") }
            if let concurrency, !(1...1024).contains(concurrency) { throw ValidationError("--concurrency must be 1...1024") }
            if let repeatCount, !(1...1000).contains(repeatCount) { throw ValidationError("--repeat must be 1...1000") }
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
            if let budget, budget < 0 { throw ValidationError("--budget must not be negative") }
            if resume != nil && (repeatCount != nil || limit != nil || model != nil) {
                throw ValidationError("--resume completes a run as it was started; drop --repeat, --limit and --model")
            }
        }

        func run() async throws {
            // Prompt names in an experiment are relative to the prompt root found from the file itself.
            let repo = try file.map { try repository.open(forFileAt: $0) } ?? repository.open()
            let dbPath = repo.resultsDatabasePath(override: results.db)
            let store = try SQLiteResultsStore(path: dbPath)
            let pricingTable = try Pricing.load(overridePath: pricing)
            var logger = Logger(label: "promptlab")
            logger.logLevel = ProcessInfo.processInfo.environment["PROMPTLAB_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .error

            // The experiment: from the file, or as recorded for --resume.
            let experiment: ExperimentDefinition
            var resumedRun: RunRecord?
            if let resume {
                let record = try await store.run(id: resume)
                if record.status == .completed {
                    print("run \(resume) is already complete")
                    return
                }
                experiment = try ExperimentDefinition.recorded(record, variants: try await store.variants(runID: resume))
                resumedRun = record
            } else {
                experiment = try ExperimentDefinition.load(path: file!)  // validate() requires file or resume.
            }
            let plan = try ExperimentPlan.build(
                experiment, repository: repo, modelOverride: model, repeatOverride: repeatCount, limit: limit)
            let options = RunOptions(
                concurrency: concurrency ?? experiment.concurrency ?? 8, useCache: !noCache,
                budgetUSD: budget ?? experiment.budget.maxUSD, maxRequests: experiment.budget.maxRequests)
            let overrides = experiment.providers.mapValues {
                ProviderOverrides(
                    baseURL: $0.baseURL, apiKeyEnv: $0.apiKeyEnv, timeout: $0.timeoutSeconds.map { .milliseconds(Int($0 * 1000)) },
                    maxAttempts: $0.maxAttempts, maxConcurrency: $0.maxConcurrency)
            }
            let isJSON = output.isJSON
            let dryRun = dryRun
            // Parse the graders before any request, so a typo in one stops the run early.
            let grading = try GradingConfiguration(experiment: experiment)

            try await ProviderRegistry.withRegistry(overrides: overrides, logger: logger) { registry in
                let runner = try ExperimentRunner(plan: plan, store: store, registry: registry, pricing: pricingTable, logger: logger)
                let estimate = try await runner.estimate(missingFrom: resumedRun?.id)
                if !isJSON { Self.printPlan(plan, estimate: estimate, options: options, pricing: pricingTable, resuming: resumedRun?.id) }
                if let budget = options.budgetUSD, !estimate.unpricedModels.isEmpty {
                    throw PromptLabError(
                        .invalidInput,
                        "a budget of $\(budget) is set but the cost of \(estimate.unpricedModels.joined(separator: ", ")) is unknown",
                        hint: "add the model to a pricing file (--pricing FILE) or run without a budget")
                }
                if dryRun {
                    if isJSON { print(Self.planJSON(plan, estimate: estimate).jsonText(pretty: true)) }
                    return
                }
                let runID: String
                if let resumedRun {
                    runID = resumedRun.id
                    try await store.updateRunStatus(runID, .running, note: nil)
                } else {
                    runID = try await runner.createRun(options: options, toolVersion: PromptLabVersion.current)
                }
                if !isJSON { FileHandle.standardError.write(Data("run \(runID) started\n".utf8)) }
                let result = try await withInterruptHandling {
                    let reporter = ProgressReporter()
                    defer { reporter.finish() }
                    return try await runner.run(runID, options: options) { reporter.update($0) }
                }
                if isJSON {
                    print(Self.resultJSON(result).jsonText(pretty: true))
                } else {
                    Self.printSummary(result)
                }
                if !grading.graders.isEmpty, result.end != .interrupted {
                    let engine = try GradingEngine(
                        graders: grading.graders, store: store, repository: repo, registry: registry, logger: logger)
                    let graded = try await withInterruptHandling { try await engine.grade(runID: result.runID) }
                    if !isJSON {
                        try await Grade.report(graded, graders: grading.graders, store: store, isJSON: false)
                    }
                    try Grade.checkFailures(graded)
                }
                if failOnRegression, result.end == .completed {
                    guard !grading.graders.isEmpty else {
                        throw PromptLabError(
                            .invalidInput, "--fail-on-regression needs at least one grader in the experiment",
                            hint: "add a 'graders:' list, such as '- type: classification'")
                    }
                    let gate = try await RegressionGate.check(store: store, runID: result.runID)
                    if !isJSON {
                        Terminal.write("\n" + ReportRenderer.render(gate.report, as: .text))
                    }
                    if !gate.regressions.isEmpty {
                        let names = gate.regressions.map(\.variant).joined(separator: ", ")
                        Terminal.printError(
                            "regression: \(names) significantly worse than \(gate.report.control) on '\(gate.grader ?? "")'",
                            hint: "inspect with 'promptlab report \(result.runID)', or roll back the prompt")
                        throw ExitCode(RegressionGate.exitCode)
                    }
                }
                switch result.end {
                case .completed: break
                case .interrupted: throw ExitCode(130)
                case .budgetReached: throw ExitCode(11)
                }
            }
        }

        // MARK: - Printing

        static func printPlan(_ plan: ExperimentPlan, estimate: RunEstimate, options: RunOptions, pricing: Pricing, resuming: String?) {
            var text = resuming.map { "Resuming run \($0) of '\(plan.experiment.name)'\n" } ?? "Experiment '\(plan.experiment.name)'\n"
            text += "  \(plan.cases.count) cases × \(plan.variants.count) variants × \(plan.repeatCount) repeats = \(plan.cellCount) cells"
            text += resuming != nil ? " (\(estimate.cells) missing)\n" : "\n"
            for (variant, line) in zip(plan.variants, estimate.lines) {
                let role = variant.isControl ? " (control)" : ""
                let version = variant.version.number.map { "v\($0)" } ?? variant.version.label
                let cost = line.maxCostUSD.map { String(format: "≤ $%.4f", $0) } ?? "cost unknown (not in pricing table)"
                text += "  \(variant.name)\(role): \(variant.version.name)@\(version) on \(variant.model) — "
                text += "\(line.cells) cells, ~\(line.inputTokens) input tokens, ≤ \(line.maxOutputTokens) output tokens, \(cost)\n"
            }
            let total = estimate.maxCostUSD.map { String(format: "at most $%.4f", $0) } ?? "unknown (some models are not priced)"
            text += "  estimated cost: \(total) (prices as of \(pricing.asOf)); concurrency \(options.concurrency)"
            if let budget = options.budgetUSD { text += String(format: "; budget $%.2f", budget) }
            if let maxRequests = options.maxRequests { text += "; at most \(maxRequests) requests" }
            text += options.useCache ? "\n" : "; cache off\n"
            FileHandle.standardError.write(Data(text.utf8))
        }

        static func printSummary(_ result: RunResult) {
            let status: String =
                switch result.end {
                case .completed: "completed"
                case .interrupted: "interrupted (\(result.remaining) cells missing; resume with: promptlab run --resume \(result.runID))"
                case .budgetReached(let reason): "stopped: \(reason) (\(result.remaining) cells missing; resume with --resume \(result.runID) --budget N)"
                }
            var text = "run \(result.runID) \(status)\n"
            text += String(format: "  %d provider requests in %.1fs\n", result.providerCalls, result.elapsedSeconds)
            let header = ["variant", "model", "ok", "errors", "cached", "in tok", "out tok", "cost", "p50 ms", "p95 ms"]
            var rows = [header]
            for t in result.totals {
                let sorted = t.latenciesMs.sorted()
                func percentile(_ p: Double) -> String {
                    sorted.isEmpty ? "-" : String(format: "%.0f", sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))])
                }
                rows.append([
                    t.name, t.model, "\(t.ok)", "\(t.errors)", "\(t.cached)", "\(t.inputTokens)", "\(t.outputTokens)",
                    t.costUSD.map { String(format: "$%.4f", $0) } ?? "unknown", percentile(0.5), percentile(0.95),
                ])
            }
            text += Table.render(rows, rightAligned: Set(2..<header.count))
            print(text, terminator: "")
        }

        static func resultJSON(_ result: RunResult) -> JSON {
            let end: String =
                switch result.end {
                case .completed: "completed"
                case .interrupted: "interrupted"
                case .budgetReached: "budget_reached"
                }
            return .object([
                ("run", .string(result.runID)), ("status", .string(end)), ("remaining", .int(result.remaining)),
                ("providerRequests", .int(result.providerCalls)), ("seconds", .double(result.elapsedSeconds)),
                ("variants", .array(result.totals.map { t in
                    .object([
                        ("name", .string(t.name)), ("model", .string(t.model)), ("ok", .int(t.ok)), ("errors", .int(t.errors)),
                        ("cached", .int(t.cached)), ("inputTokens", .int(t.inputTokens)), ("outputTokens", .int(t.outputTokens)),
                        ("costUSD", t.costUSD.map(JSON.double) ?? .null),
                    ])
                })),
            ])
        }

        static func planJSON(_ plan: ExperimentPlan, estimate: RunEstimate) -> JSON {
            .object([
                ("experiment", .string(plan.experiment.name)), ("cells", .int(plan.cellCount)),
                ("variants", .array(zip(plan.variants, estimate.lines).map { variant, line in
                    .object([
                        ("name", .string(variant.name)), ("control", .bool(variant.isControl)),
                        ("prompt", .string(variant.version.name.rawValue)), ("version", .number(variant.version.number)),
                        ("commit", .text(variant.version.record?.commit.hex)), ("model", .string(variant.model)),
                        ("cells", .int(line.cells)), ("inputTokens", .int(line.inputTokens)),
                        ("maxOutputTokens", .int(line.maxOutputTokens)), ("maxCostUSD", line.maxCostUSD.map(JSON.double) ?? .null),
                    ])
                })),
                ("maxCostUSD", estimate.maxCostUSD.map(JSON.double) ?? .null),
            ])
        }
    }
}
