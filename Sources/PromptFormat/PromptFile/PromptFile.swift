import Foundation
import PromptLabCore

/// A parsed `.prompt` file: front matter plus a template body.
public struct PromptFile: Sendable {
    /// Prompt files larger than this are refused.
    public static let maximumSize = 1 << 20

    public var name: PromptName
    public var frontMatter: FrontMatter
    public var template: PromptTemplate
    /// The file's bytes as stored.
    public var bytes: [UInt8]

    /// The body text after the front matter.
    public var body: String { template.source }

    /// Parses and validates a prompt file.
    ///
    /// - Parameters:
    ///   - displayPath: the path shown in error messages, such as `support/triage.prompt` or `support/triage.prompt@v3`.
    /// - Throws: ``PromptLabError`` (`invalidInput`) for a file over 1 MiB, bytes that
    ///   are not UTF-8, malformed front matter or a malformed template, citing `file:line:col`.
    ///   - schemas: Named schemas for Picoschema types such as `Customer` (Genkit defines them in code; PromptLab
    ///     has no registry of its own yet, so only callers that have them pass them).
    public static func parse(
        _ bytes: [UInt8], name: PromptName, displayPath: String, schemas: Picoschema.SchemaResolver? = nil
    ) throws(PromptLabError) -> PromptFile {
        guard bytes.count <= maximumSize else {
            throw PromptLabError(
                .invalidInput,
                "\(displayPath): file is \(bytes.count) bytes; prompt files are limited to 1 MiB (\(maximumSize) bytes)",
                hint: "split the prompt into smaller prompts and include them as partials")
        }
        let normalized = normalizedLineEndings(bytes)
        guard let text = String(validating: normalized, as: UTF8.self) else {
            let (line, column) = firstInvalidUTF8Position(normalized)
            throw PromptLabError(
                .invalidInput, "\(displayPath):\(line):\(column): file is not valid UTF-8",
                hint: "save the file as UTF-8")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var frontMatter = FrontMatter()
        var bodyStartLine = 1
        var body = Substring(text)
        // Like Dotprompt, blank lines and `#` comment lines (a license header) may come before the front matter.
        let opening = lines.firstIndex { !($0.allSatisfy(\.isWhitespace) || $0.hasPrefix("#")) }
        var hasFrontMatter = false
        if let opening, isDelimiter(lines[opening]) {
            guard let closing = lines[(opening + 1)...].firstIndex(where: isDelimiter) else {
                throw PromptLabError(
                    .invalidInput, "\(displayPath):\(opening + 1):1: front matter opened with '---' is never closed",
                    hint: "end the front matter with a line containing only '---'")
            }
            let yaml = lines[(opening + 1)..<closing].joined(separator: "\n")
            frontMatter = try FrontMatterParser(displayPath: displayPath, lineOffset: opening + 1, schemas: schemas).parse(yaml)
            bodyStartLine = closing + 2
            body = lines[(closing + 1)...].joined(separator: "\n")[...]
            hasFrontMatter = true
        }
        // Dotprompt trims a body that follows front matter; a file without front matter is used as it is.
        let template = try PromptTemplate(
            source: String(body), displayPath: displayPath, firstLine: bodyStartLine, trimmed: hasFrontMatter)
        return PromptFile(name: name, frontMatter: frontMatter, template: template, bytes: bytes)
    }

    /// The bytes with a leading UTF-8 byte order mark removed and every line
    /// ending (`\r\n`, or a lone `\r`) turned into `\n`.
    ///
    /// Everything after this works on `\n` alone. Swift treats `"\r\n"` as one
    /// `Character`, so splitting a `String` on `"\n"` would never split a
    /// Windows file. Each line ending becomes exactly one `\n`, and the mark sits
    /// before the first line, so lines and columns stay those of the file as an
    /// editor shows it.
    public static func normalizedLineEndings(_ bytes: [UInt8]) -> [UInt8] {
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        guard start > 0 || bytes.contains(0x0D) else { return bytes }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count - start)
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D {
                out.append(0x0A)
                if index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
            } else {
                out.append(byte)
            }
            index += 1
        }
        return out
    }

    private static func isDelimiter(_ line: Substring) -> Bool {
        line.trimmingCharacters(in: .whitespacesAndNewlines) == "---"
    }

    /// Line and column (1-based, counting bytes) of the first byte that breaks UTF-8.
    private static func firstInvalidUTF8Position(_ bytes: [UInt8]) -> (Int, Int) {
        var line = 1
        var lineStart = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length: Int
            switch byte {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return (line, index - lineStart + 1)
            }
            if index + length > bytes.count { return (line, index - lineStart + 1) }
            if length > 1, String(validating: bytes[index..<index + length], as: UTF8.self) == nil {
                return (line, index - lineStart + 1)
            }
            if byte == 0x0A {
                line += 1
                lineStart = index + 1
            }
            index += length
        }
        return (line, index - lineStart + 1)
    }
}
