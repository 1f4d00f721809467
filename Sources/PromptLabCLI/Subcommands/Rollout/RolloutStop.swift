import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab rollout stop NAME`
    struct RolloutStop: RolloutChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "stop", abstract: "End the rollout without promoting: everyone gets the default label again.")

        @Argument(help: "The rollout's name.")
        var name: String

        @OptionGroup var change: RolloutChangeOptions
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func change(with service: RolloutService) async throws -> RolloutChangeOutput {
            try await service.stop(name, actor: change.actor, reason: change.reason)
        }
    }
}
