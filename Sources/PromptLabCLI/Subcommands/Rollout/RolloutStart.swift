import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab rollout start FILE`
    struct RolloutStart: RolloutChangeCommand {
        static let configuration = CommandConfiguration(
            commandName: "start",
            abstract: "Start the rollout a file describes (committing the file when it is new or changed).",
            discussion: """
                Each arm's reference is resolved and pinned now, so the rollout compares fixed versions even if a \
                label moves meanwhile. A prompt has one active rollout at a time.
                """)

        @Argument(help: "The rollout file (rollouts/NAME.yaml), or the rollout's name.")
        var file: String

        @OptionGroup var change: RolloutChangeOptions
        @OptionGroup var author: AuthorOption
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func change(with service: RolloutService) async throws -> RolloutChangeOutput {
            try await service.start(file, actor: change.actor, reason: change.reason, author: try author.signature())
        }
    }
}
