import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab rollout promote NAME [--arm ARM]`
    struct RolloutPromote: RolloutChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "promote",
            abstract: "Move the control's label to the winning arm's version and end the rollout.",
            discussion: """
                The label moves by compare-and-swap, with the readout in its reflog message \
                ('promptlab label --history NAME@LABEL' shows it). Without --arm, the readout must have a winner.
                """)

        @Argument(help: "The rollout's name.")
        var name: String

        @Option(help: "Promote this arm even without a winner in the readout.")
        var arm: String?

        @OptionGroup var change: RolloutChangeOptions
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func change(with service: RolloutService) async throws -> RolloutChangeOutput {
            try await service.promote(name, arm: arm, actor: change.actor, reason: change.reason)
        }
    }
}
