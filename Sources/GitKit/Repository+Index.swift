internal import CGit2

extension Repository {
    /// Records files in the staging area (`.git/index`) as they now are in a commit,
    /// so `git status` agrees with a commit PromptLab made. Other staged entries stay.
    ///
    /// - Parameter entries: each path maps to its committed blob, or nil if it was removed.
    /// - Throws: ``GitError`` `locked` when another process holds `.git/index.lock`.
    public func stage(_ entries: [String: ObjectID?]) throws(GitError) {
        var index: OpaquePointer? = nil
        try check(git_repository_index(&index, pointer))
        defer { git_index_free(index) }
        try check(git_index_read(index, 1))
        for (path, blob) in entries.sorted(by: { $0.key < $1.key }) {
            if let blob {
                // Prefer the work-tree file: that records its stat data, so git
                // does not think it modified. Fall back to the blob's content when
                // the file on disk differs from what was committed.
                if workingDirectory != nil, git_index_add_bypath(index, path) == 0,
                    let added = git_index_get_bypath(index, path, 0), ObjectID(added.pointee.id) == blob
                {
                    continue
                }
                git_error_clear()
                let content = try self.blob(blob)
                var entry = git_index_entry()
                entry.mode = UInt32(GIT_FILEMODE_BLOB.rawValue)
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
