import Foundation

/// The decision procedure of `local/baseline`: a transparent bag-of-words baseline, not a language model.
///
/// 1. **Nearest centroid over the prompt's evidence.** Every label the prompt names (as bullet lines,
///    `- billing: charges, refunds`, or an inline list, `one of: billing, technical, shipping`) contributes
///    its name and description as one document; every few-shot example (a user/assistant message pair
///    before the final user message) contributes its user text as a document of its answer's label.
///    Each label's centroid is the sum of its documents' normalised TF-IDF vectors (IDF over all the
///    documents), and the answer is the label whose centroid is nearest (cosine) to the final user
///    message. Ties, including "no shared term at all", go to the label that appears first.
/// 2. **Echo.** With neither labels nor examples, answer with the first line of the final user message.
///
/// So a prompt that gives more, or more relevant, labelled examples gives the baseline more evidence,
/// and it scores better for the same reason an LLM would. Everything is deterministic and nothing is
/// tuned to any data set.
struct BaselineClassifier {
    struct Decision: Equatable {
        enum Method: String { case nearestCentroid, echo }
        var answer: String
        var method: Method
    }

    struct Example {
        var input: String
        var label: String
    }

    struct Label: Equatable {
        var name: String
        var description: String
    }

    /// Decides the answer for a rendered conversation.
    static func decide(_ messages: [ChatMessage]) -> Decision {
        let conversation = messages.filter { $0.role != .system }
        let instructions = messages.filter { $0.role == .system }.map(\.content)
        guard let finalIndex = conversation.lastIndex(where: { $0.role == .user }) else {
            return Decision(answer: "", method: .echo)
        }
        let finalText = conversation[finalIndex].content
        let examples = fewShotExamples(Array(conversation[..<finalIndex]))

        let labelSources = instructions + [finalText]
        var labels: [Label] = []
        var definitionLines = Set<String>()
        for source in labelSources {
            let found = namedLabels(in: source)
            for label in found.labels {
                if let existing = labels.firstIndex(where: { $0.name.lowercased() == label.name.lowercased() }) {
                    if !label.description.isEmpty { labels[existing].description += " " + label.description }
                } else {
                    labels.append(label)
                }
            }
            definitionLines.formUnion(found.lines)
        }
        // The input is the final user message without the lines that define labels.
        let input = finalText.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !definitionLines.contains(String($0)) }
            .joined(separator: "\n")

        if let answer = nearestCentroid(to: input, labels: labels, examples: examples) {
            return Decision(answer: answer, method: .nearestCentroid)
        }
        let firstLine = finalText.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return Decision(answer: String(firstLine.trimmingCharacters(in: .whitespaces).prefix(200)), method: .echo)
    }

    // MARK: - Few-shot examples

    /// Consecutive (user, assistant) pairs, in order.
    static func fewShotExamples(_ messages: [ChatMessage]) -> [Example] {
        var examples: [Example] = []
        var index = 0
        while index + 1 < messages.count {
            if messages[index].role == .user, messages[index + 1].role == .assistant {
                examples.append(
                    Example(
                        input: messages[index].content,
                        label: messages[index + 1].content.trimmingCharacters(in: .whitespacesAndNewlines)))
                index += 2
            } else {
                index += 1
            }
        }
        return examples
    }

    /// The label whose evidence (its description and its examples) is nearest to `input`, or nil when the
    /// prompt gives neither labels nor examples. See the type's documentation.
    static func nearestCentroid(to input: String, labels: [Label], examples: [Example]) -> String? {
        var classes = labels.map(\.name)
        var documents: [(label: Int, counts: [String: Double])] = []
        for (index, label) in labels.enumerated() {
            documents.append((index, BagOfWords.counts(label.name + " " + label.description)))
        }
        for example in examples {
            let index: Int
            if let known = classes.firstIndex(where: { $0.lowercased() == example.label.lowercased() }) {
                index = known
            } else {
                classes.append(example.label)
                index = classes.count - 1
            }
            documents.append((index, BagOfWords.counts(example.input)))
        }
        guard !documents.isEmpty else { return nil }
        var documentFrequency: [String: Double] = [:]
        for document in documents {
            for term in document.counts.keys { documentFrequency[term, default: 0] += 1 }
        }
        let count = Double(documents.count)
        func weighted(_ counts: [String: Double]) -> [String: Double] {
            var vector: [String: Double] = [:]
            for (term, frequency) in counts {
                vector[term] = frequency * (log((1 + count) / (1 + (documentFrequency[term] ?? 0))) + 1)
            }
            return vector
        }
        var centroids = [[String: Double]](repeating: [:], count: classes.count)
        for document in documents {
            let vector = weighted(document.counts)
            let norm = vector.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { continue }
            for (term, value) in vector { centroids[document.label][term, default: 0] += value / norm }
        }
        let query = weighted(BagOfWords.counts(input))
        var best = (index: 0, score: 0.0)
        for (index, centroid) in centroids.enumerated() {
            let score = BagOfWords.cosine(query, centroid)
            if score > best.score + 1e-12 { best = (index, score) }
        }
        return classes[best.index]
    }

    // MARK: - Named labels

    /// Labels defined in `text`, and the lines that defined them.
    static func namedLabels(in text: String) -> (labels: [Label], lines: Set<String>) {
        var labels: [Label] = []
        var lines = Set<String>()
        let allLines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var headerMentionsLabels = false
        var bulletNames: [(String, String)] = []

        func add(_ name: String, _ description: String) {
            let cleaned = cleanLabel(name)
            guard isPlausibleLabel(cleaned) else { return }
            if let existing = labels.firstIndex(where: { $0.name.lowercased() == cleaned.lowercased() }) {
                if !description.isEmpty { labels[existing].description += " " + description }
            } else {
                labels.append(Label(name: cleaned, description: description))
            }
        }

        for line in allLines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let bullet = bulletContent(trimmed) {
                if let colon = bullet.firstIndex(where: { $0 == ":" || $0 == "—" || $0 == "–" }) {
                    let name = String(bullet[..<colon])
                    let description = String(bullet[bullet.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                    if isPlausibleLabel(cleanLabel(name)) {
                        add(name, description)
                        lines.insert(line)
                        continue
                    }
                }
                // A bare bullet counts only under a header that talks about labels.
                if headerMentionsLabels, isPlausibleLabel(cleanLabel(bullet)) {
                    bulletNames.append((bullet, line))
                }
                continue
            }
            headerMentionsLabels = mentionsLabels(trimmed)
            if let list = inlineList(trimmed) {
                for item in list { add(item, "") }
                lines.insert(line)
            }
        }
        if bulletNames.count >= 2 {
            for (name, line) in bulletNames {
                add(name, "")
                lines.insert(line)
            }
        }
        return (labels, lines)
    }

    private static let listIntroducers = [
        "one of", "labels", "label", "categories", "category", "classes", "class", "options", "choices",
        "choose from", "intents", "topics",
    ]

    private static func mentionsLabels(_ line: String) -> Bool {
        let lower = line.lowercased()
        return listIntroducers.contains { lower.contains($0) } || lower.contains("answer with")
    }

    /// `- x`, `* x`, `• x`, `1. x`, `1) x` → `x`.
    private static func bulletContent(_ line: String) -> String? {
        if let first = line.first, "-*•".contains(first) {
            let rest = line.dropFirst().trimmingCharacters(in: .whitespaces)
            return rest.isEmpty ? nil : rest
        }
        let digits = line.prefix(while: \.isNumber)
        if !digits.isEmpty, digits.count <= 2 {
            let rest = line.dropFirst(digits.count)
            if let marker = rest.first, marker == "." || marker == ")" {
                let content = rest.dropFirst().trimmingCharacters(in: .whitespaces)
                return content.isEmpty ? nil : content
            }
        }
        return nil
    }

    /// The items of `... one of: a, b, c` (also `labels:`, `categories:`, `options:`, ...).
    private static func inlineList(_ line: String) -> [String]? {
        let lower = line.lowercased()
        for introducer in listIntroducers {
            guard let range = lower.range(of: introducer) else { continue }
            let offset = lower.distance(from: lower.startIndex, to: range.upperBound)
            var rest = Substring(line.dropFirst(offset))
            rest = rest.drop { $0 == ":" || $0 == " " || $0 == "-" || $0 == "\t" }
            // Stop at the end of the sentence.
            if let stop = rest.range(of: ". ") { rest = rest[..<stop.lowerBound] }
            var text = String(rest)
            text = text.replacingOccurrences(of: " or ", with: ",")
            text = text.replacingOccurrences(of: " and ", with: ",")
            let items = text.split(whereSeparator: { ",|/;".contains($0) })
                .map { cleanLabel(String($0)) }
                .filter { !$0.isEmpty }
            guard items.count >= 2, items.allSatisfy(isPlausibleLabel) else { continue }
            return items
        }
        return nil
    }

    private static func cleanLabel(_ text: String) -> String {
        let junk = CharacterSet(charactersIn: "\"'`*_[](){}<>.:").union(.whitespaces)
        return text.trimmingCharacters(in: junk)
    }

    /// Short, wordy names only: at most 4 words and 40 characters.
    private static func isPlausibleLabel(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 40 && name.split(separator: " ").count <= 4
            && name.contains(where: { $0.isLetter || $0.isNumber })
    }
}
