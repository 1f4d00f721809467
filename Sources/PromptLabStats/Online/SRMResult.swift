/// A sample-ratio-mismatch check: did the arms get the share of units their weights promise?
///
/// A mismatch means assignment or logging is broken (a crash in one arm, a bot filter, a cache
/// that answers before assignment), and then no metric comparison of the rollout can be trusted.
public struct SRMResult: Sendable, Equatable, Codable {
    /// Pearson's χ² = Σ (observed − expected)² / expected over the arms with positive weight.
    public let chiSquare: Double
    /// k − 1 for k arms with positive weight.
    public let degreesOfFreedom: Int
    /// P(χ²_{k−1} > chiSquare).
    public let pValue: Double
    /// pValue < the threshold (0.001 by default, as GrowthBook and Optimizely flag).
    public let flagged: Bool
    /// Units counted in arms of weight 0, which the test leaves out (an arm ramped down to 0 keeps
    /// its earlier units; units that arrive there while the weight is 0 point to a bug).
    public let unitsInZeroWeightArms: Int
}
