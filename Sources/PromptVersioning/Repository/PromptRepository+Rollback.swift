import Foundation
import GitKit
import PromptFormat
import PromptLabCore

/// What a rollback did.
public struct RollbackResult: Sendable {
    public var commit: CommitResult
    /// The version the prompt had before, and the one whose content it now has.
    public var from: PromptVersion
    public var to: PromptVersion
    /// The label moved to the new version, if one was asked for.
    public var label: PromptLabel?
}

extension PromptRepository {
    /// Restores an earlier version's content as a **new** commit, so history is kept,
    /// and optionally moves a label to it.
    ///
    /// Only the prompt's own file is restored; the partials it includes stay
    /// as they are (roll them back by name).
    ///
    /// The working file is rewritten and committed; if the commit fails, the file
    /// is put back as it was.
    ///
    /// - Throws: ``PromptLabError`` `wouldLoseWork` when the working file has
    ///   uncommitted edits (unless `force`), `invalidInput` when the content is already current.
    /// - Parameter expectedLatest: The latest commit of the prompt when the caller looked; the rollback
    ///   is refused with `conflict` when a newer version was committed since. Nil: no such check.
    public func rollback(
        _ name: PromptName, to target: PromptReference, label: String?, author: Signature?, force: Bool = false,
        expectedLatest: ObjectID? = nil
    ) throws(PromptLabError) -> RollbackResult {
        if let label { try Self.validateLabel(label) }
        let current = try resolve(PromptReference(name: name, selector: .latest))
        if let expectedLatest, current.record?.commit != expectedLatest {
            throw PromptLabError(
                .conflict,
                "prompt '\(name)' changed since you looked: its latest version is \(current.label), not \(expectedLatest.short())",
                hint: "nothing was written; look at the prompt again and repeat the rollback if it is still wanted")
        }
        let destination = try resolve(target)
        guard let destinationRecord = destination.record else {
            throw PromptLabError(
                .invalidInput, "cannot roll back to the working file",
                hint: "name a committed version, such as \(name)@v1 or \(name)@production")
        }
        guard destination.bytes != current.bytes else {
            // Versions made by a partial's change share the prompt's file: rolling the file back changes nothing.
            let partials = try diff(destination, current, wordLevel: false).partialChanges.map(\.name.rawValue)
            guard partials.isEmpty else {
                throw PromptLabError(
                    .invalidInput,
                    "prompt '\(name)' \(current.label) has the same file as \(destination.label); they differ only in the partials it includes (\(partials.joined(separator: ", ")))",
                    hint: "roll back the partial instead, such as: promptlab rollback \(partials[0]) --to REF")
            }
            throw PromptLabError(
                .invalidInput,
                "prompt '\(name)' \(current.label) already has the content of \(destination.label); nothing to roll back")
        }
        let working = try readWorkingFile(name)
        if let working, working != current.bytes, !force {
            throw PromptLabError(
                .wouldLoseWork, "prompt '\(name)' has uncommitted changes that a rollback would overwrite",
                hint: "commit them (promptlab commit \(name) -m ...) or pass --force to discard them")
        }
        let message = """
            Roll back \(name) to \(destination.label) from \(current.label)

            PromptLab-Rollback: \(name)
            PromptLab-Rollback-From: \(current.number.map { "v\($0)" } ?? "?") \(current.record!.commit.hex)
            PromptLab-Rollback-To: \(destination.number.map { "v\($0)" } ?? "?") \(destinationRecord.commit.hex)
            """  // current comes from .latest, which always has a record.

        let path = workingPath(of: name)
        try writeFileAtomically(destination.bytes, to: path)
        let result: CommitResult
        do {
            result = try commitChanges(
                [
                    FileChange(
                        path: repositoryPath(of: name), kind: .modified, bytes: destination.bytes, base: current.record?.blob,
                        executable: isExecutable(path))
                ],
                message: message, identities: try commitIdentities(author))
        } catch {
            // Put the working file back, so a failed rollback leaves nothing half-done.
            if let working { try? writeFileAtomically(working, to: path) }
            throw error
        }
        var moved: PromptLabel?
        if let label {
            let version = result.prompts.first?.version
            moved = try moveLabel(label, of: name, to: result.commit, version: version).label
        }
        return RollbackResult(commit: result, from: current, to: destination, label: moved)
    }
}
