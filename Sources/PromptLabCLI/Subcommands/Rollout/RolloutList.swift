import ArgumentParser
import PromptLab
import PromptLabCore

extension PromptLabCommand {
    /// `promptlab rollout list`
    struct RolloutList: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List rollouts with their state and split.")

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let list = try await RolloutService(workspace: try workspace.open()).list()
            if output.isJSON { return try Terminal.writeJSON(list) }
            guard !list.rollouts.isEmpty else {
                print("no rollouts yet: write rollouts/NAME.yaml, then promptlab rollout start NAME")
                return
            }
            var rows = [["rollout", "prompt", "status", "phase", "split", "updated (UTC)"]]
            for rollout in list.rollouts {
                let split = rollout.arms.map { "\($0.name) \(RolloutText.percent($0.weight))\($0.paused ? " (paused)" : "")" }
                rows.append([
                    rollout.name, rollout.prompt, rollout.status, "\(rollout.phase)", split.joined(separator: " / "),
                    String(Timestamps.iso8601(rollout.updatedAt).prefix(16)).replacingOccurrences(of: "T", with: " "),
                ])
            }
            Terminal.write(TextTable.plain(rows, rightAligned: [3]))
        }
    }
}
