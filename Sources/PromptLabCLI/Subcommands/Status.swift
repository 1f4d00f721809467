import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab status`
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show prompts that are new, modified or deleted compared with HEAD.",
            discussion: """
                Files that cannot be committed (over 1 MiB, symbolic links) are listed as invalid with the reason. \
                A stale staging area (git's index holds other content than HEAD for a committed prompt whose \
                working file equals HEAD, so a plain 'git commit' would revert it) is reported; \
                --repair-staging stages those prompts from HEAD again.
                """)

        @Flag(help: "Stage prompts whose staging-area entry is stale from HEAD again.")
        var repairStaging = false

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let status = try PromptService(workspace: try workspace.open()).status(repairStaging: repairStaging)
            if output.isJSON { return try Terminal.writeJSON(status) }
            for name in status.repaired { print("restaged \(name) from HEAD") }
            if !status.staleStaged.isEmpty {
                Terminal.warn(
                    "the staging area holds other content than HEAD for \(status.staleStaged.joined(separator: ", ")); "
                        + "a plain 'git commit' would revert it. Fix it with: promptlab status --repair-staging")
            }
            if status.changes.isEmpty {
                print("nothing to commit: every prompt matches HEAD")
                return
            }
            for change in status.changes {
                let style: Terminal.Style = change.status == "deleted" ? .red : (change.status == "new" ? .green : .yellow)
                let problem = change.problem.map { "  (\($0))" } ?? ""
                print(Terminal.paint("\(change.status.padding(toLength: 9, withPad: " ", startingAt: 0)) \(change.name)\(problem)", style))
            }
        }
    }
}
