/// A running FNV-1a 32-bit hash over UTF-16 code units, the form GrowthBook hashes strings in;
/// arithmetic wraps modulo 2^32 by design.
struct FNV1a32 {
    private static let offsetBasis: UInt32 = 0x811C_9DC5
    private static let prime: UInt32 = 0x0100_0193

    private(set) var value = offsetBasis

    mutating func combine(codeUnit: UInt16) {
        value = (value ^ UInt32(codeUnit)) &* Self.prime
    }

    mutating func combine(_ text: String) {
        // ASCII is by far the common case (user ids, UUIDs, experiment keys); its UTF-8 bytes are its
        // UTF-16 code units, and reading the contiguous bytes is much faster than the UTF-16 view.
        let hashedAsASCII: Bool? = text.utf8.withContiguousStorageIfAvailable { bytes in
            var hash = value
            for byte in bytes {
                guard byte < 0x80 else { return false }
                hash = (hash ^ UInt32(byte)) &* Self.prime
            }
            value = hash
            return true
        }
        guard hashedAsASCII != true else { return }
        for codeUnit in text.utf16 {
            combine(codeUnit: codeUnit)
        }
    }

    /// Hashes the decimal form of `number` (what JavaScript's `number + ""` gives), without allocating a string.
    mutating func combineDecimalDigits(of number: UInt32) {
        var divisor: UInt32 = 1
        // divisor <= number / 10 guarantees divisor * 10 <= number, so this cannot overflow.
        while divisor <= number / 10 {
            divisor *= 10
        }
        repeat {
            let digit = UInt16((number / divisor) % 10)
            combine(codeUnit: 0x30 + digit)
            divisor /= 10
        } while divisor > 0
    }
}
