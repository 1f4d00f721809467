import PromptFormat
import PromptLabCore

/// One front matter field that differs between two versions.
public struct FieldChange: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case added(PromptValue)
        case removed(PromptValue)
        case changed(PromptValue, PromptValue)
        /// A list whose items were added or removed: `added` and `removed` items, and how many changed in place.
        case list(added: [PromptValue], removed: [PromptValue], countBefore: Int, countAfter: Int)
    }

    /// A dotted path such as `config.temperature`.
    public var path: String
    public var kind: Kind

    /// A one-line summary, such as `temperature: 0.2 → 0.7` or `examples: +2`.
    public var description: String {
        switch kind {
        case .added(let value): "\(path): added \(value.summary)"
        case .removed(let value): "\(path): removed (was \(value.summary))"
        case .changed(let old, let new): "\(path): \(old.summary) → \(new.summary)"
        case .list(let added, let removed, let before, let after):
            if added.allSatisfy(\.isScalar) && removed.allSatisfy(\.isScalar) && !(added.isEmpty && removed.isEmpty) {
                "\(path): " + (added.map { "+\($0.summary)" } + removed.map { "−\($0.summary)" }).joined(separator: " ")
            } else if before == after {
                "\(path): \(added.count) changed"
            } else {
                "\(path): \(after > before ? "+" : "−")\(abs(after - before)) (\(before) → \(after))"
            }
        }
    }
}

extension PromptValue {
    public var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }
}

/// Compares two front matters field by field.
public enum FrontMatterDiff {
    /// The fields that differ, in the order they appear (old fields first for removals).
    public static func changes(from old: PromptValue, to new: PromptValue) -> [FieldChange] {
        var changes = [FieldChange]()
        compare(old, new, path: "", into: &changes)
        return changes
    }

    private static func compare(_ old: PromptValue, _ new: PromptValue, path: String, into changes: inout [FieldChange]) {
        if old == new { return }
        switch (old, new) {
        case (.object(let a), .object(let b)):
            let newKeys = Set(b.map(\.key))
            let oldValues = Dictionary(a.map { ($0.key, $0.value) }, uniquingKeysWith: { x, _ in x })
            for (key, value) in a where !newKeys.contains(key) {
                changes.append(FieldChange(path: join(path, key), kind: .removed(value)))
            }
            for (key, value) in b {
                if let before = oldValues[key] {
                    compare(before, value, path: join(path, key), into: &changes)
                } else {
                    changes.append(FieldChange(path: join(path, key), kind: .added(value)))
                }
            }
        case (.array(let a), .array(let b)):
            let difference = b.difference(from: a)
            var added = [PromptValue]()
            var removed = [PromptValue]()
            for change in difference {
                switch change {
                case .insert(_, let element, _): added.append(element)
                case .remove(_, let element, _): removed.append(element)
                }
            }
            changes.append(
                FieldChange(path: path, kind: .list(added: added, removed: removed, countBefore: a.count, countAfter: b.count)))
        default:
            changes.append(FieldChange(path: path, kind: .changed(old, new)))
        }
    }

    private static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }
}
