import Foundation
import PromptFormat
import PromptLabCore
import PromptLabStore
import PromptVersioning

/// `classification`: the output, normalised to one of the declared `labels`,
/// equals the case's `expected` label.
///
/// Normalisation is case-insensitive: an output that is exactly a label
/// (after trimming spaces, quotes and punctuation) is that label; otherwise
/// it is the label that occurs first in the output as a whole word (a longer
/// label wins when two start at the same place, so `very negative` beats
/// `negative`). An output that names no label is wrong.
struct ClassificationGrader: DeterministicGrader {
    var labels: [String]

    init(options: GraderOptions) throws(PromptLabError) {
        guard let labels = try options.stringList("labels"), !labels.isEmpty else {
            throw options.problem("'labels' is missing (for example labels: [billing, technical, shipping])")
        }
        var seen = Set<String>()
        for label in labels {
            let key = label.trimmedOfWhitespace.lowercased()
            guard !key.isEmpty else { throw options.problem("'labels' must not contain empty text") }
            guard seen.insert(key).inserted else { throw options.problem("label '\(label)' is listed twice") }
        }
        self.labels = labels.map(\.trimmedOfWhitespace)
    }

    init(labels: [String]) {
        self.labels = labels
    }

    func evaluate(_ sample: GradingSample) throws(GradeProblem) -> GradeOutcome {
        guard let expectedText = sample.expected else {
            throw GradeProblem("case '\(sample.caseID)' has no 'expected' label")
        }
        guard let expected = label(matching: expectedText) else {
            throw GradeProblem(
                "the expected label \(expectedText.quotedPreview()) of case '\(sample.caseID)' is not one of the labels (\(labels.joined(separator: ", ")))"
            )
        }
        guard let predicted = classify(sample.output) else {
            return .binary(false, "names no label (expected \(expected)): \(sample.output.quotedPreview(40))")
        }
        return .binary(predicted == expected, predicted == expected ? predicted : "predicted \(predicted), expected \(expected)")
    }

    /// The declared label that `text` is exactly (case-insensitive, trimmed).
    func label(matching text: String) -> String? {
        let key = Self.stripped(text).lowercased()
        return labels.first { $0.lowercased() == key }
    }

    /// The label an output names: see the type's documentation.
    func classify(_ output: String) -> String? {
        if let exact = label(matching: output) { return exact }
        let lowered = output.lowercased()
        var best: (offset: Int, length: Int, label: String)?
        for label in labels {
            let needle = label.lowercased()
            var searchStart = lowered.startIndex
            while let range = lowered.range(of: needle, range: searchStart..<lowered.endIndex) {
                let before = range.lowerBound == lowered.startIndex ? nil : lowered[lowered.index(before: range.lowerBound)]
                let after = range.upperBound == lowered.endIndex ? nil : lowered[range.upperBound]
                if !Self.isWordCharacter(before), !Self.isWordCharacter(after) {
                    let offset = lowered.distance(from: lowered.startIndex, to: range.lowerBound)
                    // Best checked first.
                    if best == nil || offset < best!.offset || (offset == best!.offset && needle.count > best!.length) {
                        best = (offset, needle.count, label)
                    }
                    break
                }
                searchStart = lowered.index(after: range.lowerBound)
            }
        }
        return best?.label
    }

    private static func isWordCharacter(_ character: Character?) -> Bool {
        guard let character else { return false }
        return character.isLetter || character.isNumber || character == "_"
    }

    /// Trims whitespace, quotes, Markdown emphasis and final punctuation.
    static func stripped(_ text: String) -> String {
        text.trimmingCharacters(in: CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "\"'`*_.!:;,()[]{}<>")))
    }
}

// MARK: - Confusion matrix

/// Counts of (expected label, predicted label) over a classification grader's
/// responses, for reports.
///
/// Rows are expected labels and columns predicted labels, both in the
/// grader's declared order; an extra column counts outputs that named no label.
public struct ConfusionMatrix: Sendable, Hashable {
    /// The declared labels, in order.
    public let labels: [String]
    /// `counts[expected][predicted]`; the last column (index `labels.count`) is "no label".
    public private(set) var counts: [[Int]]
    /// Responses left out because their case's expected value is missing or not a label.
    public private(set) var skipped = 0

    /// An empty matrix over `labels`.
    public init(labels: [String]) {
        self.labels = labels
        counts = Array(repeating: Array(repeating: 0, count: labels.count + 1), count: labels.count)
    }

    /// Counts one output.
    ///
    /// - Parameters:
    ///   - output: The model's output, normalised as the `classification` grader does.
    ///   - expected: The case's expected label; the response is skipped when it is not a label.
    public mutating func add(output: String, expected: String?) {
        let grader = ClassificationGrader(labels: labels)
        guard let expected, let row = grader.label(matching: expected).flatMap({ labels.firstIndex(of: $0) }) else {
            skipped += 1
            return
        }
        let column = grader.classify(output).flatMap { labels.firstIndex(of: $0) } ?? labels.count
        counts[row][column] += 1
    }

    /// How many responses expected `expected` were predicted as `predicted` (nil: named no label).
    public func count(expected: String, predicted: String?) -> Int {
        guard let row = labels.firstIndex(of: expected) else { return 0 }
        guard let predicted else { return counts[row][labels.count] }
        guard let column = labels.firstIndex(of: predicted) else { return 0 }
        return counts[row][column]
    }

    /// Responses counted (not skipped).
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
    /// Responses whose prediction equals the expected label.
    public var correct: Int { labels.indices.reduce(0) { $0 + counts[$1][$1] } }
    /// correct / total; nil when empty.
    public var accuracy: Double? { total == 0 ? nil : Double(correct) / Double(total) }

    /// Of the responses expected to be `label`, the share predicted as `label`; nil when there are none.
    public func recall(_ label: String) -> Double? {
        guard let index = labels.firstIndex(of: label) else { return nil }
        let row = counts[index].reduce(0, +)
        return row == 0 ? nil : Double(counts[index][index]) / Double(row)
    }

    /// Of the responses predicted as `label`, the share expected to be `label`; nil when there are none.
    public func precision(_ label: String) -> Double? {
        guard let index = labels.firstIndex(of: label) else { return nil }
        let column = labels.indices.reduce(0) { $0 + counts[$1][index] }
        return column == 0 ? nil : Double(counts[index][index]) / Double(column)
    }

    /// The classification label an output is normalised to by a grader with these labels.
    public func predictedLabel(for output: String) -> String? {
        ClassificationGrader(labels: labels).classify(output)
    }

    /// One matrix per variant for a classification grader over a run's
    /// successful responses (every repeat counts).
    ///
    /// - Parameters:
    ///   - runID: The run.
    ///   - grader: A grader with `type: classification`.
    ///   - store: The results store.
    /// - Returns: Matrices by variant name.
    /// - Throws: ``PromptLabError`` when the grader is not a classification grader; store errors.
    public static func perVariant(
        runID: String, grader: GraderDefinition, store: any ResultsStore
    ) async throws -> [String: ConfusionMatrix] {
        guard let labels = grader.labels else {
            throw PromptLabError(.invalidInput, "grader '\(grader.name)' is a \(grader.type.rawValue) grader, not a classification grader")
        }
        let cases = Dictionary(try await store.cases(runID: runID).map { ($0.caseID, $0) }, uniquingKeysWith: { first, _ in first })
        var matrices = [String: ConfusionMatrix]()
        for variant in try await store.variants(runID: runID) { matrices[variant.name] = ConfusionMatrix(labels: labels) }
        try await store.forEachResponse(runID: runID) { response in
            guard let output = response.output else { return }
            matrices[response.variant, default: ConfusionMatrix(labels: labels)].add(
                output: output, expected: cases[response.caseID]?.expected)
        }
        return matrices
    }
}

extension GraderDefinition {
    /// The declared labels of a `classification` grader; nil for other types.
    public var labels: [String]? {
        (implementation as? ClassificationGrader)?.labels
    }

    /// The label an output is normalised to by a `classification` grader; nil when
    /// it names no label or this is another type of grader.
    public func predictedLabel(for output: String) -> String? {
        (implementation as? ClassificationGrader)?.classify(output)
    }
}

// MARK: - Registration

extension GraderType {
    public static let classification: GraderType = "classification"
}

extension GraderRegistration {
    static let classification = GraderRegistration([.classification], usesExpected: true) { (options, _) throws(PromptLabError) in
        try ClassificationGrader(options: options)
    }
}
