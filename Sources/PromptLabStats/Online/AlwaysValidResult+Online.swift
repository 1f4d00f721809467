extension AlwaysValidResult {
    /// The same estimate with no verdict: p = 1 and an unbounded interval, for a look taken
    /// before the minimum number of units.
    func withoutVerdict() -> AlwaysValidResult {
        AlwaysValidResult(
            estimate: estimate,
            interval: ConfidenceInterval(lower: -.infinity, upper: .infinity, level: interval.level),
            pValue: 1, rho: rho, standardDeviation: standardDeviation, belowMinimum: true)
    }
}
