import Foundation

/// Sufficient statistics of one metric for one arm, over its units.
///
/// Live traffic is analysed per unit (a user or a session): requests of one user are not
/// independent, so each unit u contributes x_u, the sum of the metric's values, and m_u, its
/// number of observations (requests or feedback events). These six sums are all the readout
/// needs, so a database can compute them with one `GROUP BY` and no rows leave it.
public struct UnitMetricSums: Sendable, Equatable, Codable {
    /// Units with at least one observation.
    public var units: Int
    /// Σ x_u.
    public var sumValue: Double
    /// Σ x_u².
    public var sumValueSquared: Double
    /// Σ m_u.
    public var sumCount: Double
    /// Σ m_u².
    public var sumCountSquared: Double
    /// Σ x_u m_u.
    public var sumValueCount: Double

    /// More units than any rollout has; the bound keeps every conversion to `Int` exact.
    public static let maximumUnits = 1_000_000_000_000_000

    public init(
        units: Int, sumValue: Double, sumValueSquared: Double, sumCount: Double, sumCountSquared: Double,
        sumValueCount: Double
    ) {
        self.units = units
        self.sumValue = sumValue
        self.sumValueSquared = sumValueSquared
        self.sumCount = sumCount
        self.sumCountSquared = sumCountSquared
        self.sumValueCount = sumValueCount
    }

    /// No units yet.
    public static let empty = UnitMetricSums(
        units: 0, sumValue: 0, sumValueSquared: 0, sumCount: 0, sumCountSquared: 0, sumValueCount: 0)

    /// Accumulates one (x_u, m_u) pair per unit.
    public init(values: [(value: Double, count: Double)]) {
        self = .empty
        for unit in values { add(value: unit.value, count: unit.count) }
    }

    /// The sums of a metric observed once per unit (m_u = 1), such as "converted": the ratio is then
    /// the plain mean over units.
    public init(units: Int, sum: Double, sumOfSquares: Double) {
        let n = Double(units)
        self.init(units: units, sumValue: sum, sumValueSquared: sumOfSquares, sumCount: n, sumCountSquared: n, sumValueCount: sum)
    }

    /// Adds one unit with metric sum `value` over `count` observations.
    public mutating func add(value: Double, count: Double) {
        units += 1
        sumValue += value
        sumValueSquared += value * value
        sumCount += count
        sumCountSquared += count * count
        sumValueCount += value * count
    }

    /// The ratio and its delta-method variance, after checking that the sums can be real.
    /// - Throws: ``StatsError/tooFewObservations(needed:got:)`` without units,
    ///   ``StatsError/invalidArgument(_:)`` for non-finite, negative or inconsistent sums.
    func ratio() throws -> RatioEstimate {
        guard units >= 0, units <= Self.maximumUnits else {
            throw StatsError.invalidArgument("units must be in 0...\(Self.maximumUnits), got \(units)")
        }
        let sums = [sumValue, sumValueSquared, sumCount, sumCountSquared, sumValueCount]
        guard sums.allSatisfy(\.isFinite) else { throw StatsError.invalidArgument("metric sums must be finite") }
        guard sumValueSquared >= 0, sumCount >= 0, sumCountSquared >= 0 else {
            throw StatsError.invalidArgument("sums of squares and of counts must be non-negative")
        }
        guard units > 0 else { throw StatsError.tooFewObservations(needed: 1, got: 0) }
        guard sumCount > 0 else { throw StatsError.invalidArgument("units with observations must have a positive count sum") }
        let estimate = RatioEstimate(self)
        guard estimate.mean.isFinite, estimate.perUnitVariance.isFinite else {
            throw StatsError.invalidArgument("metric sums are too large to combine")
        }
        guard estimate.perUnitVariance >= 0 else {
            throw StatsError.invalidArgument("inconsistent metric sums: Σx², Σm² and Σxm imply a negative variance")
        }
        return estimate
    }
}
