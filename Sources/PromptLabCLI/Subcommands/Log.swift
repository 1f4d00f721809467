import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab log [NAME]`
    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "log",
            abstract: "Show a prompt's versions, or the repository's log.",
            discussion: """
                A prompt's versions v1..vN are the commits along first-parent history that changed its file or \
                any partial it includes (directly or not); the latter are marked [partial: NAME].
                """)

        @Argument(help: "A prompt name (default: the whole repository).")
        var name: String?

        @Option(name: [.customShort("n"), .long], help: "Show at most this many entries.")
        var limit: Int?

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        static let shallowNote =
            "note: this is a shallow clone; history and version numbers cover only the commits it holds (git fetch --unshallow for all)\n"

        func run() throws {
            let service = PromptService(workspace: try workspace.open())
            if let name {
                let log = try service.log(prompt: name, limit: limit)
                if output.isJSON { return try Terminal.writeJSON(log) }
                var text = log.deleted ? "      (deleted in the latest commit that touched it)\n" : ""
                if log.shallow { Terminal.note(Self.shallowNote) }
                for version in log.versions {
                    let number = Terminal.paint("v\(version.version ?? 0)".padding(toLength: 5, withPad: " ", startingAt: 0), .bold)
                    let tags = version.labels.isEmpty ? "" : " " + Terminal.paint("(" + version.labels.joined(separator: ", ") + ")", .cyan)
                    let partials =
                        version.changedPartials.isEmpty
                        ? "" : " " + Terminal.paint("[partial: " + version.changedPartials.joined(separator: ", ") + "]", .dim)
                    text += "\(number) \(Terminal.paint(String(version.commit.prefix(7)), .yellow)) \(Terminal.shortDate(version.date)) "
                    text += "\(version.author)  \(version.message)\(partials)\(tags)\n"
                }
                Terminal.write(text)
            } else {
                let log = try service.repositoryLog(limit: limit)
                if output.isJSON { return try Terminal.writeJSON(log) }
                if log.shallow { Terminal.note(Self.shallowNote) }
                var text = ""
                for commit in log.commits {
                    text += "\(Terminal.paint(String(commit.commit.prefix(7)), .yellow)) \(Terminal.shortDate(commit.date)) "
                    text += "\(commit.author)  \(commit.message)\n"
                    for prompt in commit.prompts {
                        text += "        \(prompt.name) \(Terminal.paint(prompt.version.map { "v\($0)" } ?? "deleted", .green))\n"
                    }
                }
                Terminal.write(text)
            }
        }
    }
}
