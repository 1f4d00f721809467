import Foundation
import GitKit
import PromptFormat
import PromptLabCore

/// One commit that changed a prompt, along first-parent history: its file,
/// or a partial it includes (directly or not).
public struct VersionRecord: Sendable, Hashable {
    /// The commit that made the change.
    public var commit: ObjectID
    /// The file's blob after the change, or nil if the commit deleted it.
    public var blob: ObjectID?
    public var authorName: String
    public var authorEmail: String
    /// Author time in seconds since the epoch, and the author's UTC offset in minutes.
    public var time: Int64
    public var offsetMinutes: Int32
    /// The first line of the commit message.
    public var summary: String
    /// When the commit left the prompt's own file alone, the included partials
    /// it changed (directly or further down the chain of includes), sorted;
    /// empty when the prompt's own file changed.
    public var changedPartials: [PromptName] = []
}

/// A cache of every prompt's versions along first-parent history, kept in
/// `.git/promptlab/versions/`.
///
/// libgit2's path-filtered history walk has to diff every commit, so reading
/// one prompt's history that way costs time proportional to the whole history.
/// The index records, per commit, which prompts it changed.
///
/// **Partials.** A commit changes a prompt when it changes the prompt's file
/// or the file of any partial the prompt includes, directly or not, as of that
/// commit. The index keeps the include graph as `I` lines (a prompt's partials,
/// written whenever its file changes), so an update replays the graph at the
/// old tip from the file itself and then, per new commit, reads only the blobs
/// that commit changed. A prompt's records therefore stay one prefix-filtered
/// scan away, and an update costs time proportional to what changed.
///
/// **Consistency.** The file is an append-only log of batches. Each batch is a
/// run of records followed by a `T <commit>` line naming the commit the index
/// now covers (its *tip*); anything after the last `T` line is an interrupted
/// write and is ignored. Every load compares the tip with the branch's current
/// commit: if they differ, the commits in between are appended, and if the tip
/// is no longer in first-parent history (history was rewritten), the index is
/// rebuilt from scratch into a new file that replaces the old one atomically.
/// A stale index therefore never answers a query.
struct VersionIndex {
    static let formatVersion = "promptlab-version-index 3"

    /// The commit the index covers, or nil for an unborn branch.
    private(set) var tip: ObjectID?
    /// Records per prompt name, oldest first.
    private var records: [String: [VersionRecord]]

    /// Loads the index for the current `HEAD`, bringing it up to date first.
    ///
    /// - Parameter only: read just this prompt's records (faster); nil reads all.
    static func load(for repository: PromptRepository, only: PromptName? = nil) throws(PromptLabError) -> VersionIndex {
        let head: Repository.Head
        do {
            head = try repository.git.head()
        } catch {
            throw PromptLabError.git(error, while: "reading HEAD")
        }
        guard let headCommit = head.commit else { return VersionIndex(tip: nil, records: [:]) }
        if let cached = repository.indexCache, cached.index.tip == headCommit,
            cached.only == nil || cached.only == only?.rawValue
        {
            return cached.index
        }
        let index = try loadUncached(repository, head: head, headCommit: headCommit, only: only)
        repository.indexCache = (only?.rawValue, index)
        return index
    }

    private static func loadUncached(
        _ repository: PromptRepository, head: Repository.Head, headCommit: ObjectID, only: PromptName?
    ) throws(PromptLabError) -> VersionIndex {
        let file = IndexFile(path: repository.versionIndexPath(for: head), rootPrefix: repository.rootPrefix)
        if let content = file.read(), content.tip == headCommit {
            return VersionIndex(tip: headCommit, records: content.records(only: only?.rawValue))
        }
        // Out of date: bring it up to date under a lock, so two updaters never interleave appends.
        let lock = try FileLock.acquire(file.path + ".lock", purpose: "index update")
        defer { lock.release() }
        var content = file.read()  // again: another process may have updated it while we waited
        do {
            if content?.tip != headCommit {
                content = try file.update(from: content, to: headCommit, in: repository)
            }
        } catch let error as PromptLabError {
            throw error
        } catch {
            throw PromptLabError(.failure, "cannot read history: \(error)")
        }
        guard let content, content.tip == headCommit else {
            throw PromptLabError(.failure, "cannot write the version index at \(file.path)")
        }
        return VersionIndex(tip: headCommit, records: content.records(only: only?.rawValue))
    }

    /// The records of one prompt, oldest first.
    func history(of name: PromptName) -> [VersionRecord] {
        records[name.rawValue] ?? []
    }

    /// Every prompt that has ever been committed.
    var promptNames: [String] { records.keys.sorted() }
}

// MARK: - The file

/// The on-disk log. Text, one line per record, tab-separated:
/// `R name commit blob|- time offset author email summary [partial...]`,
/// `I name [partial...]` giving a prompt's includes from then on, and
/// `T commit` closing each batch.
private struct IndexFile {
    let path: String
    let rootPrefix: String

    var header: String { "\(VersionIndex.formatVersion)\troot=\(Escaping.escape(rootPrefix))\n" }

    /// The committed part of a read file.
    struct Content {
        var bytes: [UInt8]
        var bodyStart: Int
        /// The end of the last complete batch.
        var validEnd: Int
        var tip: ObjectID?

        /// Calls `body` with each line of the committed part (without its newline), in order.
        private func forEachLine(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
            bytes.withUnsafeBufferPointer { buffer in
                var start = bodyStart
                while start < validEnd {
                    var end = start
                    while end < validEnd && buffer[end] != 0x0A { end += 1 }
                    body(UnsafeBufferPointer(rebasing: buffer[start..<end]))
                    start = end + 1
                }
            }
        }

        /// Parses records, optionally only those of one prompt.
        func records(only name: String?) -> [String: [VersionRecord]] {
            var result = [String: [VersionRecord]]()
            let filter = name.map { Array(("R\t" + Escaping.escape($0) + "\t").utf8) }
            forEachLine { line in
                guard line.first == UInt8(ascii: "R") else { return }
                if let filter {
                    guard line.count > filter.count, filter.indices.allSatisfy({ line[$0] == filter[$0] }) else { return }
                }
                if let (name, record) = Self.parseRecord(line) {
                    result[name, default: []].append(record)
                }
            }
            return result
        }

        private static func parseRecord(_ line: UnsafeBufferPointer<UInt8>) -> (String, VersionRecord)? {
            var fields = [UnsafeBufferPointer<UInt8>]()
            fields.reserveCapacity(9)
            var fieldStart = 0
            for index in 0...line.count where index == line.count || line[index] == 0x09 {
                fields.append(UnsafeBufferPointer(rebasing: line[fieldStart..<index]))
                fieldStart = index + 1
            }
            guard fields.count >= 9, let commit = ObjectID(hexBytes: UnsafeRawBufferPointer(fields[2])) else { return nil }
            let blob = fields[3].count == 1 ? nil : ObjectID(hexBytes: UnsafeRawBufferPointer(fields[3]))
            guard let time = Int64(text(fields[4])), let offset = Int32(text(fields[5])) else { return nil }
            return (
                Escaping.unescape(text(fields[1])),
                VersionRecord(
                    commit: commit, blob: blob, authorName: Escaping.unescape(text(fields[6])),
                    authorEmail: Escaping.unescape(text(fields[7])), time: time, offsetMinutes: offset,
                    summary: Escaping.unescape(text(fields[8])),
                    changedPartials: fields[9...].compactMap { try? PromptName(Escaping.unescape(text($0))) })
            )
        }

        private static func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
            String(decoding: bytes, as: UTF8.self)
        }

        /// The include graph and each existing prompt's blob as of the tip,
        /// replayed from the `I` and `R` lines.
        func graph() -> IncludeGraph {
            var graph = IncludeGraph()
            forEachLine { line in
                guard let kind = line.first, kind == UInt8(ascii: "R") || kind == UInt8(ascii: "I") else { return }
                let fields = line.split(separator: 0x09, omittingEmptySubsequences: false)
                    .map { Escaping.unescape(String(decoding: UnsafeBufferPointer(rebasing: $0), as: UTF8.self)) }
                guard fields.count >= 2 else { return }
                if kind == UInt8(ascii: "I") {
                    graph.setIncludes(of: fields[1], to: fields.dropFirst(2).compactMap { try? PromptName($0) })
                } else if fields.count >= 4 {
                    graph.blobs[fields[1]] = fields[3] == "-" ? nil : ObjectID(hex: fields[3])
                }
            }
            return graph
        }
    }

    /// Which prompt includes which, and which prompts exist, as of one commit.
    struct IncludeGraph {
        /// Each existing prompt's blob, by name.
        var blobs = [String: ObjectID]()
        private var includes = [String: [String]]()
        private var includedBy = [String: Set<String>]()

        /// Records a prompt's partials; returns whether they changed.
        @discardableResult
        mutating func setIncludes(of name: String, to partials: [PromptName]) -> Bool {
            let new = partials.map(\.rawValue)
            let old = includes[name] ?? []
            guard new != old else { return false }
            for partial in old { includedBy[partial]?.remove(name) }
            for partial in new { includedBy[partial, default: []].insert(name) }
            includes[name] = new.isEmpty ? nil : new
            return true
        }

        /// Every prompt whose closure contains one of `changed`, each with the
        /// changed partials that reach it (a changed prompt maps to the changed
        /// partials it includes, possibly none).
        func affected(by changed: Set<String>) -> [String: Set<String>] {
            var result = [String: Set<String>]()
            for name in changed { result[name, default: []] = [] }
            for partial in changed {
                var seen: Set<String> = [partial]
                var queue = [partial]
                while let current = queue.popLast() {
                    for includer in includedBy[current] ?? [] where !seen.contains(includer) {
                        seen.insert(includer)
                        queue.append(includer)
                        result[includer, default: []].insert(partial)
                    }
                }
            }
            return result
        }
    }

    /// Reads the file; nil if missing, of another format or root.
    func read() -> Content? {
        guard let bytes = Self.readBytes(path) else { return nil }
        return parse(bytes)
    }

    private static func readBytes(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    /// Finds the committed part of the file's bytes; nil if of another format or root.
    private func parse(_ bytes: [UInt8]) -> Content? {
        let headerBytes = Array(header.utf8)
        guard bytes.starts(with: headerBytes) else { return nil }
        // Find the last complete `T <commit>\n` line.
        var end = bytes.count
        while end > headerBytes.count {
            guard let lineEnd = bytes[headerBytes.count..<end].lastIndex(of: 0x0A) else { break }
            var lineStart = lineEnd
            while lineStart > headerBytes.count && bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
            if bytes[lineStart] == UInt8(ascii: "T"), lineEnd - lineStart == 42 {
                let tip = Array(bytes[(lineStart + 2)..<lineEnd]).withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> ObjectID? in
                    ObjectID(hexBytes: raw)
                }
                return Content(bytes: bytes, bodyStart: headerBytes.count, validEnd: lineEnd + 1, tip: tip)
            }
            end = lineStart
        }
        return Content(bytes: bytes, bodyStart: headerBytes.count, validEnd: headerBytes.count, tip: nil)
    }

    /// Appends the commits after `content`'s tip up to `head`, or rebuilds the
    /// file when the tip is not in `head`'s first-parent history.
    func update(from content: Content?, to head: ObjectID, in repository: PromptRepository) throws -> Content? {
        let git = repository.git
        var newCommits = [ObjectID]()
        let oldTip = content?.tip
        let reachedTip = try git.walkFirstParents(from: head, stoppingAt: oldTip) { id in
            newCommits.append(id)
            return true
        }
        var text = ""
        var parentTree: ObjectID? = reachedTip ? try oldTip.map { try git.treeID(ofCommit: $0) } : nil
        var graph = reachedTip ? content?.graph() ?? IncludeGraph() : IncludeGraph()
        for id in newCommits.reversed() {
            let commit = try git.commit(id)
            let changes = try git.changedFiles(
                from: parentTree, to: commit.tree, under: rootPrefix, include: { $0.hasSuffix(PromptName.fileExtension) })
            parentTree = commit.tree
            // First the graph as of this commit, then everything that includes a changed file.
            var changed = Set<String>()
            var includeLines = ""
            for change in changes {
                guard let name = repository.promptName(forRepositoryPath: change.path) else { continue }
                changed.insert(name.rawValue)
                graph.blobs[name.rawValue] = change.newBlob
                // A tag `{{> tone}}` may also mean Dotprompt's `_tone.prompt`: both count as included.
                let partials =
                    try change.newBlob.map { PromptFile.partialNames(in: try git.blob($0)) }
                    .map { names in names + names.compactMap(\.dotpromptPartialFile) } ?? []
                if graph.setIncludes(of: name.rawValue, to: partials) {
                    includeLines += (["I", name.rawValue] + partials.map(\.rawValue)).map(Escaping.escape).joined(separator: "\t") + "\n"
                }
            }
            guard !changed.isEmpty else { continue }
            let common =
                "\t\(commit.author.time)\t\(commit.author.offsetMinutes)\t\(Escaping.escape(commit.author.name))\t"
                + "\(Escaping.escape(commit.author.email))\t\(Escaping.escape(commit.summary))"
            for (name, partials) in graph.affected(by: changed).sorted(by: { $0.key < $1.key }) {
                // A prompt that does not exist (deleted, or only ever named in a tag) has no version.
                let blob = graph.blobs[name]
                guard blob != nil || changed.contains(name) else { continue }
                text += "R\t\(Escaping.escape(name))\t\(id.hex)\t\(blob?.hex ?? "-")" + common
                if !changed.contains(name) {
                    for partial in partials.sorted() { text += "\t" + Escaping.escape(partial) }
                }
                text += "\n"
            }
            text += includeLines
        }
        text += "T\t\(head.hex)\n"
        try? FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if reachedTip, let content {
            let batch = Array(text.utf8)
            try append(batch, keeping: content.validEnd)
            return parse(Array(content.bytes[..<content.validEnd]) + batch)
        } else {
            let bytes = Array((header + text).utf8)
            try writeFileAtomically(bytes, to: path)
            return parse(bytes)
        }
    }

    /// Cuts off any interrupted batch, then appends a new one.
    private func append(_ bytes: [UInt8], keeping validLength: Int) throws {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw PromptLabError(.failure, "cannot open \(path)") }
        defer { close(descriptor) }
        guard ftruncate(descriptor, off_t(validLength)) == 0, lseek(descriptor, off_t(validLength), SEEK_SET) >= 0 else {
            throw PromptLabError(.failure, "cannot update \(path)")
        }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw PromptLabError(.failure, "cannot append to \(path)") }
    }
}

/// Keeps tabs, newlines and backslashes out of index fields.
enum Escaping {
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x5C }) else { return text }
        return text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
    }

    static func unescape(_ text: String) -> String {
        guard text.utf8.contains(0x5C) else { return text }
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
    /// Where the version index for a branch (or detached `HEAD`) and this prompt root lives.
    func versionIndexPath(for head: Repository.Head) -> String {
        let refName: String =
            switch head {
            case .branch(let name, _): name
            case .detached: "HEAD"
            }
        // A short, filesystem-safe file name for the ref and root.
        return stateDirectory + "versions/" + ContentHash.hex(of: refName + "\u{0}" + rootPrefix).prefix(16)
    }
}
