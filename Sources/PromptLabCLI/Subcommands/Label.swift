import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab label NAME@REF LABEL`, `--list [NAME]`, `--delete NAME LABEL`
    struct Label: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "label",
            abstract: "Point a label (such as production) at a prompt version, or list or delete labels.",
            usage: """
                promptlab label NAME@REF LABEL
                promptlab label --list [NAME]
                promptlab label --delete NAME LABEL
                promptlab label --history NAME@LABEL
                """,
            discussion: """
                Labels are git references under refs/promptlab/labels/, so 'git for-each-ref refs/promptlab' \
                lists them and they travel with push and fetch of refs/promptlab/*. A label moves as a \
                compare-and-swap and each move is recorded in its reflog, which --history shows. Labels that \
                differ only in case (Production beside production) are refused: they would collide on \
                case-insensitive file systems.
                """)

        @Argument(help: "NAME@REF and LABEL to set; NAME to list; NAME and LABEL to delete.")
        var arguments: [String] = []

        @Flag(name: .shortAndLong, help: "List labels (of one prompt, or all).")
        var list = false

        @Flag(name: .shortAndLong, help: "Delete a label.")
        var delete = false

        @Flag(help: "Show where a label pointed over time (version, SHA, who, when, message), newest first.")
        var history = false

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if [list, delete, history].filter({ $0 }).count > 1 {
                throw ValidationError("use only one of --list, --delete and --history")
            }
            if history && (arguments.count != 1 || !arguments[0].contains("@")) {
                throw ValidationError("--history takes one NAME@LABEL, such as support/triage@production")
            }
            if list && arguments.count > 1 { throw ValidationError("--list takes at most one prompt name") }
            if delete && arguments.count != 2 { throw ValidationError("--delete takes a prompt name and a label") }
            if !list && !delete && !history && arguments.count != 2 {
                throw ValidationError("expected NAME@REF LABEL (or --list / --delete)")
            }
        }

        func run() throws {
            let service = PromptService(workspace: try workspace.open())
            if list {
                let labels = try service.labels(of: arguments.first)
                if output.isJSON { return try Terminal.writeJSON(labels) }
                if labels.labels.isEmpty { print("no labels") }
                for label in labels.labels {
                    let version = label.version.map { "v\($0)" } ?? "-"
                    print("\(label.prompt)  \(Terminal.paint(label.label, .cyan)) → \(version) (\(label.commit.prefix(7)))")
                }
                return
            }
            if history {
                let history = try service.labelHistory(arguments[0])
                if output.isJSON { return try Terminal.writeJSON(history) }
                var text = ""
                for move in history.moves {
                    let version = Terminal.paint(
                        (move.version.map { "v\($0)" } ?? "-").padding(toLength: 5, withPad: " ", startingAt: 0), .bold)
                    text += "\(version) \(Terminal.paint(String(move.commit.prefix(7)), .yellow)) \(Terminal.shortDate(move.date)) "
                    text += "\(move.name) <\(move.email)>  \(move.message)\n"
                }
                Terminal.write(text)
                return
            }
            let change =
                delete
                ? try service.deleteLabel(arguments[1], of: arguments[0]) : try service.setLabel(arguments[1], to: arguments[0])
            if output.isJSON { return try Terminal.writeJSON(change) }
            let label = change.label
            let version = label.version.map { "v\($0)" } ?? String(label.commit.prefix(7))
            switch change.action {
            case "deleted": print("Deleted label \(label.label) of \(label.prompt) (was \(label.commit.prefix(7)))")
            case "created": print("Labelled \(label.prompt) \(version) (\(label.commit.prefix(7))) as \(label.label)")
            case "moved":
                print(
                    "Moved label \(label.label) of \(label.prompt) to \(version) (\(label.commit.prefix(7)); "
                        + "was \(change.previousCommit?.prefix(7) ?? "-"))")
            default: print("Label \(label.label) of \(label.prompt) already points at \(version)")
            }
        }
    }
}
