import Foundation
import GitKit
import PromptFormat
import PromptLabCore

/// What a commit recorded.
public struct CommitResult: Sendable {
    public var commit: ObjectID
    public var branch: String
    /// Each committed prompt with its new version number (nil when it was deleted).
    public var prompts: [(name: PromptName, change: PromptChange.Kind, version: Int?)]
}

extension PromptRepository {
    /// How many times a commit is retried when another writer moves the branch first.
    static let commitAttempts = 8

    /// Commits the named prompts, or every changed prompt when `names` is nil.
    ///
    /// Each file is parsed first; an invalid one is refused with `file:line:col`.
    /// Unless `verify` is false, each body is then checked as it will be
    /// committed (``TemplateCheck``): unknown partials, variables missing from a
    /// declared `input.schema`, unbalanced braces. Nothing is written when any
    /// check fails. The branch is moved by compare-and-swap, and the commit is
    /// rebuilt on the new tip if another process committed meanwhile, so no
    /// commit is lost.
    ///
    /// - Returns: nil when nothing changed.
    /// - Throws: ``PromptLabError``: `invalidInput`, `noAuthor`, `conflict` (retry), `notFound`.
    public func commit(
        names: [PromptName]?, message: String, author: Signature?, verify: Bool = true
    ) throws(PromptLabError) -> CommitResult? {
        let changes = try fileChanges(names: names)
        if changes.isEmpty { return nil }
        var files = [PromptFile]()
        for change in changes {
            guard let bytes = change.bytes, let name = promptName(forRepositoryPath: change.path) else { continue }
            files.append(try PromptFile.parse(bytes, name: name, displayPath: name.relativePath))
        }
        if verify { try check(files, committing: changes) }
        return try commitChanges(changes, message: message, author: author)
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
        return try commitChanges(changes, message: message, author: author)
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

    func commitChanges(_ changes: [FileChange], message: String, author: Signature?) throws(PromptLabError) -> CommitResult {
        var signature = try resolveAuthor(author)
        signature.time = Int64(Date().timeIntervalSince1970)
        signature.offsetMinutes = Int32(TimeZone.current.secondsFromGMT() / 60)
        let committer =
            (try? git.defaultSignature()).map {
                Signature(name: $0.name, email: $0.email, time: signature.time, offsetMinutes: signature.offsetMinutes)
            } ?? signature

        var blobs = [String: ObjectID?]()
        do {
            for change in changes { blobs.updateValue(try change.bytes.map { try git.writeBlob($0) }, forKey: change.path) }
        } catch {
            throw PromptLabError.git(error, while: "writing file contents")
        }

        let lock = try FileLock.acquire(stateDirectory + "commit.lock", purpose: "commit")
        defer { lock.release() }

        var lastError: GitError?
        for attempt in 0..<Self.commitAttempts {
            if attempt > 0 { usleep(UInt32.random(in: 5_000...40_000) * UInt32(attempt)) }
            do {
                let head = try git.head()
                guard case .branch(let branch, let parent) = head else {
                    throw PromptLabError(
                        .invalidInput, "HEAD is detached; PromptLab commits to a branch",
                        hint: "check out a branch first (git switch main)")
                }
                let baseTree = try parent.map { try git.treeID(ofCommit: $0) }
                let tree = try git.writeTree(base: baseTree, changes: blobs)
                let commit = try git.writeCommit(
                    tree: tree, parents: parent.map { [$0] } ?? [], author: signature, committer: committer,
                    message: message.hasSuffix("\n") ? message : message + "\n")
                try git.updateReference(
                    branch, to: commit, expecting: parent, message: "commit: \(message.prefix { $0 != "\n" })")
                stageCommitted(blobs)
                return try result(commit: commit, branch: branch, changes: changes)
            } catch let error as GitError where error.code == .modified || error.code == .exists || error.code == .locked {
                lastError = error  // Another writer moved the branch: rebuild on its new tip.
            } catch let error as GitError {
                throw PromptLabError.git(error, while: "committing")
            } catch let error as PromptLabError {
                throw error
            } catch {
                throw PromptLabError(.failure, "commit failed: \(error)")
            }
        }
        throw PromptLabError(
            .conflict,
            "another process kept updating the branch; the commit was not made (\(lastError?.message ?? "conflict"))",
            hint: "nothing was written; run the same command again")
    }

    /// Updates the staging area so `git status` agrees with the new commit.
    /// Retries briefly while another git process holds the index lock.
    private func stageCommitted(_ blobs: [String: ObjectID?]) {
        for attempt in 0..<20 {
            do {
                try git.stage(blobs)
                return
            } catch GitError.locked {
                usleep(UInt32(10_000 * (attempt + 1)))
            } catch {
                return  // The commit itself landed; a stale staging area is cosmetic.
            }
        }
    }

    private func result(commit: ObjectID, branch: String, changes: [FileChange]) throws(PromptLabError) -> CommitResult {
        let names = changes.compactMap { promptName(forRepositoryPath: $0.path) }
        let index = try VersionIndex.load(for: self, only: names.count == 1 ? names[0] : nil)
        var prompts = [(name: PromptName, change: PromptChange.Kind, version: Int?)]()
        for change in changes {
            guard let name = promptName(forRepositoryPath: change.path) else { continue }
            let versions = index.history(of: name).filter { $0.blob != nil }
            prompts.append((name, change.kind, change.kind == .deleted ? nil : versions.count))
        }
        return CommitResult(commit: commit, branch: branch, prompts: prompts)
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
