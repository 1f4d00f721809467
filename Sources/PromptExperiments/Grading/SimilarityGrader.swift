import Foundation
import PromptFormat
import PromptLabCore
import PromptVersioning

/// `similarity`: how close the output is to a reference text, from 0 to 1.
///
/// - `method: levenshtein` (default): 1 − edit distance / length of the longer
///   text, over Unicode code points.
/// - `method: jaccard`: token overlap, |A ∩ B| / |A ∪ B| over the sets of words
///   (letters and digits).
///
/// Both texts are trimmed and their whitespace collapsed first; `ignore_case`
/// (default true) lowercases them. The reference is `value`, else the case's
/// `expected`. The grade passes when the score reaches `threshold` (default 0.8).
struct SimilarityGrader: DeterministicGrader {
    enum Method: String, Sendable, CaseIterable {
        case levenshtein
        case jaccard
    }

    var method: Method
    var value: String?
    var ignoreCase: Bool
    /// The default pass mark when the grader sets no `threshold`.
    static let defaultThreshold = 0.8

    init(options: GraderOptions) throws(PromptLabError) {
        let name = try options.string("method") ?? Method.levenshtein.rawValue
        guard let method = Method(rawValue: name) else {
            throw options.problem("unknown method '\(name)' (known: levenshtein, jaccard)")
        }
        self.method = method
        value = try options.string("value")
        ignoreCase = try options.bool("ignore_case", default: true)
        if let threshold = try options.number("threshold"), !(0...1).contains(threshold) {
            throw options.problem("'threshold' must be between 0 and 1")
        }
    }

    func evaluate(_ sample: GradingSample) throws(GradeProblem) -> GradeOutcome {
        guard let reference = value ?? sample.expected else {
            throw GradeProblem("case '\(sample.caseID)' has no 'expected' text and the grader gives no 'value'")
        }
        let a = prepare(sample.output)
        let b = prepare(reference)
        let score =
            switch method {
            case .levenshtein: Self.levenshteinSimilarity(a, b)
            case .jaccard: Self.jaccardSimilarity(a, b)
            }
        // The engine applies the threshold; the default is set here.
        return GradeOutcome(
            score: score, passed: score >= Self.defaultThreshold, reason: String(format: "%@ similarity %.3f", method.rawValue, score))
    }

    private func prepare(_ text: String) -> String {
        let collapsed = text.collapsingWhitespace
        return ignoreCase ? collapsed.lowercased() : collapsed
    }

    // MARK: - Measures

    /// The Levenshtein edit distance between two texts, over Unicode code points.
    static func levenshteinDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars)
        let y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }

    /// 1 − distance / longer length; 1 for two empty texts.
    static func levenshteinSimilarity(_ a: String, _ b: String) -> Double {
        let longer = max(a.unicodeScalars.count, b.unicodeScalars.count)
        guard longer > 0 else { return 1 }
        return 1 - Double(levenshteinDistance(a, b)) / Double(longer)
    }

    /// The words of a text: maximal runs of letters and digits.
    static func tokens(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init))
    }

    /// |A ∩ B| / |A ∪ B| over word sets; 1 when both have no words.
    static func jaccardSimilarity(_ a: String, _ b: String) -> Double {
        let x = tokens(a)
        let y = tokens(b)
        let union = x.union(y).count
        guard union > 0 else { return 1 }
        return Double(x.intersection(y).count) / Double(union)
    }
}

// MARK: - Registration

extension GraderType {
    public static let similarity: GraderType = "similarity"
}

extension GraderRegistration {
    static let similarity = GraderRegistration([.similarity], usesExpected: true, defaultThreshold: SimilarityGrader.defaultThreshold) {
        (options, _) throws(PromptLabError) in try SimilarityGrader(options: options)
    }
}
