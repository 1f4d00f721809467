import ArgumentParser
import Foundation
import PromptLab
import PromptLabCore

/// The `promptlab` command: version control and A/B testing for LLM prompts.
///
/// Subcommands parse arguments, call one service of the `PromptLab` library and render its output;
/// the exit statuses are the ``ExitStatus`` catalogue.
@main
struct PromptLabCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promptlab",
        abstract: "Version control and A/B testing for LLM prompts.",
        discussion: """
            Prompts are .prompt files in a git repository. References: NAME (latest), NAME@vN, \
            NAME@LABEL, NAME@SHA (4+ hex digits), NAME@working (the file on disk). Add --verbose to any \
            command to see the underlying libgit2, SQLite or system message of an error.

            Exit codes:
            \(ExitStatus.allCases.map { "  \($0.code)  \($0.meaning.replacingOccurrences(of: "`", with: ""))" }.joined(separator: "\n"))
            """,
        version: PromptLabVersion.current,
        subcommands: [
            Init.self, Status.self, Commit.self, Log.self, Show.self, Diff.self, Render.self,
            Label.self, Rollback.self, List.self, Run.self, Runs.self, Export.self, Cases.self, Grade.self, Report.self,
            Compare.self, Plan.self, Review.self, Serve.self, Rollout.self,
        ]
    )

    /// Whether `--verbose` was given (anywhere before `--`).
    nonisolated(unsafe) static var verbose = false

    /// Runs the command, printing every error as `error:` and `hint:` lines with a documented exit status.
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let end = arguments.firstIndex(of: "--") ?? Optional(arguments.endIndex),
            let index = arguments[..<end].firstIndex(of: "--verbose")
        {
            arguments.remove(at: index)
            verbose = true
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exitCode as ExitCode {
            Foundation.exit(exitCode.rawValue)
        } catch let error as PromptLabError {
            report(error)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                // Usage errors: the same one-line form as every other error, exit 2.
                let subcommand = arguments.first { !$0.hasPrefix("-") }.flatMap { name in
                    configuration.subcommands.first { $0._commandName == name }?._commandName
                }
                let help = subcommand.map { "promptlab \($0) --help" } ?? "promptlab --help"
                report(PromptLabError(.usage, message(for: error).firstLine, hint: "see '\(help)'"))
            }
            if code == .success || code.rawValue == ExitCode.success.rawValue {
                exit(withError: error)  // --help, --version
            }
            report(ErrorCatalogue.map(error))
        }
    }

    /// Prints `error` as `error:` and `hint:` (and `detail:` with --verbose), then exits with its status.
    static func report(_ error: PromptLabError) -> Never {
        Terminal.printError(error.message, hint: error.hint, detail: verbose ? error.detail : nil)
        Foundation.exit(error.exitCode)
    }
}

extension String {
    /// The text up to the first line break, without "Error: " that ArgumentParser puts first.
    var firstLine: String {
        var line = String(prefix { $0 != "\n" })
        if line.hasPrefix("Error: ") { line.removeFirst(7) }
        return line
    }
}
