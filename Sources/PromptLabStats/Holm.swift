/// Holm's step-down adjustment for multiple comparisons (Holm 1979).
///
/// Matches `statsmodels.stats.multitest.multipletests(p, method='holm')`:
/// sort ascending, multiply the i-th smallest (from 0) by m − i, take the running
/// maximum, cap at 1, and return in the original order.
public enum Holm {
    /// Holm-adjusted p-values, in the order of `pValues`.
    public static func adjust(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 0, count: m)
        var runningMax = 0.0
        for (rank, index) in order.enumerated() {
            runningMax = max(runningMax, min(1, Double(m - rank) * pValues[index]))
            adjusted[index] = runningMax
        }
        return adjusted
    }

    /// Whether each hypothesis is rejected at family-wise level `alpha`
    /// (adjusted p-value ≤ alpha).
    public static func rejections(_ pValues: [Double], alpha: Double = 0.05) -> [Bool] {
        adjust(pValues).map { $0 <= alpha }
    }
}
