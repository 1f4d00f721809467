import ArgumentParser
import PromptFormat
import PromptLab

extension PromptLabCommand {
    /// `promptlab render NAME[@REF] --var k=v --vars FILE`
    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render",
            abstract: "Print a prompt's rendered messages and generation settings.",
            discussion: "Values are inserted as text, never parsed as template syntax. --var overrides --vars.")

        @Argument(help: "NAME, NAME@vN, NAME@LABEL, NAME@SHA or NAME@working.")
        var reference: String

        @Option(name: .customLong("var"), help: ArgumentHelp("A variable, as key=value (repeatable).", valueName: "key=value"))
        var variables: [String] = []

        @Option(name: .customLong("vars"), help: "A JSON or YAML file of variables.")
        var variablesFile: String?

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            for assignment in variables where !assignment.contains("=") {
                throw ValidationError("--var expects key=value, got '\(assignment)'")
            }
        }

        func run() throws {
            let values = try VariablesInput.read(assignments: variables, file: variablesFile)
            let rendered = try PromptService(workspace: try workspace.open()).render(reference, variables: values)
            if output.isJSON { return try Terminal.writeJSON(rendered) }
            var text = ""
            for message in rendered.messages {
                let purpose = message.metadata?["purpose"].map { " (\($0.templateText))" } ?? ""
                text += Terminal.paint("── \(message.role)\(purpose) ──", .cyan) + "\n"
                for part in message.parts ?? [.text(message.content)] {
                    switch part {
                    case .text(let content): text += content
                    case .media(let url, let type):
                        let shown = url.hasPrefix("data:") ? String(url.prefix(40)) + "… (\(url.utf8.count) bytes)" : url
                        text += Terminal.paint("[media \(type ?? "?"): \(shown)]", .dim)
                    case .section(let name): text += Terminal.paint("[section \(name)]", .dim)
                    }
                }
                text += text.hasSuffix("\n") ? "\n" : "\n\n"
            }
            text += Terminal.paint("── settings ──", .dim) + "\n"
            text += "model: \(rendered.model ?? "(none)")\n"
            if case .object(let fields) = rendered.config {
                for (key, value) in fields { text += "\(key): \(value.templateText)\n" }
            }
            text += "output: \(rendered.output.format)\n"
            Terminal.write(text)
        }
    }
}
