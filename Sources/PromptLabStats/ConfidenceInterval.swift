/// A two-sided confidence interval.
public struct ConfidenceInterval: Sendable, Equatable {
    /// Lower bound.
    public let lower: Double
    /// Upper bound.
    public let upper: Double
    /// Confidence level, for example 0.95.
    public let level: Double

    public init(lower: Double, upper: Double, level: Double) {
        self.lower = lower
        self.upper = upper
        self.level = level
    }

    /// Whether `value` lies within the closed interval.
    public func contains(_ value: Double) -> Bool {
        lower <= value && value <= upper
    }
}
