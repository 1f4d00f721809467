import Foundation
import PromptFormat
import PromptLabCore
import PromptVersioning

/// `llm-rubric`: an LLM judge grades each response against a rubric.
///
/// ```yaml
/// - type: llm-rubric
///   name: helpful
///   rubric: The reply names the queue and gives one reason.
///   judge: judges/rubric@v1        # a prompt in the repository (default: judges/rubric)
///   model: openai/gpt-4o-mini      # default: the judge prompt's own model
///   scale: 1-10                    # or pass-fail (default)
///   threshold: 7                   # 1-10 only: passes at 7 or more (default 7)
/// ```
///
/// The judge prompt is rendered with the variables `rubric`, `candidate` (the
/// response, to be wrapped in `<candidate>…</candidate>` by the prompt and
/// treated as data), `input` (the case's variables as JSON), `expected` (left
/// out when the case has none; declare it `expected?` in the judge prompt),
/// `scale` (`pass-fail` or `1-10`) and `scored` (true on the 1–10 scale).
/// Delimiter tags inside the response are defused, so it cannot close the
/// `<candidate>` block.
///
/// The answer is read robustly: the last `VERDICT: PASS`/`FAIL` (or `RESULT:`,
/// `GRADE:`, ...), else an answer that is only `PASS` or `FAIL`, else the last
/// line that holds exactly one of the words `PASS` and `FAIL`; on the 1–10
/// scale, the last `SCORE: 7` (or `Rating: [[7]]`, `7/10`), else an answer that
/// is only a number. Pass/fail grades score 1 or 0. The raw answer is kept.
/// An answer that cannot be read is a grading failure, retried by the next
/// `promptlab grade`.
struct RubricJudge: JudgeGrader {
    enum Scale: String, Sendable, CaseIterable {
        case passFail = "pass-fail"
        case tenPoint = "1-10"
    }

    var rubric: String
    var judge: PromptReference
    var model: String?
    var scale: Scale
    /// The default pass mark on the 1–10 scale.
    static let defaultThreshold = 7.0
    static let defaultJudge = "judges/rubric"

    init(options: GraderOptions) throws(PromptLabError) {
        rubric = try options.requiredString("rubric", example: "\"The reply names the queue and explains why\"")
        guard !rubric.trimmedOfWhitespace.isEmpty else { throw options.problem("'rubric' is empty") }
        judge = try options.judgeReference(default: Self.defaultJudge)
        model = try options.string("model")
        let scaleName = try options.string("scale") ?? Scale.passFail.rawValue
        guard let scale = Scale(rawValue: scaleName) else {
            throw options.problem("unknown scale '\(scaleName)' (known: pass-fail, 1-10)")
        }
        self.scale = scale
        if let threshold = try options.number("threshold") {
            guard scale == .tenPoint else { throw options.problem("'threshold' applies only with scale: 1-10") }
            guard (1...10).contains(threshold) else { throw options.problem("'threshold' must be between 1 and 10") }
        }
    }

    /// The judge prompt's variables for one response.
    func variables(for sample: GradingSample) -> [String: PromptValue] {
        var variables: [String: PromptValue] = [
            "rubric": .string(JudgeText.asData(rubric)),
            "candidate": .string(JudgeText.asData(sample.output)),
            "input": .string(JudgeText.input(sample.variables)),
            "scale": .string(scale.rawValue),
            "scored": .bool(scale == .tenPoint),
        ]
        if let expected = sample.expected { variables["expected"] = .string(JudgeText.asData(expected)) }
        return variables
    }

    func evaluate(_ sample: GradingSample, runtime: JudgeRuntime) async throws(GradeProblem) -> GradeOutcome {
        let answer = try await runtime.ask(variables(for: sample))
        switch scale {
        case .passFail:
            guard let passed = Self.parsePassFail(answer) else {
                throw GradeProblem("cannot read PASS or FAIL in the judge's answer \(answer.quotedPreview(80))")
            }
            let reason = JudgeText.reason(from: answer) { Self.parsePassFail($0) != nil } ?? (passed ? "PASS" : "FAIL")
            return GradeOutcome(score: passed ? 1 : 0, passed: passed, reason: reason, rawJudgeOutput: answer)
        case .tenPoint:
            guard let score = Self.parseScore(answer) else {
                throw GradeProblem("cannot read a 1–10 score in the judge's answer \(answer.quotedPreview(80))")
            }
            let reason = JudgeText.reason(from: answer) { Self.parseScore($0) != nil } ?? "score \(PromptValue.format(score))"
            // The engine sets `passed` from the threshold.
            return GradeOutcome(score: score, passed: score >= Self.defaultThreshold, reason: reason, rawJudgeOutput: answer)
        }
    }

    // MARK: - Reading the answer

    private static let labelledVerdict = try! SharedRegex(  // A constant, valid pattern.
        #"(?i)\b(?:verdict|result|grade|decision|final answer|answer|judgement|judgment|assessment)\b[^\S\n]*[*_]*[^\S\n]*[:=][^\S\n]*[*_"'`\[(]*[^\S\n]*(pass(?:ed|es)?|fail(?:ed|s)?)\b"#
    )
    private static let bareVerdict = try! SharedRegex(#"\b(PASS|FAIL)(?:ED|ES|S)?\b"#)  // A constant, valid pattern.
    private static let labelledScore = try! SharedRegex(  // A constant, valid pattern.
        #"(?i)\b(?:score|rating)\b[^\S\n]*[*_]*[^\S\n]*[:=]?[^\S\n]*[*_"'`\[(]*[^\S\n]*(\d+(?:\.\d+)?)"#)
    private static let bracketedScore = try! SharedRegex(#"\[\[\s*(\d+(?:\.\d+)?)\s*\]\]"#)  // A constant, valid pattern.
    private static let outOfTen = try! SharedRegex(#"(?<![\d.])(\d+(?:\.\d+)?)\s*/\s*10\b"#)  // A constant, valid pattern.

    /// PASS (true) or FAIL (false), if the answer states one.
    static func parsePassFail(_ answer: String) -> Bool? {
        func verdict(_ word: String) -> Bool? {
            let lower = word.lowercased()
            if lower.hasPrefix("pass") || lower == "yes" { return true }
            if lower.hasPrefix("fail") || lower == "no" { return false }
            return nil
        }
        if let word = JudgeText.lastCapture(labelledVerdict, in: answer) { return verdict(word) }
        let whole = ClassificationGrader.stripped(answer).lowercased()
        if ["pass", "passed", "yes", "fail", "failed", "no"].contains(whole) { return verdict(whole) }
        for line in answer.split(whereSeparator: \.isNewline).reversed() {
            let words = Set(bareVerdict.matches(in: String(line)).compactMap { SharedRegex.text(of: $0, group: 1, in: String(line)) })
            if words.count == 1 { return verdict(words.first!) }  // count checked.
        }
        return nil
    }

    /// A score from 1 to 10, if the answer states one.
    static func parseScore(_ answer: String) -> Double? {
        let candidates = [labelledScore, bracketedScore, outOfTen]
        for regex in candidates {
            if let text = JudgeText.lastCapture(regex, in: answer), let score = Double(text) {
                return (1...10).contains(score) ? score : nil
            }
        }
        if let score = Double(ClassificationGrader.stripped(answer)), (1...10).contains(score) { return score }
        return nil
    }
}

// MARK: - Registration

extension RubricJudge {
    /// Only a 1–10 score has a pass mark; pass-fail verdicts are the judge's own.
    var thresholdApplies: Bool { scale == .tenPoint }

    func evaluate(_ job: GradingJob, runtime: JudgeRuntime?) async throws(GradeProblem) -> GradeOutcome {
        guard let runtime else { throw GradeProblem("internal error: no judge for \(judge)") }
        return try await evaluate(job.sample, runtime: runtime)
    }
}

extension GraderType {
    public static let llmRubric: GraderType = "llm-rubric"
}

extension GraderRegistration {
    static let llmRubric = GraderRegistration([.llmRubric], defaultThreshold: RubricJudge.defaultThreshold) {
        (options, _) throws(PromptLabError) in try RubricJudge(options: options)
    }
}
