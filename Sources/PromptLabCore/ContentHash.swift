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
        // One buffer and one string: the runner hashes every cell's request, so this is on the hot path.
        var text = [UInt8]()
        text.reserveCapacity(64)
        for byte in digest {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

extension String {
    /// The string padded on the left with zeros to `width` characters.
    public func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
