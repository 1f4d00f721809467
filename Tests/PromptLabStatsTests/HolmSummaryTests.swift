import Foundation
import Testing

@testable import PromptLabStats

@Suite("Holm adjustment and descriptive summaries")
struct HolmSummaryTests {
    @Test("Holm matches statsmodels multipletests")
    func holm() {
        for (index, c) in Fixtures.shared.holm.enumerated() {
            let adjusted = Holm.adjust(c.p)
            for (a, e) in zip(adjusted, c.adjusted) {
                #expect(isClose(a, e, rel: 1e-13), "case \(index)")
            }
            #expect(Holm.rejections(c.p) == c.reject, "case \(index)")
        }
    }

    @Test("Summary matches numpy mean and percentiles")
    func summary() throws {
        for (index, c) in Fixtures.shared.summary.enumerated() {
            let summary = try Summary(c.values)
            #expect(summary.count == c.values.count)
            #expect(isClose(summary.mean, c.mean, rel: 1e-13), "case \(index)")
            #expect(isClose(summary.p50, c.p50, rel: 1e-13), "case \(index)")
            #expect(isClose(summary.p95, c.p95, rel: 1e-13), "case \(index)")
            #expect(isClose(summary.standardDeviation, c.sd, rel: 1e-11, abs: 1e-12), "case \(index)")
        }
        #expect(throws: StatsError.tooFewObservations(needed: 1, got: 0)) { try Summary([]) }
    }
}
