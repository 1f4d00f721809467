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

/// Removes secrets from text that came from outside (vendor error messages, program stderr) before the
/// text is stored in an error or a log line.
///
/// Besides the whole key it masks any word that shares 8 or more consecutive characters with it, since
/// vendors echo partly masked keys (`Incorrect API key provided: sk-abc1****wxyz`).
struct Redactor: Sendable {
    private let secrets: [String]

    init(_ keys: [APIKey?]) {
        secrets = keys.compactMap { $0?.value }.filter { $0.count >= 8 }
    }

    static let none = Redactor([])

    func callAsFunction(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var result = text
        for secret in secrets {
            result = result.replacingOccurrences(of: secret, with: "<redacted>")
        }
        // Mask words that contain a long enough piece of a secret.
        let words = result.split(separator: " ", omittingEmptySubsequences: false)
        var changed = false
        let masked = words.map { word -> Substring in
            guard word.count >= 8 else { return word }
            for secret in secrets where Redactor.sharesRun(String(word), secret, length: 8) {
                changed = true
                return "<redacted>"
            }
            return word
        }
        return changed ? masked.joined(separator: " ") : result
    }

    private static func sharesRun(_ word: String, _ secret: String, length: Int) -> Bool {
        let characters = Array(word)
        guard characters.count >= length else { return false }
        for start in 0...(characters.count - length) {
            if secret.contains(String(characters[start..<(start + length)])) { return true }
        }
        return false
    }
}
