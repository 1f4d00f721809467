import Foundation
import Testing

@testable import PromptLabStats

/// Rollouts read after every batch of traffic: the always-valid readout keeps its false-positive
/// rate at α, the fixed-horizon test does not, and a real effect is still found.
@Suite("Peeking at rollouts")
struct PeekingSimulationTests {
    static let alpha = 0.05

    /// α plus two simulation standard errors of a rate estimated from `rollouts` rollouts.
    static func bound(rollouts: Int) -> Double {
        alpha + 2 * (alpha * (1 - alpha) / Double(rollouts)).squareRoot()
    }

    @Test("A/A: 1,000 rollouts read after each of 20 batches of 200 units stay within α; the naive test does not")
    func aaKeepsAlpha() throws {
        let configuration = PeekingSimulation.Configuration(
            rollouts: 1000, batches: 20, batchSize: 200, controlRate: 0.3, treatmentRate: 0.3, seed: 101)
        let result = try PeekingSimulation.run(configuration)
        #expect(result.declaredShare <= Self.bound(rollouts: 1000), "always-valid declared in \(result.declaredShare)")
        #expect(result.rightDirectionShare == 0)
        // Twenty looks at a fixed-horizon test declare in roughly a quarter of A/A rollouts.
        #expect(result.naiveDeclaredShare > 0.15, "naive declared in \(result.naiveDeclaredShare)")
        #expect(result.naiveDeclaredShare > 3 * max(result.declaredShare, 0.01))
        #expect(result.tuning == 2000)
    }

    @Test("A/A with an uneven 80/20 split and a rare event stays within α")
    func aaUneven() throws {
        let configuration = PeekingSimulation.Configuration(
            rollouts: 600, batches: 20, batchSize: 250, controlRate: 0.05, treatmentRate: 0.05, controlWeight: 80,
            treatmentWeight: 20, seed: 102)
        let result = try PeekingSimulation.run(configuration)
        #expect(result.declaredShare <= Self.bound(rollouts: 600), "always-valid declared in \(result.declaredShare)")
    }

    @Test("A/B 0.30 vs 0.36: most rollouts find the effect, in the right direction")
    func abFindsEffect() throws {
        let configuration = PeekingSimulation.Configuration(
            rollouts: 600, batches: 20, batchSize: 200, controlRate: 0.30, treatmentRate: 0.36, seed: 103)
        let result = try PeekingSimulation.run(configuration)
        #expect(result.declaredShare > 0.75, "declared in \(result.declaredShare)")
        #expect(result.rightDirectionShare == result.declaredShare)
        let looks = try #require(result.meanLooksToDeclare)
        #expect(looks < Double(configuration.batches))
    }

    @Test("The same seed gives the same result")
    func deterministic() throws {
        let configuration = PeekingSimulation.Configuration(rollouts: 50, batches: 5, batchSize: 100, seed: 9)
        #expect(try PeekingSimulation.run(configuration) == PeekingSimulation.run(configuration))
    }

    @Test("Invalid configurations are errors")
    func invalid() {
        let bad: [PeekingSimulation.Configuration] = [
            .init(rollouts: 0), .init(batches: 0), .init(batchSize: -1), .init(controlRate: 1.5), .init(treatmentRate: .nan),
            .init(controlWeight: 0), .init(treatmentWeight: .infinity), .init(alpha: 1), .init(tuning: 0),
            .init(minimumUnits: 0), .init(rollouts: Int.max),
        ]
        for configuration in bad {
            #expect(throws: StatsError.self) { try PeekingSimulation.run(configuration) }
        }
    }

    @Test("A/A on an unbounded metric (plug-in σ̂, minimum units) stays within α")
    func aaUnboundedMetric() throws {
        // Latency-like: each unit sends 1–5 requests with exponential latencies; no bound, so no prior.
        var generator = Xoshiro256StarStar(seed: 104)
        let rollouts = 500
        var declared = 0
        for _ in 0..<rollouts {
            var arms = [UnitMetricSums.empty, UnitMetricSums.empty]
            for _ in 0..<20 {
                for _ in 0..<100 {
                    let arm = generator.nextInt(below: 2)
                    let requests = 1 + generator.nextInt(below: 5)
                    var total = 0.0
                    for _ in 0..<requests { total -= 800 * log1p(-generator.nextUniform()) }
                    arms[arm].add(value: total, count: Double(requests))
                }
                let d = try OnlineMetric.difference(control: arms[0], treatment: arms[1], tuning: 1000, bound: nil)
                if d.pValue < Self.alpha {
                    declared += 1
                    break
                }
            }
        }
        let rate = Double(declared) / Double(rollouts)
        #expect(rate <= Self.bound(rollouts: rollouts), "declared in \(rate)")
    }
}
