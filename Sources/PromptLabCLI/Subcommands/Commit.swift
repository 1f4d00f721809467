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
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw ValidationError("the commit message (-m) must not be empty")
            }
        }

        func run() throws {
            let outcome = try PromptService(workspace: try workspace.open())
                .commit(names: names, message: message, author: try author.signature(), verify: !noVerify)
            if output.isJSON {
                try Terminal.writeJSON(outcome)
            } else if let commit = outcome.commit {
                print("[\(outcome.branch ?? "HEAD") \(commit.prefix(7))] \(outcome.summary)")
                for prompt in outcome.prompts {
                    print("  \(prompt.name) \(Terminal.paint(prompt.version.map { "v\($0)" } ?? "deleted", .green))")
                }
            } else {
                print("nothing to commit: no prompt changed since HEAD")
            }
            if outcome.commit == nil { throw ExitCode(1) }
        }
    }
}
