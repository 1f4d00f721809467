import Foundation

/// Chance-corrected agreement between reviewers who judged the same cases.
public struct KappaResult: Sendable, Equatable {
    /// κ = (p_o − p_e) / (1 − p_e); NaN when p_e = 1 (every verdict in one category,
    /// so agreement beyond chance cannot be measured).
    public let kappa: Double
    /// p_o: the observed agreement.
    public let observedAgreement: Double
    /// p_e: the agreement expected by chance from the marginal shares.
    public let expectedAgreement: Double
    /// The cases every reviewer in the comparison judged.
    public let cases: Int
    /// The number of reviewers.
    public let raters: Int
}

/// Cohen's kappa for two reviewers and Fleiss' kappa for more (STATS.md, "Agreement
/// between human reviewers"). Below about 0.4 the verdicts disagree too much to trust
/// one reviewer alone.
public enum Agreement {
    /// Cohen's kappa: κ = (p_o − p_e)/(1 − p_e), p_e = Σ_k p_1(k)·p_2(k) from each
    /// reviewer's marginal shares, as `statsmodels.stats.inter_rater.cohens_kappa` on the
    /// contingency table (and `sklearn.metrics.cohen_kappa_score` on the labels).
    /// - Parameters:
    ///   - first: The first reviewer's category per case (0 ..< `categories`).
    ///   - second: The second reviewer's category for the same cases.
    /// - Throws: ``StatsError`` for mismatched lengths, no cases, or out-of-range categories.
    public static func cohensKappa(_ first: [Int], _ second: [Int], categories: Int) throws -> KappaResult {
        guard first.count == second.count else { throw StatsError.lengthMismatch(first.count, second.count) }
        guard !first.isEmpty else { throw StatsError.tooFewObservations(needed: 1, got: 0) }
        guard (first + second).allSatisfy({ (0..<categories).contains($0) }) else {
            throw StatsError.invalidArgument("categories must be in 0..<\(categories)")
        }
        let n = Double(first.count)
        var marginalA = [Double](repeating: 0, count: categories)
        var marginalB = [Double](repeating: 0, count: categories)
        var agree = 0.0
        for (a, b) in zip(first, second) {
            marginalA[a] += 1
            marginalB[b] += 1
            if a == b { agree += 1 }
        }
        let observed = agree / n
        var expected = 0.0
        for k in 0..<categories { expected += (marginalA[k] / n) * (marginalB[k] / n) }
        return KappaResult(
            kappa: kappa(observed: observed, expected: expected), observedAgreement: observed, expectedAgreement: expected,
            cases: first.count, raters: 2)
    }

    /// Fleiss' kappa, as `statsmodels.stats.inter_rater.fleiss_kappa(table, method='fleiss')`.
    ///
    /// P_i = (Σ_j n_ij² − m)/(m(m − 1)), P̄ their mean, p_j = Σ_i n_ij/(N m), P̄_e = Σ_j p_j².
    /// - Parameter counts: `counts[case][category]`: how many reviewers put the case in the
    ///   category; every case has the same number m ≥ 2 of reviewers.
    /// - Throws: ``StatsError`` without cases, with unequal or fewer than 2 reviewers per case.
    public static func fleissKappa(counts: [[Int]]) throws -> KappaResult {
        guard let firstRow = counts.first else { throw StatsError.tooFewObservations(needed: 1, got: 0) }
        let raters = firstRow.reduce(0, +)
        guard raters >= 2 else { throw StatsError.invalidArgument("Fleiss' kappa needs at least 2 reviewers per case") }
        guard counts.allSatisfy({ $0.count == firstRow.count && $0.reduce(0, +) == raters && $0.allSatisfy { $0 >= 0 } }) else {
            throw StatsError.invalidArgument("every case needs the same number of reviewers and categories")
        }
        let m = Double(raters)
        let cases = Double(counts.count)
        var totals = [Double](repeating: 0, count: firstRow.count)
        var observed = 0.0
        for row in counts {
            var squares = 0.0
            for (j, count) in row.enumerated() {
                squares += Double(count * count)
                totals[j] += Double(count)
            }
            observed += (squares - m) / (m * (m - 1))
        }
        observed /= cases
        let expected = totals.reduce(0) { $0 + ($1 / (cases * m)) * ($1 / (cases * m)) }
        return KappaResult(
            kappa: kappa(observed: observed, expected: expected), observedAgreement: observed, expectedAgreement: expected,
            cases: counts.count, raters: raters)
    }

    private static func kappa(observed: Double, expected: Double) -> Double {
        expected < 1 ? (observed - expected) / (1 - expected) : .nan
    }
}
