import Foundation
import GitKit
import PromptFormat
import PromptLabCore

/// A prompt's version history.
public struct PromptHistory: Sendable {
    public var name: PromptName
    /// The versions, oldest first: `versions[0]` is v1.
    public var versions: [VersionRecord]
    /// Whether the latest commit touching the prompt deleted it.
    public var isDeleted: Bool
}

extension PromptRepository {
    /// The versions of `name` along first-parent history of `HEAD`.
    ///
    /// - Throws: ``PromptLabError`` `notFound` when the prompt was never committed.
    public func history(of name: PromptName) throws(PromptLabError) -> PromptHistory {
        let index = try VersionIndex.load(for: self, only: name)
        let records = index.history(of: name)
        guard !records.isEmpty else { throw try unknownPrompt(name) }
        return PromptHistory(
            name: name, versions: records.filter { $0.blob != nil }, isDeleted: records.last?.blob == nil)
    }

    /// The error for a prompt with no committed version: a new file says how to
    /// commit or use it; an unknown name suggests the closest known one.
    func unknownPrompt(_ name: PromptName) throws(PromptLabError) -> PromptLabError {
        if FileManager.default.fileExists(atPath: workingPath(of: name)) {
            return PromptLabError(
                .notFound, "prompt '\(name)' has no committed versions yet",
                hint: "commit it (promptlab commit \(name) -m MESSAGE), or use the file on disk as \(name)@working")
        }
        let known = Set(workingPromptNames().map(\.rawValue)).union(try committedPromptNames().map(\.rawValue))
        return PromptLabError(
            .notFound, "no prompt '\(name)'\(Suggestion.phrase(for: name.rawValue, in: known))",
            hint: "see 'promptlab list' for the prompts in this repository", subject: name.rawValue)
    }

    /// Names of every prompt ever committed on this branch.
    public func committedPromptNames() throws(PromptLabError) -> [PromptName] {
        try VersionIndex.load(for: self).promptNames.compactMap { try? PromptName($0) }
    }

    /// Resolves a reference to a version and reads its content.
    ///
    /// - Throws: ``PromptLabError`` `notFound` naming the unknown version, label or SHA.
    public func resolve(_ reference: PromptReference) throws(PromptLabError) -> PromptVersion {
        let name = reference.name
        if reference.selector == .working {
            guard let bytes = try readWorkingFile(name) else {
                guard (try? history(of: name)) != nil else { throw try unknownPrompt(name) }
                throw PromptLabError(
                    .notFound, "prompt '\(name)' has no working file (\(name.relativePath))",
                    hint: "see 'promptlab list' for the prompts in this repository")
            }
            return PromptVersion(name: name, number: nil, record: nil, bytes: bytes)
        }
        let history = try history(of: name)
        let versions = history.versions
        switch reference.selector {
        case .working:
            fatalError("handled above")
        case .latest:
            if history.isDeleted {
                throw PromptLabError(
                    .notFound, "prompt '\(name)' was deleted in the latest commit that touched it",
                    hint: "name a version, such as \(name)@v\(versions.count)")
            }
            return try version(name, number: versions.count, versions: versions)
        case .version(let number):
            guard number <= versions.count else {
                throw PromptLabError(
                    .notFound, "prompt '\(name)' has no version v\(number) (latest is v\(versions.count))",
                    hint: "see 'promptlab log \(name)'")
            }
            return try version(name, number: number, versions: versions)
        case .revision(let revision):
            if let target = try labelTarget(name, label: revision) {
                return try version(name, atCommit: target, versions: versions, shownAs: "label '\(revision)'")
            }
            guard revision.count >= 4, revision.count <= 40, revision.allSatisfy(\.isHexDigit) else {
                let suggestion = Suggestion.phrase(for: revision, in: ((try? labels(of: name)) ?? []).map(\.label))
                throw PromptLabError(
                    .notFound, "prompt '\(name)' has no label '\(revision)', and it is not a version or SHA\(suggestion)",
                    hint: "use NAME@vN, NAME@LABEL, NAME@SHA (4+ hex digits) or NAME@working; see 'promptlab label --list \(name)'")
            }
            // Fast path: a prefix of one of this prompt's version commits.
            let lower = revision.lowercased()
            let matches = versions.indices.filter { versions[$0].commit.hex.hasPrefix(lower) }
            if matches.count == 1 { return try version(name, number: matches[0] + 1, versions: versions) }
            let commit: ObjectID
            do {
                commit = try git.commit(withPrefix: lower)
            } catch GitError.ambiguous {
                throw PromptLabError(.notFound, "SHA prefix '\(revision)' is ambiguous", hint: "give more hex digits")
            } catch {
                throw PromptLabError(
                    .notFound, "no commit matches '\(revision)' for prompt '\(name)'",
                    hint: "see 'promptlab log \(name)' for its versions")
            }
            return try version(name, atCommit: commit, versions: versions, shownAs: "commit \(revision)")
        }
    }

    private func version(_ name: PromptName, number: Int, versions: [VersionRecord]) throws(PromptLabError) -> PromptVersion {
        let record = versions[number - 1]
        return PromptVersion(name: name, number: number, record: record, bytes: try blobBytes(record.blob!))  // versions hold no deletions.
    }

    /// The version of `name` as of `commit`: the commit's own version if it
    /// changed the prompt, else the file as it was in that commit.
    private func version(
        _ name: PromptName, atCommit commit: ObjectID, versions: [VersionRecord], shownAs: String
    ) throws(PromptLabError) -> PromptVersion {
        if let position = versions.firstIndex(where: { $0.commit == commit }) {
            return try version(name, number: position + 1, versions: versions)
        }
        do {
            let info = try git.commit(commit)
            guard let entry = try git.treeEntry(atPath: repositoryPath(of: name), inTree: info.tree), entry.kind == .blob
            else {
                throw PromptLabError(.notFound, "prompt '\(name)' does not exist at \(shownAs) (\(commit.short()))")
            }
            // Number it when the content matches the latest version at or before that commit on first-parent history.
            var number: Int? = nil
            let positions = Dictionary(versions.enumerated().map { ($1.commit, $0 + 1) }, uniquingKeysWith: { a, _ in a })
            try git.walkFirstParents(from: commit) { id in
                if let n = positions[id] {
                    if versions[n - 1].blob == entry.id { number = n }
                    return false
                }
                return true
            }
            let record = VersionRecord(
                commit: commit, blob: entry.id, authorName: info.author.name, authorEmail: info.author.email,
                time: info.author.time, offsetMinutes: info.author.offsetMinutes, summary: info.summary)
            let found = PromptVersion(name: name, number: number, record: record, bytes: try git.blob(entry.id))
            // Off first-parent history the same file may sit beside different partials.
            if let candidate = number,
                try templateClosure(of: found).hash
                    != templateClosure(of: try version(name, number: candidate, versions: versions)).hash
            {
                return PromptVersion(name: name, number: nil, record: record, bytes: found.bytes)
            }
            return found
        } catch let error as PromptLabError {
            throw error
        } catch let error as GitError {
            throw PromptLabError.git(error, while: "reading \(name) at \(shownAs)")
        } catch {
            throw PromptLabError(.failure, "\(error)")
        }
    }

    func blobBytes(_ id: ObjectID) throws(PromptLabError) -> [UInt8] {
        do { return try git.blob(id) } catch { throw PromptLabError.git(error, while: "reading blob \(id.short())") }
    }

    /// Reads a prompt file for rendering, as a partial of a version: at the same
    /// commit for committed versions, from disk for the working file.
    public func partialLookup(for version: PromptVersion) -> PromptRenderer.PartialLookup {
        let commit = version.record?.commit
        let read = promptBytes(at: commit)
        return { (name: PromptName) throws(PromptLabError) -> PromptFile? in
            guard let bytes = try read(name) else { return nil }
            let displayPath = commit.map { "\(name.relativePath)@\($0.short())" } ?? name.relativePath
            return try PromptFile.parse(bytes, name: name, displayPath: displayPath)
        }
    }

    /// Reads prompt files' bytes as of `commit`, or from disk when it is nil;
    /// nil for a prompt that does not exist there.
    func promptBytes(at commit: ObjectID?) -> (PromptName) throws(PromptLabError) -> [UInt8]? {
        guard let commit else {
            return { [self] (name: PromptName) throws(PromptLabError) -> [UInt8]? in try readWorkingFile(name) }
        }
        var tree: ObjectID?
        return { [self] (name: PromptName) throws(PromptLabError) -> [UInt8]? in
            do {
                let root = try tree ?? git.treeID(ofCommit: commit)
                tree = root
                guard let entry = try git.treeEntry(atPath: repositoryPath(of: name), inTree: root), entry.kind == .blob
                else { return nil }
                return try git.blob(entry.id)
            } catch {
                throw PromptLabError.git(error, while: "reading '\(name)' at \(commit.short())")
            }
        }
    }

    /// A version's file with every partial it includes, as rendering sees them:
    /// from the version's commit, or from disk for the working file. Its
    /// ``TemplateClosure/hash`` identifies what the version renders.
    public func templateClosure(of version: PromptVersion) throws(PromptLabError) -> TemplateClosure {
        try TemplateClosure.collect(version.name, bytes: version.bytes, read: promptBytes(at: version.record?.commit))
    }

    /// The template hash of version `number` of `name`, made by `commit`, remembered for the
    /// repository's lifetime (up to 100,000 versions).
    public func templateHash(of name: PromptName, version number: Int, commit: ObjectID) throws(PromptLabError) -> String {
        let key = commit.hex + "|" + name.rawValue
        if let known = templateHashes[key] { return known }
        let hash = try templateClosure(of: try resolve(PromptReference(name: name, selector: .version(number)))).hash
        if templateHashes.count >= 100_000 { templateHashes.removeAll(keepingCapacity: true) }
        templateHashes[key] = hash
        return hash
    }

    /// Compares two versions, including the partials either one includes.
    public func diff(_ old: PromptVersion, _ new: PromptVersion, wordLevel: Bool) throws(PromptLabError) -> PromptDiff {
        try PromptDiff(
            old: old, new: new, wordLevel: wordLevel,
            closures: (try templateClosure(of: old), try templateClosure(of: new)))
    }

    /// Renders a version with variables.
    public func render(_ version: PromptVersion, variables: [String: PromptValue]) throws(PromptLabError) -> RenderedPrompt {
        let file = try version.parse()
        return try PromptRenderer(partials: partialLookup(for: version)).render(file, variables: variables)
    }
}
