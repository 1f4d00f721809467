import GitKit
import PromptFormat
import PromptLabCore

/// A reference to one version of a prompt, as typed by a user:
///
/// - `NAME` — the latest committed version;
/// - `NAME@vN` — version N (1-based along first-parent history);
/// - `NAME@LABEL` — the version a label points at, such as `production`;
/// - `NAME@SHA` — the version at a commit, by an id prefix of at least 4 hex digits;
/// - `NAME@working` — the file on disk.
public struct PromptReference: Sendable, Hashable, CustomStringConvertible {
    public enum Selector: Sendable, Hashable {
        case latest
        case working
        case version(Int)
        /// A label or commit prefix; which one is decided against the repository.
        case revision(String)
    }

    public var name: PromptName
    public var selector: Selector

    public init(name: PromptName, selector: Selector) {
        self.name = name
        self.selector = selector
    }

    /// Parses `NAME[@REF]`.
    ///
    /// - Throws: ``PromptLabError`` (`invalidInput`) for an invalid name or an empty ref.
    public init(parsing text: String) throws(PromptLabError) {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        name = try PromptName(String(parts[0]))
        guard parts.count == 2 else {
            selector = .latest
            return
        }
        selector = try Self.selector(String(parts[1]), in: text)
    }

    /// Parses the part after `@`.
    static func selector(_ ref: String, in text: String) throws(PromptLabError) -> Selector {
        if ref.isEmpty {
            throw PromptLabError(
                .invalidInput, "'\(text)' has an empty version after '@'",
                hint: "use NAME@vN, NAME@LABEL, NAME@SHA or NAME@working")
        }
        if ref == "working" { return .working }
        if ref == "latest" || ref == "HEAD" { return .latest }
        if ref.first == "v", let number = Int(ref.dropFirst()), ref.dropFirst().allSatisfy(\.isNumber) {
            guard number >= 1 else {
                throw PromptLabError(.invalidInput, "'\(text)': versions are numbered from v1")
            }
            return .version(number)
        }
        return .revision(ref)
    }

    public var description: String {
        switch selector {
        case .latest: name.rawValue
        case .working: "\(name)@working"
        case .version(let n): "\(name)@v\(n)"
        case .revision(let r): "\(name)@\(r)"
        }
    }
}

/// One resolved version of a prompt: its content and where it came from.
public struct PromptVersion: Sendable {
    public var name: PromptName
    /// The version number, or nil for the working file (or a commit off first-parent history).
    public var number: Int?
    /// The commit, or nil for the working file.
    public var record: VersionRecord?
    /// The file's bytes.
    public var bytes: [UInt8]

    public init(name: PromptName, number: Int?, record: VersionRecord?, bytes: [UInt8]) {
        self.name = name
        self.number = number
        self.record = record
        self.bytes = bytes
    }

    /// Whether this is the file on disk rather than a committed version.
    public var isWorking: Bool { record == nil }

    /// A short label such as `v3 (1a2b3c4)` or `working`.
    public var label: String {
        guard let record else { return "working" }
        if let number { return "v\(number) (\(record.commit.short()))" }
        return record.commit.short()
    }

    /// The path shown in messages, such as `support/triage.prompt@v3`.
    public var displayPath: String {
        guard record != nil else { return name.relativePath }
        if let number { return "\(name.relativePath)@v\(number)" }
        return "\(name.relativePath)@\(record!.commit.short())"  // record checked above.
    }

    /// Parses the content as a prompt file.
    public func parse() throws(PromptLabError) -> PromptFile {
        try PromptFile.parse(bytes, name: name, displayPath: displayPath)
    }
}
