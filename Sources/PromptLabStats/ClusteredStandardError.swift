import Foundation

/// A mean with a standard error that treats each test case as a cluster.
public struct ClusteredMean: Sendable, Equatable {
    /// The mean over all N observations.
    public let mean: Double
    /// The cluster-robust standard error of the mean.
    public let standardError: Double
    /// Number of observations N.
    public let observations: Int
    /// Number of clusters C (test cases).
    public let clusters: Int
}

/// A pass rate with a Wilson interval adjusted for clustering.
public struct ClusteredProportion: Sendable, Equatable {
    /// The pass rate and its clustered standard error.
    public let rate: ClusteredMean
    /// The Wilson interval at the effective sample size.
    public let interval: ConfidenceInterval
    /// The effective sample size p̂(1 − p̂)/SE².
    public let effectiveTrials: Double
}

/// Cluster-robust standard errors, with test cases as the clusters.
///
/// `SE = sqrt(C/(C−1) · Σ_c (Σ_{i∈c}(s_i − s̄))²) / N` (Miller 2024, "Adding Error Bars
/// to Evals", Appendix A). Equal to statsmodels'
/// `OLS(y, ones).fit(cov_type='cluster', cov_kwds={'groups': case}).bse[0]`, whose
/// default small-sample factor G/(G−1)·(N−1)/(N−K) reduces to C/(C−1) when K = 1.
public enum ClusteredStandardError {
    /// The mean and clustered standard error of `values`.
    /// - Parameters:
    ///   - values: One value per observation (for example per repeat or judge order).
    ///   - clusters: The case each observation belongs to; same length as `values`.
    /// - Throws: ``StatsError`` when the lengths differ or there are fewer than two clusters.
    public static func mean<ID: Hashable>(values: [Double], clusters: [ID]) throws -> ClusteredMean {
        guard values.count == clusters.count else { throw StatsError.lengthMismatch(values.count, clusters.count) }
        let mean = Descriptive.mean(values)
        var residualSums: [ID: Double] = [:]
        for (value, cluster) in zip(values, clusters) {
            residualSums[cluster, default: 0] += value - mean
        }
        let c = residualSums.count
        guard c >= 2 else { throw StatsError.tooFewObservations(needed: 2, got: c) }
        var sumOfSquares = 0.0
        for sum in residualSums.values { sumOfSquares += sum * sum }
        let cd = Double(c)
        let se = (cd / (cd - 1) * sumOfSquares).squareRoot() / Double(values.count)
        return ClusteredMean(mean: mean, standardError: se, observations: values.count, clusters: c)
    }

    /// The Wilson interval for a pass rate whose observations are clustered by case.
    ///
    /// Uses the design-effect approach (Korn and Graubard 1998): the effective sample
    /// size is n_eff = p̂(1 − p̂)/SE², with SE the clustered standard error, and the
    /// Wilson interval is computed for p̂ with n_eff trials. When every observation
    /// has the same outcome (SE = 0), n_eff is taken to be the number of clusters.
    /// - Parameters:
    ///   - values: 0/1 outcomes (any values in [0, 1] are accepted).
    ///   - clusters: The case of each outcome.
    public static func wilsonInterval<ID: Hashable>(values: [Double], clusters: [ID], level: Double = 0.95) throws -> ClusteredProportion {
        let clustered = try mean(values: values, clusters: clusters)
        let p = min(max(clustered.mean, 0), 1)
        let variance = clustered.standardError * clustered.standardError
        let effective = variance > 0 && p > 0 && p < 1 ? p * (1 - p) / variance : Double(clustered.clusters)
        let interval = try Wilson.interval(proportion: p, effectiveTrials: effective, level: level)
        return ClusteredProportion(rate: clustered, interval: interval, effectiveTrials: effective)
    }

    /// Collapses repeated observations to one mean per case, in first-seen case order.
    ///
    /// Use this before a paired test: the unit of independence is the test case.
    public static func caseMeans<ID: Hashable>(values: [Double], clusters: [ID]) throws -> (cases: [ID], means: [Double]) {
        guard values.count == clusters.count else { throw StatsError.lengthMismatch(values.count, clusters.count) }
        var index: [ID: Int] = [:]
        var order: [ID] = []
        var sums: [Double] = []
        var counts: [Int] = []
        for (value, cluster) in zip(values, clusters) {
            if let i = index[cluster] {
                sums[i] += value
                counts[i] += 1
            } else {
                index[cluster] = order.count
                order.append(cluster)
                sums.append(value)
                counts.append(1)
            }
        }
        return (order, zip(sums, counts).map { $0 / Double($1) })
    }
}
