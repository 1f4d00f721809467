import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab status`
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show prompts that are new, modified or deleted compared with HEAD.")

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let status = try PromptService(workspace: try workspace.open()).status()
            if output.isJSON { return try Terminal.writeJSON(status) }
            if status.changes.isEmpty {
                print("nothing to commit: every prompt matches HEAD")
                return
            }
            for change in status.changes {
                let style: Terminal.Style = change.status == "deleted" ? .red : (change.status == "new" ? .green : .yellow)
                print(Terminal.paint("\(change.status.padding(toLength: 9, withPad: " ", startingAt: 0)) \(change.name)", style))
            }
        }
    }
}
