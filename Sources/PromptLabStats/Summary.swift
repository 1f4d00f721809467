import Foundation

/// Descriptive statistics for one metric of one variant (tokens, cost, latency, score).
public struct Summary: Sendable, Equatable {
    /// Number of values.
    public let count: Int
    /// Arithmetic mean.
    public let mean: Double
    /// Sample standard deviation (divisor n − 1); 0 when there is one value.
    public let standardDeviation: Double
    /// Smallest value.
    public let minimum: Double
    /// Median (50th percentile).
    public let p50: Double
    /// 95th percentile.
    public let p95: Double
    /// Largest value.
    public let maximum: Double

    /// Summarizes `values`.
    ///
    /// Percentiles use linear interpolation between order statistics, the
    /// default of `numpy.percentile` (Hyndman and Fan type 7).
    /// - Throws: ``StatsError/tooFewObservations(needed:got:)`` when `values` is empty.
    public init(_ values: [Double]) throws {
        guard !values.isEmpty else { throw StatsError.tooFewObservations(needed: 1, got: 0) }
        let sorted = values.sorted()
        count = values.count
        mean = Descriptive.mean(values)
        standardDeviation = values.count > 1 ? Descriptive.variance(values, mean: mean).squareRoot() : 0
        minimum = sorted[0]
        maximum = sorted[sorted.count - 1]
        p50 = Descriptive.quantile(sorted: sorted, 0.5)
        p95 = Descriptive.quantile(sorted: sorted, 0.95)
    }
}

/// Descriptive helpers used throughout the module.
public enum Descriptive {
    /// The arithmetic mean, using compensated summation.
    public static func mean(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        return compensatedSum(values) / Double(values.count)
    }

    /// Kahan–Babuška summation, so means of 10⁵ values keep their last digits.
    public static func compensatedSum(_ values: [Double]) -> Double {
        var sum = 0.0
        var compensation = 0.0
        for value in values {
            let t = sum + value
            if abs(sum) >= abs(value) {
                compensation += (sum - t) + value
            } else {
                compensation += (value - t) + sum
            }
            sum = t
        }
        return sum + compensation
    }

    /// The sample variance with divisor n − 1 (NumPy's `ddof=1`).
    public static func variance(_ values: [Double], mean: Double? = nil) -> Double {
        guard values.count > 1 else { return .nan }
        let center = mean ?? self.mean(values)
        var sum = 0.0
        var correction = 0.0
        for value in values {
            let deviation = value - center
            sum += deviation * deviation
            correction += deviation
        }
        // The second term removes the rounding error left in `center`.
        let n = Double(values.count)
        return (sum - correction * correction / n) / (n - 1)
    }

    /// The `q`-quantile of `values` by linear interpolation (`numpy.percentile` default).
    /// - Parameter q: A probability in [0, 1].
    public static func quantile(_ values: [Double], _ q: Double) -> Double {
        quantile(sorted: values.sorted(), q)
    }

    /// The `q`-quantile of already sorted values by linear interpolation.
    public static func quantile(sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty, q >= 0, q <= 1 else { return .nan }
        let position = q * Double(sorted.count - 1)
        let below = Int(position.rounded(.down))
        let fraction = position - Double(below)
        if below + 1 >= sorted.count { return sorted[sorted.count - 1] }
        let low = sorted[below]
        let high = sorted[below + 1]
        return fraction == 0 ? low : low + fraction * (high - low)
    }
}
