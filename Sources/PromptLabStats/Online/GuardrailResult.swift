/// A guardrail's verdict with the numbers behind it, in the metric's unit, measured so that
/// positive is worse whichever direction the metric runs.
public struct GuardrailResult: Sendable, Equatable {
    public let status: GuardrailStatus
    /// The worsening tolerated (≥ 0).
    public let margin: Double
    /// The observed worsening: Δ when higher is worse, −Δ when lower is worse.
    public let worsening: Double
    /// The always-valid interval of the worsening; breached when its lower end exceeds ``margin``.
    public let worseningInterval: ConfidenceInterval
    /// The always-valid p-value of "worse by exactly the margin"; below α with ``worsening`` above
    /// the margin exactly when breached. 1 before the minimum number of units.
    public let pValue: Double
    /// Too few units for any verdict yet.
    public let belowMinimum: Bool
}
