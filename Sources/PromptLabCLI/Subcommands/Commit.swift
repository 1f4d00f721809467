import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab commit [NAME...] -m MSG`
    struct Commit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "commit",
            abstract: "Commit the named prompts (or every prompt under a folder), or every changed prompt.",
            discussion: """
                Each file is parsed and its body checked first: unknown partials, variables that a declared \
                input.schema does not list, unbalanced braces. A problem is refused with file:line:col (exit 4) \
                and nothing is committed. --no-verify skips the body checks, not the parsing.
                """)

        @Argument(help: "Prompts, or folders of prompts, to commit (default: every changed prompt).")
        var names: [String] = []

        @Option(name: .shortAndLong, help: "The commit message.")
        var message: String

        @Flag(help: "Skip the body checks (unknown partials, undeclared variables, unbalanced braces).")
        var noVerify = false

        @OptionGroup var author: AuthorOption
        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw ValidationError("the commit message (-m) must not be empty")
            }
        }

        func run() throws {
            let repo = try repository.open()
            var prompts: [PromptName]?
            if !names.isEmpty {
                var selected = [PromptName]()
                for argument in names {
                    for name in try repo.promptNames(matching: argument) where !selected.contains(name) { selected.append(name) }
                }
                prompts = selected
            }
            guard
                let result = try repo.commit(
                    names: prompts, message: message, author: try author.signature(), verify: !noVerify)
            else {
                if output.isJSON {
                    print(JSON.object([("commit", .null), ("prompts", .array([]))]).jsonText(pretty: true))
                } else {
                    print("nothing to commit: no prompt changed since HEAD")
                }
                throw ExitCode(1)
            }
            if output.isJSON {
                let items = result.prompts.map {
                    JSON.object([("name", .string($0.name.rawValue)), ("change", .string($0.change.rawValue)), ("version", .number($0.version))])
                }
                print(JSON.object([("commit", .string(result.commit.hex)), ("prompts", .array(items))]).jsonText(pretty: true))
                return
            }
            let branch = result.branch.replacingOccurrences(of: "refs/heads/", with: "")
            print("[\(branch) \(result.commit.short())] \(message.prefix { $0 != "\n" })")
            for prompt in result.prompts {
                let detail = prompt.version.map { "v\($0)" } ?? "deleted"
                print("  \(prompt.name) \(Terminal.paint(detail, .green))")
            }
        }
    }
}

import Foundation
