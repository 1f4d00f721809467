import ArgumentParser
import Foundation
import PromptLab

/// The `promptlab` command: version control and A/B testing for LLM prompts.
@main
struct PromptLabCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promptlab",
        abstract: "Version control and A/B testing for LLM prompts.",
        discussion: """
            Prompts are .prompt files in a git repository. References: NAME (latest), NAME@vN, \
            NAME@LABEL, NAME@SHA (4+ hex digits), NAME@working (the file on disk).

            Exit codes: 0 success, 1 failure, 2 usage error, 3 not a repository, 4 invalid input, \
            5 not found, 6 render failed, 7 no author, 8 concurrent update (retry), 9 would lose work, \
            10 significant regression (--fail-on-regression), 11 run stopped by its budget, 130 interrupted.
            """,
        version: PromptLabVersion.current,
        subcommands: [
            Init.self, Status.self, Commit.self, Log.self, Show.self, Diff.self, Render.self,
            Label.self, Rollback.self, List.self, Run.self, Runs.self, Export.self, Grade.self, Report.self, Compare.self, Plan.self, Review.self,
        ]
    )

    /// Runs the command, printing errors as `error:` and `hint:` lines with documented exit codes.
    static func main() async {
        do {
            do {
                var command = try parseAsRoot()
                if var asyncCommand = command as? AsyncParsableCommand {
                    try await asyncCommand.run()
                } else {
                    try command.run()
                }
            } catch {
                throw ErrorMapping.map(error)
            }
        } catch let error as PromptLabError {
            Terminal.printError(error.message, hint: error.hint)
            Foundation.exit(error.exitCode)
        } catch let exitCode as ExitCode {
            Foundation.exit(exitCode.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                // Usage errors: one line plus the usage, exit 2 as documented.
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

enum PromptLabVersion {
    static let current = "0.1.0"
}
