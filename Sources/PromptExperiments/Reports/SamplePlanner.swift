import Foundation
import PromptFormat
import PromptLabCore
import PromptLabStats
import PromptVersioning

/// How many cases an experiment needs to detect a given difference (`promptlab plan`).
///
/// Three paired designs, each two-sided at level α (divided by the number of
/// comparisons when several variants are compared with the control, as Holm needs
/// for its first rejection):
///
/// - pass/fail, McNemar (Connor 1987), from the discordant shares p10 and p01, or from
///   two pass rates assuming outcomes independent given the case (p10 = p_A(1 − p_B),
///   p01 = (1 − p_A)p_B; conservative when cases are positively correlated, as they
///   usually are: correlation lowers the discordant share);
/// - numeric scores: n = (z_{1−α/2} + z_{1−β})² σ_d² / δ²;
/// - a judge's win rate against 50%, ties excluded, then divided by the non-tie share.
public enum SamplePlanner {
    /// A planned sample size.
    public struct Plan: Sendable, Equatable {
        /// The design, such as `paired pass/fail (McNemar exact)`.
        public var design: String
        /// The unrounded formula value.
        public var exactCases: Double
        /// Cases to run: the formula value rounded up (and, for win rates, ties allowed for).
        public var cases: Int
        /// The α each test uses (after dividing by the comparisons) and the power.
        public var alpha: Double
        public var power: Double
        /// The inputs, as a reader would write them.
        public var inputs: String
        /// Assumptions behind the number.
        public var assumptions: String?
    }

    /// Paired pass/fail from the discordant shares: p10 (control passes, variant fails) and p01 (the reverse).
    public static func pairedPassFail(p10: Double, p01: Double, alpha: Double = 0.05, power: Double = 0.8, comparisons: Int = 1) throws
        -> Plan
    {
        let testAlpha = try level(alpha, comparisons)
        let size = try wrap { try Power.pairedBinarySampleSize(p10: p10, p01: p01, alpha: testAlpha, power: power) }
        return Plan(
            design: "paired pass/fail (McNemar exact)", exactCases: size, cases: try wholeCases(size), alpha: testAlpha, power: power,
            inputs: "discordant p10 = \(p10), p01 = \(p01)", assumptions: nil)
    }

    /// Paired pass/fail from the two arms' pass rates, assuming independence given the case.
    public static func pairedPassFail(
        controlRate: Double, variantRate: Double, alpha: Double = 0.05, power: Double = 0.8, comparisons: Int = 1
    ) throws -> Plan {
        guard (0...1).contains(controlRate), (0...1).contains(variantRate) else {
            throw PromptLabError(.invalidInput, "pass rates must be between 0 and 1")
        }
        var plan = try pairedPassFail(
            p10: controlRate * (1 - variantRate), p01: (1 - controlRate) * variantRate, alpha: alpha, power: power,
            comparisons: comparisons)
        plan.inputs = "pass rates \(controlRate) (control) and \(variantRate) (variant)"
        plan.assumptions =
            "outcomes independent given the case (p10 = p_A(1 − p_B), p01 = (1 − p_A)p_B); with correlated cases fewer suffice — give --discordant p10,p01 if known"
        return plan
    }

    /// Paired numeric scores: detect a mean difference `effect` when the per-case differences have standard deviation `sd`.
    public static func pairedScores(effect: Double, sd: Double, alpha: Double = 0.05, power: Double = 0.8, comparisons: Int = 1) throws
        -> Plan
    {
        guard sd > 0, sd.isFinite else {
            throw PromptLabError(.invalidInput, "--sd must be a positive number (the standard deviation of the per-case differences)")
        }
        guard effect.isFinite, effect != 0 else {
            throw PromptLabError(.invalidInput, "--effect must be a non-zero number (the mean difference to detect)")
        }
        let testAlpha = try level(alpha, comparisons)
        let size = try wrap {
            try Power.pairedNumericSampleSize(delta: effect, differenceVariance: sd * sd, alpha: testAlpha, power: power)
        }
        return Plan(
            design: "paired scores (paired t / Wilcoxon signed-rank)", exactCases: size, cases: try wholeCases(size), alpha: testAlpha,
            power: power, inputs: "difference \(effect), sd of differences \(sd)",
            assumptions: "sd is of the per-case difference (after averaging repeats)")
    }

    /// A judge's win rate against 50%; with `tieRate` > 0 the non-tied cases needed are divided by 1 − tieRate.
    public static func winRate(_ rate: Double, tieRate: Double = 0, alpha: Double = 0.05, power: Double = 0.8, comparisons: Int = 1) throws
        -> Plan
    {
        guard tieRate >= 0, tieRate < 1 else { throw PromptLabError(.invalidInput, "--tie-rate must be in [0, 1)") }
        let testAlpha = try level(alpha, comparisons)
        let nonTied = try wrap { try Power.winRateSampleSize(winRate: rate, alpha: testAlpha, power: power) }
        let total = nonTied / (1 - tieRate)
        let totalCases = try wholeCases(total)
        let nonTiedCases = try wholeCases(nonTied)
        return Plan(
            design: "pairwise judge win rate (sign test)", exactCases: total, cases: totalCases, alpha: testAlpha, power: power,
            inputs: "win rate \(rate) among decisive cases" + (tieRate > 0 ? ", tie rate \(tieRate)" : ""),
            assumptions: tieRate > 0 ? "\(nonTiedCases) non-tied cases, divided by the non-tie share" : "ties excluded")
    }

    // MARK: - Helpers

    private static func level(_ alpha: Double, _ comparisons: Int) throws -> Double {
        guard alpha > 0, alpha < 1 else { throw PromptLabError(.invalidInput, "--alpha must be between 0 and 1") }
        guard comparisons >= 1 else { throw PromptLabError(.invalidInput, "--comparisons must be at least 1") }
        return alpha / Double(comparisons)
    }

    /// The planned size as whole cases, or an error saying the difference is too small to plan for.
    private static func wholeCases(_ size: Double) throws -> Int {
        guard let cases = Power.cases(size) else {
            throw PromptLabError(
                .invalidInput, "the difference is too small to plan for: it would need more than 1,000,000,000 cases",
                hint: "plan for a larger difference")
        }
        return cases
    }

    private static func wrap(_ body: () throws -> Double) throws -> Double {
        do {
            return try body()
        } catch let error as StatsError {
            throw PromptLabError(.invalidInput, "cannot plan: \(error.description)", hint: "check the effect, rates, --alpha and --power")
        }
    }
}
