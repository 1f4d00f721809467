import Testing

@testable import PromptLabStats

/// Exercises the report-sized workload. Not timed: it checks that 100,000 cases work
/// end to end and give sensible answers. Time `PerformanceWorkload.run()` in a release build.
@Suite("Report-sized workload")
struct PerformanceWorkloadTests {
    @Test("100,000 cases, 4 variants, 200 resamples")
    func largeInput() throws {
        let output = try PerformanceWorkload.run(variants: 4, cases: 100_000, resamples: 200, seed: 7)
        #expect(output.comparisons.count == 3)
        for comparison in output.comparisons {
            #expect(comparison.count == 100_000)
            #expect(comparison.bootstrap.strategy == .conditionalBinomial)
            #expect(comparison.wilcoxon.method == .asymptotic)
            // The bootstrap and t intervals for a mean of 100,000 cases nearly coincide.
            let t = comparison.difference.interval
            let b = comparison.bootstrap.interval
            #expect(abs(t.lower - b.lower) < 0.2 * (t.upper - t.lower))
            #expect(abs(t.upper - b.upper) < 0.2 * (t.upper - t.lower))
        }
        // Variants 1–3 are shifted up by 0.1, 0.2 and 0.3 points; all clearly beat the control.
        #expect(output.adjustedPValues.allSatisfy { $0 < 1e-6 })
        #expect(output.ranking.fit.converged)
        #expect(output.ranking.ranks[0] == 4)
        #expect(output.ranking.ranks[3] == 1)
    }
}
