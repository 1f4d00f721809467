import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab rollout ramp NAME`
    struct RolloutRamp: RolloutChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "ramp", abstract: "Set new weights (such as 50/50); a new analysis phase begins.")

        @Argument(help: "The rollout's name.")
        var name: String

        @Option(help: "One weight per arm, control first, such as 50/50 or 80/10/10.")
        var weights: String

        @OptionGroup var change: RolloutChangeOptions
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func change(with service: RolloutService) async throws -> RolloutChangeOutput {
            try await service.ramp(
                name, weights: try RolloutService.parseWeights(weights), actor: change.actor, reason: change.reason)
        }
    }
}
