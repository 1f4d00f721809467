import Foundation
import PromptExperiments
import PromptLabCore
import PromptLabStore

extension ReviewService {
    /// The next case `reviewer` has not judged, for front ends that show one item per request.
    ///
    /// - Parameter variants: The two variants (default: the control and the first other).
    public func nextItem(runID: String, variants: (String, String)?, reviewer: String) async throws -> ReviewItemOutput {
        let queue = try await queue(runID: runID, variants: variants, reviewer: reviewer)
        return ReviewItemOutput(
            run: queue.runID, reviewer: reviewer, variantA: queue.variantA, variantB: queue.variantB,
            reviewed: queue.alreadyReviewed, remaining: queue.items.count, unavailable: queue.unavailable,
            item: queue.items.first.map { item in
                .init(caseId: item.caseID, input: item.input, expected: item.expected, left: item.leftOutput, right: item.rightOutput)
            })
    }

    /// Records `choice` for one case, by its side as the reviewer saw it, with the same sides and
    /// variants as ``nextItem(runID:variants:reviewer:)`` showed.
    ///
    /// - Throws: ``PromptLabError`` `conflict` when the reviewer already judged the case, `notFound`
    ///   when the case is not reviewable.
    public func record(
        runID: String, variants: (String, String)?, reviewer: String, caseID: String, choice: ReviewQueue.Choice
    ) async throws -> ReviewVerdictOutput {
        let queue = try await queue(runID: runID, variants: variants, reviewer: reviewer)
        guard let item = queue.items.first(where: { $0.caseID == caseID }) else {
            let cases = try await workspace.results().cases(runID: queue.runID).map(\.caseID)
            if cases.contains(caseID) {
                throw PromptLabError(
                    .conflict, "\(reviewer) has already judged case '\(caseID)' of run \(queue.runID), or it lacks an answer",
                    hint: "ask for the next item again")
            }
            throw PromptLabError(.notFound, "run \(queue.runID) has no case '\(caseID)'")
        }
        let verdict = try await record(choice, on: item, in: queue)
        return ReviewVerdictOutput(
            run: verdict.runID, caseId: verdict.caseID, reviewer: verdict.reviewer, verdict: verdict.verdict.rawValue,
            variantA: verdict.variantA, variantB: verdict.variantB, shownLeft: verdict.shownLeft)
    }
}
