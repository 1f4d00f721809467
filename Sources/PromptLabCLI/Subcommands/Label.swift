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

        @OptionGroup var repository: RepositoryOptions
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
            if history {
                try printHistory(repo)
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

        private func printHistory(_ repo: PromptRepository) throws {
            let parts = arguments[0].split(separator: "@", maxSplits: 1)
            let name = try PromptName(String(parts[0]))
            let label = parts.count > 1 ? String(parts[1]) : ""
            let moves = try repo.labelHistory(label, of: name)
            if output.isJSON {
                func version(_ n: Int?) -> JSON { n.map(JSON.int) ?? .null }
                print(JSON.object([
                    ("prompt", .string(name.rawValue)), ("label", .string(label)),
                    ("moves", .array(moves.map { move in
                        .object([
                            ("version", version(move.version)), ("commit", .string(move.commit.hex)),
                            ("previous_version", version(move.previousVersion)),
                            ("previous_commit", .text(move.previousCommit?.hex)),
                            ("name", .string(move.name)), ("email", .string(move.email)),
                            ("date", .string(Formatting.isoDate(move.time, offsetMinutes: move.offsetMinutes))),
                            ("message", .string(move.message)),
                        ])
                    })),
                ]).jsonText(pretty: true))
                return
            }
            var text = ""
            for move in moves {
                let version = Terminal.paint((move.version.map { "v\($0)" } ?? "-").padding(toLength: 5, withPad: " ", startingAt: 0), .bold)
                let sha = Terminal.paint(move.commit.short(), .yellow)
                let date = Formatting.date(move.time, offsetMinutes: move.offsetMinutes)
                text += "\(version) \(sha) \(date) \(move.name) <\(move.email)>  \(move.message)\n"
            }
            Terminal.write(text)
        }
    }
}
