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

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let repo = try repository.open()
            if let name {
                try promptLog(repo, try PromptName(name))
            } else {
                try repositoryLog(repo)
            }
        }

        private func promptLog(_ repo: PromptRepository, _ name: PromptName) throws {
            let history = try repo.history(of: name)
            let labels = Dictionary(grouping: try repo.labels(of: name), by: \.commit)
            var numbered = Array(history.versions.enumerated().reversed())
            if let limit { numbered = Array(numbered.prefix(limit)) }
            if output.isJSON {
                let items = try numbered.map { offset, record in
                    let version = try repo.resolve(PromptReference(name: name, selector: .version(offset + 1)))
                    return JSON.object([
                        ("version", .int(offset + 1)), ("commit", .string(record.commit.hex)),
                        ("template_hash", .string(try repo.templateClosure(of: version).hash)),
                        ("changed_partials", .array(record.changedPartials.map { .string($0.rawValue) })),
                        ("date", .string(Formatting.isoDate(record.time, offsetMinutes: record.offsetMinutes))),
                        ("author", .string(record.authorName)), ("email", .string(record.authorEmail)),
                        ("message", .string(record.summary)),
                        ("labels", .array((labels[record.commit] ?? []).map { .string($0.label) })),
                    ])
                }
                print(JSON.object([("prompt", .string(name.rawValue)), ("versions", .array(items))]).jsonText(pretty: true))
                return
            }
            var text = ""
            for (offset, record) in numbered {
                let version = Terminal.paint("v\(offset + 1)".padding(toLength: 5, withPad: " ", startingAt: 0), .bold)
                let sha = Terminal.paint(record.commit.short(), .yellow)
                let date = Formatting.date(record.time, offsetMinutes: record.offsetMinutes)
                let tags = (labels[record.commit] ?? []).map(\.label)
                let tagText = tags.isEmpty ? "" : " " + Terminal.paint("(" + tags.joined(separator: ", ") + ")", .cyan)
                let partials = record.changedPartials.map(\.rawValue)
                let partialText = partials.isEmpty ? "" : " " + Terminal.paint("[partial: " + partials.joined(separator: ", ") + "]", .dim)
                text += "\(version) \(sha) \(date) \(record.authorName)  \(record.summary)\(partialText)\(tagText)\n"
            }
            if history.isDeleted { text = "      (deleted in the latest commit that touched it)\n" + text }
            Terminal.write(text)
        }

        private func repositoryLog(_ repo: PromptRepository) throws {
            let entries = try repo.repositoryLog(limit: limit)
            if output.isJSON {
                let items = entries.map { entry in
                    JSON.object([
                        ("commit", .string(entry.commit.id.hex)),
                        ("date", .string(Formatting.isoDate(entry.commit.author.time, offsetMinutes: entry.commit.author.offsetMinutes))),
                        ("author", .string(entry.commit.author.name)), ("email", .string(entry.commit.author.email)),
                        ("message", .string(entry.commit.summary)),
                        ("prompts", .array(entry.prompts.map {
                            JSON.object([("name", .string($0.name.rawValue)), ("version", .number($0.version))])
                        })),
                    ])
                }
                print(JSON.array(items).jsonText(pretty: true))
                return
            }
            var text = ""
            for entry in entries {
                let sha = Terminal.paint(entry.commit.id.short(), .yellow)
                let date = Formatting.date(entry.commit.author.time, offsetMinutes: entry.commit.author.offsetMinutes)
                text += "\(sha) \(date) \(entry.commit.author.name)  \(entry.commit.summary)\n"
                for prompt in entry.prompts {
                    text += "        \(prompt.name) \(Terminal.paint(prompt.version.map { "v\($0)" } ?? "deleted", .green))\n"
                }
            }
            Terminal.write(text)
        }
    }
}

import Foundation
