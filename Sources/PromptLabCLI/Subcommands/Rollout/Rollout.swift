import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab rollout …`: A/B tests on live traffic.
    struct Rollout: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rollout",
            abstract: "A/B test prompt versions on live traffic: start, ramp, pause, stop and promote rollouts, and read them out.",
            discussion: """
                A rollout is a YAML file in the rollouts/ folder of the prompt root (see docs/production-ab.md). \
                'promptlab serve' splits the prompt's traffic between the arms, sticky per unit, records what \
                each unit saw and the feedback about it, and 'rollout status' says, with statistics that stay \
                valid while you watch, when a version wins, loses or breaks a guardrail.
                """,
            subcommands: [
                RolloutStart.self, RolloutStatus.self, RolloutRamp.self, RolloutPause.self, RolloutResume.self, RolloutStop.self,
                RolloutPromote.self, RolloutList.self,
            ])
    }

    /// Who changes a rollout and why, recorded with the change.
    struct RolloutChangeOptions: ParsableArguments {
        @Option(help: "Who makes the change (default: git's user.name).")
        var actor: String?

        @Option(help: "Why, recorded with the change and shown by 'rollout status'.")
        var reason: String?
    }
}

/// A command that changes a rollout's state and prints what it did.
protocol RolloutChangeCommand: AsyncParsableCommand {
    var workspace: WorkspaceOptions { get }
    var output: OutputOptions { get }
    /// Makes the change.
    func change(with service: RolloutService) async throws -> RolloutChangeOutput
}

extension RolloutChangeCommand {
    func run() async throws {
        let changed = try await change(with: RolloutService(workspace: try workspace.open()))
        if output.isJSON { return try Terminal.writeJSON(changed) }
        Terminal.write(changed.printed())
    }
}

extension RolloutChangeOutput {
    /// The change in a line, then the arms.
    func printed() -> String {
        var lines = [message]
        for arm in arms {
            let version = arm.version.map { "v\($0)" } ?? String(arm.commit.prefix(7))
            lines.append("  \(arm.name): \(arm.ref) (\(version)) \(RolloutText.percent(arm.weight))\(arm.paused ? " paused" : "")")
        }
        if let label {
            lines.append("label \(label.label.prompt)@\(label.label.label) → \(label.label.version.map { "v\($0)" } ?? label.label.commit)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Number formatting shared by the rollout commands.
enum RolloutText {
    static func percent(_ share: Double) -> String {
        let value = (share * 1000).rounded() / 10
        return value == value.rounded() ? "\(Int(value))%" : "\(value)%"
    }
}
