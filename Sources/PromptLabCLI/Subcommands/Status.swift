import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab status`
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show prompts that are new, modified or deleted compared with HEAD.")

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let repo = try repository.open()
            let changes = try repo.status()
            if output.isJSON {
                let items = changes.map { JSON.object([("name", .string($0.name.rawValue)), ("status", .string($0.kind.rawValue))]) }
                print(JSON.array(items).jsonText(pretty: true))
                return
            }
            if changes.isEmpty {
                print("nothing to commit: every prompt matches HEAD")
                return
            }
            for change in changes {
                let style: Terminal.Style = change.kind == .deleted ? .red : (change.kind == .new ? .green : .yellow)
                print(Terminal.paint("\(change.kind.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(change.name)", style))
            }
        }
    }
}

import Foundation
