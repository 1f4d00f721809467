import Foundation
import PromptFormat
import PromptLabCore
import PromptLabStore
import PromptVersioning

/// Blind side-by-side human review of two variants of a run.
///
/// Each item shows one case's input and the two variants' answers, with the
/// sides chosen by a coin that depends only on the run, the case and the
/// reviewer (so a resumed session shows the same layout) and the variant
/// names hidden. Verdicts are stored as ``VerdictRecord``s in terms of the
/// variants (A or B), not the sides.
public struct ReviewQueue: Sendable {
    /// One case to review.
    public struct Item: Sendable {
        public var caseID: String
        /// The case's variables as `name: value` lines, and its expected answer if any.
        public var input: String
        public var expected: String?
        public var leftVariant: String
        public var leftOutput: String
        public var rightVariant: String
        public var rightOutput: String
    }

    public var runID: String
    public var variantA: String
    public var variantB: String
    public var reviewer: String
    /// Cases still to review, in dataset order.
    public var items: [Item]
    /// Cases this reviewer has already judged (including skips).
    public var alreadyReviewed: Int
    /// Cases without a successful answer from both variants (not reviewable).
    public var unavailable: Int

    /// Builds the queue of cases `reviewer` has not judged yet.
    ///
    /// - Parameters:
    ///   - variants: the two variants to compare; default: the control and the first other variant.
    /// - Throws: ``PromptLabError`` for an unknown run or variant.
    public static func load(
        runID: String, variants: (String, String)?, reviewer: String, store: any ResultsStore
    ) async throws -> ReviewQueue {
        let recorded = try await store.variants(runID: runID)
        let names = recorded.map(\.name)
        let pair: (String, String)
        if let variants {
            for name in [variants.0, variants.1] where !names.contains(name) {
                throw PromptLabError(
                    .notFound, "run \(runID) has no variant '\(name)' (it has \(names.joined(separator: ", ")))")
            }
            guard variants.0 != variants.1 else {
                throw PromptLabError(.invalidInput, "choose two different variants to review")
            }
            pair = variants
        } else {
            guard let control = recorded.first(where: \.isControl)?.name ?? names.first,
                let other = names.first(where: { $0 != control })
            else {
                throw PromptLabError(.invalidInput, "run \(runID) has only one variant; there is nothing to compare")
            }
            pair = (control, other)
        }
        let cases = try await store.cases(runID: runID)
        var outputs = [String: [String: String]]()  // variant -> case -> first successful answer
        try await store.forEachResponse(runID: runID) { response in
            guard response.variant == pair.0 || response.variant == pair.1, let output = response.output else { return }
            if outputs[response.variant]?[response.caseID] == nil || response.repeatIndex == 0 {
                outputs[response.variant, default: [:]][response.caseID] = output
            }
        }
        let done = Set(
            try await store.verdicts(runID: runID, reviewer: reviewer)
                .filter { Set([$0.variantA, $0.variantB]) == Set([pair.0, pair.1]) }.map(\.caseID))
        var items = [Item]()
        var unavailable = 0
        for record in cases where !done.contains(record.caseID) {
            guard let a = outputs[pair.0]?[record.caseID], let b = outputs[pair.1]?[record.caseID] else {
                unavailable += 1
                continue
            }
            let aOnLeft = Self.coin(runID: runID, caseID: record.caseID, reviewer: reviewer)
            items.append(
                Item(
                    caseID: record.caseID, input: Self.describe(variablesJSON: record.variablesJSON),
                    expected: record.expected, leftVariant: aOnLeft ? pair.0 : pair.1, leftOutput: aOnLeft ? a : b,
                    rightVariant: aOnLeft ? pair.1 : pair.0, rightOutput: aOnLeft ? b : a))
        }
        return ReviewQueue(
            runID: runID, variantA: pair.0, variantB: pair.1, reviewer: reviewer, items: items,
            alreadyReviewed: done.count, unavailable: unavailable)
    }

    /// A side's verdict as a record about the variants.
    public enum Choice: Sendable { case left, right, tie, skip }

    /// The verdict to store for a choice on an item.
    public func verdict(_ choice: Choice, on item: Item) -> VerdictRecord {
        let verdict: VerdictRecord.Verdict =
            switch choice {
            case .left: item.leftVariant == variantA ? .a : .b
            case .right: item.rightVariant == variantA ? .a : .b
            case .tie: .tie
            case .skip: .skip
            }
        return VerdictRecord(
            runID: runID, caseID: item.caseID, variantA: variantA, variantB: variantB, shownLeft: item.leftVariant,
            verdict: verdict, reviewer: reviewer)
    }

    /// Whether variant A goes on the left for this case and reviewer: a fair,
    /// repeatable coin from a hash of the three.
    static func coin(runID: String, caseID: String, reviewer: String) -> Bool {
        let hash = ContentHash.hex(of: "\(runID)\u{0}\(caseID)\u{0}\(reviewer)")
        return (hash.last.flatMap { $0.hexDigitValue } ?? 0) % 2 == 0
    }

    static func describe(variablesJSON: String) -> String {
        guard let value = try? PromptValue.parseJSON(variablesJSON), case .object(let pairs) = value else { return variablesJSON }
        return pairs.map { "\($0.key): \($0.value.templateText)" }.joined(separator: "\n")
    }
}
