import PromptLabCore

/// A prompt's name: its file's path relative to the prompt root, without the
/// `.prompt` extension, such as `support/triage`.
///
/// Construction validates the name, so a `PromptName` can always be turned into
/// a path inside the prompt root: no `..`, no absolute paths, nothing inside `.git`.
public struct PromptName: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The file extension that marks prompt files.
    public static let fileExtension = ".prompt"

    public let rawValue: String

    /// Validates a name typed by a user or found in a reference.
    ///
    /// - Throws: ``PromptLabError`` (`invalidInput`) naming the problem.
    public init(_ raw: String) throws(PromptLabError) {
        var name = raw
        if name.hasSuffix(Self.fileExtension) { name.removeLast(Self.fileExtension.count) }
        if let problem = Self.problem(with: name) {
            throw PromptLabError(
                .invalidInput, "invalid prompt name '\(raw)': \(problem)",
                hint: "use a path relative to the prompt root, such as 'support/triage'")
        }
        rawValue = name
    }

    private static func problem(with name: String) -> String? {
        if name.isEmpty { return "it is empty" }
        if name.hasPrefix("/") || name.hasPrefix("~") { return "absolute paths are not allowed" }
        if name.contains("\\") { return "backslashes are not allowed" }
        if name.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return "control characters are not allowed" }
        for component in name.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty { return "it has an empty path component" }
            if component == "." || component == ".." { return "'.' and '..' are not allowed" }
            if component.lowercased() == ".git" { return "names inside .git are not allowed" }
            if component.hasPrefix(".") { return "hidden path components are not allowed" }
        }
        if name.contains("@") { return "'@' separates a name from a version" }
        return nil
    }

    /// The file path relative to the prompt root, such as `support/triage.prompt`.
    public var relativePath: String { rawValue + Self.fileExtension }

    public var description: String { rawValue }

    public static func < (lhs: PromptName, rhs: PromptName) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The name for a path relative to the prompt root, or nil if the path is not a prompt file.
    public static func fromRelativePath(_ path: String) -> PromptName? {
        guard path.hasSuffix(fileExtension) else { return nil }
        return try? PromptName(path)
    }
}
