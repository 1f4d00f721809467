import Foundation
import GitKit
import PromptFormat
import PromptLabCore

/// What a commit recorded.
public struct CommitResult: Sendable {
    public var commit: ObjectID
    public var branch: String
    /// Each committed prompt with its new version number (nil when it was deleted, or unknown after a warning).
    public var prompts: [(name: PromptName, change: PromptChange.Kind, version: Int?)]
    /// Something to tell the user about a commit that landed (such as version numbers that could not be read).
    public var warning: String?
    /// Stale git lock files removed first (`--remove-stale-lock`).
    public var removedLocks: [String] = []
}

extension PromptRepository {
    /// How many times a commit is retried when another writer moves the branch first.
    static let commitAttempts = 8

    /// Commits the named prompts, or every changed prompt when `names` is nil.
    ///
    /// The author and committer identities are checked first. Then, holding
    /// PromptLab's commit lock (so concurrent PromptLab commits take turns and
    /// each reads what the previous one wrote), the working files are read:
    /// symbolic links, files over 1 MiB, files with unresolved merge conflicts
    /// and names no label could use are refused. Each file is parsed; an invalid
    /// one is refused with `file:line:col`. Unless `verify` is false, each body
    /// is then checked as it will be committed (``TemplateCheck``): unknown
    /// partials, variables missing from a declared `input.schema`, unbalanced
    /// braces. Nothing is written when any check fails.
    ///
    /// The commit records exactly the content read: if the branch moved
    /// meanwhile and changed one of these files, it fails with `conflict`
    /// rather than overwrite the newer content, and it never makes an empty commit.
    ///
    /// - Parameter removeStaleLocks: first remove git lock files that are stale (see ``GitLock``).
    /// - Returns: nil when nothing changed.
    /// - Throws: ``PromptLabError``: `invalidInput`, `noAuthor`, `conflict` (retry), `notFound`.
    ///   `verifyFile` adds a check of each parsed file when `verify` is true (the
    ///   service layer checks generation settings against the model's provider there).
    public func commit(
        names: [PromptName]?, message: String, author: Signature?, verify: Bool = true, removeStaleLocks: Bool = false,
        verifyFile: (PromptFile) throws(PromptLabError) -> Void = { _ in }
    ) throws(PromptLabError) -> CommitResult? {
        let identities = try commitIdentities(author)
        let lock = try FileLock.acquire(stateDirectory + "commit.lock", purpose: "commit")
        defer { lock.release() }
        var removedLocks = [String]()
        if removeStaleLocks {
            let branch: String?
            if case .branch(let name, _)? = try? git.head() { branch = name } else { branch = nil }
            removedLocks = self.removeStaleLocks(branch: branch)
        }
        let changes = try fileChanges(names: names)
        if changes.isEmpty { return nil }
        try refuseUnresolvedConflicts(changes)
        var files = [PromptFile]()
        for change in changes {
            guard let bytes = change.bytes, let name = promptName(forRepositoryPath: change.path) else { continue }
            try refuseUnlabellableName(name)
            files.append(try PromptFile.parse(bytes, name: name, displayPath: name.relativePath))
        }
        if verify {
            try check(files, committing: changes)
            for file in files { try verifyFile(file) }
        }
        var result = try commitChanges(changes, message: message, identities: identities, lockHeld: true)
        result.removedLocks = removedLocks
        return result
    }

    /// Refuses files with unresolved merge conflicts: their working content
    /// still holds the conflict markers, and committing it would also mark the
    /// conflict resolved.
    private func refuseUnresolvedConflicts(_ changes: [FileChange]) throws(PromptLabError) {
        let conflicted: [String]
        do {
            conflicted = try git.stagedState(of: changes.map(\.path)).conflicted
        } catch {
            throw PromptLabError.git(error, while: "reading the staging area")
        }
        guard let first = conflicted.first else { return }
        let shown = conflicted.map { promptName(forRepositoryPath: $0)?.rawValue ?? $0 }
        throw PromptLabError(
            .invalidInput, "\(shown.joined(separator: ", ")) \(shown.count == 1 ? "has" : "have") unresolved merge conflicts",
            hint: "edit out the conflict markers, mark it resolved with: git add '\(first)', then commit again")
    }

    /// Checks the bodies of `files` against the tree the commit will have:
    /// `HEAD`'s, with `changes` applied.
    ///
    /// A committed partial is also checked where it is included: a prompt that
    /// is not part of the commit but includes one of the files is checked, and
    /// a problem found inside a committed file refuses the commit (such as a
    /// partial's new variable that an includer's schema lacks). Problems in
    /// the includer's own file are left alone; they are not this commit's.
    private func check(_ files: [PromptFile], committing changes: [FileChange]) throws(PromptLabError) {
        var pending = [PromptName: [UInt8]?]()
        for change in changes {
            if let name = promptName(forRepositoryPath: change.path) { pending[name] = .some(change.bytes) }
        }
        let head: ObjectID?
        do { head = try git.head().commit } catch { throw PromptLabError.git(error, while: "reading HEAD") }
        let committed = head.map { promptBytes(at: $0) }
        let read = { (name: PromptName) throws(PromptLabError) -> [UInt8]? in
            if let entry = pending[name] { return entry }
            return try committed?(name) ?? nil
        }
        let lookup: TemplateCheck.Lookup = { (name: PromptName) throws(PromptLabError) -> PromptFile? in
            try read(name).map { (bytes) throws(PromptLabError) in
                try PromptFile.parse(bytes, name: name, displayPath: name.relativePath)
            }
        }
        let known = Set(workingPromptNames().map(\.rawValue)).union(try committedPromptNames().map(\.rawValue))
        let checker = TemplateCheck(
            partials: lookup, knownNames: known.sorted(),
            isOnDisk: { [self] in FileManager.default.fileExists(atPath: workingPath(of: $0)) })
        for file in files { try checker.check(file) }

        let changed = Set(files.map(\.name))
        guard head != nil, !changed.isEmpty else { return }
        for name in try headPromptNames(under: "") where pending[name] == nil {
            // Most prompts include nothing: a byte scan rules them out before any parsing.
            guard let bytes = try read(name), !PromptFile.partialNames(in: bytes).isEmpty else { continue }
            let closure = try TemplateClosure.collect(name, bytes: bytes, read: read)
            guard closure.partials.contains(where: { changed.contains($0.name) }),
                let includer = try? PromptFile.parse(bytes, name: name, displayPath: name.relativePath)
            else { continue }
            do {
                try checker.check(includer)
            } catch  where changed.contains(where: { error.message.hasPrefix($0.relativePath + ":") }) {
                throw error
            } catch {
                continue
            }
        }
    }

    /// The prompts a `commit` argument names: the prompt itself, or every
    /// prompt under a folder of the prompt root (`support`, `support/`, or `.`
    /// for all), on disk or in `HEAD` (so deletions are included).
    ///
    /// A name that is both a prompt and a folder means the prompt; a trailing
    /// `/` means the folder.
    ///
    /// - Throws: ``PromptLabError`` `invalidInput` for an invalid name,
    ///   `notFound` for a name that is neither, suggesting the closest.
    public func promptNames(matching argument: String) throws(PromptLabError) -> [PromptName] {
        let folder = argument == "." || argument == "./" ? "" : (argument.hasSuffix("/") ? String(argument.dropLast()) : argument)
        if !argument.hasSuffix("/"), argument != "." {
            let name = try PromptName(argument)
            if FileManager.default.fileExists(atPath: workingPath(of: name)) { return [name] }
            if try headPromptNames(under: "").contains(name) {
                return [name]
            }
        }
        if !folder.isEmpty { _ = try PromptName(folder) }  // the same rules as names: no '..', nothing hidden
        let prefix = folder.isEmpty ? "" : folder + "/"
        let names = Set(workingPromptNames().filter { $0.rawValue.hasPrefix(prefix) }).union(try headPromptNames(under: prefix))
        guard names.isEmpty else { return names.sorted() }
        var known = Set<String>()
        for name in Set(workingPromptNames()).union(try headPromptNames(under: "")) {
            known.insert(name.rawValue)
            var parts = name.rawValue.split(separator: "/").dropLast()
            while !parts.isEmpty {
                known.insert(parts.joined(separator: "/"))
                parts = parts.dropLast()
            }
        }
        throw PromptLabError(
            .notFound, "no prompt or folder '\(argument)' under the prompt root\(Suggestion.phrase(for: folder, in: known))",
            hint: "names and folders are relative to the prompt root (\(rootPath)); see 'promptlab list'")
    }

    /// The prompts in `HEAD`'s tree whose names start with `prefix`.
    private func headPromptNames(under prefix: String) throws(PromptLabError) -> [PromptName] {
        do {
            guard let head = try git.head().commit else { return [] }
            let tree = try git.treeID(ofCommit: head)
            return try git.changedFiles(
                from: nil, to: tree, under: rootPrefix + prefix, include: { $0.hasSuffix(PromptName.fileExtension) }
            ).compactMap { promptName(forRepositoryPath: $0.path) }
        } catch {
            throw PromptLabError.git(error, while: "reading HEAD's tree")
        }
    }

    /// Commits files by path relative to the work tree, as they are on disk.
    func commitFiles(_ paths: [String], message: String, author: Signature?) throws(PromptLabError) -> CommitResult? {
        let changes = paths.map { path in
            FileChange(path: path, kind: .new, bytes: FileManager.default.contents(atPath: workTree + path).map(Array.init))
        }
        return try commitChanges(changes, message: message, identities: try commitIdentities(author))
    }

    /// The signature for new commits: `author` if given, else git's `user.name` and `user.email`.
    public func resolveAuthor(_ author: Signature?) throws(PromptLabError) -> Signature {
        if let author { return author }
        do {
            return try git.defaultSignature()
        } catch {
            throw PromptLabError(
                .noAuthor, "no commit author: git's user.name and user.email are not set",
                hint:
                    "run: git config --global user.name \"Your Name\" && git config --global user.email you@example.com, or pass --author \"Name <email>\""
            )
        }
    }

    /// The author and committer of a new commit, stamped with the current
    /// time, after checking that git accepts both identities.
    ///
    /// - Throws: ``PromptLabError`` `noAuthor` for an identity holding a
    ///   newline, a control character, `<` or `>` (such a commit fails `git fsck --strict`).
    func commitIdentities(_ author: Signature?) throws(PromptLabError) -> (author: Signature, committer: Signature) {
        var signature = try resolveAuthor(author)
        signature.time = Int64(now().timeIntervalSince1970.rounded(.down))
        signature.offsetMinutes = Int32(TimeZone.current.secondsFromGMT() / 60)
        let committer =
            (try? git.defaultSignature()).map {
                Signature(name: $0.name, email: $0.email, time: signature.time, offsetMinutes: signature.offsetMinutes)
            } ?? signature
        for (role, identity) in [("author", signature), ("committer", committer)] {
            guard let problem = identity.identityProblem else { continue }
            let source = role == "author" && author != nil ? "--author" : "git's user.name / user.email"
            throw PromptLabError(
                .noAuthor,
                "invalid commit \(role) '\(identity.name.debugDescription.dropFirst().dropLast()) <\(identity.email.debugDescription.dropFirst().dropLast())>': \(problem)",
                hint: "fix \(source): a name and an e-mail on one line, without '<' or '>' inside them; nothing was written")
        }
        return (signature, committer)
    }

    /// Writes the commit and moves the branch by compare-and-swap.
    ///
    /// Order matters for a process killed half-way: the staging area is
    /// updated first and the branch moved last, so the branch never points at
    /// a commit whose content the staging area contradicts.
    ///
    /// - Parameter lockHeld: whether the caller already holds PromptLab's commit lock.
    func commitChanges(
        _ changes: [FileChange], message: String, identities: (author: Signature, committer: Signature), lockHeld: Bool = false
    ) throws(PromptLabError) -> CommitResult {
        var files = [String: FileBlob?]()
        do {
            for change in changes {
                files.updateValue(
                    try change.bytes.map { FileBlob(id: try git.writeBlob($0), executable: change.executable) }, forKey: change.path)
            }
        } catch {
            throw PromptLabError.git(error, while: "writing file contents")
        }

        let lock: FileLock? = lockHeld ? nil : try FileLock.acquire(stateDirectory + "commit.lock", purpose: "commit")
        defer { lock?.release() }

        var branchName: String?
        var staged = false
        for attempt in 0..<Self.commitAttempts {
            if attempt > 0 { usleep(UInt32.random(in: 5_000...40_000) * UInt32(attempt)) }
            do {
                let head = try git.head()
                guard case .branch(let branch, let parent) = head else {
                    throw PromptLabError(
                        .invalidInput, "HEAD is detached; PromptLab commits to a branch",
                        hint: "check out a branch first (git switch main)")
                }
                branchName = branch
                let baseTree = try parent.map { try git.treeID(ofCommit: $0) }
                try refuseMovedFiles(changes, in: baseTree)
                let tree = try git.writeTree(base: baseTree, files: files)
                guard tree != baseTree else {
                    throw PromptLabError(
                        .conflict, "the branch already holds this content; no empty commit was made",
                        hint: "nothing was written; see 'promptlab log'")
                }
                let commit = try git.writeCommit(
                    tree: tree, parents: parent.map { [$0] } ?? [], author: identities.author, committer: identities.committer,
                    message: message.hasSuffix("\n") ? message : message + "\n")
                try git.stage(files)
                staged = true
                try git.updateReference(
                    branch, to: commit, expecting: parent, message: "commit: \(message.prefix { $0 != "\n" })")
                return result(commit: commit, branch: branch, changes: changes)
            } catch let error as GitError where error.code == .modified || error.code == .exists || error.code == .locked {
                continue  // Another writer holds or moved the branch or the staging area: retry on the new tip.
            } catch let error as GitError {
                restoreStaging(changes, staged: staged)
                throw PromptLabError.git(error, while: "committing")
            } catch let error as PromptLabError {
                restoreStaging(changes, staged: staged)
                throw error
            } catch {
                restoreStaging(changes, staged: staged)
                throw PromptLabError(.failure, "commit failed: \(error)")
            }
        }
        restoreStaging(changes, staged: staged)
        throw lockError(blocking: "the commit", branch: branchName)
    }

    /// Refuses a commit when the branch no longer holds, for one of its files,
    /// the content the change was computed against: another commit changed it
    /// since, and recording the older content read would silently undo that.
    private func refuseMovedFiles(_ changes: [FileChange], in tree: ObjectID?) throws {
        for change in changes {
            let current = try tree.flatMap { try git.treeEntry(atPath: change.path, inTree: $0) }.map(\.id)
            guard current != change.base else { continue }
            let shown = promptName(forRepositoryPath: change.path)?.rawValue ?? change.path
            throw PromptLabError(
                .conflict, "'\(shown)' was committed by another process after this command read it",
                hint: "nothing was written; check 'promptlab log \(shown)' and 'promptlab status', then commit again if it still differs")
        }
    }

    /// Puts the staging area back after a commit that staged its files and then failed.
    private func restoreStaging(_ changes: [FileChange], staged: Bool) {
        guard staged else { return }
        var entries = [String: FileBlob?]()
        for change in changes { entries[change.path] = change.base.map { FileBlob(id: $0) } }
        try? git.stage(entries)
    }

    /// The commit's outcome with each prompt's new version number. The commit
    /// has landed by now, so a failure to read the versions is a warning, not an error.
    private func result(commit: ObjectID, branch: String, changes: [FileChange]) -> CommitResult {
        let names = changes.compactMap { promptName(forRepositoryPath: $0.path) }
        let index: VersionIndex?
        var warning: String?
        do {
            index = try VersionIndex.load(for: self, only: names.count == 1 ? names[0] : nil)
        } catch {
            index = nil
            warning = "the commit was made, but its version numbers could not be read: \(error.message)"
        }
        var prompts = [(name: PromptName, change: PromptChange.Kind, version: Int?)]()
        for change in changes {
            guard let name = promptName(forRepositoryPath: change.path) else { continue }
            let versions = index?.history(of: name).filter { $0.blob != nil }
            prompts.append((name, change.kind, change.kind == .deleted ? nil : versions?.count))
        }
        return CommitResult(commit: commit, branch: branch, prompts: prompts, warning: warning)
    }
}

/// An exclusive advisory lock (`flock`) on a file, serialising PromptLab
/// writers on one repository. Released by ``release()`` or when the process dies.
struct FileLock {
    private let descriptor: Int32

    static func acquire(_ path: String, purpose: String, timeout: Double = 30) throws(PromptLabError) -> FileLock {
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw PromptLabError(.failure, "cannot open lock file '\(path)': \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if Date() > deadline {
                close(descriptor)
                throw PromptLabError(
                    .conflict, "another PromptLab \(purpose) is still running on this repository",
                    hint: "nothing was written; wait for it to finish and run the command again")
            }
            usleep(5_000)
        }
        return FileLock(descriptor: descriptor)
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
