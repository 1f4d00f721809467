import Testing

@testable import PromptRollouts

@Suite("Assignment is sticky and stateless")
struct StickinessTests {
    let units = (0..<2_000).map { "user-\($0)" } + ["alice@example.com", "Zoë", "日本語", "user-🚀", " "]

    @Test func theSameUnitAlwaysGetsTheSameArm() throws {
        let split = try TrafficSplit(weights: [34, 33, 33], coverage: 0.8)
        for unit in units {
            let first = RolloutAssigner.assign(unit: unit, seed: "support-bot-tone", split: split)
            let second = RolloutAssigner.assign(unit: unit, seed: "support-bot-tone", split: split)
            #expect(first == second, "\(unit)")
        }
    }

    @Test func aFreshSplitWithTheSameConfigurationGivesTheSameArm() throws {
        let original = try TrafficSplit(weights: [90, 10])
        let rebuilt = try TrafficSplit(weights: [90, 10])
        let asShares = try TrafficSplit(weights: [0.9, 0.1])
        #expect(original == rebuilt && original == asShares)
        for unit in units {
            let arm = RolloutAssigner.assign(unit: unit, seed: "summary@v3", split: original).arm
            #expect(RolloutAssigner.assign(unit: unit, seed: "summary@v3", split: rebuilt).arm == arm, "\(unit)")
            #expect(RolloutAssigner.assign(unit: unit, seed: "summary@v3", split: asShares).arm == arm, "\(unit)")
        }
    }

    /// Different seeds must give unrelated assignments, or every rollout would reuse the same treatment group.
    @Test func differentSeedsAssignIndependently() throws {
        let split = try TrafficSplit(weights: [50, 50])
        let unitCount = 100_000
        var agreeing = 0
        for index in 0..<unitCount {
            let unit = "user-\(index)"
            let a = RolloutAssigner.assign(unit: unit, seed: "greeting-prompt", split: split).arm
            let b = RolloutAssigner.assign(unit: unit, seed: "summary@v3", split: split).arm
            if a == b { agreeing += 1 }
        }
        #expect(abs(Double(agreeing) / Double(unitCount) - 0.5) <= 0.01)
    }
}
