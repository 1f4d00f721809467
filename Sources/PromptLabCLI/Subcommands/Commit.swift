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
                and nothing is committed. --no-verify skips the body checks, not the parsing. Symbolic links, \
                files with unresolved merge conflicts and names git cannot use in a label reference are refused \
                (exit 4). A commit records exactly the content it read: if another commit changed the same \
                prompt meanwhile, it fails with exit 8 and writes nothing. A git lock file left by a killed \
                process (.git/index.lock, .git/refs/heads/BRANCH.lock) is reported by path (exit 8); \
                --remove-stale-lock removes such locks first, when no process has them open and they are \
                older than five minutes.
                """)

        @Argument(help: "Prompts, or folders of prompts, to commit (default: every changed prompt).")
        var names: [String] = []

        @Option(name: .shortAndLong, help: "The commit message.")
        var message: String

        @Flag(help: "Skip the body checks (unknown partials, undeclared variables, unbalanced braces).")
        var noVerify = false

        @Flag(help: "First remove stale git lock files (no process has them open, older than five minutes).")
        var removeStaleLock = false

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
                .commit(
                    names: names, message: message, author: try author.signature(), verify: !noVerify,
                    removeStaleLocks: removeStaleLock)
            for path in outcome.removedLocks { Terminal.note("removed stale lock \(path)\n") }
            if let warning = outcome.warning { Terminal.warn(warning) }
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
