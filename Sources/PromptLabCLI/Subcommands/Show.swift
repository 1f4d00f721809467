import ArgumentParser
import Foundation
import PromptLab

extension PromptLabCommand {
    /// `promptlab show NAME[@REF]`
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a prompt file as it was at a version.")

        @Argument(help: "NAME, NAME@vN, NAME@LABEL, NAME@SHA or NAME@working.")
        var reference: String

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let shown = try PromptService(workspace: try workspace.open()).show(reference)
            if output.isJSON { return try Terminal.writeJSON(shown) }
            Terminal.write(shown.content)
        }
    }
}
