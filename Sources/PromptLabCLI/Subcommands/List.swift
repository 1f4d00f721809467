import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab list`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List every prompt with its latest version, last change and labels.")

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let list = try PromptService(workspace: try workspace.open()).list()
            if output.isJSON { return try Terminal.writeJSON(list) }
            if list.shallow { Terminal.note(Log.shallowNote) }
            if list.prompts.isEmpty {
                print("no prompts yet: create NAME.prompt files and run 'promptlab commit -m MESSAGE'")
                return
            }
            let width = list.prompts.map(\.name.count).max() ?? 0
            var text = ""
            for prompt in list.prompts {
                var line = prompt.name.padding(toLength: width + 2, withPad: " ", startingAt: 0)
                if let latest = prompt.latest {
                    line += Terminal.paint("v\(latest.version ?? 0)".padding(toLength: 5, withPad: " ", startingAt: 0), .bold)
                    line += Terminal.shortDate(latest.date) + "  " + latest.message
                } else {
                    line += "(uncommitted)"
                }
                if !prompt.labels.isEmpty {
                    let labels = prompt.labels.map { "\($0.label)=\($0.version.map { "v\($0)" } ?? "?")" }.joined(separator: " ")
                    line += "  " + Terminal.paint(labels, .cyan)
                }
                if prompt.deleted { line += "  " + Terminal.paint("[deleted]", .red) }
                if let change = prompt.working { line += "  " + Terminal.paint("[\(change)]", .yellow) }
                text += line + "\n"
            }
            Terminal.write(text)
        }
    }
}
