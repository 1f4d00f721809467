import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab rollout resume NAME`
    struct RolloutResume: RolloutChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "resume", abstract: "Split traffic again (also arms a guardrail paused), in a new analysis phase.")

        @Argument(help: "The rollout's name.")
        var name: String

        @OptionGroup var change: RolloutChangeOptions
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func change(with service: RolloutService) async throws -> RolloutChangeOutput {
            try await service.resume(name, actor: change.actor, reason: change.reason)
        }
    }
}
