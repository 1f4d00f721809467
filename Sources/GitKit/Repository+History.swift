internal import CGit2

extension Repository {
    /// Walks first-parent history from `start` towards the root, newest first.
    ///
    /// - Parameters:
    ///   - stop: a commit at which to stop (not included), such as the tip a cache already covers.
    ///   - body: called per commit id; return false to stop early.
    /// - Returns: whether the walk reached `stop` (false when it reached the root or was stopped by `body`).
    @discardableResult
    public func walkFirstParents(
        from start: ObjectID, stoppingAt stop: ObjectID? = nil, _ body: (ObjectID) throws -> Bool
    ) throws -> Bool {
        var walker: OpaquePointer? = nil
        try check(git_revwalk_new(&walker, pointer))
        defer { git_revwalk_free(walker) }
        try check(git_revwalk_simplify_first_parent(walker))
        var raw = start.raw
        try check(git_revwalk_push(walker, &raw))
        var next = git_oid()
        while true {
            let result = git_revwalk_next(&next, walker)
            if result == GIT_ITEROVER.rawValue {
                git_error_clear()
                return false
            }
            try check(result)
            let id = ObjectID(next)
            if id == stop { return true }
            guard try body(id) else { return false }
        }
    }

    /// The first parent of a commit, or nil for a root commit.
    public func firstParent(of commit: ObjectID) throws(GitError) -> ObjectID? {
        var raw = commit.raw
        var handle: OpaquePointer? = nil
        try check(git_commit_lookup(&handle, pointer, &raw))
        defer { git_commit_free(handle) }
        guard git_commit_parentcount(handle) > 0 else { return nil }
        return ObjectID(git_commit_parent_id(handle, 0).pointee)
    }

    /// The tree of a commit.
    public func treeID(ofCommit commit: ObjectID) throws(GitError) -> ObjectID {
        var raw = commit.raw
        var handle: OpaquePointer? = nil
        try check(git_commit_lookup(&handle, pointer, &raw))
        defer { git_commit_free(handle) }
        return ObjectID(git_commit_tree_id(handle).pointee)
    }
}
