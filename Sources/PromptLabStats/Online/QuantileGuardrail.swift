import Foundation

/// A guardrail on a high quantile of a latency-like metric, such as "the treatment's p95 must not
/// exceed the control's by more than 10%".
///
/// A quantile has no per-unit sums, but an exceedance share does:
/// p95_T ≤ (1 + tol) · p95_C  ⇔  the share of treatment observations above (1 + tol) · p95_C is
/// at most 5%. That share is a ratio metric (x_u = the unit's observations above the threshold,
/// m_u = its observations), so it gets the one-sample always-valid interval of
/// ``OnlineMetric/estimate(_:alpha:tuning:bound:minimumUnits:)`` with bound 1, and the guardrail is
/// breached when the interval's lower end is above 5%.
///
/// Approximation: the control's p95 is estimated and used as if known. Its sampling error moves
/// the threshold a little; with thousands of control observations the p95 is known to within a
/// few percent, well inside a 10% tolerance, but a tolerance of 0 would make the test sensitive to it.
/// Only "higher is worse" quantiles are covered.
public struct QuantileGuardrail: Sendable, Equatable, Codable {
    /// The quantile guarded, 0.95 for p95.
    public var quantile: Double
    /// The relative tolerance: 0.10 allows the treatment's quantile to be 10% above the control's.
    public var tolerance: Double

    public init(quantile: Double = 0.95, tolerance: Double) {
        self.quantile = quantile
        self.tolerance = tolerance
    }

    /// 1 − quantile, the share of observations allowed above the threshold.
    public var allowedShare: Double { 1 - quantile }

    /// (1 + tolerance) · the control's quantile: count treatment observations above this.
    /// - Throws: ``StatsError/invalidArgument(_:)`` for an invalid guardrail or a non-finite quantile.
    public func threshold(controlQuantile: Double) throws -> Double {
        try validate()
        guard controlQuantile.isFinite else { throw StatsError.invalidArgument("the control's quantile must be finite") }
        return (1 + tolerance) * controlQuantile
    }

    private func validate() throws {
        guard quantile > 0, quantile < 1 else { throw StatsError.invalidArgument("quantile must be in (0, 1)") }
        guard tolerance.isFinite, tolerance >= 0 else {
            throw StatsError.invalidArgument("a guardrail tolerance must be finite and non-negative")
        }
    }

    /// Tests the treatment's exceedance share against ``allowedShare``.
    /// - Parameters:
    ///   - treatmentExceedances: Per unit, x_u = observations above ``threshold(controlQuantile:)``
    ///     and m_u = all observations.
    ///   - alpha: Significance level.
    ///   - tuning: S, the units the treatment arm is expected to reach.
    ///   - minimumUnits: No verdict before this many units.
    /// - Throws: ``StatsError`` for invalid sums or arguments, as ``OnlineMetric/estimate(_:alpha:tuning:bound:minimumUnits:)``.
    public func evaluate(
        treatmentExceedances: UnitMetricSums, alpha: Double = 0.05, tuning: Double,
        minimumUnits: Int = OnlineMetric.defaultMinimumUnits
    ) throws -> QuantileGuardrailResult {
        try validate()
        let share = try OnlineMetric.estimate(
            treatmentExceedances, alpha: alpha, tuning: tuning, bound: 1, minimumUnits: minimumUnits)
        guard (0...1).contains(share.mean) else {
            throw StatsError.invalidArgument("exceedances must count observations: 0 ≤ Σx ≤ Σm")
        }
        let breached = !share.belowMinimum && share.interval.lower > allowedShare
        var pValue = 1.0
        if !share.belowMinimum {
            pValue =
                try Sequential.alwaysValid(
                    mean: share.mean - allowedShare, standardDeviation: share.sequential.standardDeviation,
                    count: share.units, alpha: alpha, tuning: tuning
                ).pValue
        }
        return QuantileGuardrailResult(
            status: breached ? .breached : .ok, allowedShare: allowedShare, exceedance: share, pValue: pValue)
    }
}
