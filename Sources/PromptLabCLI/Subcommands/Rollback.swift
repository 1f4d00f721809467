import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab rollback NAME --to REF [--label LABEL]`
    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rollback",
            abstract: "Restore an earlier version's content as a new commit, keeping history.",
            discussion: "The commit message records the versions it went from and to. --label moves a label to the new commit.")

        @Argument(help: "The prompt to roll back.")
        var name: String

        @Option(help: "The version to restore: vN, a label or a SHA.")
        var to: String

        @Option(help: "Also point this label at the new version.")
        var label: String?

        @Flag(help: "Discard uncommitted edits to the prompt's file.")
        var force = false

        @OptionGroup var author: AuthorOption
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let result = try PromptService(workspace: try workspace.open())
                .rollback(name, to: to, label: label, author: try author.signature(), force: force)
            if output.isJSON { return try Terminal.writeJSON(result) }
            let newVersion = result.version.map { "v\($0)" } ?? "?"
            print("Rolled back \(result.prompt) to the content of \(result.to.label) (was \(result.from.label))")
            print("[\(result.commit.prefix(7))] new version \(Terminal.paint(newVersion, .green))")
            if let label = result.label { print("Label \(label.label) → \(newVersion)") }
        }
    }
}
