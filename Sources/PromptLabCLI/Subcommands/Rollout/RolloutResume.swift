import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab rollout resume NAME`
    struct RolloutResume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resume", abstract: "Split traffic again (also arms a guardrail paused), in a new analysis phase.")

        @Argument(help: "The rollout's name.")
        var name: String

        @OptionGroup var change: RolloutChangeOptions
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let service = RolloutService(workspace: try workspace.open())
            let changed = try await service.resume(name, actor: change.actor, reason: change.reason)
            if output.isJSON { return try Terminal.writeJSON(changed) }
            Terminal.write(changed.printed())
        }
    }
}
