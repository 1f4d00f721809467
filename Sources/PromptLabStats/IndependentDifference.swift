import Foundation

/// Sufficient statistics of one sample: Σx, Σx² and n.
public struct SampleMoments: Sendable, Equatable {
    public let sum: Double
    public let sumOfSquares: Double
    public let count: Int

    public init(sum: Double, sumOfSquares: Double, count: Int) {
        self.sum = sum
        self.sumOfSquares = sumOfSquares
        self.count = count
    }

    /// Accumulates the moments of `values`.
    public init(_ values: [Double]) {
        self.init(sum: values.reduce(0, +), sumOfSquares: values.reduce(0) { $0 + $1 * $1 }, count: values.count)
    }

    /// Σx / n.
    public var mean: Double { sum / Double(count) }

    /// Sample variance (Σx² − (Σx)²/n) / (n − 1).
    public var variance: Double {
        let n = Double(count)
        return max((sumOfSquares - sum * sum / n) / (n - 1), 0)
    }
}

/// A difference of means between two independent samples, tested with Welch's t test.
///
/// This is the fixed-horizon frequentist result GrowthBook reports for summary
/// statistics; it matches `scipy.stats.ttest_ind(b, a, equal_var=False)`.
public struct IndependentDifference: Sendable, Equatable {
    /// mean(B) − mean(A).
    public let difference: Double
    /// √(var_A/n_A + var_B/n_B).
    public let standardError: Double
    /// difference / SE.
    public let t: Double
    /// Welch–Satterthwaite degrees of freedom.
    public let degreesOfFreedom: Double
    /// One-sided p-value for H₁: B > A.
    public let oneSidedPValue: Double
    /// Two-sided p-value.
    public let twoSidedPValue: Double
    /// difference ± t_{1−α/2, df}·SE.
    public let interval: ConfidenceInterval

    /// Compares sample B (treatment) with sample A (control).
    /// - Throws: ``StatsError/tooFewObservations(needed:got:)`` when a sample has fewer than 2 values.
    public init(control a: SampleMoments, treatment b: SampleMoments, level: Double = 0.95) throws {
        guard a.count >= 2 else { throw StatsError.tooFewObservations(needed: 2, got: a.count) }
        guard b.count >= 2 else { throw StatsError.tooFewObservations(needed: 2, got: b.count) }
        guard level > 0, level < 1 else { throw StatsError.invalidArgument("level must be in (0, 1)") }
        let va = a.variance / Double(a.count)
        let vb = b.variance / Double(b.count)
        difference = b.mean - a.mean
        standardError = (va + vb).squareRoot()
        degreesOfFreedom = (va + vb) * (va + vb) / (va * va / Double(a.count - 1) + vb * vb / Double(b.count - 1))
        t = difference / standardError
        oneSidedPValue = StudentT.sf(t, df: degreesOfFreedom)
        twoSidedPValue = min(1, 2 * StudentT.sf(abs(t), df: degreesOfFreedom))
        let critical = StudentT.quantile(0.5 + 0.5 * level, df: degreesOfFreedom)
        interval = ConfidenceInterval(
            lower: difference - critical * standardError, upper: difference + critical * standardError, level: level)
    }
}
