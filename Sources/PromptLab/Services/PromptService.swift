import Foundation
import GitKit
import PromptExperiments
import PromptFormat
import PromptLabCore
import PromptVersioning

/// The version-control use cases: status, commit, log, show, diff, render, labels, rollback, list
/// and init. Each takes plain values and returns an output document; none prints.
///
/// ```swift
/// let prompts = PromptService(workspace: try Workspace(at: "."))
/// let outcome = try prompts.commit(names: ["support/triage"], message: "Tighter routing")
/// ```
public struct PromptService {
    /// The repository the operations act on.
    public let workspace: Workspace
    private var repository: PromptRepository { workspace.repository }

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    // MARK: - Creating a repository

    /// Creates a repository at `path`, or adopts the enclosing one with `path` as the prompt root.
    ///
    /// A static entry point: there is no workspace before the repository exists.
    public static func initialize(at path: String, author: Signature?) throws(PromptLabError) -> InitOutput {
        let result = try PromptRepository.initialize(at: path, author: author)
        return InitOutput(root: result.rootPath, createdRepository: result.createdRepository, adoptedRepository: result.wroteConfig)
    }

    // MARK: - Working tree

    /// Prompts new, modified or deleted since HEAD, files that cannot be committed, and a stale
    /// staging area (restaged from HEAD when `repairStaging` is true).
    public func status(repairStaging: Bool = false) throws(PromptLabError) -> StatusOutput {
        let changes = try repository.status().map {
            StatusOutput.Change(name: $0.name.rawValue, status: $0.kind.rawValue, problem: $0.problem)
        }
        var stale = try repository.staleStagedPrompts()
        var repaired = [PromptName]()
        if repairStaging, !stale.isEmpty {
            try repository.restageFromHead(stale)
            repaired = stale
            stale = try repository.staleStagedPrompts()
        }
        return StatusOutput(changes: changes, staleStaged: stale.map(\.rawValue), repaired: repaired.map(\.rawValue))
    }

    /// Commits the named prompts, or every prompt under named folders (every changed prompt when
    /// `names` is empty), after checking each body unless `verify` is false.
    ///
    /// - Returns: the commit, or an output with a nil `commit` when nothing changed.
    public func commit(
        names: [String], message: String, author: Signature? = nil, verify: Bool = true, removeStaleLocks: Bool = false
    ) throws(PromptLabError) -> CommitOutput {
        let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw PromptLabError(.invalidInput, "the commit message must not be empty", hint: "pass -m \"what changed and why\"")
        }
        var prompts = [PromptName]()
        for argument in names {
            for name in try repository.promptNames(matching: argument) where !prompts.contains(name) { prompts.append(name) }
        }
        let summary = String(trimmed.prefix { $0 != "\n" })
        guard
            let result = try repository.commit(
                names: names.isEmpty ? nil : prompts, message: message, author: author, verify: verify,
                removeStaleLocks: removeStaleLocks, verifyFile: { file throws(PromptLabError) in try ProviderRangeCheck.check(file) })
        else {
            return CommitOutput(commit: nil, branch: nil, summary: summary, prompts: [])
        }
        return CommitOutput(
            commit: result.commit.hex, branch: result.branch.replacingOccurrences(of: "refs/heads/", with: ""),
            summary: summary,
            prompts: result.prompts.map { .init(name: $0.name.rawValue, change: $0.change.rawValue, version: $0.version) },
            warning: result.warning, removedLocks: result.removedLocks)
    }

    // MARK: - History

    /// A prompt's versions, newest first, at most `limit` of them.
    public func log(prompt name: String, limit: Int? = nil) throws(PromptLabError) -> PromptLogOutput {
        let prompt = try PromptName(name)
        let history = try repository.history(of: prompt)
        let labels = Dictionary(grouping: try repository.labels(of: prompt), by: \.commit)
        var versions = [VersionOutput]()
        for (offset, record) in history.versions.enumerated().reversed() {
            if let limit, versions.count >= limit { break }
            var entry = Self.version(record, number: offset + 1, labels: (labels[record.commit] ?? []).map(\.label))
            entry.templateHash = try repository.templateHash(of: prompt, version: offset + 1, commit: record.commit)
            versions.append(entry)
        }
        return PromptLogOutput(
            prompt: prompt.rawValue, deleted: history.isDeleted, versions: versions, shallow: repository.isShallow)
    }

    /// The repository's commits, newest first, with the prompt versions each made.
    public func repositoryLog(limit: Int? = nil) throws(PromptLabError) -> RepositoryLogOutput {
        let entries = try repository.repositoryLog(limit: limit)
        return RepositoryLogOutput(
            commits: entries.map { entry in
                let author = entry.commit.author
                return .init(
                    commit: entry.commit.id.hex, date: Timestamps.iso8601(seconds: author.time, offsetMinutes: author.offsetMinutes),
                    author: author.name, email: author.email, message: entry.commit.summary,
                    prompts: entry.prompts.map { .init(name: $0.name.rawValue, version: $0.version) })
            }, shallow: repository.isShallow)
    }

    /// A prompt file as it was at `reference` (`NAME`, `NAME@v3`, `NAME@production`, `NAME@working`).
    public func show(_ reference: String) throws(PromptLabError) -> ShowOutput {
        let version = try repository.resolve(try PromptReference(parsing: reference))
        return ShowOutput(
            prompt: version.name.rawValue, version: version.number, commit: version.record?.commit.hex,
            templateHash: try repository.templateClosure(of: version).hash, content: String(decoding: version.bytes, as: UTF8.self))
    }

    /// Compares two versions of a prompt.
    ///
    /// - Parameters:
    ///   - old: `NAME@REF`.
    ///   - new: `NAME@REF`, `@REF` or `REF` of the same prompt; the working file when nil.
    ///   - wordLevel: Adds a word diff of the body.
    public func diff(old: String, new: String?, wordLevel: Bool) throws(PromptLabError) -> DiffOutput {
        let oldReference = try PromptReference(parsing: old)
        let newReference: PromptReference
        if let new {
            if new.contains("@"), !new.hasPrefix("@") {
                newReference = try PromptReference(parsing: new)
            } else {
                let ref = new.hasPrefix("@") ? String(new.dropFirst()) : new
                newReference = try PromptReference(parsing: "\(oldReference.name)@\(ref)")
            }
        } else {
            newReference = PromptReference(name: oldReference.name, selector: .working)
        }
        let diff = try repository.diff(try repository.resolve(oldReference), try repository.resolve(newReference), wordLevel: wordLevel)
        var old = Self.reference(diff.old)
        var new = Self.reference(diff.new)
        old.templateHash = diff.hashes?.old
        new.templateHash = diff.hashes?.new
        return DiffOutput(
            prompt: diff.old.name.rawValue, old: old, new: new,
            frontMatter: diff.fieldChanges.map { .init(path: $0.path, change: $0.description) }, unified: diff.unified,
            words: diff.words.map(Self.words),
            partials: diff.partialChanges.map { partial in
                .init(
                    name: partial.name.rawValue, oldPresent: partial.oldBytes != nil, newPresent: partial.newBytes != nil,
                    unified: partial.unified, words: partial.words.map(Self.words))
            },
            identical: diff.isEmpty)
    }

    static func words(_ segments: [WordDiff.Segment]) -> [DiffOutput.WordOutput] {
        segments.map { segment in
            switch segment {
            case .same(let text): .init(op: "same", text: text)
            case .removed(let text): .init(op: "removed", text: text)
            case .added(let text): .init(op: "added", text: text)
            }
        }
    }

    // MARK: - Rendering

    /// Renders `reference` with `variables`: the messages and settings a request would carry.
    public func render(_ reference: String, variables: [String: PromptValue]) throws(PromptLabError) -> RenderOutput {
        let version = try repository.resolve(try PromptReference(parsing: reference))
        let file = try version.parse()
        try ProviderRangeCheck.check(file)
        let rendered = try repository.render(version, variables: variables)
        return RenderOutput(
            prompt: rendered.name.rawValue, version: version.number, commit: version.record?.commit.hex,
            templateHash: try repository.templateClosure(of: version).hash, model: rendered.model,
            config: .object(rendered.config.fields),
            output: .init(format: rendered.outputFormat.rawValue, schema: rendered.outputSchema),
            messages: rendered.messages.map(RenderOutput.Message.init))
    }

    // MARK: - Labels

    /// Every label, or those of one prompt.
    public func labels(of name: String? = nil) throws(PromptLabError) -> LabelListOutput {
        let prompt = try name.map { name throws(PromptLabError) in try PromptName(name) }
        return LabelListOutput(labels: try repository.labels(of: prompt).map(Self.label))
    }

    /// Points `label` at the version `reference` names.
    ///
    /// - Parameter expectedCommit: For a move confirmed by a person: the commit the label pointed at when
    ///   they looked (`.some(nil)`: it did not exist). The move is refused with `conflict` if it moved since.
    public func setLabel(_ label: String, to reference: String, expectedCommit: String?? = .none, reason: String? = nil)
        throws(PromptLabError)
        -> LabelChangeOutput
    {
        let expected: ObjectID?? = try expectedCommit.map { hex throws(PromptLabError) in try hex.map(Self.objectID) }
        let (moved, previous) = try repository.setLabel(
            label, to: try PromptReference(parsing: reference), expecting: expected, reason: reason)
        let action = previous == nil ? "created" : (previous == moved.commit ? "unchanged" : "moved")
        return LabelChangeOutput(action: action, label: Self.label(moved), previousCommit: previous?.hex)
    }

    /// Where `NAME@LABEL` pointed over time, newest first, from the label's reflog.
    public func labelHistory(_ reference: String) throws(PromptLabError) -> LabelHistoryOutput {
        let parts = reference.split(separator: "@", maxSplits: 1)
        guard parts.count == 2 else {
            throw PromptLabError(.usage, "--history takes one NAME@LABEL, got '\(reference)'", hint: "such as support/triage@production")
        }
        let prompt = try PromptName(String(parts[0]))
        let label = String(parts[1])
        let moves = try repository.labelHistory(label, of: prompt)
        return LabelHistoryOutput(
            prompt: prompt.rawValue, label: label,
            moves: moves.map { move in
                .init(
                    version: move.version, commit: move.commit.hex, previousVersion: move.previousVersion,
                    previousCommit: move.previousCommit?.hex, name: move.name, email: move.email,
                    date: Timestamps.iso8601(seconds: move.time, offsetMinutes: move.offsetMinutes), message: move.message)
            })
    }

    /// Deletes a prompt's label.
    public func deleteLabel(_ label: String, of name: String) throws(PromptLabError) -> LabelChangeOutput {
        let prompt = try PromptName(name)
        let existing = try repository.labels(of: prompt).first { $0.label == label }
        let target = try repository.deleteLabel(label, of: prompt)
        let output = LabelOutput(
            prompt: prompt.rawValue, label: label, version: existing?.version, commit: target.hex,
            ref: existing?.referenceName ?? repository.labelReference(prompt, label))
        return LabelChangeOutput(action: "deleted", label: output, previousCommit: target.hex)
    }

    // MARK: - Rollback and overview

    /// Restores `target`'s content of `name` as a new commit, optionally moving `label` to it.
    ///
    /// - Parameter expectedLatest: The prompt's latest commit when a person confirmed; refused with
    ///   `conflict` if a newer version was committed since.
    public func rollback(
        _ name: String, to target: String, label: String?, author: Signature? = nil, force: Bool = false,
        expectedLatest: String? = nil
    ) throws(PromptLabError) -> RollbackOutput {
        let prompt = try PromptName(name)
        let reference = target.contains("@") ? try PromptReference(parsing: target) : try PromptReference(parsing: "\(prompt)@\(target)")
        guard reference.name == prompt else {
            throw PromptLabError(
                .invalidInput, "--to must name a version of \(prompt), got \(target)",
                hint: "write --to v2, --to production or --to \(prompt)@v2")
        }
        let result = try repository.rollback(
            prompt, to: reference, label: label, author: author, force: force,
            expectedLatest: try expectedLatest.map(Self.objectID))
        return RollbackOutput(
            prompt: prompt.rawValue, from: Self.reference(result.from), to: Self.reference(result.to),
            commit: result.commit.commit.hex, version: result.commit.prompts.first?.version, label: result.label.map(Self.label))
    }

    /// Every prompt with its latest version, labels and working-tree state.
    public func list() throws(PromptLabError) -> PromptListOutput {
        PromptListOutput(
            prompts: try repository.summaries().map { summary in
                let latest = summary.latest.map { latest in
                    let labels = summary.labels.filter { $0.commit == latest.record.commit }.map(\.label)
                    return Self.version(latest.record, number: latest.number, labels: labels)
                }
                return .init(
                    name: summary.name.rawValue, latest: latest, labels: summary.labels.map(Self.label),
                    working: summary.workingChange?.rawValue, deleted: summary.isDeleted)
            }, shallow: repository.isShallow)
    }

    // MARK: - Conversions

    static func version(_ record: VersionRecord, number: Int?, labels: [String]) -> VersionOutput {
        VersionOutput(
            version: number, commit: record.commit.hex, templateHash: nil, changedPartials: record.changedPartials.map(\.rawValue),
            date: Timestamps.iso8601(seconds: record.time, offsetMinutes: record.offsetMinutes),
            author: record.authorName, email: record.authorEmail, message: record.summary, labels: labels)
    }

    static func label(_ label: PromptLabel) -> LabelOutput {
        LabelOutput(
            prompt: label.prompt.rawValue, label: label.label, version: label.version, commit: label.commit.hex, ref: label.referenceName)
    }

    /// A full commit id given by a client.
    static func objectID(_ hex: String) throws(PromptLabError) -> ObjectID {
        guard hex.count == 40, let id = ObjectID(hex: hex) else {
            throw PromptLabError(.invalidInput, "'\(hex.prefix(80))' is not a full commit id", hint: "give the 40-character hex id")
        }
        return id
    }

    static func reference(_ version: PromptVersion) -> VersionRefOutput {
        VersionRefOutput(version: version.number, commit: version.record?.commit.hex, label: version.label)
    }
}
