import Foundation
import GitKit
import PromptLabCore

extension PromptRepository {
    /// A file of the prompt root that is not a prompt (a rollout file), as committed on `HEAD`.
    ///
    /// - Parameter path: Relative to the prompt root, such as `rollouts/triage-v5.yaml`.
    /// - Returns: nil when `HEAD` has no such file (or no commit yet).
    public func committedFile(_ path: String) throws(PromptLabError) -> [UInt8]? {
        do {
            guard let head = try git.head().commit else { return nil }
            let tree = try git.treeID(ofCommit: head)
            guard let entry = try git.treeEntry(atPath: rootPrefix + path, inTree: tree), entry.kind == .blob else { return nil }
            return try git.blob(entry.id)
        } catch {
            throw PromptLabError.git(error, while: "reading '\(path)' at HEAD")
        }
    }

    /// Commits one file of the prompt root that is not a prompt, as it is on disk, unless `HEAD`
    /// already holds exactly these bytes.
    ///
    /// Goes through the same compare-and-swap commit as prompts: the staging area is updated
    /// first and the branch moved last, and a concurrent commit of the same file is a `conflict`.
    ///
    /// - Parameters:
    ///   - path: Relative to the prompt root.
    ///   - bytes: The content to commit (what was read and checked).
    /// - Returns: The new commit, or `HEAD`'s when it already held the content.
    public func commitFile(_ path: String, bytes: [UInt8], message: String, author: Signature?) throws(PromptLabError) -> ObjectID {
        let repositoryPath = rootPrefix + path
        let base: ObjectID?
        let head: ObjectID?
        do {
            head = try git.head().commit
            base = try head.flatMap { try git.treeEntry(atPath: repositoryPath, inTree: try git.treeID(ofCommit: $0)) }.map(\.id)
            if let base, let head, try Repository.blobID(for: bytes) == base { return head }
        } catch {
            throw PromptLabError.git(error, while: "reading '\(path)' at HEAD")
        }
        let change = FileChange(path: repositoryPath, kind: base == nil ? .new : .modified, bytes: bytes, base: base)
        return try commitChanges([change], message: message, identities: try commitIdentities(author)).commit
    }
}
