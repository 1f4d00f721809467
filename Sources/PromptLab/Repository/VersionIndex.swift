import Foundation
import GitKit

/// One commit that changed a prompt file, along first-parent history.
public struct VersionRecord: Sendable, Hashable {
    /// The commit that made the change.
    public var commit: ObjectID
    /// The file's blob after the change, or nil if the commit deleted it.
    public var blob: ObjectID?
    public var authorName: String
    public var authorEmail: String
    /// Commit time in seconds since the epoch, and the author's UTC offset in minutes.
    public var time: Int64
    public var offsetMinutes: Int32
    /// The first line of the commit message.
    public var summary: String
}

/// A cache of every prompt's versions along first-parent history, kept in
/// `.git/promptlab/versions/`.
///
/// libgit2's path-filtered history walk has to diff every commit, so reading a
/// prompt's history from it costs time proportional to the whole history. The
/// index records, per prompt, the commits that changed it. It is keyed by the
/// commit it was built up to (its *tip*): each load compares the tip with the
/// branch's commit and, if they differ, extends the index with the new commits,
/// or rebuilds it when history was rewritten. A stale index therefore can never
/// answer. Updates are written to a temporary file and renamed into place.
struct VersionIndex {
    static let formatHeader = "promptlab-version-index 1"

    /// The commit the index covers, or nil for an unborn branch.
    private(set) var tip: ObjectID?
    /// Records per prompt, oldest first, in the raw text form until asked for.
    private var records: [String: [VersionRecord]]

    /// Loads the index for the current `HEAD`, bringing it up to date first.
    static func load(for repository: PromptRepository) throws(PromptLabError) -> VersionIndex {
        let head: ObjectID?
        do {
            head = try repository.git.head().commit
        } catch {
            throw PromptLabError.git(error, while: "reading HEAD")
        }
        let path = repository.versionIndexPath()
        var index = read(path: path, rootPrefix: repository.rootPrefix) ?? VersionIndex(tip: nil, records: [:])
        guard index.tip != head else { return index }
        guard let head else { return VersionIndex(tip: nil, records: [:]) }
        do {
            try index.update(to: head, in: repository)
        } catch let error as PromptLabError {
            throw error
        } catch {
            throw PromptLabError(.failure, "cannot read history: \(error)")
        }
        // The index is a cache: failing to save it must not fail the command.
        try? index.write(path: path, rootPrefix: repository.rootPrefix)
        return index
    }

    /// The records of one prompt, oldest first.
    func history(of name: PromptName) -> [VersionRecord] {
        records[name.rawValue] ?? []
    }

    /// Every prompt that has ever been committed.
    var promptNames: [String] { records.keys.sorted() }

    // MARK: - Building

    /// Extends the index from its tip to `head`, or rebuilds it if the tip is
    /// not in `head`'s first-parent history.
    private mutating func update(to head: ObjectID, in repository: PromptRepository) throws {
        var newCommits = [ObjectID]()
        let reachedTip = try repository.git.walkFirstParents(from: head, stoppingAt: tip) { id in
            newCommits.append(id)
            return true
        }
        if !reachedTip {
            records = [:]  // History was rewritten (or there was no index): start over.
        }
        var parentTree: ObjectID? = reachedTip ? try tip.map { try repository.git.treeID(ofCommit: $0) } : nil
        for id in newCommits.reversed() {
            let commit = try repository.git.commit(id)
            let changes = try repository.git.changedFiles(
                from: parentTree, to: commit.tree, under: repository.rootPrefix,
                include: { $0.hasSuffix(PromptName.fileExtension) })
            for change in changes {
                guard let name = repository.promptName(forRepositoryPath: change.path) else { continue }
                records[name.rawValue, default: []].append(
                    VersionRecord(
                        commit: id, blob: change.newBlob, authorName: commit.author.name,
                        authorEmail: commit.author.email, time: commit.author.time,
                        offsetMinutes: commit.author.offsetMinutes, summary: commit.summary))
            }
            parentTree = commit.tree
        }
        tip = head
    }

    // MARK: - Storage

    /// Text format: a header, `root` and `tip` lines, then one `P` line per
    /// prompt followed by its records, one per line, tab-separated:
    /// commit, blob (or `-`), time, offset, author name, author email, summary.
    private func write(path: String, rootPrefix: String) throws(PromptLabError) {
        var text = "\(Self.formatHeader)\nroot\t\(Self.escape(rootPrefix))\ntip\t\(tip?.hex ?? "-")\n"
        for name in records.keys.sorted() {
            let list = records[name]!  // name comes from records.keys.
            text += "P\t\(Self.escape(name))\t\(list.count)\n"
            for r in list {
                text += "\(r.commit.hex)\t\(r.blob?.hex ?? "-")\t\(r.time)\t\(r.offsetMinutes)\t"
                text += "\(Self.escape(r.authorName))\t\(Self.escape(r.authorEmail))\t\(Self.escape(r.summary))\n"
            }
        }
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try writeFileAtomically(Array(text.utf8), to: path)
    }

    /// Reads an index file; nil if it is missing, of another format or root, or damaged.
    private static func read(path: String, rootPrefix: String) -> VersionIndex? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard lines.popFirst() == Substring(formatHeader),
            let rootLine = lines.popFirst(), rootLine == "root\t" + escape(rootPrefix),
            let tipLine = lines.popFirst(), tipLine.hasPrefix("tip\t")
        else { return nil }
        let tipText = tipLine.dropFirst(4)
        let tip = tipText == "-" ? nil : ObjectID(hex: tipText)
        if tipText != "-" && tip == nil { return nil }
        var records = [String: [VersionRecord]]()
        while let header = lines.popFirst(), !header.isEmpty {
            let fields = header.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0] == "P", let count = Int(fields[2]) else { return nil }
            var list = [VersionRecord]()
            list.reserveCapacity(count)
            for _ in 0..<count {
                guard let line = lines.popFirst() else { return nil }
                let f = line.split(separator: "\t", omittingEmptySubsequences: false)
                guard f.count == 7, let commit = ObjectID(hex: f[0]), let time = Int64(f[2]),
                    let offset = Int32(f[3])
                else { return nil }
                let blob = f[1] == "-" ? nil : ObjectID(hex: f[1])
                list.append(
                    VersionRecord(
                        commit: commit, blob: blob, authorName: unescape(f[4]), authorEmail: unescape(f[5]),
                        time: time, offsetMinutes: offset, summary: unescape(f[6])))
            }
            records[unescape(fields[1])] = list
        }
        return VersionIndex(tip: tip, records: records)
    }

    private static func escape(_ text: String) -> String {
        guard text.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\\" || $0 == "\r" }) else { return text }
        return text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
    }

    private static func unescape(_ text: Substring) -> String {
        guard text.contains("\\") else { return String(text) }
        var out = ""
        var escaping = false
        for c in text {
            if escaping {
                switch c {
                case "t": out.append("\t")
                case "n": out.append("\n")
                case "r": out.append("\r")
                default: out.append(c)
                }
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else {
                out.append(c)
            }
        }
        return out
    }
}

extension PromptRepository {
    /// Where the version index for the current branch and prompt root lives.
    func versionIndexPath() -> String {
        let head = (try? git.head()) ?? .detached(ObjectID(hex: String(repeating: "0", count: 40))!)  // 40 zeros is a valid id.
        let refName: String =
            switch head {
            case .branch(let name, _): name
            case .detached: "HEAD"
            }
        let key = (refName + "\u{0}" + rootPrefix).utf8.reduce(UInt64(14_695_981_039_346_656_037)) {
            ($0 ^ UInt64($1)) &* 1_099_511_628_211
        }
        return stateDirectory + "versions/" + String(key, radix: 16)
    }
}
