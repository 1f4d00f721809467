import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab rollout stop NAME`
    struct RolloutStop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stop", abstract: "End the rollout without promoting: everyone gets the default label again.")

        @Argument(help: "The rollout's name.")
        var name: String

        @OptionGroup var change: RolloutChangeOptions
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let service = RolloutService(workspace: try workspace.open())
            let changed = try await service.stop(name, actor: change.actor, reason: change.reason)
            if output.isJSON { return try Terminal.writeJSON(changed) }
            Terminal.write(changed.printed())
        }
    }
}
