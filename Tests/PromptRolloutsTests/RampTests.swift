import Testing

@testable import PromptRollouts

@Suite("Ramping a split moves only the units it has to")
struct RampTests {
    static let unitCount = 100_000
    static let seed = "greeting-prompt"

    /// Each unit's bucket and its arm before and after a change of split.
    struct Move {
        let bucket: Double
        let before: Int?
        let after: Int?
    }

    func moves(from before: TrafficSplit, to after: TrafficSplit) -> [Move] {
        (0..<Self.unitCount).map { index in
            let bucket = RolloutAssigner.assign(unit: "user-\(index)", seed: Self.seed, split: before).bucket
            return Move(bucket: bucket, before: before.arm(forBucket: bucket), after: after.arm(forBucket: bucket))
        }
    }

    func movedFraction(_ moves: [Move]) -> Double {
        Double(moves.filter { $0.before != $0.after }.count) / Double(moves.count)
    }

    @Test func rampingNinetyTenToFiftyFiftyMovesOnlyControlUnitsInTheMiddle() throws {
        let before = try TrafficSplit(weights: [90, 10])
        let after = try TrafficSplit(weights: [50, 50])
        let moves = moves(from: before, to: after)
        for move in moves {
            let shouldMove = move.bucket >= 0.5 && move.bucket < 0.9
            #expect((move.before != move.after) == shouldMove, "bucket \(move.bucket)")
            if move.before == 1 {
                #expect(move.after == 1, "a treatment unit went back to control (bucket \(move.bucket))")
            }
        }
        #expect(before.movedShare(to: after) == 0.4)
        #expect(abs(movedFraction(moves) - before.movedShare(to: after)) <= 0.005)
    }

    @Test func rampingTenNinetyToFiftyFiftyMovesTreatmentUnitsToControl() throws {
        let before = try TrafficSplit(weights: [10, 90])
        let after = try TrafficSplit(weights: [50, 50])
        let moves = moves(from: before, to: after)
        for move in moves where move.before != move.after {
            #expect(move.before == 1 && move.after == 0)
            #expect(move.bucket >= 0.1 && move.bucket < 0.5)
        }
        #expect(nearlyEqual(before.movedShare(to: after), 0.4))
        #expect(abs(movedFraction(moves) - before.movedShare(to: after)) <= 0.005)
    }

    /// GrowthBook's ranges grow from each arm's start, so raising coverage only adds units.
    @Test func raisingCoverageNeverMovesAnEnrolledUnit() throws {
        let before = try TrafficSplit(weights: [10, 90], coverage: 0.5)
        let after = try TrafficSplit(weights: [10, 90], coverage: 1)
        let moves = moves(from: before, to: after)
        for move in moves where move.before != nil {
            #expect(move.after == move.before, "bucket \(move.bucket)")
        }
        #expect(nearlyEqual(before.movedShare(to: after), 0.5))
        #expect(abs(movedFraction(moves) - before.movedShare(to: after)) <= 0.005)
    }

    @Test func loweringCoverageOnlyRemovesUnits() throws {
        let before = try TrafficSplit(weights: [50, 50])
        let after = try TrafficSplit(weights: [50, 50], coverage: 0.2)
        let moves = moves(from: before, to: after)
        for move in moves where move.before != move.after {
            #expect(move.after == nil)
        }
        #expect(nearlyEqual(before.movedShare(to: after), 0.8))
        #expect(abs(movedFraction(moves) - before.movedShare(to: after)) <= 0.005)
    }

    @Test func movedShareMatchesUnitsForMixedChanges() throws {
        let changes: [(TrafficSplit, TrafficSplit)] = [
            (try TrafficSplit(weights: [34, 33, 33], coverage: 0.8), try TrafficSplit(weights: [50, 50])),
            (try TrafficSplit(weights: [1]), try TrafficSplit(weights: [70, 20, 10], coverage: 0.3)),
            (try TrafficSplit(weights: [25, 25, 25, 25], coverage: 0.6), try TrafficSplit(weights: [0, 50, 50], coverage: 0.9)),
        ]
        for (before, after) in changes {
            let share = before.movedShare(to: after)
            #expect(abs(movedFraction(moves(from: before, to: after)) - share) <= 0.005, "\(before.weights) -> \(after.weights)")
            #expect(nearlyEqual(share, after.movedShare(to: before)))
        }
    }

    /// Against every one of the 10,000 version 2 buckets: the continuous share may differ from the bucket share by at
    /// most one bucket width per range boundary.
    @Test func movedShareAgreesWithEveryBucket() throws {
        let splits = [
            try TrafficSplit(weights: [50, 50]),
            try TrafficSplit(weights: [90, 10]),
            try TrafficSplit(weights: [90, 10], coverage: 0.5),
            try TrafficSplit(weights: [34, 33, 33], coverage: 0.8),
            try TrafficSplit(weights: [1, 2, 3, 4], coverage: 0.37),
            try TrafficSplit(weights: [1], coverage: 0),
        ]
        for a in splits {
            #expect(a.movedShare(to: a) == 0)
            for b in splits {
                var moved = 0
                for k in 0..<10_000 {
                    let bucket = Double(k) / 10_000
                    if a.arm(forBucket: bucket) != b.arm(forBucket: bucket) { moved += 1 }
                }
                let boundaries = Double(2 * (a.ranges.count + b.ranges.count))
                #expect(abs(Double(moved) / 10_000 - a.movedShare(to: b)) <= boundaries / 10_000, "\(a) -> \(b)")
            }
        }
    }
}
