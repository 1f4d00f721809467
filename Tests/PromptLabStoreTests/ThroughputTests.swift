import Foundation
import PromptLabStore
import Testing

/// An untimed smoke test of bulk recording: it asserts the count and prints the rate.
@Suite struct ThroughputTests {
    @Test func recordsOneHundredThousandResponsesInBatchesOf500() async throws {
        try await withTemporaryStore { store, _ in
            let fixture = Fixture(variantNames: ["control", "candidate", "terse", "friendly"], caseCount: 1_000, repeats: 25)
            try await fixture.create(in: store)
            let template = fixture.response(outcome: .success(output: String(repeating: "The ticket is about billing. ", count: 8)))
            var responses: [ResponseRecord] = []
            responses.reserveCapacity(100_000)
            for variant in fixture.variants {
                for testCase in fixture.cases {
                    for repeatIndex in 0..<25 {
                        var response = template
                        response.variant = variant.name
                        response.caseID = testCase.caseID
                        response.repeatIndex = repeatIndex
                        responses.append(response)
                    }
                }
            }

            let clock = ContinuousClock()
            let start = clock.now
            var inserted = 0
            for batchStart in stride(from: 0, to: responses.count, by: 500) {
                inserted += try await store.insertResponses(Array(responses[batchStart..<(batchStart + 500)]))
            }
            let elapsed = clock.now - start

            #expect(inserted == 100_000)
            #expect(try await store.summary(runID: fixture.runID).responseCount == 100_000)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print(
                "PromptLabStore throughput: inserted 100,000 responses in \(String(format: "%.2f", seconds)) s = \(Int(100_000 / seconds)) rows/s"
            )
        }
    }
}
