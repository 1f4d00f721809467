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
                """,
            discussion: """
                Labels are git references under refs/promptlab/labels/, so 'git for-each-ref refs/promptlab' \
                lists them and they travel with push and fetch of refs/promptlab/*. A label moves as a \
                compare-and-swap and each move is recorded in its reflog.
                """)

        @Argument(help: "NAME@REF and LABEL to set; NAME to list; NAME and LABEL to delete.")
        var arguments: [String] = []

        @Flag(name: .shortAndLong, help: "List labels (of one prompt, or all).")
        var list = false

        @Flag(name: .shortAndLong, help: "Delete a label.")
        var delete = false

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if list && delete { throw ValidationError("--list and --delete cannot be used together") }
            if list && arguments.count > 1 { throw ValidationError("--list takes at most one prompt name") }
            if delete && arguments.count != 2 { throw ValidationError("--delete takes a prompt name and a label") }
            if !list && !delete && arguments.count != 2 {
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
