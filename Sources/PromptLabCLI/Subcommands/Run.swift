import ArgumentParser
import Foundation
import PromptLab
import PromptLabCore

extension PromptLabCommand {
    /// `promptlab run FILE`
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run an experiment: every variant over every case, recorded in the results database.",
            discussion: """
                Validates everything first (prompt versions, providers and API keys, judges, every case's \
                variables) and prints the plan. Identical requests are answered from the response cache. Ctrl-C \
                stops new requests, records the finished ones and exits with 130; --resume RUN completes the \
                missing cells after Ctrl-C or a crash; only one process executes a run at a time (exit 8 names the \
                holder). Exit 11 when the budget stopped the run; exit 12 when every request failed (the run is \
                recorded as failed); exit 10 with --fail-on-regression when a variant is significantly worse than \
                the control.
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

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        var request: RunService.Request {
            var request = RunService.Request(experimentPath: file, resumeRunID: resume)
            request.model = model
            request.repeatCount = repeatCount
            request.limit = limit
            request.concurrency = concurrency
            request.useCache = !noCache
            request.budgetUSD = budget
            request.pricingPath = pricing
            request.failOnRegression = failOnRegression
            request.dryRun = dryRun
            return request
        }

        func validate() throws {
            do {
                try request.validate()
            } catch {
                throw ValidationError(error.message)
            }
        }

        func run() async throws {
            let service = RunService(workspace: try workspace.open(forFileAt: file))
            let request = request
            let isJSON = output.isJSON
            let outcome = try await withInterruptHandling {
                let reporter = ProgressReporter()
                let grading = GradingProgressPrinter(enabled: !isJSON)
                var events = RunService.Events()
                // The plan is the result of a dry run, so it goes to stdout; progress goes to stderr.
                events.planned = { plan in if !isJSON { Terminal.write(Self.planText(plan)) } }
                events.started = { id in if !isJSON { Terminal.note("run \(id) started\n") } }
                events.progress = { reporter.update($0) }
                events.grading = { grading.update($0) }
                defer {
                    reporter.finish()
                    grading.finish()
                }
                return try await service.run(request, events: events)
            }
            if isJSON {
                if let run = outcome.run { try Terminal.writeJSON(run) } else if let plan = outcome.plan { try Terminal.writeJSON(plan) }
            } else if let run = outcome.run {
                Terminal.write(Self.summaryText(run))
                if let grading = run.grading {
                    Terminal.write(Grade.text(grading))
                    for line in grading.failureLines { Terminal.warn(line) }
                }
            }
            if let regression = outcome.run?.regression, !regression.regressions.isEmpty {
                Terminal.printError(
                    "regression: \(regression.regressions.joined(separator: ", ")) significantly worse than "
                        + "\(regression.control) on '\(regression.grader ?? "")'",
                    hint: "inspect with 'promptlab report \(outcome.run?.run ?? "")', or roll back the prompt")
            } else if let grading = outcome.run?.grading {
                try grading.checkFailures()
            }
            let status = outcome.exitStatus
            if status != .success { throw ExitCode(status.code) }
        }

        // MARK: - Text

        static func planText(_ plan: RunPlanOutput) -> String {
            var text = plan.resuming.map { "Resuming run \($0) of '\(plan.experiment)'\n" } ?? "Experiment '\(plan.experiment)'\n"
            text += "  \(plan.cases) \(plural(plan.cases, "case")) × \(plan.variants.count) \(plural(plan.variants.count, "variant"))"
            text += " × \(plan.repeats) \(plural(plan.repeats, "repeat")) = \(plan.cells) cells"
            text += plan.resuming != nil ? " (\(plan.cellsToSend) missing)\n" : "\n"
            for variant in plan.variants {
                let role = variant.control ? " (control)" : ""
                let version = variant.version.map { "v\($0)" } ?? variant.versionLabel
                let cost = variant.maxCostUsd.map { "≤ \(Money.usd($0))" } ?? "cost unknown (not in pricing table)"
                text += "  \(variant.name)\(role): \(variant.prompt)@\(version) on \(variant.model) — "
                text += "\(variant.cells) cells, ~\(variant.inputTokensTotal) input tokens in total, "
                text += "≤ \(variant.maxOutputTokensTotal) output tokens in total, \(cost)\n"
            }
            let total = plan.maxCostUsd.map { "at most \(Money.usd($0))" } ?? "unknown (some models are not priced)"
            text += "  estimated cost: \(total) (prices as of \(plan.pricesAsOf)); concurrency \(plan.concurrency)"
            if let budget = plan.budgetUsd { text += "; budget \(Money.usd(budget))" }
            if let maxRequests = plan.maxRequests { text += "; at most \(maxRequests) requests" }
            text += plan.cache ? "\n" : "; cache off\n"
            return text
        }

        static func summaryText(_ run: RunOutput) -> String {
            let status: String =
                switch run.status {
                case "interrupted": "interrupted (\(run.remaining) cells missing; resume with: promptlab run --resume \(run.run))"
                case "budget_reached":
                    "stopped: \(run.stopReason ?? "budget reached") (\(run.remaining) cells missing; resume with --resume \(run.run) --budget N)"
                case "already_complete": "is already complete"
                case "failed": "failed: \(run.stopReason ?? "every cell failed")"
                default: run.status
                }
            var text = "run \(run.run) \(status)\n"
            guard run.status != "already_complete" else { return text }
            text += String(format: "  %d provider requests in %.1fs\n", run.providerRequests, run.seconds)
            let header = [
                "variant", "model", "ok", "errors", "cached", "in tok total", "out tok total", "cost total", "p50 ms", "p95 ms",
            ]
            var rows = [header]
            for v in run.variants {
                rows.append([
                    v.name, v.model, "\(v.ok)", "\(v.errors)", "\(v.cached)", "\(v.inputTokensTotal)", "\(v.outputTokensTotal)",
                    Money.usd(v.costUsdTotal), v.latencyMsP50.map { String(format: "%.0f", $0) } ?? "-",
                    v.latencyMsP95.map { String(format: "%.0f", $0) } ?? "-",
                ])
            }
            return text + TextTable.plain(rows, rightAligned: Set(2..<header.count))
        }

        static func plural(_ count: Int, _ word: String) -> String { count == 1 ? word : word + "s" }
    }
}
