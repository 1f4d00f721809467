internal import CGit2

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Repository {
    /// Walks first-parent history from `start` towards the root, newest first.
    ///
    /// In a shallow clone the walk ends at the shallow boundary (the commits
    /// listed in `.git/shallow`), whose parents were never fetched, instead of
    /// failing on a missing object; ``isShallow`` tells callers the history is cut.
    ///
    /// - Parameters:
    ///   - stop: a commit at which to stop (not included), such as the tip a cache already covers.
    ///   - body: called per commit id; return false to stop early.
    /// - Returns: whether the walk reached `stop` (false when it reached the root or was stopped by `body`).
    @discardableResult
    public func walkFirstParents(
        from start: ObjectID, stoppingAt stop: ObjectID? = nil, _ body: (ObjectID) throws -> Bool
    ) throws -> Bool {
        let boundary = shallowBoundary()
        var current: ObjectID? = start
        var seen = Set<ObjectID>()
        while let id = current {
            if id == stop { return true }
            // A crafted history could loop back on itself; git refuses that too.
            guard seen.insert(id).inserted else {
                throw GitError(code: .generic, message: "first-parent history loops back to commit \(id.short())")
            }
            guard try body(id) else { return false }
            current = try firstParent(of: id, boundary: boundary)
        }
        return false
    }

    /// The first parent of a commit, or nil for a root commit or a commit on
    /// the shallow boundary of a shallow clone.
    public func firstParent(of commit: ObjectID) throws(GitError) -> ObjectID? {
        try firstParent(of: commit, boundary: shallowBoundary())
    }

    private func firstParent(of commit: ObjectID, boundary: Set<ObjectID>) throws(GitError) -> ObjectID? {
        if boundary.contains(commit) { return nil }
        var raw = commit.raw
        var handle: OpaquePointer? = nil
        guard git_commit_lookup(&handle, pointer, &raw) == 0 else {
            git_error_clear()
            return try rawCommit(commit).parents.first
        }
        defer { git_commit_free(handle) }
        guard git_commit_parentcount(handle) > 0 else { return nil }
        return ObjectID(git_commit_parent_id(handle, 0).pointee)
    }

    /// The tree of a commit.
    public func treeID(ofCommit commit: ObjectID) throws(GitError) -> ObjectID {
        var raw = commit.raw
        var handle: OpaquePointer? = nil
        guard git_commit_lookup(&handle, pointer, &raw) == 0 else {
            git_error_clear()
            return try rawCommit(commit).tree
        }
        defer { git_commit_free(handle) }
        return ObjectID(git_commit_tree_id(handle).pointee)
    }

    /// Whether this is a shallow clone (`git clone --depth N`): history stops
    /// at commits whose parents are not in the repository.
    public var isShallow: Bool { !shallowBoundary().isEmpty }

    /// The commits listed in `.git/shallow`, whose parents are missing on purpose.
    func shallowBoundary() -> Set<ObjectID> {
        guard let bytes = readFile(gitDirectory + "shallow") else { return [] }
        var ids = Set<ObjectID>()
        for line in bytes.split(separator: 0x0A) {
            if let id = Array(line).withUnsafeBytes({ ObjectID(hexBytes: $0) }) { ids.insert(id) }
        }
        return ids
    }
}

/// A small file's bytes, or nil when it cannot be read.
func readFile(_ path: String) -> [UInt8]? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var bytes = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 { return nil }
        if count == 0 { return bytes }
        bytes += chunk[0..<count]
    }
}
