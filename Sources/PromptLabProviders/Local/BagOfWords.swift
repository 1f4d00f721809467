import Foundation

/// Word features for the offline baseline: lower-cased tokens split on anything that is not a letter or
/// digit, minus a short stop-word list, with a light suffix-stripping stemmer.
enum BagOfWords {
    /// Function words that carry no topic. Negations (`no`, `not`) are kept on purpose.
    static let stopWords: Set<String> = [
        "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by",
        "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "he", "her", "here", "his", "how",
        "i", "if", "in", "into", "is", "it", "its", "just", "me", "my", "of", "on", "or", "our", "please", "she",
        "so", "some", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those",
        "to", "us", "was", "we", "were", "what", "when", "where", "which", "who", "will", "with", "would", "you",
        "your",
    ]

    /// The raw words of `text`: lower-cased runs of letters and digits.
    static func words(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        for scalar in text.lowercased().unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                result.append(current)
                current = ""
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// The feature terms of `text`: words without stop words, stemmed.
    static func terms(_ text: String) -> [String] {
        words(text).filter { !stopWords.contains($0) }.map(stem)
    }

    /// Term counts of `text`.
    static func counts(_ text: String) -> [String: Double] {
        var counts: [String: Double] = [:]
        for term in terms(text) { counts[term, default: 0] += 1 }
        return counts
    }

    /// Strips a few English inflections so that `charge`, `charged`, `charges` and `charging` meet.
    static func stem(_ word: String) -> String {
        guard word.count > 3, word.allSatisfy({ $0.isLetter }) else { return word }
        if word.hasSuffix("ies"), word.count > 4 { return String(word.dropLast(3)) + "y" }
        var stem = word
        if stem.hasSuffix("ing"), stem.count > 5 {
            stem = undoubled(String(stem.dropLast(3)))
        } else if stem.hasSuffix("ed"), stem.count > 4 {
            stem = undoubled(String(stem.dropLast(2)))
        } else if stem.hasSuffix("s"), !stem.hasSuffix("ss"), !stem.hasSuffix("us") {
            stem = String(stem.dropLast())
        }
        if stem.hasSuffix("e"), stem.count > 3 { stem = String(stem.dropLast()) }
        return stem
    }

    /// `shipp` → `ship`, `stopp` → `stop`; `bill`, `pass` and `buzz` keep their double letter.
    private static func undoubled(_ stem: String) -> String {
        let characters = Array(stem)
        guard characters.count >= 3, let last = characters.last, characters[characters.count - 2] == last,
            !"lsz".contains(last)
        else { return stem }
        return String(characters.dropLast())
    }

    /// Cosine similarity of two sparse vectors (0 when either is empty).
    static func cosine(_ a: [String: Double], _ b: [String: Double]) -> Double {
        var dot = 0.0
        let (small, large) = a.count <= b.count ? (a, b) : (b, a)
        for (term, weight) in small { if let other = large[term] { dot += weight * other } }
        guard dot > 0 else { return 0 }
        let normA = a.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let normB = b.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return dot / (normA * normB)
    }

    /// Whitespace-separated token count, the baseline's stand-in for model tokens.
    static func whitespaceTokenCount(_ text: String) -> Int {
        text.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).count
    }
}
