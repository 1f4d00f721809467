import Foundation
import PromptExperiments
import PromptLabCore
import PromptLabStore

/// The human-review use case: a blind queue of two variants' answers, and verdicts saved one by one.
public struct ReviewService {
    public let workspace: Workspace

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    /// The reviewer's name: `explicit`, else git's `user.name`.
    ///
    /// - Throws: ``PromptLabError`` `noAuthor` when neither gives a name.
    public func reviewerName(_ explicit: String?) throws(PromptLabError) -> String {
        if let explicit, !explicit.trimmingCharacters(in: .whitespaces).isEmpty { return explicit }
        if let configured = workspace.repository.configuredUserName(), !configured.isEmpty { return configured }
        throw PromptLabError(.noAuthor, "no reviewer name", hint: "pass --reviewer NAME or set git's user.name")
    }

    /// The cases `reviewer` has not judged yet, sides shuffled per case.
    ///
    /// - Parameter variants: The two variants (default: the control and the first other).
    public func queue(runID: String, variants: (String, String)?, reviewer: String) async throws -> ReviewQueue {
        try await ReviewQueue.load(runID: runID, variants: variants, reviewer: reviewer, store: try workspace.results())
    }

    /// Saves the verdict for `item` at once, so quitting loses nothing.
    @discardableResult
    public func record(_ choice: ReviewQueue.Choice, on item: ReviewQueue.Item, in queue: ReviewQueue) async throws -> VerdictRecord {
        let verdict = queue.verdict(choice, on: item)
        try await workspace.results().insertVerdict(verdict)
        return verdict
    }
}
