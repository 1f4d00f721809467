internal import Crypto

/// SHA-256 content hashes for cache keys, case ids, dataset fingerprints and template closures.
///
/// One function everywhere, with no fallback: two PromptLab versions, or two processes, that hash
/// the same text always agree.
public enum ContentHash {
    /// The 64-hex-digit SHA-256 of `text`'s UTF-8 bytes.
    public static func hex(of text: String) -> String {
        hex(of: Array(text.utf8))
    }

    /// The 64-hex-digit SHA-256 of `bytes`.
    public static func hex(of bytes: [UInt8]) -> String {
        let digest = SHA256.hash(data: bytes)
        var text = ""
        text.reserveCapacity(64)
        for byte in digest {
            text += String(hexDigit: byte >> 4)
            text += String(hexDigit: byte & 0x0F)
        }
        return text
    }
}

extension String {
    fileprivate init(hexDigit value: UInt8) {
        self = String(UnicodeScalar(value < 10 ? 48 + value : 87 + value))
    }

    /// The string padded on the left with zeros to `width` characters.
    public func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
