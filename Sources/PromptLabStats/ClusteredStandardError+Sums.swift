import Foundation

extension ClusteredStandardError {
    /// The mean and clustered standard error from per-cluster sums, for callers that
    /// aggregate in a database and never hold the individual observations.
    ///
    /// With Sᶜ and nᶜ the sum and count of cluster c, N = Σnᶜ and s̄ = ΣSᶜ/N,
    /// Σ_{i∈c}(sᵢ − s̄) = Sᶜ − nᶜ·s̄, so the result equals
    /// ``mean(values:clusters:)`` on the raw observations. Clusters with a count of 0 are skipped.
    /// - Parameters:
    ///   - sums: Sᶜ, the sum of each cluster's observations.
    ///   - counts: nᶜ, how many observations each cluster has.
    /// - Throws: ``StatsError`` when the lengths differ, a count is negative, or fewer than two clusters have observations.
    public static func mean(clusterSums sums: [Double], clusterCounts counts: [Int]) throws -> ClusteredMean {
        guard sums.count == counts.count else { throw StatsError.lengthMismatch(sums.count, counts.count) }
        var total = 0.0
        var compensation = 0.0
        var observations = 0
        var clusters = 0
        for (sum, count) in zip(sums, counts) where count != 0 {
            guard count > 0 else { throw StatsError.invalidArgument("cluster counts must be non-negative") }
            // Kahan summation keeps the mean exact to the last digits over 10⁵ clusters.
            let y = sum - compensation
            let t = total + y
            compensation = (t - total) - y
            total = t
            observations += count
            clusters += 1
        }
        guard clusters >= 2 else { throw StatsError.tooFewObservations(needed: 2, got: clusters) }
        let mean = total / Double(observations)
        var sumOfSquares = 0.0
        for (sum, count) in zip(sums, counts) where count > 0 {
            let residual = sum - Double(count) * mean
            sumOfSquares += residual * residual
        }
        let c = Double(clusters)
        let se = (c / (c - 1) * sumOfSquares).squareRoot() / Double(observations)
        return ClusteredMean(mean: mean, standardError: se, observations: observations, clusters: clusters)
    }

    /// The Wilson interval for a pass rate from per-cluster pass counts, as
    /// ``wilsonInterval(values:clusters:level:)`` computes it from the raw outcomes.
    /// - Parameters:
    ///   - passes: Passing observations per cluster.
    ///   - counts: Observations per cluster.
    public static func wilsonInterval(clusterPasses passes: [Int], clusterCounts counts: [Int], level: Double = 0.95) throws
        -> ClusteredProportion
    {
        let clustered = try mean(clusterSums: passes.map(Double.init), clusterCounts: counts)
        let p = min(max(clustered.mean, 0), 1)
        let variance = clustered.standardError * clustered.standardError
        let effective = variance > 0 && p > 0 && p < 1 ? p * (1 - p) / variance : Double(clustered.clusters)
        let interval = try Wilson.interval(proportion: p, effectiveTrials: effective, level: level)
        return ClusteredProportion(rate: clustered, interval: interval, effectiveTrials: effective)
    }
}

extension ClusteredMean {
    /// mean ± t_{1−α/2, C−1} · SE, with C the number of clusters.
    ///
    /// Without repeats (one observation per cluster) this is the usual t interval for a mean.
    public func interval(level: Double = 0.95) -> ConfidenceInterval {
        let critical = StudentT.quantile(0.5 + 0.5 * level, df: Double(max(clusters - 1, 1)))
        return ConfidenceInterval(lower: mean - critical * standardError, upper: mean + critical * standardError, level: level)
    }
}
