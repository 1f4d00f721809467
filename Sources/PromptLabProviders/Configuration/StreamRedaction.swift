/// Redacts a text that arrives in pieces, a streamed answer's deltas, so that no secret gets through even
/// when a server splits it over two or more deltas.
///
/// ``Redactor`` replaces whole secrets and masks every space-separated word that holds 8 bytes of one. A
/// delta can end inside such a word, so the end of the text is held back until it can be judged:
/// - Complete words (up to the last space) are redacted as ``Redactor`` would redact the whole text, and
///   passed on. Secrets hold no spaces, so no secret crosses a space and the words redact alike apart.
/// - The open word is held back while it holds a piece of a secret, until its space arrives. One that
///   grows past ``maxHeldWordBytes`` (a server that never sends a space) is passed on as
///   ``Redactor/mask`` instead, and the rest of it is dropped as it arrives: memory stays bounded.
/// - An open word without such a piece is held back too, except that of a long word (text without
///   spaces) everything but its last *longest secret − 1* bytes is passed on: a secret that is still
///   arriving starts within those last bytes, or its first 8 bytes would already be there as a piece.
///
/// So the deltas carry no whole secret and no 8 bytes of one, and join to what redacting the whole text
/// gives, except that a long word in which a secret appears late keeps its harmless beginning.
struct StreamRedaction: Sendable {
    let redactor: Redactor
    /// How many bytes at the end of an open word are always held back.
    private let heldBytes: Int
    /// The text not passed on yet: the open word.
    private var pending = ""
    /// The longest open word held back whole because it holds a piece of a secret.
    static let maxHeldWordBytes = 4096
    /// Inside a word already passed on as ``Redactor/mask``: drop text up to the next space.
    private var isDroppingWord = false

    init(_ redactor: Redactor) {
        self.redactor = redactor
        heldBytes = max(redactor.longestSecretBytes, Redactor.minimumLength) - 1
    }

    /// The redacted text that can be passed on now that `delta` has arrived (possibly empty).
    mutating func push(_ delta: String) -> String {
        guard !redactor.isEmpty else { return delta }
        pending += delta
        var output = ""
        if isDroppingWord {
            guard let space = pending.firstIndex(of: " ") else {
                pending = ""
                return output
            }
            pending = String(pending[space...])
            isDroppingWord = false
        }
        if let lastSpace = pending.lastIndex(of: " ") {
            let afterSpace = pending.index(after: lastSpace)
            output += redactor(String(pending[..<afterSpace]))
            pending = String(pending[afterSpace...])
        }
        if redactor.sharesPiece(pending.utf8) {
            if pending.utf8.count > Self.maxHeldWordBytes {
                output += Redactor.mask
                pending = ""
                isDroppingWord = true
            }
        } else if pending.utf8.count > heldBytes {
            let cut = Self.index(in: pending, keepingLast: heldBytes)
            output += pending[..<cut]
            pending = String(pending[cut...])
        }
        return output
    }

    /// The rest of the text once the stream is complete, redacted.
    mutating func finish() -> String {
        defer { pending = "" }
        return isDroppingWord ? "" : redactor(pending)
    }

    /// The last index of `text` on a Unicode scalar boundary that leaves at least `count` bytes after it.
    private static func index(in text: String, keepingLast count: Int) -> String.Index {
        let limit = text.utf8.count - count
        var bytes = 0
        var cut = text.unicodeScalars.startIndex
        for index in text.unicodeScalars.indices {
            bytes += UTF8.width(text.unicodeScalars[index])
            guard bytes <= limit else { break }
            cut = text.unicodeScalars.index(after: index)
        }
        return cut
    }
}
