import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab list`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List every prompt with its latest version, last change and labels.")

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let repo = try repository.open()
            let summaries = try repo.summaries()
            if output.isJSON {
                print(JSON.array(summaries.map { s in
                    .object([
                        ("name", .string(s.name.rawValue)), ("version", .number(s.latest?.number)),
                        ("commit", .text(s.latest?.record.commit.hex)),
                        ("date", .text(s.latest.map { Formatting.isoDate($0.record.time, offsetMinutes: $0.record.offsetMinutes) })),
                        ("author", .text(s.latest?.record.authorName)), ("message", .text(s.latest?.record.summary)),
                        ("labels", .object(s.labels.map { ($0.label, .number($0.version)) })),
                        ("working", .text(s.workingChange?.rawValue)), ("deleted", .bool(s.isDeleted)),
                    ])
                }).jsonText(pretty: true))
                return
            }
            if summaries.isEmpty {
                print("no prompts yet: create NAME.prompt files and run 'promptlab commit -m MESSAGE'")
                return
            }
            let width = summaries.map(\.name.rawValue.count).max() ?? 0
            var text = ""
            for s in summaries {
                var line = s.name.rawValue.padding(toLength: width + 2, withPad: " ", startingAt: 0)
                if let latest = s.latest {
                    line += Terminal.paint("v\(latest.number)".padding(toLength: 5, withPad: " ", startingAt: 0), .bold)
                    line += Formatting.date(latest.record.time, offsetMinutes: latest.record.offsetMinutes) + "  "
                    line += latest.record.summary
                } else {
                    line += "(uncommitted)"
                }
                if !s.labels.isEmpty {
                    line += "  " + Terminal.paint(s.labels.map { "\($0.label)=\($0.version.map { "v\($0)" } ?? "?")" }.joined(separator: " "), .cyan)
                }
                if s.isDeleted { line += "  " + Terminal.paint("[deleted]", .red) }
                if let change = s.workingChange { line += "  " + Terminal.paint("[\(change.rawValue)]", .yellow) }
                text += line + "\n"
            }
            Terminal.write(text)
        }
    }
}

import Foundation
