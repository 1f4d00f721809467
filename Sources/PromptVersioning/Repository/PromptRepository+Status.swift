import Foundation
import GitKit
import PromptFormat
import PromptLabCore

/// How a prompt's working file differs from `HEAD`.
public struct PromptChange: Sendable, Hashable {
    public enum Kind: String, Sendable { case new, modified, deleted }
    public var name: PromptName
    public var kind: Kind
}

extension PromptRepository {
    /// The prompts that are new, modified or deleted compared with `HEAD`.
    public func status() throws(PromptLabError) -> [PromptChange] {
        try fileChanges(names: nil).compactMap { change in
            guard let name = promptName(forRepositoryPath: change.path) else { return nil }
            return PromptChange(name: name, kind: change.kind)
        }
    }

    /// A file under the root whose working content differs from `HEAD`.
    struct FileChange {
        var path: String  // relative to the work tree
        var kind: PromptChange.Kind
        var bytes: [UInt8]?  // the working content; nil when deleted
    }

    /// Working-tree changes of prompt files (and `promptlab.yaml`) against `HEAD`,
    /// optionally restricted to `names`.
    func fileChanges(names: [PromptName]?) throws(PromptLabError) -> [FileChange] {
        let headTree: ObjectID?
        do {
            headTree = try git.head().commit.map { try git.treeID(ofCommit: $0) }
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
            if let name = promptName(forRepositoryPath: path) {
                bytes = try readWorkingFile(name)
            } else {
                bytes = FileManager.default.contents(atPath: absolute).map(Array.init)
            }
            let before = committed[path]
            switch (before, bytes) {
            case (nil, nil):
                if let names, let name = promptName(forRepositoryPath: path), names.contains(name) {
                    throw try unknownPrompt(name)
                }
            case (nil, let content?):
                changes.append(FileChange(path: path, kind: .new, bytes: content))
            case (_?, nil):
                changes.append(FileChange(path: path, kind: .deleted, bytes: nil))
            case (let blob?, let content?):
                let id: ObjectID
                do { id = try Repository.blobID(for: content) } catch { throw PromptLabError.git(error, while: "hashing \(path)") }
                if id != blob { changes.append(FileChange(path: path, kind: .modified, bytes: content)) }
            }
        }
        return changes
    }
}
