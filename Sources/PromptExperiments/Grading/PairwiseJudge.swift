import Foundation
import PromptFormat
import PromptLabCore
import PromptLabStore
import PromptVersioning

/// `pairwise`: an LLM judge compares each variant's response with the
/// control's response to the same case and repeat, in both orders.
///
/// ```yaml
/// - type: pairwise
///   name: preference
///   judge: judges/pairwise@v1     # default: judges/pairwise
///   model: anthropic/claude-3-5-haiku-latest
///   rubric: Prefer the reply that routes correctly and explains briefly.   # optional
/// ```
///
/// For every successful variant response whose control counterpart also
/// succeeded, the judge is asked twice: once with the variant as A and the
/// control as B (stored with order `AB`: the graded response shown first) and
/// once the other way round (`BA`). Grades are stored on the variant's
/// response. Each grade's score is from the variant's point of view: 1 when
/// the variant's response won, 0.5 for a tie, 0 when the control's won
/// (`passed` is true, nil and false). Combine the two orders with
/// ``PairwiseResults/combine(_:responses:)``.
///
/// The judge prompt gets `response_a`, `response_b`, `input` (the case's
/// variables as JSON), and, when present, `expected` and `rubric` (declare
/// those two optional, `expected?`, in the judge prompt). The answer is read as
/// the last `[[A]]`, `[[B]]` or `[[C]]`/`[[TIE]]` (MT-Bench style), else the last
/// `VERDICT: A|B|TIE` (or `WINNER:`, `BETTER:`, ...), else an answer or a short
/// final line that is only `A`, `B`, `TIE` (or `Response A`, ...).
struct PairwiseJudge: JudgeGrader {
    var judge: PromptReference
    var model: String?
    var rubric: String?
    static let defaultJudge = "judges/pairwise"

    init(options: GraderOptions) throws(PromptLabError) {
        if try options.number("threshold") != nil {
            throw options.problem("'threshold' does not apply: pairwise grades are wins, ties and losses")
        }
        judge = try options.judgeReference(default: Self.defaultJudge)
        model = try options.string("model")
        rubric = try options.string("rubric")
    }

    /// What the judge preferred, in its own terms.
    enum Verdict: String, Sendable {
        case a = "A"
        case b = "B"
        case tie = "TIE"
    }

    /// The judge prompt's variables for one order.
    func variables(variant: GradingSample, controlOutput: String, order: GradeRecord.PairOrder) -> [String: PromptValue] {
        let (first, second) = order == .ab ? (variant.output, controlOutput) : (controlOutput, variant.output)
        var variables: [String: PromptValue] = [
            "response_a": .string(JudgeText.asData(first)),
            "response_b": .string(JudgeText.asData(second)),
            "input": .string(JudgeText.input(variant.variables)),
        ]
        if let expected = variant.expected { variables["expected"] = .string(JudgeText.asData(expected)) }
        if let rubric { variables["rubric"] = .string(JudgeText.asData(rubric)) }
        return variables
    }

    /// Asks the judge about one order and maps its verdict to the variant's point of view.
    func evaluate(
        variant: GradingSample, controlOutput: String, order: GradeRecord.PairOrder, runtime: JudgeRuntime
    ) async throws(GradeProblem) -> GradeOutcome {
        let answer = try await runtime.ask(variables(variant: variant, controlOutput: controlOutput, order: order))
        guard let verdict = Self.parseVerdict(answer) else {
            throw GradeProblem("cannot read A, B or TIE in the judge's answer \(answer.quotedPreview(80))")
        }
        let score = Self.variantScore(verdict, order: order)
        let who: String =
            switch score {
            case 1: "variant preferred"
            case 0: "control preferred"
            default: "tie"
            }
        let reason = JudgeText.reason(from: answer) { Self.parseVerdict($0) != nil } ?? "judge said \(verdict.rawValue)"
        return GradeOutcome(
            score: score, passed: score == 0.5 ? nil : score == 1,
            reason: "\(who) (\(verdict.rawValue) in order \(order.rawValue)): \(reason)",
            rawJudgeOutput: answer)
    }

    /// 1 when the variant won, 0.5 for a tie, 0 when the control won.
    static func variantScore(_ verdict: Verdict, order: GradeRecord.PairOrder) -> Double {
        switch (verdict, order) {
        case (.tie, _): 0.5
        case (.a, .ab), (.b, .ba): 1
        case (.a, .ba), (.b, .ab): 0
        }
    }

    // MARK: - Reading the answer

    private static let bracketed = try! SharedRegex(#"\[\[\s*(A|B|C|(?i:tie))\s*\]\]"#)  // A constant, valid pattern.
    private static let labelled = try! SharedRegex(  // A constant, valid pattern.
        #"(?i:\b(?:verdict|winner|final answer|answer|better|better response|choice|preferred|preference|decision)\b)[^\S\n]*[*_]*[^\S\n]*[:=][^\S\n]*[*_"'`\[(]*[^\S\n]*(?:(?i:response|assistant|output|answer|a)[^\S\n]+)?((?i:tie|tied|equal|draw|neither|both)|A|B)\b"#
    )
    private static let shortLine = try! SharedRegex(  // A constant, valid pattern.
        #"^(?:(?i:response|assistant|output|answer)\s+)?((?i:tie|tied|equal|draw)|A|B)$"#)

    static func parseVerdict(_ answer: String) -> Verdict? {
        func verdict(_ word: String) -> Verdict? {
            switch word.uppercased() {
            case "A": .a
            case "B": .b
            case "C", "TIE", "TIED", "EQUAL", "DRAW", "NEITHER", "BOTH": .tie
            default: nil
            }
        }
        if let word = JudgeText.lastCapture(bracketed, in: answer) { return verdict(word) }
        if let word = JudgeText.lastCapture(labelled, in: answer) { return verdict(word) }
        let whole = ClassificationGrader.stripped(answer)
        if ["a", "b"].contains(whole) { return verdict(whole) }
        // A bare verdict: the whole answer, else its last non-empty line.
        let lastLine = answer.split(whereSeparator: \.isNewline).map { ClassificationGrader.stripped(String($0)) }.last { !$0.isEmpty }
        for candidate in [whole, lastLine].compactMap({ $0 }) {
            if let word = JudgeText.lastCapture(shortLine, in: candidate) { return verdict(word) }
        }
        return nil
    }
}

// MARK: - Registration

extension PairwiseJudge {
    static var isPairwise: Bool { true }
    var thresholdApplies: Bool { false }

    func evaluate(_ job: GradingJob, runtime: JudgeRuntime?) async throws(GradeProblem) -> GradeOutcome {
        guard let runtime, let order = job.order, let controlOutput = job.controlOutput else {
            throw GradeProblem("internal error: incomplete pairwise job for \(judge)")
        }
        return try await evaluate(variant: job.sample, controlOutput: controlOutput, order: order, runtime: runtime)
    }
}

extension GraderType {
    public static let pairwise: GraderType = "pairwise"
}

extension GraderRegistration {
    static let pairwise = GraderRegistration([.pairwise]) { (options, _) throws(PromptLabError) in try PairwiseJudge(options: options) }
}

// MARK: - Combining the two orders

/// One variant response compared with the control's, with both orders combined.
public struct PairwiseComparison: Sendable, Hashable {
    /// The variant response's idempotency key.
    public var responseKey: String
    public var variant: String
    public var caseID: String
    public var repeatIndex: Int
    /// The variant's score with itself shown first (`AB`) and second (`BA`): 1, 0.5 or 0.
    public var scoreAB: Double
    public var scoreBA: Double
    /// Whether the two orders gave the same verdict.
    public var isConsistent: Bool { scoreAB == scoreBA }
    /// The MT-Bench rule: the shared verdict when the orders agree, else a tie (0.5).
    public var score: Double { isConsistent ? scoreAB : 0.5 }
}

/// A variant's pairwise results against the control.
public struct PairwiseSummary: Sendable, Hashable {
    public var variant: String
    /// Pairs (case × repeat) with both orders judged.
    public var comparisons: [PairwiseComparison]
    /// Responses with only one order judged (left out of everything else).
    public var incomplete: Int
    /// Pairs the variant won, tied and lost, after the MT-Bench rule.
    public var wins: Int { comparisons.filter { $0.score == 1 }.count }
    public var ties: Int { comparisons.filter { $0.score == 0.5 }.count }
    public var losses: Int { comparisons.filter { $0.score == 0 }.count }
    /// The share of pairs whose two orders agreed; nil when there are none.
    public var positionConsistency: Double? {
        comparisons.isEmpty ? nil : Double(comparisons.filter(\.isConsistent).count) / Double(comparisons.count)
    }
    /// One score per case: the mean of its repeats' combined scores (1 win, ½ tie, 0 loss).
    public var caseScores: [String: Double] {
        Dictionary(grouping: comparisons, by: \.caseID).mapValues { pairs in pairs.map(\.score).reduce(0, +) / Double(pairs.count) }
    }
}

/// Combines stored pairwise grades.
public enum PairwiseResults {
    /// Pairs each variant response's `AB` and `BA` grades and applies the
    /// MT-Bench rule (disagreement counts as a tie).
    ///
    /// - Parameters:
    ///   - grades: Grades of **one** pairwise grader and configuration hash
    ///     (filter ``GradeRecord/grader`` and ``GradeRecord/configHash`` first).
    ///     Grades without an order are ignored; when an order appears twice, the newest wins.
    ///   - responses: The run's responses, to know each grade's variant, case and repeat.
    /// - Returns: Complete pairs, sorted by variant, case and repeat; and the
    ///   keys of responses with only one order judged.
    public static func combine(
        _ grades: [GradeRecord], responses: [ResponseRecord]
    ) -> (comparisons: [PairwiseComparison], incomplete: [String]) {
        var byKey = [String: (ab: GradeRecord?, ba: GradeRecord?)]()
        for grade in grades {
            guard let order = grade.order, grade.score != nil else { continue }
            var entry = byKey[grade.responseKey] ?? (nil, nil)
            switch order {
            case .ab: if entry.ab.map({ $0.createdAt <= grade.createdAt }) ?? true { entry.ab = grade }
            case .ba: if entry.ba.map({ $0.createdAt <= grade.createdAt }) ?? true { entry.ba = grade }
            }
            byKey[grade.responseKey] = entry
        }
        let index = Dictionary(responses.map { ($0.idempotencyKey, $0) }, uniquingKeysWith: { first, _ in first })
        var comparisons = [PairwiseComparison]()
        var incomplete = [String]()
        for (key, pair) in byKey {
            guard let response = index[key] else { continue }
            guard let ab = pair.ab?.score, let ba = pair.ba?.score else {
                incomplete.append(key)
                continue
            }
            comparisons.append(
                PairwiseComparison(
                    responseKey: key, variant: response.variant, caseID: response.caseID, repeatIndex: response.repeatIndex,
                    scoreAB: ab, scoreBA: ba))
        }
        comparisons.sort { ($0.variant, $0.caseID, $0.repeatIndex) < ($1.variant, $1.caseID, $1.repeatIndex) }
        return (comparisons, incomplete.sorted())
    }

    /// ``combine(_:responses:)`` summarised per variant: W/T/L after the MT-Bench
    /// rule, per-case scores and the judge's position consistency.
    public static func summarize(_ grades: [GradeRecord], responses: [ResponseRecord]) -> [String: PairwiseSummary] {
        let (comparisons, incomplete) = combine(grades, responses: responses)
        var summaries = [String: PairwiseSummary]()
        for comparison in comparisons {
            summaries[comparison.variant, default: PairwiseSummary(variant: comparison.variant, comparisons: [], incomplete: 0)]
                .comparisons.append(comparison)
        }
        let variantOf = Dictionary(responses.map { ($0.idempotencyKey, $0.variant) }, uniquingKeysWith: { first, _ in first })
        for key in incomplete {
            guard let variant = variantOf[key] else { continue }
            summaries[variant, default: PairwiseSummary(variant: variant, comparisons: [], incomplete: 0)].incomplete += 1
        }
        return summaries
    }

    /// The MT-Bench rule for one pair of per-order scores: the shared score when they agree, else 0.5.
    public static func combinedScore(ab: Double, ba: Double) -> Double { ab == ba ? ab : 0.5 }
}
