import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab rollout pause NAME`
    struct RolloutPause: RolloutChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "pause", abstract: "Send every unit to the control, recording nothing, until resume.")

        @Argument(help: "The rollout's name.")
        var name: String

        @OptionGroup var change: RolloutChangeOptions
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func change(with service: RolloutService) async throws -> RolloutChangeOutput {
            try await service.pause(name, actor: change.actor, reason: change.reason)
        }
    }
}
