import Foundation
import GitKit
import PromptFormat
import PromptLabCore

/// A label (such as `production`) pointing at one version of a prompt.
public struct PromptLabel: Sendable, Hashable {
    public var prompt: PromptName
    public var label: String
    public var commit: ObjectID
    /// The version number the label points at, if the commit is one of the prompt's versions.
    public var version: Int?
    /// The git reference that stores it.
    public var referenceName: String
}

/// One move of a label, from its reflog: where it pointed, who moved it and when.
public struct LabelMove: Sendable, Hashable {
    /// The commit the label was pointed at, and its version number when it is one of the prompt's versions.
    public var commit: ObjectID
    public var version: Int?
    /// Where it pointed before; nil when this move created the label.
    public var previousCommit: ObjectID?
    public var previousVersion: Int?
    /// Who moved it (the reflog's committer) and when.
    public var name: String
    public var email: String
    public var time: Int64
    public var offsetMinutes: Int32
    /// The reflog message, such as `promptlab label: support/triage production -> v3 (1a2b3c4)`.
    public var message: String
}

extension PromptRepository {
    /// Labels are git references under this namespace, so `git for-each-ref`
    /// lists them and a refspec such as `refs/promptlab/*:refs/promptlab/*`
    /// pushes and fetches them. A prompt's labels live under its file path:
    /// `refs/promptlab/labels/support/triage.prompt/production`.
    public static let labelNamespace = "refs/promptlab/labels/"

    /// The reference name holding `label` for `prompt`.
    public func labelReference(_ prompt: PromptName, _ label: String) -> String {
        Self.labelNamespace + rootPrefix + prompt.relativePath + "/" + label
    }

    /// Checks a label name.
    ///
    /// - Throws: ``PromptLabError`` `invalidInput` explaining the rule it breaks.
    public static func validateLabel(_ label: String) throws(PromptLabError) {
        let hint = "labels use letters, digits, '.', '_' and '-', start with a letter, and are not 'working', 'latest', vN or hex"
        func fail(_ why: String) -> PromptLabError {
            PromptLabError(.invalidInput, "invalid label name '\(label)': \(why)", hint: hint)
        }
        guard let first = label.first, first.isLetter, first.isASCII else { throw fail("it must start with a letter") }
        guard label.count <= 100 else { throw fail("it is longer than 100 characters") }
        guard label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw fail("it may only contain letters, digits, '.', '_' and '-'")
        }
        if ["working", "latest", "HEAD"].contains(label) { throw fail("'\(label)' is a reserved word") }
        if label.first == "v", label.count > 1, label.dropFirst().allSatisfy(\.isNumber) {
            throw fail("it looks like a version number")
        }
        if label.count >= 4, label.allSatisfy(\.isHexDigit) { throw fail("it looks like a commit SHA") }
        if label.hasSuffix(".lock") || label.contains("..") || label.hasSuffix(".") {
            throw fail("git does not allow it in a reference name")
        }
    }

    /// The one rule that makes every committable name labellable: a prompt's
    /// labels are references named after its file path, so the path must be
    /// valid in a git reference name (no spaces, no `~ ^ : ? * [`, no `..`, no
    /// folder ending in `.lock`). `commit` refuses such a name with this reason,
    /// and `label` gives the same one. (A prompt root whose own path git rejects
    /// is reported by `label` alone: its prompts can still be committed.)
    ///
    /// - Throws: ``PromptLabError`` `invalidInput` naming what git rejects.
    public func refuseUnlabellableName(_ name: PromptName) throws(PromptLabError) {
        guard !Repository.isValidReferenceName(Self.labelNamespace + name.relativePath + "/label") else { return }
        throw PromptLabError(
            .invalidInput,
            "prompt name '\(name)' cannot be used: labels are git references named after the file, and git rejects '\(name.relativePath)' in one",
            hint: "rename it without spaces, '~', '^', ':', '?', '*', '[', '..' or a folder ending in '.lock'")
    }

    /// The commit a label points at, or nil if the prompt has no such label.
    func labelTarget(_ prompt: PromptName, label: String) throws(PromptLabError) -> ObjectID? {
        guard (try? Self.validateLabel(label)) != nil else { return nil }
        do {
            return try git.referenceTarget(labelReference(prompt, label))
        } catch {
            throw PromptLabError.git(error, while: "reading label '\(label)'")
        }
    }

    /// Points `label` at a committed version, as a compare-and-swap with a reflog entry.
    ///
    /// - Returns: the label as it now is, and the version it pointed at before (if any).
    /// - Parameter expected: Where the caller saw the label before asking (nil: no label); the move is
    ///   refused with `conflict` when it points elsewhere now. Omit to move it from wherever it is.
    /// - Parameter reason: Added to the reflog entry (a rollout's readout, for example).
    @discardableResult
    public func setLabel(
        _ label: String, to reference: PromptReference, expecting expected: ObjectID?? = .none, reason: String? = nil
    ) throws(PromptLabError) -> (label: PromptLabel, previous: ObjectID?) {
        try Self.validateLabel(label)
        let version = try resolve(reference)
        guard let record = version.record else {
            throw PromptLabError(
                .invalidInput, "cannot label the working file of '\(reference.name)'",
                hint: "commit it first, then label the new version")
        }
        return try moveLabel(label, of: reference.name, to: record.commit, version: version.number, expecting: expected, reason: reason)
    }

    func moveLabel(
        _ label: String, of prompt: PromptName, to commit: ObjectID, version: Int?, expecting expected: ObjectID?? = .none,
        reason: String? = nil
    ) throws(PromptLabError) -> (label: PromptLabel, previous: ObjectID?) {
        try Self.validateLabel(label)
        try refuseUnlabellableName(prompt)
        let refName = labelReference(prompt, label)
        guard Repository.isValidReferenceName(refName) else {
            throw PromptLabError(.invalidInput, "invalid label name '\(label)': git rejects '\(refName)'")
        }
        let lock = try FileLock.acquire(stateDirectory + "commit.lock", purpose: "label update")
        defer { lock.release() }
        // On case-insensitive file systems (macOS, Windows) `Production` and
        // `production` would be one loose ref file: refuse the second spelling.
        if let existing = try labelNames(of: prompt).first(where: { $0 != label && $0.lowercased() == label.lowercased() }) {
            throw PromptLabError(
                .invalidInput, "label '\(label)' of '\(prompt)' differs only in case from the existing label '\(existing)'",
                hint: "use '\(existing)' (the two would collide on case-insensitive file systems), or choose another name")
        }
        let previous: ObjectID?
        do {
            previous = try git.referenceTarget(refName)
        } catch {
            throw PromptLabError.git(error, while: "reading label '\(label)'")
        }
        if case .some(let expected) = expected, expected != previous {
            throw PromptLabError(
                .conflict,
                "label '\(label)' of '\(prompt)' points at \(previous.map { $0.short() } ?? "nothing") now, not at \(expected.map { $0.short() } ?? "nothing") as when you looked",
                hint: "nothing was written; look at the label again and repeat the move if it is still wanted")
        }
        do {
            let versionText = version.map { "v\($0) " } ?? ""
            try git.updateReference(
                refName, to: commit, expecting: previous,
                message: "promptlab label: \(prompt) \(label) -> \(versionText)(\(commit.short()))"
                    + (reason.map { ": " + $0.replacingOccurrences(of: "\n", with: " ") } ?? ""), forceReflog: true)
            return (
                PromptLabel(prompt: prompt, label: label, commit: commit, version: version, referenceName: refName),
                previous
            )
        } catch  where error.code == .modified || error.code == .exists || error.code == .locked {
            throw PromptLabError(
                .conflict, "label '\(label)' of '\(prompt)' was changed by another process at the same moment",
                hint: "nothing was written; check 'promptlab label --list \(prompt)' and run the command again")
        } catch {
            throw PromptLabError.git(error, while: "moving label '\(label)'")
        }
    }

    /// Deletes a label.
    ///
    /// - Throws: ``PromptLabError`` `notFound` if the prompt has no such label.
    public func deleteLabel(_ label: String, of prompt: PromptName) throws(PromptLabError) -> ObjectID {
        try Self.validateLabel(label)
        let refName = labelReference(prompt, label)
        let lock = try FileLock.acquire(stateDirectory + "commit.lock", purpose: "label update")
        defer { lock.release() }
        do {
            guard let target = try git.referenceTarget(refName) else {
                throw PromptLabError(
                    .notFound, "prompt '\(prompt)' has no label '\(label)'",
                    hint: "see 'promptlab label --list \(prompt)'")
            }
            try git.deleteReference(refName, expecting: target)
            return target
        } catch {
            throw PromptLabError.git(error, while: "deleting label '\(label)'")
        }
    }

    /// The names of one prompt's labels, straight from the references.
    func labelNames(of prompt: PromptName) throws(PromptLabError) -> [String] {
        let prefix = Self.labelNamespace + rootPrefix + prompt.relativePath + "/"
        do {
            return try git.references(matching: prefix + "*").map { String($0.name.dropFirst(prefix.count)) }
                .filter { !$0.contains("/") }
        } catch {
            throw PromptLabError.git(error, while: "listing labels")
        }
    }

    /// Where a label has pointed over time, newest first, from its reflog.
    ///
    /// - Throws: ``PromptLabError`` `notFound` when the prompt has no such label
    ///   (suggesting a close one), `invalidInput` for an invalid label name.
    public func labelHistory(_ label: String, of prompt: PromptName) throws(PromptLabError) -> [LabelMove] {
        try Self.validateLabel(label)
        let refName = labelReference(prompt, label)
        let entries: [ReflogEntry]
        do {
            guard try git.referenceTarget(refName) != nil else {
                let names = try labelNames(of: prompt)
                throw PromptLabError(
                    .notFound, "prompt '\(prompt)' has no label '\(label)'\(Suggestion.phrase(for: label, in: names))",
                    hint: "see 'promptlab label --list \(prompt)'")
            }
            entries = try git.reflog(refName)
        } catch {
            throw PromptLabError.git(error, while: "reading the history of label '\(label)'")
        }
        let versions = try VersionIndex.load(for: self, only: prompt).history(of: prompt).filter { $0.blob != nil }
        let numbers = Dictionary(versions.enumerated().map { ($1.commit, $0 + 1) }, uniquingKeysWith: { a, _ in a })
        return entries.map { entry in
            LabelMove(
                commit: entry.newTarget, version: numbers[entry.newTarget], previousCommit: entry.oldTarget,
                previousVersion: entry.oldTarget.flatMap { numbers[$0] }, name: entry.committer.name,
                email: entry.committer.email, time: entry.committer.time, offsetMinutes: entry.committer.offsetMinutes,
                message: entry.message)
        }
    }

    /// Every label, or the labels of one prompt, sorted by prompt then label.
    public func labels(of prompt: PromptName? = nil) throws(PromptLabError) -> [PromptLabel] {
        let glob = Self.labelNamespace + rootPrefix + (prompt.map { $0.relativePath + "/" } ?? "") + "*"
        let references: [(name: String, target: ObjectID)]
        do {
            references = try git.references(matching: glob)
        } catch {
            throw PromptLabError.git(error, while: "listing labels")
        }
        let index = try VersionIndex.load(for: self, only: prompt)
        var labels = [PromptLabel]()
        for (refName, target) in references {
            let path = refName.dropFirst(Self.labelNamespace.count)
            guard let slash = path.lastIndex(of: "/") else { continue }
            let label = String(path[path.index(after: slash)...])
            guard let name = promptName(forRepositoryPath: String(path[..<slash])) else { continue }
            if let prompt, name != prompt { continue }
            let versions = index.history(of: name).filter { $0.blob != nil }
            let number = versions.firstIndex { $0.commit == target }.map { $0 + 1 }
            labels.append(PromptLabel(prompt: name, label: label, commit: target, version: number, referenceName: refName))
        }
        return labels.sorted { ($0.prompt, $0.label) < ($1.prompt, $1.label) }
    }
}
