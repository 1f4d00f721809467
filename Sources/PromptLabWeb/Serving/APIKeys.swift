import Crypto
import Foundation
import PromptLabCore

/// The keys applications use for the serving API (`/v1`), each with scopes.
///
/// Read from `PROMPTLAB_API_KEYS` (`KEY=scope,scope;KEY=scope`) or a keys file given with
/// `--api-keys` (one key a line: `KEY scope,scope`, `#` starts a comment). Only SHA-256 digests of the
/// keys are kept, and a presented key is looked up by its digest, so comparing takes the same time
/// whatever the key.
public struct APIKeys: Sendable {
    /// What a key may do.
    public enum Scope: String, Sendable, CaseIterable {
        /// Read prompts, resolve units, call the gateway.
        case resolve
        /// Send feedback.
        case feedback
        /// Everything, including the rollouts' readouts under `/v1/rollouts`.
        case admin
    }

    private var scopesByDigest: [[UInt8]: Set<Scope>]

    public var isEmpty: Bool { scopesByDigest.isEmpty }
    public var count: Int { scopesByDigest.count }

    public init() { scopesByDigest = [:] }

    /// Parses keys from the environment's format (`KEY=scope,scope;…`) or a file's (lines `KEY scope,scope`).
    ///
    /// - Throws: ``PromptLabError`` `usage` naming the entry (never the key) for a short key, an unknown
    ///   scope or a malformed entry.
    public init(parsing text: String, source: String) throws(PromptLabError) {
        scopesByDigest = [:]
        let isFile = text.contains("\n") || !text.contains("=")
        let entries = isFile ? text.split(whereSeparator: \.isNewline).map(String.init) : text.split(separator: ";").map(String.init)
        for (index, raw) in entries.enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let parts =
                isFile
                ? trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                : trimmed.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else {
                throw PromptLabError(
                    .usage, "\(source): entry \(index + 1) is not 'KEY\(isFile ? " " : "=")scope,scope'",
                    hint: "scopes: \(Scope.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let key = parts[0]
            let separators: Set<UInt8> = [UInt8(ascii: "#"), UInt8(ascii: "="), UInt8(ascii: ";"), UInt8(ascii: ",")]
            guard key.utf8.count >= 16, key.utf8.allSatisfy({ $0 > 32 && $0 < 127 && !separators.contains($0) }) else {
                throw PromptLabError(
                    .usage,
                    "\(source): the key of entry \(index + 1) is shorter than 16 characters, not printable ASCII, or holds # = ; or ,",
                    hint: "use at least 16 random characters, such as: openssl rand -hex 24")
            }
            var scopes = Set<Scope>()
            for name in parts[1].split(separator: ",") {
                guard let scope = Scope(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw PromptLabError(
                        .usage, "\(source): entry \(index + 1) has an unknown scope '\(name.prefix(40))'",
                        hint: "scopes: \(Scope.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                scopes.insert(scope)
            }
            scopesByDigest[Self.digest(key), default: []].formUnion(scopes)
        }
    }

    /// The scopes of a presented key; nil for an unknown key.
    public func scopes(of key: String) -> Set<Scope>? {
        scopesByDigest[Self.digest(key)]
    }

    /// Adds a key (the web app's `PROMPTLAB_TOKEN` acts as an admin key).
    public mutating func add(_ key: String, scopes: Set<Scope>) {
        scopesByDigest[Self.digest(key), default: []].formUnion(scopes)
    }

    static func digest(_ key: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(key.utf8)))
    }
}
