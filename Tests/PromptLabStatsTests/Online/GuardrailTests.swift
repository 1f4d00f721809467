import Foundation
import Testing

@testable import PromptLabStats

@Suite("Guardrails")
struct GuardrailTests {
    static let unitsPerArm = 5000

    /// One arm of simulated traffic: each unit sends 1–5 requests with exponential latencies.
    struct LatencyArm {
        var sums = UnitMetricSums.empty
        var latencies: [Double] = []
        var perUnit: [[Double]] = []

        init(meanLatency: Double, units: Int, generator: inout Xoshiro256StarStar) {
            for _ in 0..<units {
                let requests = 1 + generator.nextInt(below: 5)
                var unit: [Double] = []
                for _ in 0..<requests { unit.append(-meanLatency * log1p(-generator.nextUniform())) }
                sums.add(value: unit.reduce(0, +), count: Double(requests))
                latencies += unit
                perUnit.append(unit)
            }
        }

        /// Per unit: requests above `threshold` over all requests.
        func exceedances(above threshold: Double) -> UnitMetricSums {
            UnitMetricSums(values: perUnit.map { unit in (value: Double(unit.filter { $0 > threshold }.count), count: Double(unit.count)) })
        }
    }

    /// Per-request errors at `rate` for units sending 1–5 requests.
    static func errorSums(rate: Double, units: Int, generator: inout Xoshiro256StarStar) -> UnitMetricSums {
        var sums = UnitMetricSums.empty
        for _ in 0..<units {
            let requests = 1 + generator.nextInt(below: 5)
            sums.add(value: Double(generator.nextBinomial(trials: requests, probability: rate)), count: Double(requests))
        }
        return sums
    }

    let latency = Guardrail(direction: .higherIsWorse, tolerance: .relative(0.10))

    @Test("A 30% latency regression at 5,000 units per arm breaches a 10% guardrail")
    func latencyRegression() throws {
        var generator = Xoshiro256StarStar(seed: 11)
        let control = LatencyArm(meanLatency: 800, units: Self.unitsPerArm, generator: &generator)
        let treatment = LatencyArm(meanLatency: 1040, units: Self.unitsPerArm, generator: &generator)
        let d = try OnlineMetric.difference(control: control.sums, treatment: treatment.sums, tuning: 5000, bound: nil)
        let result = try latency.evaluate(d)
        #expect(result.status == .breached)
        #expect(isClose(result.margin, 0.1 * d.control.mean, rel: 1e-12))
        #expect(result.worseningInterval.lower > result.margin)
        #expect(result.pValue < 0.05)
    }

    @Test("No regression, or one within the tolerance, is ok", arguments: [800.0, 840.0])
    func noRegression(treatmentLatency: Double) throws {
        var generator = Xoshiro256StarStar(seed: 12)
        let control = LatencyArm(meanLatency: 800, units: Self.unitsPerArm, generator: &generator)
        let treatment = LatencyArm(meanLatency: treatmentLatency, units: Self.unitsPerArm, generator: &generator)
        let d = try OnlineMetric.difference(control: control.sums, treatment: treatment.sums, tuning: 5000, bound: nil)
        #expect(try latency.evaluate(d).status == .ok)
    }

    @Test("An error rate rising from 1% to 3% breaches a guardrail with tolerance 0")
    func errorRateRise() throws {
        var generator = Xoshiro256StarStar(seed: 13)
        let control = Self.errorSums(rate: 0.01, units: Self.unitsPerArm, generator: &generator)
        let treatment = Self.errorSums(rate: 0.03, units: Self.unitsPerArm, generator: &generator)
        let d = try OnlineMetric.difference(control: control, treatment: treatment, tuning: 5000, bound: 1)
        let guardrail = Guardrail(direction: .higherIsWorse, tolerance: .absolute(0))
        #expect(try guardrail.evaluate(d).status == .breached)
        // Falling errors never breach a higher-is-worse guardrail.
        let reversed = try OnlineMetric.difference(control: treatment, treatment: control, tuning: 5000, bound: 1)
        #expect(try guardrail.evaluate(reversed).status == .ok)
    }

    @Test("Lower is worse: a falling success rate breaches, a rising one does not")
    func lowerIsWorse() throws {
        var generator = Xoshiro256StarStar(seed: 14)
        let control = Self.errorSums(rate: 0.90, units: Self.unitsPerArm, generator: &generator)
        let worse = Self.errorSums(rate: 0.80, units: Self.unitsPerArm, generator: &generator)
        let better = Self.errorSums(rate: 0.95, units: Self.unitsPerArm, generator: &generator)
        let guardrail = Guardrail(direction: .lowerIsWorse, tolerance: .relative(0.05))
        let fell = try guardrail.evaluate(OnlineMetric.difference(control: control, treatment: worse, tuning: 5000, bound: 1))
        #expect(fell.status == .breached)
        #expect(fell.worsening > 0)
        let rose = try guardrail.evaluate(OnlineMetric.difference(control: control, treatment: better, tuning: 5000, bound: 1))
        #expect(rose.status == .ok)
        #expect(rose.worsening < 0)
    }

    @Test("Below the minimum number of units a guardrail cannot breach")
    func belowMinimum() throws {
        let control = UnitMetricSums(units: 50, sum: 0, sumOfSquares: 0)
        let treatment = UnitMetricSums(units: 50, sum: 50, sumOfSquares: 50)
        let d = try OnlineMetric.difference(control: control, treatment: treatment, tuning: 5000, bound: 1)
        let result = try Guardrail(direction: .higherIsWorse, tolerance: .absolute(0)).evaluate(d)
        #expect(result.status == .ok && result.belowMinimum && result.pValue == 1)
    }

    @Test("A 30% latency regression breaches a 10% p95 guardrail through exceedances; none does not")
    func p95Guardrail() throws {
        var generator = Xoshiro256StarStar(seed: 15)
        let control = LatencyArm(meanLatency: 800, units: Self.unitsPerArm, generator: &generator)
        let slower = LatencyArm(meanLatency: 1040, units: Self.unitsPerArm, generator: &generator)
        let same = LatencyArm(meanLatency: 800, units: Self.unitsPerArm, generator: &generator)
        let guardrail = QuantileGuardrail(quantile: 0.95, tolerance: 0.10)
        let threshold = try guardrail.threshold(controlQuantile: Descriptive.quantile(control.latencies, 0.95))
        let breached = try guardrail.evaluate(treatmentExceedances: slower.exceedances(above: threshold), tuning: 5000)
        #expect(breached.status == .breached)
        // Exponential latencies: P(X_T > 1.1 · q95_C) = exp(−1.1 · 800 · ln 20 / 1040) ≈ 0.079.
        #expect(abs(breached.exceedance.mean - 0.079) < 0.01)
        #expect(breached.pValue < 0.05)
        let held = try guardrail.evaluate(treatmentExceedances: same.exceedances(above: threshold), tuning: 5000)
        #expect(held.status == .ok)
        #expect(held.exceedance.mean < 0.05)
    }

    @Test("Invalid tolerances and exceedances are errors")
    func invalid() throws {
        let d = try OnlineMetric.difference(
            control: UnitMetricSums(units: 200, sum: 20, sumOfSquares: 20),
            treatment: UnitMetricSums(units: 200, sum: 30, sumOfSquares: 30),
            tuning: 1000, bound: 1)
        #expect(throws: StatsError.self) { try Guardrail(direction: .higherIsWorse, tolerance: .relative(-0.1)).evaluate(d) }
        #expect(throws: StatsError.self) { try Guardrail(direction: .higherIsWorse, tolerance: .absolute(.nan)).evaluate(d) }
        #expect(throws: StatsError.self) { try QuantileGuardrail(quantile: 1.5, tolerance: 0.1).threshold(controlQuantile: 100) }
        #expect(throws: StatsError.self) { try QuantileGuardrail(tolerance: 0.1).threshold(controlQuantile: .infinity) }
        // More exceedances than observations is not a share.
        let impossible = UnitMetricSums(values: [(value: 3, count: 1), (value: 2, count: 1)])
        #expect(throws: StatsError.self) { try QuantileGuardrail(tolerance: 0.1).evaluate(treatmentExceedances: impossible, tuning: 100) }
    }
}
