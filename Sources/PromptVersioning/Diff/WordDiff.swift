import PromptFormat
import PromptLabCore

/// A word-level diff of prose, like `git diff --word-diff`.
public enum WordDiff {
    /// A run of text that is unchanged, removed or added.
    public enum Segment: Sendable, Hashable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// Diffs `old` against `new` word by word; whitespace runs are tokens too,
    /// so the segments concatenate back into either text.
    ///
    /// As in `git diff --word-diff`, a line break is never part of a changed
    /// word, so a changed last word stays on its line, and a run of replaced
    /// words separated by single spaces reads as one change (`[-a b-]{+x y+}`).
    public static func segments(from old: String, to new: String) -> [Segment] {
        let a = tokens(old)
        let b = tokens(new)
        let difference = b.difference(from: a)
        var removedAt = Set<Int>()
        var insertedAt = Set<Int>()
        for change in difference {
            switch change {
            case .remove(let offset, _, _): removedAt.insert(offset)
            case .insert(let offset, _, _): insertedAt.insert(offset)
            }
        }
        var operations = [Segment]()
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, removedAt.contains(i) {
                operations.append(.removed(a[i]))
                i += 1
            } else if j < b.count, insertedAt.contains(j) {
                operations.append(.added(b[j]))
                j += 1
            } else {
                if i < a.count { operations.append(.same(a[i])) }
                i += 1
                j += 1
            }
        }

        var segments = [Segment]()
        func append(_ segment: Segment) {
            switch (segments.last, segment) {
            case (.same(let x)?, .same(let y)): segments[segments.count - 1] = .same(x + y)
            case (.removed(let x)?, .removed(let y)): segments[segments.count - 1] = .removed(x + y)
            case (.added(let x)?, .added(let y)): segments[segments.count - 1] = .added(x + y)
            default: segments.append(segment)
            }
        }
        // Each run of changes is shown as everything removed, then everything added.
        var removed = ""
        var added = ""
        func flush() {
            if !removed.isEmpty { append(.removed(removed)) }
            if !added.isEmpty { append(.added(added)) }
            removed = ""
            added = ""
        }
        for (index, operation) in operations.enumerated() {
            switch operation {
            case .removed(let text): removed += text
            case .added(let text): added += text
            case .same(let text):
                // Spaces (not line breaks) between replaced words join the replacement on both sides.
                let next = index + 1 < operations.count ? operations[index + 1] : nil
                if !removed.isEmpty, !added.isEmpty, text.allSatisfy({ $0.isWhitespace && !$0.isNewline }),
                    let next, next.isChange
                {
                    removed += text
                    added += text
                } else {
                    flush()
                    append(operation)
                }
            }
        }
        flush()
        return segments
    }

    /// Regroups segments into display lines (split at newlines), keeping only
    /// lines that contain a change plus `context` unchanged lines around them.
    /// A nil entry marks skipped lines.
    public static func changedLines(_ segments: [Segment], context: Int = 1) -> [[Segment]?] {
        var lines: [[Segment]] = [[]]
        for segment in segments {
            let (text, make): (String, (String) -> Segment) =
                switch segment {
                case .same(let t): (t, Segment.same)
                case .removed(let t): (t, Segment.removed)
                case .added(let t): (t, Segment.added)
                }
            let pieces = text.split(separator: "\n", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index > 0 { lines.append([]) }
                if !piece.isEmpty { lines[lines.count - 1].append(make(String(piece))) }
            }
        }
        let changed = lines.map { line in
            line.contains { if case .same = $0 { false } else { true } }
        }
        var keep = [Bool](repeating: false, count: lines.count)
        for (index, isChanged) in changed.enumerated() where isChanged {
            for k in max(0, index - context)...min(lines.count - 1, index + context) { keep[k] = true }
        }
        var result = [[Segment]?]()
        var skipped = false
        for index in lines.indices {
            if keep[index] {
                if skipped { result.append(nil) }
                result.append(lines[index])
                skipped = false
            } else {
                skipped = true
            }
        }
        if skipped { result.append(nil) }
        return result
    }

    /// Splits text into alternating runs of non-whitespace (words) and
    /// whitespace. Keeping whitespace apart means a word and the line break
    /// after it are compared separately, so a changed word does not drag the
    /// line break into the change.
    static func tokens(_ text: String) -> [String] {
        var tokens = [String]()
        var current = ""
        var currentIsSpace = false
        for c in text {
            if !current.isEmpty, c.isWhitespace != currentIsSpace {
                tokens.append(current)
                current = ""
            }
            currentIsSpace = c.isWhitespace
            current.append(c)
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }
}

extension WordDiff.Segment {
    var isChange: Bool {
        if case .same = self { false } else { true }
    }
}
