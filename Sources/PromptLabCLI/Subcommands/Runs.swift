import ArgumentParser
import Foundation
import PromptLab
import PromptLabCore

extension PromptLabCommand {
    /// `promptlab runs`
    struct Runs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "runs", abstract: "List experiment runs, newest first, with their counts and cost.")

        @Option(help: "Only runs of this experiment.")
        var experiment: String?

        @Option(name: [.customShort("n"), .long], help: "Show at most this many runs.")
        var limit = 50

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            let list = try await ResultsService(workspace: try workspace.open()).runs(experiment: experiment, limit: limit)
            if output.isJSON { return try Terminal.writeJSON(list) }
            if list.runs.isEmpty {
                print("no runs yet: promptlab run experiments/NAME.yaml")
                return
            }
            var rows = [["run", "experiment", "status", "started (UTC)", "cells", "ok", "errors", "cached", "cost total"]]
            for run in list.runs {
                let cost = run.costUsdTotal.map { Money.usd($0) } ?? "≥ \(Money.usd(run.knownCostUsdTotal))"
                let created = Timestamps.iso8601(run.created)
                rows.append([
                    run.run, run.experiment, run.status, String(created.prefix(16)).replacingOccurrences(of: "T", with: " "),
                    "\(run.cells)", "\(run.ok)", "\(run.errors)", "\(run.cached)", cost,
                ])
            }
            Terminal.write(TextTable.plain(rows, rightAligned: [4, 5, 6, 7, 8]))
        }
    }
}
