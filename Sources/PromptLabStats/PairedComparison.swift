import Foundation

/// Everything reported for one variant against the control on numeric or pass/fail
/// scores, paired by case (one collapsed score per case and arm).
public struct PairedComparison: Sendable, Equatable {
    /// Number of cases n.
    public let count: Int
    /// mean(d) with the paired t interval and test.
    public let difference: PairedDifference
    /// Wilcoxon signed-rank test on d.
    public let wilcoxon: WilcoxonResult
    /// Paired bootstrap interval for mean(d).
    public let bootstrap: BootstrapResult
    /// McNemar's test, present when every score is 0 or 1.
    public let mcNemar: McNemarResult?

    /// Compares a variant with the control.
    /// - Parameters:
    ///   - control: The control's score per case.
    ///   - variant: The variant's score per case, in the same case order.
    ///   - level: Confidence level for the intervals.
    ///   - resamples: Bootstrap resamples.
    ///   - bootstrapMethod: `.bca` or `.percentile`.
    ///   - zeroMethod: Zero handling for the Wilcoxon test.
    ///   - seed: Bootstrap seed; use a different seed per comparison.
    /// - Throws: ``StatsError`` for mismatched lengths or fewer than 2 cases.
    public static func compute(
        control: [Double], variant: [Double], level: Double = 0.95, resamples: Int = 1000,
        bootstrapMethod: BootstrapMethod = .bca, zeroMethod: WilcoxonZeroMethod = .wilcox, seed: UInt64 = 0
    ) throws -> PairedComparison {
        guard control.count == variant.count else { throw StatsError.lengthMismatch(control.count, variant.count) }
        let d = zip(variant, control).map { $0 - $1 }
        let difference = try PairedT.test(differences: d, level: level)
        let wilcoxon = try Wilcoxon.test(differences: d, zeroMethod: zeroMethod)
        let bootstrap = try Bootstrap.meanInterval(
            GroupedSample(d), level: level, resamples: resamples, method: bootstrapMethod, seed: seed)
        let isBinary = { (x: Double) in x == 0 || x == 1 }
        var mcNemar: McNemarResult?
        if control.allSatisfy(isBinary) && variant.allSatisfy(isBinary) {
            mcNemar = try McNemar.test(control: control.map { $0 == 1 }, variant: variant.map { $0 == 1 })
        }
        return PairedComparison(
            count: d.count, difference: difference, wilcoxon: wilcoxon,
            bootstrap: bootstrap, mcNemar: mcNemar)
    }
}

/// A synthetic full report, sized like the performance target, for callers to time.
///
/// `PerformanceWorkload.run()` builds 10 variants × 100,000 cases of 1–10 scores
/// (1,000,000 graded responses), compares each variant with the control
/// (t interval, Wilcoxon, 1,000-resample BCa bootstrap), applies Holm, and fits
/// Bradley–Terry with a 1,000-resample bootstrap on per-case verdicts against the
/// control. Time it in a release build, for example
/// `let start = ContinuousClock.now; _ = try PerformanceWorkload.run(); print(ContinuousClock.now - start)`.
/// Memory stays proportional to the number of cases.
public enum PerformanceWorkload {
    /// What the workload computed, so that a caller can check it ran.
    public struct Output: Sendable {
        /// One comparison per non-control variant.
        public let comparisons: [PairedComparison]
        /// Holm-adjusted Wilcoxon p-values.
        public let adjustedPValues: [Double]
        /// Bradley–Terry ratings with bootstrap intervals.
        public let ranking: BradleyTerryRanking
    }

    /// Runs the workload.
    /// - Parameters:
    ///   - variants: Number of variants including the control (index 0).
    ///   - cases: Number of test cases.
    ///   - resamples: Bootstrap resamples for every interval.
    ///   - seed: Seed for the synthetic data and the bootstraps.
    public static func run(variants: Int = 10, cases: Int = 100_000, resamples: Int = 1000, seed: UInt64 = 1) throws -> Output {
        let scores = syntheticScores(variants: variants, cases: cases, seed: seed)
        var comparisons: [PairedComparison] = []
        for variant in 1..<variants {
            comparisons.append(
                try PairedComparison.compute(
                    control: scores[0], variant: scores[variant], resamples: resamples, seed: seed &+ UInt64(variant)))
        }
        let adjusted = Holm.adjust(comparisons.map(\.wilcoxon.pValue))
        var caseOutcomes: [[PairwiseOutcome]] = []
        caseOutcomes.reserveCapacity(cases)
        for index in 0..<cases {
            var outcomes: [PairwiseOutcome] = []
            outcomes.reserveCapacity(variants - 1)
            for variant in 1..<variants {
                let a = scores[variant][index]
                let b = scores[0][index]
                outcomes.append(PairwiseOutcome(first: variant, second: 0, score: a > b ? 1 : (a < b ? 0 : 0.5)))
            }
            caseOutcomes.append(outcomes)
        }
        let ranking = try BradleyTerry.ranking(
            variantCount: variants, control: 0, cases: caseOutcomes, resamples: resamples, seed: seed)
        return Output(comparisons: comparisons, adjustedPValues: adjusted, ranking: ranking)
    }

    /// Integer scores 1–10: a per-case difficulty plus a per-variant shift plus noise.
    public static func syntheticScores(variants: Int, cases: Int, seed: UInt64) -> [[Double]] {
        var generator = Xoshiro256StarStar(seed: seed)
        var difficulty = [Int](repeating: 0, count: cases)
        for index in 0..<cases { difficulty[index] = generator.nextBinomial(trials: 8, probability: 0.5) }
        return (0..<variants).map { variant in
            let shift = Double(variant % 4) * 0.1
            return (0..<cases).map { index in
                let noise = generator.nextBinomial(trials: 4, probability: 0.45 + shift / 4) - 2
                return Double(min(max(difficulty[index] + 1 + noise, 1), 10))
            }
        }
    }
}
