import ArgumentParser
import Foundation
import PromptLabStats

/// `promptlab-rollout-sim`: simulates rollouts read out after every batch of traffic, to show that
/// the always-valid readout keeps its false-positive rate while a fixed-horizon test checked as often
/// does not, and that real effects are still found. Used by benchmarks/rollout-peeking.sh.
@main
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promptlab-rollout-sim",
        abstract: "Simulate A/A and A/B rollouts checked after every batch; print how often each test declares a winner.")

    @Option(help: "Rollouts per scenario.")
    var rollouts = 2000

    @Option(help: "Looks per rollout (one after each batch).")
    var batches = 20

    @Option(help: "Units per batch, over both arms.")
    var batchSize = 500

    @Option(help: "The random seed.")
    var seed: UInt64 = 1

    @Option(help: "Significance level.")
    var alpha = 0.05

    func validate() throws {
        guard (1...1_000_000).contains(rollouts), (1...10_000).contains(batches), (2...10_000_000).contains(batchSize) else {
            throw ValidationError("--rollouts 1…1000000, --batches 1…10000 and --batch-size 2…10000000")
        }
        guard alpha > 0, alpha < 0.5 else { throw ValidationError("--alpha must be in (0, 0.5)") }
    }

    /// A/A at two splits, then A/B with effects large and small.
    static let scenarios: [(name: String, control: Double, treatment: Double, weight: Double)] = [
        ("A/A 50/50, rate 0.30", 0.30, 0.30, 0.5),
        ("A/A 80/20, rate 0.05", 0.05, 0.05, 0.2),
        ("A/B 50/50, 0.30 vs 0.36", 0.30, 0.36, 0.5),
        ("A/B 50/50, 0.30 vs 0.32", 0.30, 0.32, 0.5),
        ("A/B 80/20, 0.05 vs 0.06", 0.05, 0.06, 0.2),
    ]

    func run() throws {
        print("scenario                    always-valid declared (right way)   naive z-test declared   mean looks   ±2 SE")
        for scenario in Self.scenarios {
            let result = try PeekingSimulation.run(
                PeekingSimulation.Configuration(
                    rollouts: rollouts, batches: batches, batchSize: batchSize, controlRate: scenario.control,
                    treatmentRate: scenario.treatment, controlWeight: 1 - scenario.weight, treatmentWeight: scenario.weight, alpha: alpha,
                    seed: seed))
            let looks = result.meanLooksToDeclare.map { String(format: "%.1f", $0) } ?? "—"
            // An A/A rollout has no right way: any declaration is a false positive.
            let rightWay =
                scenario.control == scenario.treatment ? "    —   " : String(format: "%6.2f%%", result.rightDirectionShare * 100)
            print(
                scenario.name.padding(toLength: 28, withPad: " ", startingAt: 0)
                    + String(format: "%6.2f%% ", result.declaredShare * 100) + "(" + rightWay + ")"
                    + String(format: "%24.2f%%", result.naiveDeclaredShare * 100) + looks.leftPadded(13)
                    + String(format: "%7.2f%%", 2 * result.standardError(of: result.declaredShare) * 100))
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
