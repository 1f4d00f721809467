import Foundation
import PromptFormat
import PromptLabCore
import PromptLabStats
import PromptLabStore
import PromptVersioning

/// Win rate, interval and sign test of human review verdicts, for all reviewers
/// together or for one.
public struct ReviewTally: Sendable, Equatable {
    /// The reviewer; `nil` for all reviewers together.
    public var reviewer: String?
    /// Cases with a verdict (skips left out).
    public var cases: Int
    /// Verdicts that were skips.
    public var skipped: Int
    /// Cases where ``HumanReviewSummary/variantB`` was preferred, tied, or ``HumanReviewSummary/variantA`` was.
    /// For all reviewers together, a case's verdict is the mean of its reviewers' scores
    /// (1, ½, 0), counted as a win above ½, a tie at ½ and a loss below.
    public var wins: Int
    public var ties: Int
    public var losses: Int
    /// Mean per-case score: (W + T/2)/n for one reviewer.
    public var winRate: Double?
    /// t interval over the per-case scores; Wilson on the win share when every score is the same.
    public var interval: ConfidenceInterval?
    public var intervalMethod: String?
    /// Two-sided sign test, `binomtest(W, W + L, 0.5)`, ties dropped.
    public var signTestPValue: Double?
}

/// Chance-corrected agreement between the reviewers of one pair of variants.
public struct ReviewAgreement: Sendable, Equatable {
    /// `Cohen's kappa` (two reviewers) or `Fleiss' kappa` (more).
    public var method: String
    /// κ; NaN when every verdict fell in one category.
    public var kappa: Double
    /// The cases every one of ``reviewers`` judged (skips left out): the cases κ is computed on.
    public var sharedCases: Int
    public var reviewers: [String]
}

/// Human review of two variants of a run (`promptlab review`), summarised for a report.
public struct HumanReviewSummary: Sendable, Equatable {
    /// The baseline (the control when it is one of the two).
    public var variantA: String
    /// The variant whose win rate is reported.
    public var variantB: String
    /// All reviewers together, one verdict per case.
    public var overall: ReviewTally
    /// Each reviewer, by name.
    public var reviewers: [ReviewTally]
    /// Agreement between reviewers who judged the same cases; `nil` with one reviewer or
    /// fewer than two shared cases.
    public var agreement: ReviewAgreement?

    /// Summarises a run's review verdicts, one summary per reviewed pair of variants.
    ///
    /// The unit is the case: several reviewers of one case are averaged into one score
    /// before the overall win rate and sign test. Agreement is Cohen's kappa for two
    /// reviewers on the cases both judged, and Fleiss' kappa on the cases all judged for
    /// three or more (categories: A better, tie, B better; skips left out).
    /// - Parameters:
    ///   - verdicts: Every reviewer's verdicts on the run.
    ///   - variants: The run's variants in run order; the baseline of a pair is the control,
    ///     or else the variant listed first.
    ///   - control: The control variant.
    ///   - level: Confidence level of the intervals.
    public static func summarize(
        _ verdicts: [VerdictRecord], variants: [String], control: String, level: Double
    ) throws -> [HumanReviewSummary] {
        func position(_ name: String) -> Int {
            name == control ? -1 : (variants.firstIndex(of: name) ?? Int.max)
        }
        var pairs: [[String]: [VerdictRecord]] = [:]
        for verdict in verdicts {
            let pair = [verdict.variantA, verdict.variantB].sorted { (position($0), $0) < (position($1), $1) }
            pairs[pair, default: []].append(verdict)
        }
        let ordered = pairs.keys.sorted { x, y in
            (position(x[0]), position(x[1]), x[0], x[1]) < (position(y[0]), position(y[1]), y[0], y[1])
        }
        return try ordered.map { pair in
            try summarize(pairs[pair]!, a: pair[0], b: pair[1], level: level)  // the key came from the dictionary
        }
    }

    /// The score of a verdict from `b`'s side: 1, ½ or 0, or `nil` for a skip.
    static func score(_ verdict: VerdictRecord, b: String) -> Double? {
        switch verdict.verdict {
        case .skip: nil
        case .tie: 0.5
        case .a: verdict.variantA == b ? 1 : 0
        case .b: verdict.variantB == b ? 1 : 0
        }
    }

    static func summarize(_ verdicts: [VerdictRecord], a: String, b: String, level: Double) throws -> HumanReviewSummary {
        var byReviewer: [String: [String: Double]] = [:]  // reviewer -> case -> score
        var skips: [String: Int] = [:]
        for verdict in verdicts {
            if let s = score(verdict, b: b) {
                byReviewer[verdict.reviewer, default: [:]][verdict.caseID] = s
            } else {
                skips[verdict.reviewer, default: 0] += 1
                if byReviewer[verdict.reviewer] == nil { byReviewer[verdict.reviewer] = [:] }
            }
        }
        let names = byReviewer.keys.sorted()
        let reviewers = try names.map { name in
            try tally(Array(byReviewer[name]!.values), reviewer: name, skipped: skips[name, default: 0], level: level)
        }
        var perCase: [String: [Double]] = [:]
        for name in names {
            for (caseID, s) in byReviewer[name]! { perCase[caseID, default: []].append(s) }
        }
        let caseScores = perCase.keys.sorted().map { Descriptive.mean(perCase[$0]!) }
        let skippedCases = Set(verdicts.filter { $0.verdict == .skip }.map(\.caseID)).subtracting(perCase.keys).count
        let overall = try tally(caseScores, reviewer: nil, skipped: skippedCases, level: level)
        return HumanReviewSummary(
            variantA: a, variantB: b, overall: overall, reviewers: reviewers,
            agreement: try agreement(byReviewer.filter { !$0.value.isEmpty }))
    }

    static func tally(_ scores: [Double], reviewer: String?, skipped: Int, level: Double) throws -> ReviewTally {
        var result = ReviewTally(reviewer: reviewer, cases: scores.count, skipped: skipped, wins: 0, ties: 0, losses: 0)
        for s in scores {
            if s > 0.5 { result.wins += 1 } else if s < 0.5 { result.losses += 1 } else { result.ties += 1 }
        }
        guard !scores.isEmpty else { return result }
        let rate = Descriptive.mean(scores)
        result.winRate = rate
        result.signTestPValue = try WinRate.signTest(VerdictCounts(wins: result.wins, ties: result.ties, losses: result.losses))
        guard scores.count >= 2 else { return result }
        let t = try PairedT.test(differences: scores.map { $0 - 0.5 }, level: level)
        if t.standardError > 0 {
            result.interval = ConfidenceInterval(lower: t.interval.lower + 0.5, upper: t.interval.upper + 0.5, level: level)
            result.intervalMethod = "t over per-case verdicts"
        } else {
            result.interval = try Wilson.interval(proportion: rate, effectiveTrials: Double(scores.count), level: level)
            result.intervalMethod = "Wilson on the win share"
        }
        return result
    }

    /// Cohen's kappa for two reviewers, Fleiss' for more, on the cases they all judged.
    static func agreement(_ byReviewer: [String: [String: Double]]) throws -> ReviewAgreement? {
        let names = byReviewer.keys.sorted()
        guard names.count >= 2 else { return nil }
        var shared = Set(byReviewer[names[0]]!.keys)
        for name in names.dropFirst() { shared.formIntersection(byReviewer[name]!.keys) }
        guard shared.count >= 2 else { return nil }
        let cases = shared.sorted()
        func category(_ s: Double) -> Int { s < 0.5 ? 0 : (s == 0.5 ? 1 : 2) }
        if names.count == 2 {
            let result = try Agreement.cohensKappa(
                cases.map { category(byReviewer[names[0]]![$0]!) }, cases.map { category(byReviewer[names[1]]![$0]!) },
                categories: 3)
            return ReviewAgreement(method: "Cohen's kappa", kappa: result.kappa, sharedCases: cases.count, reviewers: names)
        }
        let counts = cases.map { caseID -> [Int] in
            var row = [0, 0, 0]
            for name in names { row[category(byReviewer[name]![caseID]!)] += 1 }
            return row
        }
        let result = try Agreement.fleissKappa(counts: counts)
        return ReviewAgreement(method: "Fleiss' kappa", kappa: result.kappa, sharedCases: cases.count, reviewers: names)
    }
}
