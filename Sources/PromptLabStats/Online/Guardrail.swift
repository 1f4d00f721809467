import Foundation

/// A metric a rollout must not make worse by more than a tolerance: error rate, latency, cost.
///
/// A guardrail is a one-sided question, "did it get worse by more than allowed?", answered with
/// the same always-valid interval as the readout: it is **breached** when the interval of
/// treatment − control lies entirely beyond the tolerated margin on the worse side, so a breach
/// is a confident finding and may be acted on at any look (for example by rolling back).
/// Using the two-sided 1 − α interval makes the one-sided error rate at most α, typically α/2.
/// Until then it is **ok**, which means "not shown to be worse", not "shown to be fine".
public struct Guardrail: Sendable, Equatable, Codable {
    /// Which way is worse.
    public enum Direction: String, Sendable, Equatable, Codable, CaseIterable {
        /// Error rate, latency, cost: a rise is a regression.
        case higherIsWorse
        /// Success rate, satisfaction: a fall is a regression.
        case lowerIsWorse
    }

    /// How much worse is tolerated.
    public struct Tolerance: Sendable, Equatable, Codable {
        public enum Kind: String, Sendable, Equatable, Codable {
            /// A share of the control's mean: 0.10 allows 10% worse.
            case relative
            /// In the metric's unit: 0 for "must not rise at all".
            case absolute
        }

        public var kind: Kind
        public var value: Double

        public init(kind: Kind, value: Double) {
            self.kind = kind
            self.value = value
        }

        /// `value` × |control mean|.
        public static func relative(_ value: Double) -> Tolerance { Tolerance(kind: .relative, value: value) }
        /// `value` in the metric's unit.
        public static func absolute(_ value: Double) -> Tolerance { Tolerance(kind: .absolute, value: value) }
    }

    public var direction: Direction
    public var tolerance: Tolerance

    public init(direction: Direction, tolerance: Tolerance) {
        self.direction = direction
        self.tolerance = tolerance
    }

    /// The worsening tolerated in the metric's unit: the tolerance itself, or tolerance × |control mean|.
    ///
    /// A relative margin treats the control mean as known. It is estimated, so the margin is
    /// itself a little noisy; with the hundreds of units a verdict needs that noise is small next to
    /// the interval of the difference. ``OnlineDifference/relative`` carries the control's noise
    /// and is the figure to show next to a relative guardrail.
    /// - Throws: ``StatsError/invalidArgument(_:)`` for a negative or non-finite tolerance or control mean.
    public func margin(controlMean: Double) throws -> Double {
        guard tolerance.value.isFinite, tolerance.value >= 0 else {
            throw StatsError.invalidArgument("a guardrail tolerance must be finite and non-negative")
        }
        guard controlMean.isFinite else { throw StatsError.invalidArgument("the control mean must be finite") }
        switch tolerance.kind {
        case .absolute: return tolerance.value
        case .relative: return tolerance.value * abs(controlMean)
        }
    }

    /// Evaluates the guardrail on a readout of its metric.
    /// - Throws: as ``margin(controlMean:)``.
    public func evaluate(_ difference: OnlineDifference) throws -> GuardrailResult {
        let margin = try margin(controlMean: difference.control.mean)
        // Worsening is measured upwards: Δ when higher is worse, −Δ when lower is worse.
        let sign: Double = direction == .higherIsWorse ? 1 : -1
        let interval = difference.interval
        let worseningInterval = ConfidenceInterval(
            lower: sign > 0 ? interval.lower : -interval.upper, upper: sign > 0 ? interval.upper : -interval.lower,
            level: interval.level)
        let breached = !difference.belowMinimum && worseningInterval.lower > margin
        // The always-valid p-value of "worse by exactly the margin"; 1 before the minimum.
        var pValue = 1.0
        if !difference.belowMinimum,
            let shifted = try? Sequential.alwaysValid(
                mean: sign * difference.difference - margin, standardDeviation: difference.absolute.standardDeviation,
                count: difference.effectiveUnits, alpha: difference.alpha, tuning: difference.tuning)
        {
            pValue = shifted.pValue
        }
        return GuardrailResult(
            status: breached ? .breached : .ok, margin: margin, worsening: sign * difference.difference,
            worseningInterval: worseningInterval, pValue: pValue, belowMinimum: difference.belowMinimum)
    }
}
