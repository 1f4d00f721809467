import GitKit
import PromptFormat
import PromptLabCore

/// One commit in the repository's log, with the prompt versions it made.
public struct RepositoryLogEntry: Sendable {
    public var commit: CommitInfo
    /// The prompts this commit changed, with the version it gave each (nil if it deleted one).
    public var prompts: [(name: PromptName, version: Int?)]
}

/// One prompt's summary for `promptlab list`.
public struct PromptSummary: Sendable {
    public var name: PromptName
    /// The latest version number and its record; nil when never committed.
    public var latest: (number: Int, record: VersionRecord)?
    public var labels: [PromptLabel]
    /// The working file's state against `HEAD`, if it differs.
    public var workingChange: PromptChange.Kind?
    /// Whether the latest commit touching it deleted it.
    public var isDeleted: Bool
}

extension PromptRepository {
    /// The repository's first-parent history from `HEAD`, newest first.
    public func repositoryLog(limit: Int?) throws(PromptLabError) -> [RepositoryLogEntry] {
        let index = try VersionIndex.load(for: self)
        guard let head = index.tip else { return [] }
        var versionsByCommit = [ObjectID: [(name: PromptName, version: Int?)]]()
        for rawName in index.promptNames {
            guard let name = try? PromptName(rawName) else { continue }
            var number = 0
            for record in index.history(of: name) {
                if record.blob != nil { number += 1 }
                versionsByCommit[record.commit, default: []].append((name, record.blob != nil ? number : nil))
            }
        }
        var entries = [RepositoryLogEntry]()
        do {
            try git.walkFirstParents(from: head) { id in
                entries.append(RepositoryLogEntry(commit: try git.commit(id), prompts: versionsByCommit[id] ?? []))
                return limit.map { entries.count < $0 } ?? true
            }
        } catch {
            throw PromptLabError.git(error, while: "reading history")
        }
        return entries
    }

    /// Every prompt, committed or on disk, with its latest version, labels and working state.
    public func summaries() throws(PromptLabError) -> [PromptSummary] {
        let index = try VersionIndex.load(for: self)
        let changes = Dictionary(try status().map { ($0.name, $0.kind) }, uniquingKeysWith: { a, _ in a })
        let labels = Dictionary(grouping: try labels(), by: \.prompt)
        var names = Set(workingPromptNames())
        for raw in index.promptNames { if let name = try? PromptName(raw) { names.insert(name) } }
        return names.sorted().map { name in
            let records = index.history(of: name)
            let versions = records.filter { $0.blob != nil }
            return PromptSummary(
                name: name, latest: versions.last.map { (versions.count, $0) }, labels: labels[name] ?? [],
                workingChange: changes[name], isDeleted: records.last.map { $0.blob == nil } ?? false)
        }
    }
}
