/// Whether a guardrail held.
public enum GuardrailStatus: String, Sendable, Equatable, Codable {
    /// Not shown to be worse than tolerated (which includes "too early to tell").
    case ok
    /// The always-valid interval lies entirely beyond the tolerated margin: confidently worse.
    case breached
}
