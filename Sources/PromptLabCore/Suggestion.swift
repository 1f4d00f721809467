/// "Did you mean …?" suggestions for misspelt names.
public enum Suggestion {
    /// The candidate closest to `text` by edit distance (insertions, deletions,
    /// substitutions and swaps of neighbours each count one), if it is close
    /// enough to be a plausible typo: at most 1 edit for short names, 2 from
    /// five characters, 3 from twelve. Ties go to the first candidate in sorted order.
    public static func closest(to text: String, in candidates: some Sequence<String>) -> String? {
        let limit = text.count >= 12 ? 3 : (text.count >= 5 ? 2 : 1)
        var best: (distance: Int, candidate: String)?
        for candidate in candidates.sorted() where candidate != text {
            guard abs(candidate.count - text.count) <= limit else { continue }
            let distance = editDistance(text, candidate)
            if distance <= limit, distance < (best?.distance ?? .max) { best = (distance, candidate) }
        }
        return best?.candidate
    }

    /// Optimal string alignment distance (Damerau–Levenshtein without repeated edits of one substring).
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars)
        let y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous2 = [Int](repeating: 0, count: y.count + 1)
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[y.count]
    }

    /// `; did you mean 'x'?`, or an empty string.
    public static func phrase(for text: String, in candidates: some Sequence<String>) -> String {
        closest(to: text, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }
}
