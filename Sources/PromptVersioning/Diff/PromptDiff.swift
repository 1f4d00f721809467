import GitKit
import PromptFormat
import PromptLabCore

/// The difference between two versions of a prompt.
public struct PromptDiff: Sendable {
    public var old: PromptVersion
    public var new: PromptVersion
    /// Front matter fields that differ; empty if either side does not parse.
    public var fieldChanges: [FieldChange]
    /// A unified diff of the whole file; empty when the files are equal.
    public var unified: String
    /// A word-level diff of the body, when asked for.
    public var words: [WordDiff.Segment]?
    /// The included partials whose content differs between the two versions
    /// (empty unless closures were given), sorted by name.
    public var partialChanges: [PartialChange] = []
    /// The template hashes of the two sides, when closures were given.
    public var hashes: (old: String, new: String)?

    /// A partial that one side includes with other content than the other
    /// (or that only one side includes, or that one side lacks).
    public struct PartialChange: Sendable {
        public var name: PromptName
        /// The partial's file on each side; nil where it is not included or does not exist.
        public var oldBytes: [UInt8]?
        public var newBytes: [UInt8]?
        /// A unified diff of the partial's file.
        public var unified: String
        /// A word-level diff of the partial's body, when asked for.
        public var words: [WordDiff.Segment]?
    }

    /// Compares two versions and, given their template closures, every
    /// partial either one includes; see ``PromptRepository/diff(_:_:wordLevel:)``.
    public init(
        old: PromptVersion, new: PromptVersion, wordLevel: Bool, closures: (old: TemplateClosure, new: TemplateClosure)
    ) throws(PromptLabError) {
        try self.init(old: old, new: new, wordLevel: wordLevel)
        hashes = (closures.old.hash, closures.new.hash)
        let before = Dictionary(closures.old.partials.map { ($0.name, $0.bytes) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(closures.new.partials.map { ($0.name, $0.bytes) }, uniquingKeysWith: { a, _ in a })
        func label(_ version: PromptVersion) -> String { version.record.map { "@" + $0.commit.short() } ?? "" }
        for name in Set(before.keys).union(after.keys).sorted() {
            let oldBytes = before[name] ?? nil
            let newBytes = after[name] ?? nil
            guard oldBytes != newBytes else { continue }
            let unified: String
            do {
                unified = try Patch.unified(
                    old: oldBytes ?? [], new: newBytes ?? [], oldPath: name.relativePath + label(old),
                    newPath: name.relativePath + label(new))
            } catch {
                throw PromptLabError.git(error, while: "diffing partial '\(name)'")
            }
            var words: [WordDiff.Segment]?
            if wordLevel {
                func body(_ bytes: [UInt8]?) -> String {
                    guard let bytes else { return "" }
                    return (try? PromptFile.parse(bytes, name: name, displayPath: name.relativePath))?.body
                        ?? String(decoding: bytes, as: UTF8.self)
                }
                words = WordDiff.segments(from: body(oldBytes), to: body(newBytes))
            }
            partialChanges.append(
                PartialChange(name: name, oldBytes: oldBytes, newBytes: newBytes, unified: unified, words: words))
        }
    }

    /// Compares two versions' own files only.
    public init(old: PromptVersion, new: PromptVersion, wordLevel: Bool) throws(PromptLabError) {
        self.old = old
        self.new = new
        let oldFile = try? old.parse()
        let newFile = try? new.parse()
        if let oldFile, let newFile {
            fieldChanges = FrontMatterDiff.changes(from: oldFile.frontMatter.raw, to: newFile.frontMatter.raw)
        } else {
            fieldChanges = []
        }
        do {
            unified = try Patch.unified(
                old: old.bytes, new: new.bytes, oldPath: old.displayPath, newPath: new.displayPath)
        } catch {
            throw PromptLabError.git(error, while: "diffing")
        }
        if wordLevel {
            let oldText = oldFile?.body ?? String(decoding: old.bytes, as: UTF8.self)
            let newText = newFile?.body ?? String(decoding: new.bytes, as: UTF8.self)
            words = WordDiff.segments(from: oldText, to: newText)
        }
    }

    /// Whether the two versions have identical content, partials included.
    public var isEmpty: Bool { old.bytes == new.bytes && partialChanges.isEmpty }
}
