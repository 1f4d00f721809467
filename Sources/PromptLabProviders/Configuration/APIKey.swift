import Foundation

/// An API key that cannot be printed by accident.
///
/// `description`, `debugDescription`, string interpolation and `dump` all show `<redacted>`; only the
/// providers of this module read the value, to put it in a request header.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let value: String

    /// Wraps a key.
    public init(_ value: String) {
        self.value = value
    }

    /// Always `<redacted>`.
    public var description: String { "<redacted>" }
    /// Always `APIKey(<redacted>)`.
    public var debugDescription: String { "APIKey(<redacted>)" }
    /// A mirror without children, so `dump` and reflection show nothing secret.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// Removes secrets from text that came from outside (a server's answer, headers and error messages, a
/// program's output) before the text is stored, printed or logged.
///
/// Besides each whole key it masks any word that shares 8 or more consecutive bytes with one, since
/// vendors echo partly masked keys (`Incorrect API key provided: sk-abc1****wxyz`).
///
/// It runs on every answer, so the common case (no secret in the text) is one pass over the bytes: every
/// 8-byte piece of every secret is kept as a `UInt64`, and the text's 8-byte windows are looked up in
/// that set. Only text that shares a piece with a secret takes the slower, word-by-word path.
struct Redactor: Sendable {
    /// Longest first, so that a key that contains another is replaced whole.
    private let secrets: [String]
    /// Every 8-byte window of every secret, packed big-endian.
    private let pieces: Set<UInt64>

    /// Secrets shorter than this are not redacted (they would mask ordinary words).
    static let minimumLength = 8

    init(_ keys: [APIKey?]) {
        let values = Set(keys.compactMap { $0?.value }.filter { $0.utf8.count >= Redactor.minimumLength })
        secrets = values.sorted { $0.utf8.count > $1.utf8.count }
        var pieces = Set<UInt64>()
        for secret in values { Redactor.forEachPiece(of: secret.utf8) { pieces.insert($0) } }
        self.pieces = pieces
    }

    static let none = Redactor([])

    /// What a secret, or a word holding a piece of one, is replaced with.
    static let mask = "<redacted>"

    /// The length in bytes of the longest secret (0 when there is none).
    var longestSecretBytes: Int { secrets.first?.utf8.count ?? 0 }

    /// Whether there is nothing to redact (no secret of at least ``minimumLength`` bytes).
    var isEmpty: Bool { pieces.isEmpty }

    func callAsFunction(_ text: String) -> String {
        guard !pieces.isEmpty, sharesPiece(text.utf8) else { return text }
        var result = text
        for secret in secrets {
            result = result.replacingOccurrences(of: secret, with: Redactor.mask)
        }
        // Mask words that contain a long enough piece of a secret.
        let words = result.split(separator: " ", omittingEmptySubsequences: false)
        var changed = false
        let masked = words.map { word -> Substring in
            guard sharesPiece(word.utf8) else { return word }
            changed = true
            return Substring(Redactor.mask)
        }
        return changed ? masked.joined(separator: " ") : result
    }

    /// `text`, or `nil` for `nil`.
    func callAsFunction(_ text: String?) -> String? {
        text.map { self($0) }
    }

    /// Whether `bytes` contain 8 consecutive bytes of a secret.
    func sharesPiece(_ bytes: some Sequence<UInt8>) -> Bool {
        var found = false
        Redactor.forEachPiece(of: bytes) { piece in
            if !found, pieces.contains(piece) { found = true }
        }
        return found
    }

    /// Calls `body` with every 8-byte window of `bytes`, packed into a `UInt64` (shifting in one byte at a
    /// time drops the oldest, so each window costs one shift).
    private static func forEachPiece(of bytes: some Sequence<UInt8>, _ body: (UInt64) -> Void) {
        var window: UInt64 = 0
        var count = 0
        for byte in bytes {
            window = (window << 8) | UInt64(byte)
            count += 1
            if count >= minimumLength { body(window) }
        }
    }
}

// MARK: - Errors

extension Redactor {
    /// `error` with every text that came from outside redacted: the vendor's fields and message, the
    /// transport's and the program's words, and the request id.
    func callAsFunction(_ error: ProviderError) -> ProviderError {
        var redacted = error
        switch error.kind {
        case .http(let status, let type, let code, let message):
            redacted.kind = .http(status: status, type: self(type), code: self(code), message: self(message))
        case .transport(let detail):
            redacted.kind = .transport(self(detail))
        case .malformedResponse(let detail):
            redacted.kind = .malformedResponse(self(detail))
        case .invalidConfiguration(let detail):
            redacted.kind = .invalidConfiguration(self(detail))
        case .execFailed(let exitStatus, let signal, let detail):
            redacted.kind = .execFailed(exitStatus: exitStatus, signal: signal, detail: self(detail))
        case .contentFiltered(let detail):
            redacted.kind = .contentFiltered(self(detail))
        case .noTextAnswer(let detail):
            redacted.kind = .noTextAnswer(self(detail))
        case .unsupportedInput(let detail):
            redacted.kind = .unsupportedInput(self(detail))
        case .timeout, .missingAPIKey, .cancelled:
            break
        }
        redacted.requestID = self(error.requestID)
        redacted.finishReason = self(error.finishReason)
        redacted.dailyQuota = self(error.dailyQuota)
        return redacted
    }
}
