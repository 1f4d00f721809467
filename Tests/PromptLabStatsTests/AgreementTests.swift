import Foundation
import Testing

@testable import PromptLabStats

@Suite("Agreement between reviewers")
struct AgreementTests {
    @Test("Cohen's kappa matches statsmodels")
    func cohen() throws {
        for (index, c) in Fixtures.shared.agreement.cohen.enumerated() {
            let result = try Agreement.cohensKappa(c.first, c.second, categories: c.categories)
            #expect(result.cases == c.first.count && result.raters == 2)
            #expect(isClose(result.observedAgreement, c.observed, rel: 1e-12), "case \(index)")
            #expect(isClose(result.expectedAgreement, c.expected, rel: 1e-12), "case \(index)")
            if let kappa = c.kappa {
                #expect(isClose(result.kappa, kappa, rel: 1e-10, abs: 1e-12), "case \(index)")
            } else {
                #expect(result.kappa.isNaN, "case \(index)")
            }
        }
    }

    @Test("Fleiss' kappa matches statsmodels")
    func fleiss() throws {
        for (index, c) in Fixtures.shared.agreement.fleiss.enumerated() {
            let result = try Agreement.fleissKappa(counts: c.counts)
            #expect(isClose(result.kappa, c.kappa, rel: 1e-10, abs: 1e-12), "case \(index)")
            #expect(result.cases == c.counts.count)
        }
    }

    @Test func rejectsMalformedInput() {
        #expect(throws: StatsError.self) { try Agreement.cohensKappa([0, 1], [0], categories: 2) }
        #expect(throws: StatsError.self) { try Agreement.cohensKappa([0, 3], [0, 1], categories: 2) }
        #expect(throws: StatsError.self) { try Agreement.fleissKappa(counts: [[2, 1], [1, 1]]) }
    }
}
