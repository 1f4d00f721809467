import ArgumentParser
import Foundation
import PromptExperiments
import PromptLab
import PromptLabCore
import PromptLabWeb

extension PromptLabCommand {
    /// `promptlab report RUN|EXPERIMENT`
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Compare a run's variants with the control: scores, intervals, tests and a plain verdict.",
            discussion: """
                RUN is a run id; an experiment name means its latest run. Repeats and both judge orders are \
                collapsed into one value per case before any paired test. Pass/fail graders get McNemar's exact \
                test, scores the Wilcoxon signed-rank test, pairwise judges the sign test on their win rate; \
                p-values are Holm-adjusted across the variants. With --pairs all, every pair of variants is \
                compared with the same tests, Holm-adjusted over all pairs, and Bradley–Terry ratings use every \
                pair's outcomes. While a run is running or was interrupted, \
                verdicts use always-valid (mSPRT) p-values. The JSON output is documented in docs/report-json.md.

                With --fail-on-regression, exit 10 when any variant is significantly worse than the control on \
                the primary grader (the experiment's first grader, or --grader); otherwise exit 0.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, csv, markdown, html }

        @Argument(help: ArgumentHelp("A run id, or an experiment name for its latest run.", valueName: "run-or-experiment"))
        var target: String

        @Option(help: "Report only this grader (default: every grader; the experiment's first is primary).")
        var grader: String?

        @Option(help: "Output format: text, json, csv, markdown or html (one self-contained file with the case grid).")
        var format: Format = .text

        @Flag(help: "Exit 10 when a variant is significantly worse than the control on the primary grader.")
        var failOnRegression = false

        @Option(help: "Family-wise significance level; intervals are at 1 − alpha.")
        var alpha = 0.05

        @Option(help: "Bootstrap resamples.")
        var resamples = 1000

        @Option(help: "Bootstrap seed (the same seed gives the same report).")
        var seed: UInt64 = 1

        enum Pairs: String, ExpressibleByArgument, CaseIterable { case control, all }

        @Option(help: "Compare each variant with the control, or every pair of variants (Holm over all pairs).")
        var pairs: Pairs = .control

        @OptionGroup var workspace: WorkspaceOptions

        func validate() throws {
            guard ReportOptions.alphaRange.contains(alpha) else {
                throw ValidationError("--alpha must be \(ReportOptions.alphaRangeText)")
            }
            guard (1...100_000).contains(resamples) else { throw ValidationError("--resamples must be 1...100000") }
        }

        func run() async throws {
            let service = ReportService(workspace: try workspace.open())
            let report = try await service.report(
                target,
                options: ReportOptions(
                    grader: grader, alpha: alpha, resamples: resamples, seed: seed,
                    pairs: PairSelection(rawValue: pairs.rawValue) ?? .control))
            if format == .html {
                let cases = try await CaseService(workspace: service.workspace).cases(
                    report.run.id, page: (1, HTMLReport.caseLimit))
                Terminal.write(try await HTMLReport.render(report: report, cases: cases))
            } else {
                let rendered = ReportRenderer.render(report, as: ReportRenderer.Format(rawValue: format.rawValue) ?? .text)
                Terminal.write(format == .text ? Self.paint(rendered) : rendered)
            }
            guard failOnRegression else { return }
            let gate = service.regressions(in: report)
            if !gate.regressions.isEmpty {
                Terminal.printError(
                    "regression: \(gate.regressions.joined(separator: ", ")) significantly worse than \(gate.control) on '\(gate.grader ?? "")'",
                    hint: "inspect the cases with 'promptlab report \(target)', or roll back the prompt")
                throw ExitCode(ExitStatus.regression.code)
            }
        }

        /// Colours the verdict words on a terminal.
        static func paint(_ text: String) -> String {
            guard Terminal.colorsStdout else { return text }
            return
                text
                .replacingOccurrences(of: "; significant.", with: "; " + Terminal.paint("significant", .bold) + ".")
                .replacingOccurrences(of: " is worse than ", with: Terminal.paint(" is worse than ", .red))
                .replacingOccurrences(of: " beats ", with: Terminal.paint(" beats ", .green))
        }
    }
}
