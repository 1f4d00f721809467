import Foundation
import PromptLabCore

/// A prompt file together with every partial it includes, directly or not:
/// everything that decides what the prompt renders.
public struct TemplateClosure: Sendable {
    /// Partials are followed at most this deep, which bounds the work on a
    /// hostile or broken repository; rendering reports deeper chains as errors.
    public static let maximumDepth = 32

    public var name: PromptName
    /// The prompt file's bytes.
    public var bytes: [UInt8]
    /// Every partial reached, sorted by name, with its file's bytes; nil when
    /// no such prompt exists (rendering would fail on it).
    public var partials: [(name: PromptName, bytes: [UInt8]?)]

    /// SHA-256 of the prompt file and of every partial with its name, as 64 hex
    /// digits. Line endings and a byte order mark do not count, since they do
    /// not change what is rendered; any other edit anywhere in the closure does.
    public var hash: String {
        var input = Array("promptlab-template-closure 1\n".utf8)
        func add(_ label: String, _ bytes: [UInt8]?) {
            guard let bytes else {
                input += Array("\(label)\n-\n".utf8)
                return
            }
            let normalized = PromptFile.normalizedLineEndings(bytes)
            input += Array("\(label)\n\(normalized.count)\n".utf8)
            input += normalized
        }
        add("", bytes)
        for partial in partials { add(partial.name.rawValue, partial.bytes) }
        return ContentHash.hex(of: input)
    }

    /// Follows a prompt's partials through `read`, which returns a prompt's
    /// bytes or nil when it does not exist.
    public static func collect(
        _ name: PromptName, bytes: [UInt8], read: (PromptName) throws(PromptLabError) -> [UInt8]?
    ) throws(PromptLabError) -> TemplateClosure {
        var found = [PromptName: [UInt8]?]()
        var frontier = PromptFile.partialNames(in: bytes)
        var depth = 0
        while !frontier.isEmpty, depth < maximumDepth {
            var next = [PromptName]()
            for partial in frontier where partial != name && found[partial] == nil {
                var content = try read(partial)
                // Dotprompt's convention: `{{> tone}}` may live in `_tone.prompt`.
                if content == nil, let underscored = partial.dotpromptPartialFile, found[underscored] == nil {
                    content = try read(underscored)
                    if content != nil { found[underscored] = .some(content) }
                }
                found[partial] = .some(content)
                if let content { next += PromptFile.partialNames(in: content) }
            }
            frontier = next
            depth += 1
        }
        let partials = found.keys.sorted().map { (name: $0, bytes: found[$0]!) }  // keys come from `found`.
        return TemplateClosure(name: name, bytes: bytes, partials: partials)
    }
}

extension PromptFile {
    /// The valid partial names a prompt file's body includes, read without
    /// parsing the front matter, so it works on any committed blob, even a
    /// malformed one. Used where many files are scanned (the version index).
    public static func partialNames(in bytes: [UInt8]) -> [PromptName] {
        let normalized = normalizedLineEndings(bytes)
        guard normalized.count >= 3 else { return [] }
        // Quick reject: a partial tag starts with "{{>" or "{{~>".
        var hasTag = false
        for index in 0..<(normalized.count - 2) where normalized[index] == 0x7B && normalized[index + 1] == 0x7B {
            let next = normalized[index + 2]
            if next == 0x3E || (next == 0x7E && index + 3 < normalized.count && normalized[index + 3] == 0x3E) {
                hasTag = true
                break
            }
        }
        guard hasTag else { return [] }
        let text = String(decoding: normalized, as: UTF8.self)
        var body = Substring(text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let isDelimiter = { (line: Substring) in line.trimmingCharacters(in: .whitespaces) == "---" }
        if let opening = lines.firstIndex(where: { !($0.allSatisfy(\.isWhitespace) || $0.hasPrefix("#")) }),
            isDelimiter(lines[opening]),
            let closing = lines[(opening + 1)...].firstIndex(where: isDelimiter)
        {
            body = lines[(closing + 1)...].joined(separator: "\n").trimmedOfWhitespace[...]
        }
        return PromptTemplate.findPartials(in: String(body)).compactMap { try? PromptName($0) }
    }
}

extension PromptName {
    /// Dotprompt's file name for this partial: `shared/_tone` for `shared/tone`; nil when the name already
    /// starts with `_`.
    public var dotpromptPartialFile: PromptName? {
        var components = rawValue.split(separator: "/").map(String.init)
        guard let last = components.popLast(), !last.hasPrefix("_") else { return nil }
        return try? PromptName((components + ["_" + last]).joined(separator: "/"))
    }
}
