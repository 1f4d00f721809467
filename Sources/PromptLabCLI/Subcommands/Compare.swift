import ArgumentParser
import Foundation
import PromptExperiments
import PromptLab

extension PromptLabCommand {
    /// `promptlab compare RUN_A RUN_B`
    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare",
            abstract: "Compare two runs of an experiment: the cases that newly fail and newly pass, per variant.",
            discussion: """
                Cases are paired by case id. A case passes when more than half of its graded repeats pass (for a \
                grader that gives only scores: when its mean score is at least --threshold). Whether the change is \
                significant is McNemar's exact test on the changed cases, Holm-adjusted over the variants.
                """)

        @Argument(help: ArgumentHelp("The earlier run.", valueName: "run-a"))
        var before: String

        @Argument(help: ArgumentHelp("The later run.", valueName: "run-b"))
        var after: String

        @Option(help: "The grader (default: the experiment's first grader graded in both runs).")
        var grader: String?

        @Option(help: "For graders without pass/fail: a case passes when its mean score is at least this.")
        var threshold: Double?

        @Option(help: "Significance level.")
        var alpha = 0.05

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard ReportOptions.alphaRange.contains(alpha) else {
                throw ValidationError("--alpha must be \(ReportOptions.alphaRangeText)")
            }
        }

        func run() async throws {
            let comparison = try await ReportService(workspace: try workspace.open())
                .compare(before: before, after: after, grader: grader, threshold: threshold, alpha: alpha)
            Terminal.write(output.isJSON ? comparison.json().jsonText(pretty: true) + "\n" : comparison.text())
        }
    }
}
