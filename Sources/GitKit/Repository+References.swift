internal import CGit2

extension Repository {
    /// The commit a reference resolves to (following symbolic refs), or nil if it does not exist.
    public func referenceTarget(_ name: String) throws(GitError) -> ObjectID? {
        var raw = git_oid()
        let result = git_reference_name_to_id(&raw, pointer, name)
        if result == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(result)
        return ObjectID(raw)
    }

    /// Points reference `name` at `target` as a compare-and-swap.
    ///
    /// - Parameters:
    ///   - expecting: the value the reference must hold now; nil means it must not exist yet.
    ///   - message: the reflog message.
    ///   - forceReflog: write a reflog entry even where `core.logAllRefUpdates` would not
    ///     (for refs outside `refs/heads`).
    /// - Throws: ``GitError`` `modified` or `exists` when another writer moved the reference
    ///   first, `locked` when another process holds its lock.
    ///
    /// Related libgit2 documentation: `git_reference_create_matching`.
    public func updateReference(
        _ name: String, to target: ObjectID, expecting: ObjectID?, message: String, forceReflog: Bool = false
    ) throws(GitError) {
        if forceReflog {
            try check(git_reference_ensure_log(pointer, name))
        }
        var targetRaw = target.raw
        var reference: OpaquePointer? = nil
        if let expecting {
            var expectedRaw = expecting.raw
            try check(git_reference_create_matching(&reference, pointer, name, &targetRaw, 1, &expectedRaw, message))
        } else {
            try check(git_reference_create(&reference, pointer, name, &targetRaw, 0, message))
        }
        git_reference_free(reference)
    }

    /// Deletes reference `name` if it still points at `expecting`.
    ///
    /// - Throws: ``GitError`` `modified` if it moved meanwhile, `notFound` if it is gone.
    public func deleteReference(_ name: String, expecting: ObjectID) throws(GitError) {
        var reference: OpaquePointer? = nil
        try check(git_reference_lookup(&reference, pointer, name))
        defer { git_reference_free(reference) }
        guard git_reference_type(reference) == GIT_REFERENCE_DIRECT,
            ObjectID(git_reference_target(reference).pointee) == expecting
        else {
            throw GitError(code: .modified, message: "reference '\(name)' changed while it was being deleted")
        }
        try check(git_reference_delete(reference))
    }

    /// Every direct reference whose name matches `glob` (for example `refs/promptlab/*`),
    /// with the commit it points at, sorted by name.
    public func references(matching glob: String) throws(GitError) -> [(name: String, target: ObjectID)] {
        var iterator: OpaquePointer? = nil
        try check(git_reference_iterator_glob_new(&iterator, pointer, glob))
        defer { git_reference_iterator_free(iterator) }
        var found = [(name: String, target: ObjectID)]()
        while true {
            var reference: OpaquePointer? = nil
            let result = git_reference_next(&reference, iterator)
            if result == GIT_ITEROVER.rawValue {
                git_error_clear()
                break
            }
            try check(result)
            defer { git_reference_free(reference) }
            if git_reference_type(reference) == GIT_REFERENCE_DIRECT {
                found.append((String(cString: git_reference_name(reference)), ObjectID(git_reference_target(reference).pointee)))
            }
        }
        return found.sorted { $0.name < $1.name }
    }

    /// Whether `name` is a well-formed full reference name (`git check-ref-format`).
    public static func isValidReferenceName(_ name: String) -> Bool {
        GitLibrary.ensureInitialized()
        var valid: Int32 = 0
        guard git_reference_name_is_valid(&valid, name) == 0 else {
            git_error_clear()
            return false
        }
        return valid == 1
    }
}

/// One move of a reference, from its reflog.
public struct ReflogEntry: Hashable, Sendable {
    /// Where the reference pointed before, or nil when this entry created it.
    public var oldTarget: ObjectID?
    public var newTarget: ObjectID
    /// Who moved it and when.
    public var committer: Signature
    public var message: String
}

extension Repository {
    /// A reference's reflog, newest first, as `git reflog show` lists it; empty
    /// when the reference has no reflog.
    ///
    /// Related libgit2 documentation: `git_reflog_read`.
    public func reflog(_ name: String) throws(GitError) -> [ReflogEntry] {
        var log: OpaquePointer? = nil
        try check(git_reflog_read(&log, pointer, name))
        defer { git_reflog_free(log) }
        var entries = [ReflogEntry]()
        for position in 0..<git_reflog_entrycount(log) {
            guard let entry = git_reflog_entry_byindex(log, position) else { continue }
            let old = ObjectID(git_reflog_entry_id_old(entry).pointee)
            entries.append(
                ReflogEntry(
                    oldTarget: old.bytes.allSatisfy { $0 == 0 } ? nil : old,
                    newTarget: ObjectID(git_reflog_entry_id_new(entry).pointee),
                    committer: Signature(git_reflog_entry_committer(entry)),
                    message: git_reflog_entry_message(entry).map { String(cString: $0) } ?? ""))
        }
        return entries
    }
}
