internal import CGit2

/// A commit object read byte by byte, for commits libgit2 refuses to parse.
///
/// A commit can arrive from any remote: git accepts an author time of
/// `99999999999999999999` or a signature without an e-mail, but libgit2's
/// parser rejects them, and one such commit would make every later history
/// read fail. ``Repository/commit(_:)`` falls back to this reader, which
/// never fails on a signature: out-of-range times and offsets are clamped and
/// a malformed identity is kept as text.
struct RawCommit {
    var tree: ObjectID
    var parents: [ObjectID]
    var author: Signature
    var committer: Signature
    var message: String

    /// Parses the bytes of a commit object; nil when even the tree line is missing.
    init?(_ bytes: UnsafeRawBufferPointer) {
        var tree: ObjectID?
        var parents = [ObjectID]()
        var author: Signature?
        var committer: Signature?
        var position = 0
        while position < bytes.count {
            var end = position
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            if end == position {  // the blank line before the message
                position = end + 1
                break
            }
            let line = UnsafeRawBufferPointer(rebasing: bytes[position..<end])
            if let value = Self.value(of: "tree ", in: line) {
                tree = ObjectID(hexBytes: value)
            } else if let value = Self.value(of: "parent ", in: line), let parent = ObjectID(hexBytes: value) {
                parents.append(parent)
            } else if let value = Self.value(of: "author ", in: line) {
                author = Signature(identityLine: value)
            } else if let value = Self.value(of: "committer ", in: line) {
                committer = Signature(identityLine: value)
            }
            position = end + 1
        }
        guard let tree else { return nil }
        let unknown = Signature(name: "", email: "", time: 0)
        self.tree = tree
        self.parents = parents
        self.author = author ?? committer ?? unknown
        self.committer = committer ?? author ?? unknown
        message =
            position < bytes.count ? String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position...]), as: UTF8.self) : ""
    }

    private static func value(of key: StaticString, in line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let keyLength = key.utf8CodeUnitCount
        guard line.count >= keyLength else { return nil }
        for index in 0..<keyLength where line[index] != key.utf8Start[index] { return nil }
        return UnsafeRawBufferPointer(rebasing: line[keyLength...])
    }
}

extension Signature {
    /// Parses `Name <email> 1700000000 +0100` leniently: the time is clamped to
    /// `Int64`, the offset to ±99:59, and anything missing becomes empty or zero.
    init(identityLine line: UnsafeRawBufferPointer) {
        let bytes = Array(line)
        let open = bytes.firstIndex(of: UInt8(ascii: "<"))
        let close = bytes.lastIndex(of: UInt8(ascii: ">"))
        let nameEnd = open ?? bytes.count
        name = String(decoding: bytes[..<nameEnd], as: UTF8.self).trimmingCharacters(" ")
        if let open, let close, close > open {
            email = String(decoding: bytes[(open + 1)..<close], as: UTF8.self)
        } else {
            email = ""
        }
        let rest = close.map { Array(bytes[($0 + 1)...]) } ?? []
        let fields = rest.split(separator: UInt8(ascii: " "))
        time = fields.first.map { Self.clampedInteger($0) } ?? 0
        offsetMinutes = fields.count > 1 ? Self.clampedOffset(Array(fields[1])) : 0
    }

    /// A decimal integer with an optional sign, clamped to `Int64` instead of overflowing.
    static func clampedInteger(_ digits: some Collection<UInt8>) -> Int64 {
        var negative = false
        var value: Int64 = 0
        for (index, byte) in digits.enumerated() {
            if index == 0, byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
                negative = byte == UInt8(ascii: "-")
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (shifted, overflowShift) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowAdd) = shifted.addingReportingOverflow(digit)
            if overflowShift || overflowAdd { return negative ? .min : .max }
            value = next
        }
        return negative ? -value : value
    }

    /// `+HHMM` / `-HHMM` as minutes, clamped to ±(99 h 59 min); zero when malformed.
    static func clampedOffset(_ bytes: [UInt8]) -> Int32 {
        guard bytes.count == 5, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"),
            bytes[1...].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return 0 }
        let digits = bytes[1...].map { Int32($0 - UInt8(ascii: "0")) }
        let minutes = (digits[0] * 10 + digits[1]) * 60 + min(59, digits[2] * 10 + digits[3])
        return bytes[0] == UInt8(ascii: "-") ? -minutes : minutes
    }
}

extension String {
    func trimmingCharacters(_ character: Character) -> String {
        var text = Substring(self)
        while text.first == character { text.removeFirst() }
        while text.last == character { text.removeLast() }
        return String(text)
    }
}

extension Repository {
    /// Reads a commit object's raw bytes and parses them leniently.
    ///
    /// - Throws: ``GitError`` `notFound` when the object is missing, `generic` when it is not a commit.
    func rawCommit(_ id: ObjectID) throws(GitError) -> RawCommit {
        var database: OpaquePointer? = nil
        try check(git_repository_odb(&database, pointer))
        defer { git_odb_free(database) }
        var raw = id.raw
        var object: OpaquePointer? = nil
        try check(git_odb_read(&object, database, &raw))
        defer { git_odb_object_free(object) }
        guard git_odb_object_type(object) == GIT_OBJECT_COMMIT,
            let commit = RawCommit(UnsafeRawBufferPointer(start: git_odb_object_data(object), count: git_odb_object_size(object)))
        else {
            throw GitError(code: .generic, message: "object \(id.short()) is not a readable commit")
        }
        return commit
    }
}
