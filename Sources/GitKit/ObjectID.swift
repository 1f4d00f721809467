import CGit2

/// A git object id (SHA-1), copied out of libgit2 as a value.
public struct ObjectID: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The 20 raw bytes.
    public let bytes: [UInt8]

    init(_ oid: git_oid) {
        var copy = oid
        bytes = withUnsafeBytes(of: &copy.id) { Array($0) }
    }

    /// Parses a full 40-character hexadecimal id; `nil` if it is not one.
    public init?(hex: some StringProtocol) {
        guard hex.utf8.count == 40 else { return nil }
        var result = [UInt8]()
        result.reserveCapacity(20)
        var high: UInt8? = nil
        for char in hex.utf8 {
            guard let nibble = ObjectID.nibble(char) else { return nil }
            if let h = high {
                result.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        bytes = result
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The 40-character lowercase hexadecimal form.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(40)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The first `length` hexadecimal digits, as `git log --oneline` shows.
    public func short(_ length: Int = 7) -> String { String(hex.prefix(length)) }

    public var description: String { hex }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    /// The id as libgit2's C struct, for calls into libgit2.
    var raw: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        return oid
    }
}
