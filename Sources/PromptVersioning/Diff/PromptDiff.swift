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

    /// Compares two versions.
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

    /// Whether the two versions have identical content.
    public var isEmpty: Bool { old.bytes == new.bytes }
}
