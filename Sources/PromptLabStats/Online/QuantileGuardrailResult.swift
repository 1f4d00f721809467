/// A quantile guardrail's verdict: the treatment's share of observations above the threshold,
/// against the share the quantile allows.
public struct QuantileGuardrailResult: Sendable, Equatable {
    public let status: GuardrailStatus
    /// 1 − quantile: 0.05 for p95.
    public let allowedShare: Double
    /// The exceedance share with its always-valid interval; breached when the interval's lower
    /// end is above ``allowedShare``.
    public let exceedance: ArmMetricEstimate
    /// The always-valid p-value of "the share is exactly the allowed share"; 1 before the minimum.
    public let pValue: Double
}
