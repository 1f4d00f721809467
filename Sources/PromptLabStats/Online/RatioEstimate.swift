/// R = Σx/Σm with its delta-method variance (STATS.md, ratio metrics).
///
/// With n units, m̄ = Σm/n and the sample (co)variances s_x², s_m², s_xm,
/// var(R̂) ≈ (s_x² − 2R s_xm + R² s_m²) / (n m̄²). Because R = x̄/m̄, the numerator is
/// Σ(x_u − R m_u)² / (n − 1): the spread of each unit's residual from the ratio line. That is
/// also the cluster-robust variance of the observation-level mean with units as clusters.
/// When every m_u = 1 it is the plain mean's s²/n.
struct RatioEstimate: Sendable, Equatable {
    let units: Int
    let mean: Double
    /// σ̂² per unit, n · var(R̂) = Σ(x_u − R m_u)² / ((n − 1) m̄²); 0 for a single unit.
    let perUnitVariance: Double

    init(_ sums: UnitMetricSums) {
        let n = Double(sums.units)
        let ratio = sums.sumValue / sums.sumCount
        let meanCount = sums.sumCount / n
        // Σ(x − Rm)² expanded; terms of equal size cancel, so a residual at the level of
        // rounding noise is no spread at all (all units exactly on the ratio line).
        let residualSquares =
            sums.sumValueSquared - 2 * ratio * sums.sumValueCount + ratio * ratio * sums.sumCountSquared
        let scale = sums.sumValueSquared + ratio * ratio * sums.sumCountSquared
        let spread = residualSquares.isFinite && Swift.abs(residualSquares) <= 1e-12 * scale ? 0 : residualSquares
        units = sums.units
        mean = ratio
        perUnitVariance = sums.units > 1 ? spread / ((n - 1) * meanCount * meanCount) : 0
    }

    /// var(R̂) = σ̂² / n.
    var varianceOfMean: Double { perUnitVariance / Double(units) }
}
