internal import CGit2

/// A commit's metadata, copied out of libgit2.
public struct CommitInfo: Hashable, Sendable {
    public var id: ObjectID
    public var tree: ObjectID
    public var parents: [ObjectID]
    public var author: Signature
    public var committer: Signature
    /// The full message, including its trailing newline if it has one.
    public var message: String

    /// The first line of the message.
    public var summary: String {
        String(message.prefix { $0 != "\n" })
    }
}

/// A file's content and mode, as it goes into a tree or the staging area.
public struct FileBlob: Hashable, Sendable {
    public var id: ObjectID
    /// Whether the file is executable (mode `100755` rather than `100644`).
    public var executable: Bool

    public init(id: ObjectID, executable: Bool = false) {
        self.id = id
        self.executable = executable
    }

    var mode: UInt32 {
        UInt32(executable ? GIT_FILEMODE_BLOB_EXECUTABLE.rawValue : GIT_FILEMODE_BLOB.rawValue)
    }
}

/// One entry of a tree object.
public struct TreeEntry: Hashable, Sendable {
    public enum Kind: Sendable { case blob, tree, commit, other }
    public var name: String
    public var id: ObjectID
    public var kind: Kind
    /// The file mode, such as `0o100644`.
    public var mode: UInt32
}

extension Repository {
    // MARK: - Reading

    /// Reads a commit's metadata.
    ///
    /// A commit libgit2 cannot parse (an author time beyond `Int64`, a signature
    /// without an e-mail, as a remote may send) is read leniently instead, with
    /// its numbers clamped, so one odd commit never makes history unreadable.
    public func commit(_ id: ObjectID) throws(GitError) -> CommitInfo {
        var raw = id.raw
        var commit: OpaquePointer? = nil
        guard git_commit_lookup(&commit, pointer, &raw) == 0 else {
            git_error_clear()
            let parsed = try rawCommit(id)
            return CommitInfo(
                id: id, tree: parsed.tree, parents: parsed.parents, author: parsed.author, committer: parsed.committer,
                message: parsed.message)
        }
        defer { git_commit_free(commit) }
        var parents = [ObjectID]()
        for index in 0..<git_commit_parentcount(commit) {
            parents.append(ObjectID(git_commit_parent_id(commit, index).pointee))
        }
        return CommitInfo(
            id: id,
            tree: ObjectID(git_commit_tree_id(commit).pointee),
            parents: parents,
            author: Signature(git_commit_author(commit)),
            committer: Signature(git_commit_committer(commit)),
            message: String(cString: git_commit_message(commit))
        )
    }

    /// Finds the commit whose id starts with `prefix` (at least 4 hex digits).
    ///
    /// - Throws: ``GitError`` `notFound` when none matches, `ambiguous` when several do.
    public func commit(withPrefix prefix: String) throws(GitError) -> ObjectID {
        var raw = git_oid()
        try check(git_oid_fromstrn(&raw, prefix, prefix.utf8.count))
        var object: OpaquePointer? = nil
        try check(git_object_lookup_prefix(&object, pointer, &raw, prefix.utf8.count, GIT_OBJECT_COMMIT))
        defer { git_object_free(object) }
        return ObjectID(git_object_id(object).pointee)
    }

    /// Reads a blob's contents.
    public func blob(_ id: ObjectID) throws(GitError) -> [UInt8] {
        var raw = id.raw
        var blob: OpaquePointer? = nil
        try check(git_blob_lookup(&blob, pointer, &raw))
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let content = git_blob_rawcontent(blob) else { return [] }
        return Array(UnsafeRawBufferPointer(start: content, count: size))
    }

    /// Lists a tree's entries in git's order.
    public func treeEntries(_ id: ObjectID) throws(GitError) -> [TreeEntry] {
        var raw = id.raw
        var tree: OpaquePointer? = nil
        try check(git_tree_lookup(&tree, pointer, &raw))
        defer { git_tree_free(tree) }
        let count = git_tree_entrycount(tree)
        var entries = [TreeEntry]()
        entries.reserveCapacity(count)
        for index in 0..<count {
            let entry = git_tree_entry_byindex(tree, index)
            let kind: TreeEntry.Kind =
                switch git_tree_entry_type(entry) {
                case GIT_OBJECT_BLOB: .blob
                case GIT_OBJECT_TREE: .tree
                case GIT_OBJECT_COMMIT: .commit
                default: .other
                }
            entries.append(
                TreeEntry(
                    name: String(cString: git_tree_entry_name(entry)),
                    id: ObjectID(git_tree_entry_id(entry).pointee),
                    kind: kind,
                    mode: git_tree_entry_filemode(entry).rawValue
                ))
        }
        return entries
    }

    /// The entry at a slash-separated `path` inside a tree, or nil if there is none.
    public func treeEntry(atPath path: String, inTree treeID: ObjectID) throws(GitError) -> TreeEntry? {
        var raw = treeID.raw
        var tree: OpaquePointer? = nil
        try check(git_tree_lookup(&tree, pointer, &raw))
        defer { git_tree_free(tree) }
        var entry: OpaquePointer? = nil
        let result = git_tree_entry_bypath(&entry, tree, path)
        if result == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(result)
        defer { git_tree_entry_free(entry) }
        let kind: TreeEntry.Kind =
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_BLOB: .blob
            case GIT_OBJECT_TREE: .tree
            default: .other
            }
        return TreeEntry(
            name: String(cString: git_tree_entry_name(entry)),
            id: ObjectID(git_tree_entry_id(entry).pointee),
            kind: kind,
            mode: git_tree_entry_filemode(entry).rawValue
        )
    }

    // MARK: - Writing

    /// Computes the id `bytes` would have as a blob, without writing anything.
    public static func blobID(for bytes: [UInt8]) throws(GitError) -> ObjectID {
        GitLibrary.ensureInitialized()
        var raw = git_oid()
        let result = bytes.withUnsafeBytes { git_odb_hash(&raw, $0.baseAddress, $0.count, GIT_OBJECT_BLOB) }
        try check(result)
        return ObjectID(raw)
    }

    /// Writes `bytes` to the object database as a blob.
    public func writeBlob(_ bytes: [UInt8]) throws(GitError) -> ObjectID {
        var raw = git_oid()
        let result = bytes.withUnsafeBytes { git_blob_create_from_buffer(&raw, pointer, $0.baseAddress, $0.count) }
        try check(result)
        return ObjectID(raw)
    }

    /// Writes a tree equal to `base` (or an empty tree) with `changes` applied:
    /// each path maps to a new blob id (a regular, non-executable file), or to nil to remove it.
    public func writeTree(base: ObjectID?, changes: [String: ObjectID?]) throws(GitError) -> ObjectID {
        try writeTree(base: base, files: changes.mapValues { $0.map { FileBlob(id: $0) } })
    }

    /// Writes a tree equal to `base` (or an empty tree) with `files` applied:
    /// each path maps to its new content and mode, or to nil to remove it.
    ///
    /// Uses an in-memory index, so the repository's staging area is untouched.
    public func writeTree(base: ObjectID?, files: [String: FileBlob?]) throws(GitError) -> ObjectID {
        var index: OpaquePointer? = nil
        try check(git_index_new(&index))
        defer { git_index_free(index) }
        if let base {
            var raw = base.raw
            var tree: OpaquePointer? = nil
            try check(git_tree_lookup(&tree, pointer, &raw))
            defer { git_tree_free(tree) }
            try check(git_index_read_tree(index, tree))
        }
        for (path, file) in files.sorted(by: { $0.key < $1.key }) {
            if let file {
                var entry = git_index_entry()
                entry.mode = file.mode
                entry.id = file.id.raw
                let result = path.withCString { cPath in
                    entry.path = cPath
                    return git_index_add(index, &entry)
                }
                try check(result)
            } else {
                let result = git_index_remove(index, path, 0)
                if result != GIT_ENOTFOUND.rawValue { try check(result) } else { git_error_clear() }
            }
        }
        var out = git_oid()
        try check(git_index_write_tree_to(&out, index, pointer))
        return ObjectID(out)
    }

    /// Writes a commit object without moving any reference.
    ///
    /// Move the branch afterwards with ``updateReference(_:to:expecting:message:)``,
    /// which is a compare-and-swap, so concurrent writers cannot lose each other's commits.
    /// Parents are named by id and not parsed, so a parent libgit2 cannot parse
    /// (see ``commit(_:)``) does not block new commits on top of it.
    ///
    /// - Throws: ``GitError`` `invalidSpec` when an identity would make a commit
    ///   that `git fsck --strict` rejects (see ``Signature/identityProblem``).
    public func writeCommit(
        tree: ObjectID, parents: [ObjectID], author: Signature, committer: Signature, message: String
    ) throws(GitError) -> ObjectID {
        for signature in [author, committer] {
            if let problem = signature.identityProblem {
                throw GitError(code: .invalidSpec, message: "invalid identity '\(signature.name) <\(signature.email)>': \(problem)")
            }
        }
        var treeRaw = tree.raw
        var parentRaws = parents.map(\.raw)
        var out = git_oid()
        do {
            try author.withGitSignature { authorSig in
                try committer.withGitSignature { committerSig in
                    let result = withUnsafeMutablePointer(to: &treeRaw) { treePointer in
                        parentRaws.withUnsafeMutableBufferPointer { parentBuffer in
                            var pointers: [UnsafePointer<git_oid>?] = (0..<parentBuffer.count).map {
                                UnsafePointer(parentBuffer.baseAddress! + $0)
                            }
                            return pointers.withUnsafeMutableBufferPointer { parentPointers in
                                git_commit_create_from_ids(
                                    &out, pointer, nil, authorSig, committerSig, "UTF-8", message, treePointer,
                                    parentPointers.count, parentPointers.baseAddress)
                            }
                        }
                    }
                    try check(result)
                }
            }
        } catch let error as GitError {
            throw error
        } catch {
            throw GitError(code: .generic, message: "\(error)")
        }
        return ObjectID(out)
    }
}
