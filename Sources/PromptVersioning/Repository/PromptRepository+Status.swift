import Foundation
import GitKit
import PromptFormat
import PromptLabCore

/// How a prompt's working file differs from `HEAD`.
public struct PromptChange: Sendable, Hashable {
    public enum Kind: String, Sendable {
        case new, modified, deleted
        /// The working file cannot be committed as it is (over 1 MiB, a symbolic link); see ``PromptChange/problem``.
        case invalid
    }
    public var name: PromptName
    public var kind: Kind
    /// Why an `invalid` file cannot be committed.
    public var problem: String?

    public init(name: PromptName, kind: Kind, problem: String? = nil) {
        self.name = name
        self.kind = kind
        self.problem = problem
    }
}

extension PromptRepository {
    /// The prompts that are new, modified or deleted compared with `HEAD`, and
    /// those whose working file cannot be committed (reported, not thrown, so
    /// one oversized file does not hide the state of every other prompt).
    public func status() throws(PromptLabError) -> [PromptChange] {
        try fileChanges(names: nil, reportingInvalid: true).compactMap { change in
            guard let name = promptName(forRepositoryPath: change.path) else { return nil }
            return PromptChange(name: name, kind: change.kind, problem: change.problem)
        }
    }

    /// A file under the root whose working content differs from `HEAD`.
    struct FileChange {
        var path: String  // relative to the work tree
        var kind: PromptChange.Kind
        var bytes: [UInt8]?  // the working content; nil when deleted
        /// The file's blob in the commit this change was computed against, nil
        /// when it was not there. A commit checks the branch still holds it.
        var base: ObjectID?
        /// Whether the working file is executable, kept as the file's git mode.
        var executable = false
        /// Why the file cannot be committed (kind `invalid`).
        var problem: String?
    }

    /// The blobs of prompt files (and `promptlab.yaml`) under the root in `HEAD`, by repository path.
    func committedFiles() throws(PromptLabError) -> (head: ObjectID?, files: [String: ObjectID]) {
        let head: ObjectID?
        let headTree: ObjectID?
        do {
            head = try git.head().commit
            headTree = try head.map { try git.treeID(ofCommit: $0) }
        } catch {
            throw PromptLabError.git(error, while: "reading HEAD")
        }
        var committed = [String: ObjectID]()
        if let headTree {
            do {
                for change in try git.changedFiles(
                    from: nil, to: headTree, under: rootPrefix,
                    include: { $0.hasSuffix(PromptName.fileExtension) })
                {
                    committed[change.path] = change.newBlob
                }
                if let config = try git.treeEntry(atPath: rootPrefix + Self.configFileName, inTree: headTree) {
                    committed[rootPrefix + Self.configFileName] = config.id
                }
            } catch {
                throw PromptLabError(.failure, "cannot read HEAD's tree: \(error)")
            }
        }
        return (head, committed)
    }

    /// Working-tree changes of prompt files (and `promptlab.yaml`) against `HEAD`,
    /// optionally restricted to `names`.
    ///
    /// - Parameter reportingInvalid: report a file that cannot be committed as an
    ///   `invalid` change instead of throwing its error.
    func fileChanges(names: [PromptName]?, reportingInvalid: Bool = false) throws(PromptLabError) -> [FileChange] {
        let committed = try committedFiles().files
        var paths: [String]
        if let names {
            paths = names.map(repositoryPath(of:))
        } else {
            paths = workingPromptNames().map(repositoryPath(of:))
            if FileManager.default.fileExists(atPath: workTree + rootPrefix + Self.configFileName) {
                paths.append(rootPrefix + Self.configFileName)
            }
            paths += committed.keys
        }
        var changes = [FileChange]()
        for path in Set(paths).sorted() {
            let absolute = workTree + path
            let bytes: [UInt8]?
            do {
                if let name = promptName(forRepositoryPath: path) {
                    bytes = try readWorkingFile(name)
                } else {
                    try refuseLink(absolute, shownAs: path)
                    bytes = FileManager.default.contents(atPath: absolute).map(Array.init)
                }
            } catch  where reportingInvalid && error.kind == .invalidInput {
                changes.append(FileChange(path: path, kind: .invalid, bytes: nil, base: committed[path], problem: error.message))
                continue
            }
            let before = committed[path]
            let executable = bytes != nil && isExecutable(absolute)
            switch (before, bytes) {
            case (nil, nil):
                if let names, let name = promptName(forRepositoryPath: path), names.contains(name) {
                    throw try unknownPrompt(name)
                }
            case (nil, let content?):
                changes.append(FileChange(path: path, kind: .new, bytes: content, base: nil, executable: executable))
            case (let blob?, nil):
                changes.append(FileChange(path: path, kind: .deleted, bytes: nil, base: blob))
            case (let blob?, let content?):
                let id: ObjectID
                do { id = try Repository.blobID(for: content) } catch { throw PromptLabError.git(error, while: "hashing \(path)") }
                if id != blob {
                    changes.append(FileChange(path: path, kind: .modified, bytes: content, base: blob, executable: executable))
                }
            }
        }
        return changes
    }

    /// Whether the file at `path` has its owner's execute bit set.
    func isExecutable(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & mode_t(S_IXUSR) != 0
    }

    // MARK: - The staging area

    /// Committed prompts whose staging-area entry differs from `HEAD` while the
    /// working file equals `HEAD`: what an interrupted or blocked restaging
    /// leaves behind, and what a later plain `git commit` would record,
    /// silently reverting the prompt.
    public func staleStagedPrompts() throws(PromptLabError) -> [PromptName] {
        let committed = try committedFiles().files
        let staged: [String: ObjectID]
        do {
            staged = try git.stagedState(of: Array(committed.keys)).blobs
        } catch {
            throw PromptLabError.git(error, while: "reading the staging area")
        }
        var stale = [PromptName]()
        for (path, blob) in committed.sorted(by: { $0.key < $1.key }) {
            guard staged[path] != blob, let name = promptName(forRepositoryPath: path),
                let working = try? readWorkingFile(name), (try? Repository.blobID(for: working)) == blob
            else { continue }
            stale.append(name)
        }
        return stale
    }

    /// Stages `names` as they are in `HEAD` (their working files equal it), so
    /// the staging area agrees with history again.
    ///
    /// - Throws: ``PromptLabError`` `conflict` when `.git/index.lock` is held.
    public func restageFromHead(_ names: [PromptName]) throws(PromptLabError) {
        guard !names.isEmpty else { return }
        let committed = try committedFiles().files
        var entries = [String: FileBlob?]()
        for name in names {
            let path = repositoryPath(of: name)
            guard let blob = committed[path] else { continue }
            entries[path] = FileBlob(id: blob, executable: isExecutable(workTree + path))
        }
        do {
            try git.stage(entries)
        } catch GitError.locked {
            throw lockError(blocking: "updating the staging area", branch: nil)
        } catch {
            throw PromptLabError.git(error, while: "updating the staging area")
        }
    }
}
