/// What ``PeekingSimulation/run(_:)`` found. Shares are over all rollouts.
public struct PeekingSimulationResult: Sendable, Equatable, Codable {
    /// The simulation that produced these numbers.
    public let configuration: PeekingSimulation.Configuration
    /// S, in effective units per arm, that the always-valid test used.
    public let tuning: Double
    /// Rollouts in which the always-valid p-value fell below α at some look. Under A/A, the
    /// false-positive rate: it stays at or below α however often one looks.
    public let declaredShare: Double
    /// Rollouts that declared, in the direction of the true difference; 0 under A/A.
    public let rightDirectionShare: Double
    /// Rollouts in which the fixed-horizon z-test fell below α at some look: what a dashboard
    /// without sequential testing would have declared.
    public let naiveDeclaredShare: Double
    /// Naive declarations in the direction of the true difference.
    public let naiveRightDirectionShare: Double
    /// The average look at which the always-valid test declared; nil when no rollout did.
    public let meanLooksToDeclare: Double?

    /// The binomial standard error of a share estimated from these rollouts, √(p(1 − p)/R).
    public func standardError(of share: Double) -> Double {
        (share * (1 - share) / Double(configuration.rollouts)).squareRoot()
    }
}
