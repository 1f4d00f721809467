internal import CGit2

extension Repository {
    /// Records files in the staging area (`.git/index`) as they are in a commit
    /// about to be made, so `git status` agrees with it. Other staged entries stay.
    ///
    /// PromptLab calls this *before* moving the branch: if the staging area
    /// cannot be written (a stale `.git/index.lock`, say), nothing has moved yet,
    /// and if the process dies between the two steps, the staging area holds the
    /// new content, which a later plain `git commit` records rather than reverts.
    ///
    /// - Parameter entries: each path maps to its committed content, or nil if it was removed.
    /// - Throws: ``GitError`` `locked` when `.git/index.lock` exists (another git
    ///   process, or one that died); its message names the lock file.
    public func stage(_ entries: [String: FileBlob?]) throws(GitError) {
        var index: OpaquePointer? = nil
        try check(git_repository_index(&index, pointer))
        defer { git_index_free(index) }
        try check(git_index_read(index, 1))
        for (path, file) in entries.sorted(by: { $0.key < $1.key }) {
            if let file {
                // Prefer the work-tree file: that records its stat data, so git
                // does not think it modified. Fall back to the blob's content when
                // the file on disk differs from what is committed.
                if workingDirectory != nil, git_index_add_bypath(index, path) == 0,
                    let added = git_index_get_bypath(index, path, 0), ObjectID(added.pointee.id) == file.id,
                    added.pointee.mode == file.mode
                {
                    continue
                }
                git_error_clear()
                let content = try self.blob(file.id)
                var entry = git_index_entry()
                entry.mode = file.mode
                let result = path.withCString { cPath in
                    entry.path = cPath
                    return content.withUnsafeBytes {
                        git_index_add_from_buffer(index, &entry, $0.baseAddress, $0.count)
                    }
                }
                try check(result)
            } else {
                let result = git_index_remove(index, path, 0)
                if result != GIT_ENOTFOUND.rawValue { try check(result) } else { git_error_clear() }
            }
        }
        try check(git_index_write(index))
    }

    /// What the staging area holds for each of `paths` (stage 0), and which of
    /// them have unresolved merge conflicts (entries at stages 1–3).
    public func stagedState(of paths: [String]) throws(GitError) -> (blobs: [String: ObjectID], conflicted: [String]) {
        var index: OpaquePointer? = nil
        try check(git_repository_index(&index, pointer))
        defer { git_index_free(index) }
        var blobs = [String: ObjectID]()
        var conflicted = [String]()
        for path in paths {
            if let entry = git_index_get_bypath(index, path, 0) { blobs[path] = ObjectID(entry.pointee.id) }
            if (1...3).contains(where: { git_index_get_bypath(index, path, Int32($0)) != nil }) { conflicted.append(path) }
        }
        return (blobs, conflicted)
    }
}

extension Repository {
    /// The paths in the staging area (`.git/index`) whose last component is
    /// `fileName`, such as every tracked `promptlab.yaml`.
    ///
    /// Compares bytes without building a `String` per entry, so it stays cheap
    /// in repositories with many files.
    public func stagedPaths(named fileName: String) throws(GitError) -> [String] {
        var index: OpaquePointer? = nil
        try check(git_repository_index(&index, pointer))
        defer { git_index_free(index) }
        let name = Array(fileName.utf8)
        var found = [String]()
        for position in 0..<git_index_entrycount(index) {
            guard let entry = git_index_get_byindex(index, position), let path = entry.pointee.path else { continue }
            var length = 0
            while path[length] != 0 { length += 1 }
            guard length >= name.count else { continue }
            let start = length - name.count
            guard name.indices.allSatisfy({ UInt8(bitPattern: path[start + $0]) == name[$0] }) else { continue }
            if start == 0 || path[start - 1] == CChar(bitPattern: UInt8(ascii: "/")) {
                found.append(String(cString: path))
            }
        }
        return found
    }
}
