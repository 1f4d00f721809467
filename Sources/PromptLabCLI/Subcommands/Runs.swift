import ArgumentParser
import Foundation
import PromptLab
import PromptLabStore

extension PromptLabCommand {
    /// `promptlab runs`
    struct Runs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "runs", abstract: "List experiment runs, newest first, with their counts and cost.")

        @Option(help: "Only runs of this experiment.")
        var experiment: String?

        @Option(name: [.customShort("n"), .long], help: "Show at most this many runs.")
        var limit = 50

        @OptionGroup var results: ResultsOptions
        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let repo = try repository.open()
            let store = try SQLiteResultsStore(path: repo.resultsDatabasePath(override: results.db))
            let runs = try await store.runs(experiment: experiment, limit: limit)
            if output.isJSON {
                print(JSON.array(runs.map { s in
                    .object([
                        ("run", .string(s.run.id)), ("experiment", .string(s.run.experimentName)),
                        ("status", .string(s.run.status.rawValue)), ("created", .string(ISO8601DateFormatter().string(from: s.run.createdAt))),
                        ("cells", .int(s.run.cellCount)), ("ok", .int(s.okCount)), ("errors", .int(s.errorCount)),
                        ("cached", .int(s.cachedCount)), ("costUSD", s.totalCostUSD.map(JSON.double) ?? .null),
                        ("note", .text(s.run.note)),
                    ])
                }).jsonText(pretty: true))
                return
            }
            if runs.isEmpty {
                print("no runs yet: promptlab run experiments/NAME.yaml")
                return
            }
            var rows = [["run", "experiment", "status", "started", "cells", "ok", "errors", "cached", "cost"]]
            for s in runs {
                let cost = s.totalCostUSD.map { String(format: "$%.4f", $0) } ?? (s.costIsPartial ? String(format: "≥ $%.4f", s.knownCostUSD) : "unknown")
                rows.append([
                    s.run.id, s.run.experimentName, s.run.status.rawValue,
                    Formatting.date(Int64(s.run.createdAt.timeIntervalSince1970), offsetMinutes: 0),
                    "\(s.run.cellCount)", "\(s.okCount)", "\(s.errorCount)", "\(s.cachedCount)", cost,
                ])
            }
            print(Table.render(rows, rightAligned: [4, 5, 6, 7, 8]), terminator: "")
        }
    }
}
