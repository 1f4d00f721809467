import Foundation

extension OnlineMetric {
    /// The most units per arm ``unitsNeeded(effect:standardDeviation:currentUnits:alpha:tuning:minimumUnits:cap:)`` looks at.
    public static let unitsNeededCap = 1_000_000_000

    /// How many more effective units per arm a verdict would need if the current difference and
    /// spread held: the smallest n at which the always-valid p-value falls below α, minus the
    /// current n. For an even split that is units per arm; for an uneven one, scale each arm by
    /// the same factor (n grows in proportion to the traffic).
    /// - Returns: 0 when `difference` is already significant; nil when the difference is 0, the spread
    ///   is unknown (σ̂ = 0 or not finite), or more than ``unitsNeededCap`` units per arm would be needed.
    public static func unitsNeeded(for difference: OnlineDifference) -> Int? {
        unitsNeeded(
            effect: difference.difference, standardDeviation: difference.absolute.standardDeviation,
            currentUnits: difference.effectiveUnits, alpha: difference.alpha, tuning: difference.tuning,
            minimumUnits: difference.minimumUnits)
    }

    /// The smallest n ≥ `currentUnits` (and ≥ `minimumUnits`) at which
    /// p(n) = √(nρ² + 1) · exp(−ρ² n² μ² / (2σ² (nρ² + 1))) < α, as more units: n − `currentUnits`.
    ///
    /// ln p(n) rises and then falls (its derivative changes sign once), so the n with p(n) < α
    /// beyond a point where p ≥ α form one half-line: doubling finds a point on it and bisection
    /// its start.
    /// - Parameters:
    ///   - effect: μ, the difference to detect.
    ///   - standardDeviation: σ̂, per unit.
    ///   - currentUnits: The effective units per arm so far (0 before the rollout starts).
    ///   - alpha: Significance level.
    ///   - tuning: S, in the same units as n.
    ///   - minimumUnits: No verdict before this many units.
    ///   - cap: The largest n considered.
    /// - Returns: nil for a zero or non-finite effect, σ̂ not positive and finite, invalid α or S,
    ///   or when even `cap` units are not enough.
    public static func unitsNeeded(
        effect: Double, standardDeviation sigma: Double, currentUnits: Int, alpha: Double = 0.05, tuning: Double,
        minimumUnits: Int = defaultMinimumUnits, cap: Int = unitsNeededCap
    ) -> Int? {
        guard effect.isFinite, effect != 0, sigma.isFinite, sigma > 0, currentUnits >= 0 else { return nil }
        guard (try? validate(alpha: alpha, tuning: tuning)) != nil else { return nil }
        let rho = Sequential.rho(alpha: alpha, tuning: tuning)
        let rho2 = rho * rho
        let logAlpha = log(alpha)
        let standardized = effect * effect / (2 * sigma * sigma)
        func significant(_ n: Int) -> Bool {
            let nd = Double(n)
            let spread = nd * rho2 + 1
            return 0.5 * log(spread) - standardized * rho2 * nd * nd / spread < logAlpha
        }
        let start = max(currentUnits, minimumUnits, 1)
        guard start <= cap else { return nil }
        if significant(start) { return start - currentUnits }
        // Invariant: p(low) ≥ α; find high with p(high) < α.
        var low = start
        var high = start
        repeat {
            low = high
            high = high > cap / 2 ? cap : high * 2
            if significant(high) { break }
            if high == cap { return nil }
        } while true
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if significant(middle) { high = middle } else { low = middle }
        }
        return high - currentUnits
    }
}
