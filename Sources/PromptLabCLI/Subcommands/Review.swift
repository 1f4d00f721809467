import ArgumentParser
import Foundation
import PromptExperiments
import PromptLab
import PromptLabStore

extension PromptLabCommand {
    /// `promptlab review RUN`
    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "review",
            abstract: "Judge two variants' answers side by side, blind: sides are shuffled and names hidden.",
            discussion: """
                Keys: a = left is better, b = right is better, t = tie, s = skip, q = quit. Each verdict is saved \
                at once with the reviewer's name, so quitting and running the command again resumes where you \
                stopped. Without a terminal, verdicts are read one per line from standard input.
                """)

        @Argument(help: "The run id (see 'promptlab runs').")
        var runID: String

        @Option(help: ArgumentHelp("The two variants to compare (default: the control and the first other).", valueName: "a,b"))
        var variants: String?

        @Option(help: "Your name for the verdicts (default: git's user.name).")
        var reviewer: String?

        @OptionGroup var workspace: WorkspaceOptions

        func validate() throws {
            if let variants, variants.split(separator: ",").count != 2 { throw ValidationError("--variants takes two names: a,b") }
        }

        func run() async throws {
            let service = ReviewService(workspace: try workspace.open())
            let name = try service.reviewerName(reviewer)
            let pair = variants.map { text -> (String, String) in
                let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                return (parts[0], parts[1])
            }
            let queue = try await service.queue(runID: runID, variants: pair, reviewer: name)
            let terminal = ReviewTerminal()
            terminal.say(
                "Reviewing run \(runID) as \(name): \(queue.items.count) cases to go"
                    + (queue.alreadyReviewed > 0 ? " (\(queue.alreadyReviewed) already done)" : "")
                    + (queue.unavailable > 0 ? "; \(queue.unavailable) without two answers are left out" : ""))
            var counts = [VerdictRecord.Verdict: Int]()
            for (index, item) in queue.items.enumerated() {
                terminal.show(item, position: index + 1, of: queue.items.count)
                guard let choice = terminal.readChoice() else {
                    terminal.say("Stopped; run the same command to resume.")
                    break
                }
                let verdict = try await service.record(choice, on: item, in: queue)
                counts[verdict.verdict, default: 0] += 1
            }
            let summary = VerdictRecord.Verdict.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", ")
            terminal.say("Saved this session: \(summary) (A = \(queue.variantA), B = \(queue.variantB)).")
        }
    }
}
