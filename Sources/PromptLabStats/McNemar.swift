import Foundation

/// McNemar's test for paired pass/fail outcomes.
public struct McNemarResult: Sendable, Equatable {
    /// b: cases where the control passed and the variant failed.
    public let controlOnly: Int
    /// c: cases where the control failed and the variant passed.
    public let variantOnly: Int
    /// Exact p-value: `binomtest(b, b + c, 0.5)`, two-sided.
    public let exactPValue: Double
    /// Chi-square statistic with continuity correction, (|b − c| − 1)² / (b + c).
    public let chiSquare: Double
    /// p-value of the chi-square statistic on one degree of freedom.
    public let chiSquarePValue: Double

    /// Total discordant pairs b + c.
    public var discordant: Int { controlOnly + variantOnly }
}

/// McNemar's test (exact and chi-square with continuity correction).
///
/// Matches `statsmodels.stats.contingency_tables.mcnemar(table, exact=True)` and
/// `mcnemar(table, exact=False, correction=True)`. Like statsmodels, the corrected
/// statistic is (|b − c| − 1)² / (b + c) even when |b − c| < 1. With no discordant pairs
/// the statistic is 0 and both p-values are 1 (statsmodels gives NaN there).
public enum McNemar {
    /// McNemar's test from the two discordant counts.
    /// - Parameters:
    ///   - controlOnly: b, pairs where only the control passed.
    ///   - variantOnly: c, pairs where only the variant passed.
    public static func test(controlOnly b: Int, variantOnly c: Int) throws -> McNemarResult {
        guard b >= 0, c >= 0 else { throw StatsError.invalidArgument("counts must be non-negative") }
        let n = b + c
        guard n > 0 else {
            return McNemarResult(controlOnly: b, variantOnly: c, exactPValue: 1, chiSquare: 0, chiSquarePValue: 1)
        }
        let exact = min(1, 2 * Binomial.cdf(min(b, c), n: n, p: 0.5))
        let excess = Double(abs(b - c)) - 1
        let chi = excess * excess / Double(n)
        return McNemarResult(controlOnly: b, variantOnly: c, exactPValue: exact, chiSquare: chi, chiSquarePValue: ChiSquared.sf(chi, df: 1))
    }

    /// McNemar's test from a 2×2 table `[[both pass, control only], [variant only, both fail]]`,
    /// rows the control's outcome and columns the variant's (statsmodels' layout).
    public static func test(table: [[Int]]) throws -> McNemarResult {
        guard table.count == 2, table.allSatisfy({ $0.count == 2 }) else {
            throw StatsError.invalidArgument("table must be 2×2")
        }
        return try test(controlOnly: table[0][1], variantOnly: table[1][0])
    }

    /// McNemar's test from paired pass/fail outcomes, one pair per case.
    public static func test(control: [Bool], variant: [Bool]) throws -> McNemarResult {
        guard control.count == variant.count else { throw StatsError.lengthMismatch(control.count, variant.count) }
        var b = 0
        var c = 0
        for (a, v) in zip(control, variant) {
            if a && !v { b += 1 } else if !a && v { c += 1 }
        }
        return try test(controlOnly: b, variantOnly: c)
    }
}
