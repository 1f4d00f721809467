/// A file that differs between two trees.
public struct TreeChange: Hashable, Sendable {
    /// Slash-separated path from the root of the trees.
    public var path: String
    /// The blob before, or nil if the file was added.
    public var oldBlob: ObjectID?
    /// The blob after, or nil if the file was deleted.
    public var newBlob: ObjectID?
}

extension Repository {
    /// The files that differ between two trees, restricted to `prefix` (a
    /// folder path such as `prompts/`, or empty for everything) and to names
    /// accepted by `include`.
    ///
    /// Subtrees with equal ids are skipped without being read, so comparing
    /// consecutive commits costs time proportional to what changed.
    public func changedFiles(
        from oldTree: ObjectID?, to newTree: ObjectID?, under prefix: String = "",
        include: (String) -> Bool = { _ in true }
    ) throws -> [TreeChange] {
        var changes = [TreeChange]()
        let components = prefix.split(separator: "/").map(String.init)
        let oldStart = try oldTree.flatMap { try descend($0, into: components) }
        let newStart = try newTree.flatMap { try descend($0, into: components) }
        try compare(
            oldStart, newStart, path: components.isEmpty ? "" : components.joined(separator: "/") + "/",
            include: include, into: &changes)
        return changes
    }

    private func descend(_ tree: ObjectID, into components: [String]) throws -> ObjectID? {
        var current = tree
        for component in components {
            guard let entry = try treeEntries(current).first(where: { $0.name == component && $0.kind == .tree }) else {
                return nil
            }
            current = entry.id
        }
        return current
    }

    private func compare(
        _ old: ObjectID?, _ new: ObjectID?, path: String, include: (String) -> Bool, into changes: inout [TreeChange]
    ) throws {
        if old == new { return }
        let oldEntries = try old.map { try treeEntries($0) } ?? []
        let newEntries = try new.map { try treeEntries($0) } ?? []
        var oldByName = [String: TreeEntry](minimumCapacity: oldEntries.count)
        for entry in oldEntries { oldByName[entry.name] = entry }
        var seen = Set<String>()
        for entry in newEntries {
            seen.insert(entry.name)
            let before = oldByName[entry.name]
            try record(before, entry, path: path, include: include, into: &changes)
        }
        for entry in oldEntries where !seen.contains(entry.name) {
            try record(entry, nil, path: path, include: include, into: &changes)
        }
    }

    private func record(
        _ old: TreeEntry?, _ new: TreeEntry?, path: String, include: (String) -> Bool, into changes: inout [TreeChange]
    ) throws {
        if let old, let new, old.id == new.id, old.kind == new.kind { return }
        let name = (new ?? old)!.name  // one of the two is non-nil by construction.
        let fullPath = path + name
        let oldTree = old?.kind == .tree ? old?.id : nil
        let newTree = new?.kind == .tree ? new?.id : nil
        if oldTree != nil || newTree != nil {
            try compare(oldTree, newTree, path: fullPath + "/", include: include, into: &changes)
        }
        let oldBlob = old?.kind == .blob ? old?.id : nil
        let newBlob = new?.kind == .blob ? new?.id : nil
        if oldBlob != newBlob, include(fullPath) {
            changes.append(TreeChange(path: fullPath, oldBlob: oldBlob, newBlob: newBlob))
        }
    }
}
