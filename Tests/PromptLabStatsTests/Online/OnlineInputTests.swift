import Foundation
import Testing

@testable import PromptLabStats

/// Inputs from a database or a request: every one gives a documented result or a `StatsError`.
@Suite("Readout inputs that must not trap")
struct OnlineInputTests {
    static let good = UnitMetricSums(units: 200, sum: 60, sumOfSquares: 60)

    @Test("Zero units is too few observations")
    func zeroUnits() {
        #expect(throws: StatsError.tooFewObservations(needed: 1, got: 0)) {
            try OnlineMetric.estimate(.empty, tuning: 100, bound: 1)
        }
        #expect(throws: StatsError.tooFewObservations(needed: 1, got: 0)) {
            try OnlineMetric.difference(control: .empty, treatment: Self.good, tuning: 100, bound: 1)
        }
        #expect(throws: StatsError.tooFewObservations(needed: 1, got: 0)) {
            try OnlineMetric.difference(control: Self.good, treatment: .empty, tuning: 100, bound: nil)
        }
    }

    @Test(
        "Non-finite, negative or inconsistent sums are invalid arguments",
        arguments: [
            UnitMetricSums(units: 10, sumValue: .nan, sumValueSquared: 1, sumCount: 10, sumCountSquared: 10, sumValueCount: 1),
            UnitMetricSums(units: 10, sumValue: 1, sumValueSquared: .infinity, sumCount: 10, sumCountSquared: 10, sumValueCount: 1),
            UnitMetricSums(units: 10, sumValue: 1, sumValueSquared: 1, sumCount: -.infinity, sumCountSquared: 10, sumValueCount: 1),
            UnitMetricSums(units: -3, sumValue: 1, sumValueSquared: 1, sumCount: 10, sumCountSquared: 10, sumValueCount: 1),
            UnitMetricSums(units: Int.max, sumValue: 1, sumValueSquared: 1, sumCount: 10, sumCountSquared: 10, sumValueCount: 1),
            UnitMetricSums(units: 10, sumValue: 1, sumValueSquared: -1, sumCount: 10, sumCountSquared: 10, sumValueCount: 1),
            UnitMetricSums(units: 10, sumValue: 1, sumValueSquared: 1, sumCount: 0, sumCountSquared: 0, sumValueCount: 0),
            // Σx² far below (Σx)²/n: no real data has these sums.
            UnitMetricSums(units: 10, sumValue: 100, sumValueSquared: 1, sumCount: 10, sumCountSquared: 10, sumValueCount: 100),
            // Finite sums whose combination overflows.
            UnitMetricSums(
                units: 2, sumValue: 1e300, sumValueSquared: 1e308, sumCount: 1e-10, sumCountSquared: 1e-20, sumValueCount: 1e290),
        ])
    func invalidSums(sums: UnitMetricSums) {
        #expect(throws: StatsError.self) { try OnlineMetric.estimate(sums, tuning: 100, bound: nil, minimumUnits: 1) }
        #expect(throws: StatsError.self) { try OnlineMetric.difference(control: Self.good, treatment: sums, tuning: 100, bound: 1) }
        #expect(throws: StatsError.self) { try OnlineMetric.difference(control: sums, treatment: Self.good, tuning: 100, bound: nil) }
    }

    @Test("Invalid arguments are errors")
    func invalidArguments() {
        for alpha in [0, 1, -0.1, .nan, .infinity] {
            #expect(throws: StatsError.self) { try OnlineMetric.estimate(Self.good, alpha: alpha, tuning: 100, bound: 1) }
        }
        for tuning in [0, 0.5, -1, .nan, .infinity] {
            #expect(throws: StatsError.self) {
                try OnlineMetric.difference(control: Self.good, treatment: Self.good, tuning: tuning, bound: 1)
            }
        }
        for bound in [0, -1, .nan, .infinity] {
            #expect(throws: StatsError.self) {
                try OnlineMetric.difference(control: Self.good, treatment: Self.good, tuning: 100, bound: bound)
            }
        }
        #expect(throws: StatsError.self) {
            try OnlineMetric.difference(control: Self.good, treatment: Self.good, tuning: 100, bound: 1, minimumUnits: 0)
        }
    }

    @Test("All-equal values: no spread, so no verdict without a bound, and a prior-sized one with it")
    func allEqual() throws {
        let fives = UnitMetricSums(units: 500, sum: 2500, sumOfSquares: 12_500)
        let threes = UnitMetricSums(units: 500, sum: 1500, sumOfSquares: 4500)
        let same = try OnlineMetric.difference(control: fives, treatment: fives, tuning: 500, bound: nil)
        #expect(same.difference == 0 && same.standardError == 0)
        #expect(same.pValue == 1 && same.fixedHorizonPValue == 1)
        #expect(same.interval.lower == -.infinity && same.interval.upper == .infinity)
        // Without a bound, σ̂ = 0 carries no information about the spread: p = 1 (Sequential's rule).
        let apart = try OnlineMetric.difference(control: threes, treatment: fives, tuning: 500, bound: nil)
        #expect(apart.pValue == 1)
        // With a bound the prior supplies a spread, and 500 units each of 3 against 5 is decisive.
        let bounded = try OnlineMetric.difference(control: threes, treatment: fives, tuning: 500, bound: 10)
        #expect(bounded.pValue < 1e-6)
        #expect(bounded.interval.contains(2))
        #expect(try OnlineMetric.estimate(fives, tuning: 500, bound: nil).interval.upper == .infinity)
        // All-zero rates: a relative difference needs a non-zero control mean.
        let zeros = UnitMetricSums(units: 500, sum: 0, sumOfSquares: 0)
        #expect(try OnlineMetric.difference(control: zeros, treatment: zeros, tuning: 500, bound: 1).relative == nil)
    }

    @Test("A single unit per arm is below any minimum above 1 and never significant")
    func singleUnit() throws {
        let one = UnitMetricSums(values: [(value: 1, count: 1)])
        let zero = UnitMetricSums(values: [(value: 0, count: 1)])
        for bound in [1.0, nil] {
            let d = try OnlineMetric.difference(control: zero, treatment: one, tuning: 100, bound: bound)
            #expect(d.belowMinimum && d.pValue == 1)
            let plain = try OnlineMetric.difference(control: zero, treatment: one, tuning: 100, bound: bound, minimumUnits: 1)
            #expect(plain.pValue > 0.05)
        }
    }

    @Test("Units-needed input at the extremes returns nil, never traps")
    func unitsNeededExtremes() {
        #expect(OnlineMetric.unitsNeeded(effect: 1e-300, standardDeviation: 1e300, currentUnits: 0, tuning: 1) == nil)
        #expect(OnlineMetric.unitsNeeded(effect: 1, standardDeviation: 1, currentUnits: -5, tuning: 1) == nil)
        #expect(OnlineMetric.unitsNeeded(effect: 1, standardDeviation: 1, currentUnits: 0, tuning: 1e-300) == nil)
        // Overwhelming evidence: significant as soon as the minimum allows.
        #expect(OnlineMetric.unitsNeeded(effect: 1e300, standardDeviation: 1e-300, currentUnits: 0, tuning: 1) == 100)
        #expect(OnlineMetric.unitsNeeded(effect: 1, standardDeviation: 1, currentUnits: 0, tuning: 100, minimumUnits: Int.max) == nil)
    }

    @Test("Sums round-trip through JSON")
    func codable() throws {
        let sums = UnitMetricSums(values: [(value: 3, count: 2), (value: 1.5, count: 1)])
        let decoded = try JSONDecoder().decode(UnitMetricSums.self, from: JSONEncoder().encode(sums))
        #expect(decoded == sums)
    }
}
