internal import CGit2

/// A git object id (SHA-1), copied out of libgit2 as a value.
///
/// Stored inline (no heap allocation), since histories hold thousands of them.
public struct ObjectID: Hashable, Sendable, CustomStringConvertible, Comparable {
    private var high: UInt64
    private var middle: UInt64
    private var low: UInt32

    init(_ oid: git_oid) {
        var copy = oid
        (high, middle, low) = withUnsafeBytes(of: &copy.id) { raw in
            (
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
            )
        }
    }

    /// Parses a full 40-character hexadecimal id; `nil` if it is not one.
    public init?(hex: some StringProtocol) {
        let parsed =
            hex.utf8.withContiguousStorageIfAvailable { ObjectID(hexBytes: UnsafeRawBufferPointer($0)) }
            ?? Array(hex.utf8).withUnsafeBytes { ObjectID(hexBytes: $0) }
        guard let parsed else { return nil }
        self = parsed
    }

    /// Parses 40 ASCII hex digits from raw bytes; nil if they are not exactly that.
    public init?(hexBytes: UnsafeRawBufferPointer) {
        guard hexBytes.count == 40 else { return nil }
        var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
        for index in 0..<40 {
            guard let nibble = ObjectID.nibble(hexBytes[index]) else { return nil }
            switch index {
            case 0..<16: words.0 = words.0 << 4 | UInt64(nibble)
            case 16..<32: words.1 = words.1 << 4 | UInt64(nibble)
            default: words.2 = words.2 << 4 | UInt64(nibble)
            }
        }
        high = words.0
        middle = words.1
        low = UInt32(words.2)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The 20 raw bytes.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(20)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: high >> UInt64(shift))) }
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: middle >> UInt64(shift))) }
        for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: low >> UInt32(shift))) }
        return out
    }

    /// The 40-character lowercase hexadecimal form.
    public var hex: String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 40) { buffer in
            digits.withUTF8Buffer { table in
                for (index, byte) in bytes.enumerated() {
                    buffer[2 * index] = table[Int(byte >> 4)]
                    buffer[2 * index + 1] = table[Int(byte & 0xF)]
                }
            }
            return 40
        }
    }

    /// The first `length` hexadecimal digits, as `git log --oneline` shows.
    public func short(_ length: Int = 7) -> String { String(hex.prefix(length)) }

    public var description: String { hex }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
        (lhs.high, lhs.middle, lhs.low) < (rhs.high, rhs.middle, rhs.low)
    }

    /// The id as libgit2's C struct, for calls into libgit2.
    var raw: git_oid {
        var oid = git_oid()
        let value = bytes
        withUnsafeMutableBytes(of: &oid.id) { buffer in
            for (index, byte) in value.enumerated() { buffer[index] = byte }
        }
        return oid
    }
}
