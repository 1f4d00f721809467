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

        @OptionGroup var repository: RepositoryOptions
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
            let repo = try repository.open()
            if list {
                let labels = try repo.labels(of: try arguments.first.map { try PromptName($0) })
                if output.isJSON {
                    print(JSON.array(labels.map {
                        .object([
                            ("prompt", .string($0.prompt.rawValue)), ("label", .string($0.label)),
                            ("version", .number($0.version)), ("commit", .string($0.commit.hex)),
                            ("ref", .string($0.referenceName)),
                        ])
                    }).jsonText(pretty: true))
                } else if labels.isEmpty {
                    print("no labels")
                } else {
                    for label in labels {
                        let version = label.version.map { "v\($0)" } ?? "-"
                        print("\(label.prompt)  \(Terminal.paint(label.label, .cyan)) → \(version) (\(label.commit.short()))")
                    }
                }
                return
            }
            if delete {
                let name = try PromptName(arguments[0])
                let target = try repo.deleteLabel(arguments[1], of: name)
                print("Deleted label \(arguments[1]) of \(name) (was \(target.short()))")
                return
            }
            let reference = try PromptReference(parsing: arguments[0])
            let (label, previous) = try repo.setLabel(arguments[1], to: reference)
            let version = label.version.map { "v\($0)" } ?? label.commit.short()
            if let previous, previous != label.commit {
                print("Moved label \(label.label) of \(label.prompt) to \(version) (\(label.commit.short()); was \(previous.short()))")
            } else if previous == nil {
                print("Labelled \(label.prompt) \(version) (\(label.commit.short())) as \(label.label)")
            } else {
                print("Label \(label.label) of \(label.prompt) already points at \(version)")
            }
        }
    }
}
