import Foundation

/// Name–value pairs from a query string or an `application/x-www-form-urlencoded` body.
///
/// Browsers write a space as `+` in both; Hummingbird's own query map does not undo that, so the
/// app reads them here. Invalid percent-escapes are kept as written rather than refused.
struct FormFields: Sendable {
    private(set) var pairs: [(name: String, value: String)] = []

    init(_ encoded: String?) {
        guard let encoded, !encoded.isEmpty else { return }
        for part in encoded.split(separator: "&", omittingEmptySubsequences: true).prefix(1000) {
            let halves = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(halves[0])
            let value = halves.count > 1 ? Self.decode(halves[1]) : ""
            pairs.append((name, value))
        }
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The first value of `name`, or nil.
    subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// The first non-empty value of `name` (form fields left blank count as absent).
    func text(_ name: String) -> String? {
        guard let value = self[name], !value.isEmpty else { return nil }
        return value
    }

    /// Every value of fields named `prefix` + something, keyed by the rest of the name.
    func values(prefixed prefix: String) -> [(key: String, value: String)] {
        pairs.filter { $0.name.hasPrefix(prefix) && $0.name.count > prefix.count }
            .map { (String($0.name.dropFirst(prefix.count)), $0.value) }
    }
}
