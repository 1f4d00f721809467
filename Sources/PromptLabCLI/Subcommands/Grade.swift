import ArgumentParser
import Foundation
import PromptLab
import PromptLabCore

extension PromptLabCommand {
    /// `promptlab grade RUN`
    struct Grade: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "grade",
            abstract: "Grade a run's stored responses with the experiment's graders.",
            discussion: """
                Reads the graders from the experiment text stored with the run, or from --experiment FILE (for \
                example after adding or changing a grader). Models are not called again; only LLM judges make \
                requests. Grades already stored for the same response, grader and configuration are skipped, \
                so grading twice changes nothing, and a changed grader gets new grades beside the old ones. \
                Error responses are not graded. Exit 1 when some grades could not be computed (they are \
                retried next time), 130 when interrupted.
                """)

        @Argument(help: ArgumentHelp("The run to grade, such as r-20261130-014512-3fa9.", valueName: "run-id"))
        var runID: String

        @Option(name: .customLong("grader"), help: ArgumentHelp("Only this grader (repeatable).", valueName: "name"))
        var graderNames: [String] = []

        @Option(help: ArgumentHelp("Read the graders from this experiment file instead of the run's stored copy.", valueName: "file"))
        var experiment: String?

        @Flag(
            help:
                "Re-evaluate responses that already have a grade with this configuration, and report those that differ (stored grades are kept)."
        )
        var force = false

        @Option(help: "Judge requests and exec graders in flight at once.")
        var concurrency: Int = 4

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if !(1...256).contains(concurrency) { throw ValidationError("--concurrency must be 1...256") }
        }

        func run() async throws {
            let service = GradeService(workspace: try workspace.open())
            let request = GradeService.Request(
                runID: runID, graderNames: graderNames, experimentPath: experiment, force: force, concurrency: concurrency)
            let isJSON = output.isJSON
            let result = try await withInterruptHandling {
                let printer = GradingProgressPrinter(enabled: !isJSON)
                defer { printer.finish() }
                return try await service.grade(request) { printer.update($0) }
            }
            if isJSON {
                try Terminal.writeJSON(result)
            } else {
                Terminal.write(Self.text(result))
                for line in result.failureLines { Terminal.warn(line) }
            }
            if result.interrupted { throw ExitCode(ExitStatus.interrupted.code) }
            try result.checkFailures()
        }

        /// Totals, then pass rates and scores per grader and variant; pairwise judges apart.
        static func text(_ result: GradingOutput) -> String {
            let already = result.graders.reduce(0) { $0 + $1.alreadyGraded }
            var text = "graded run \(result.run): \(result.stored) new grades, \(already) already stored"
            text += String(format: " (%.1fs", result.seconds)
            text += result.judgeRequests > 0 ? ", \(result.judgeRequests) judge requests)\n" : ")\n"
            if result.errorResponses > 0 { text += "  \(result.errorResponses) error responses are not graded\n" }
            if result.unpairedResponses > 0 {
                text += "  \(result.unpairedResponses) responses have no successful control response to compare with\n"
            }
            let changed = result.graders.reduce(0) { $0 + $1.changed }
            if changed > 0 { text += "  \(changed) re-evaluated grades differ from the stored ones (the stored ones are kept)\n" }

            var rows = [["grader", "variant", "grades", "pass rate", "mean score"]]
            var pairRows = [["grader", "variant", "pairs", "W/T/L", "win rate", "consistency", "incomplete"]]
            for grader in result.graders {
                for line in grader.variants {
                    if let pairs = line.pairs {
                        pairRows.append([
                            grader.name, line.variant, "\(pairs)", "\(line.wins ?? 0)/\(line.ties ?? 0)/\(line.losses ?? 0)",
                            line.winRate.map { String(format: "%.3f", $0) } ?? "-",
                            line.positionConsistency.map { String(format: "%.0f%%", $0 * 100) } ?? "-", "\(line.incomplete ?? 0)",
                        ])
                        continue
                    }
                    let passRate = line.passRate.map {
                        String(format: "%d/%d %.1f%%", line.passed ?? 0, line.judged ?? 0, 100 * $0)
                    }
                    rows.append([
                        grader.name, line.variant, "\(line.grades ?? 0)", passRate ?? "-",
                        line.meanScore.map { String(format: "%.3f", $0) } ?? "-",
                    ])
                }
            }
            if rows.count > 1 { text += TextTable.plain(rows, rightAligned: [2, 3, 4]) }
            if pairRows.count > 1 {
                text += "pairwise, against the control (a disagreement between the two orders counts as a tie):\n"
                text += TextTable.plain(pairRows, rightAligned: [2, 3, 4, 5, 6])
            }
            return text
        }
    }
}
