import Foundation
internal import Mustache
import PromptLabCore

/// The role of a chat message.
public enum MessageRole: String, Sendable, Hashable, Codable, CaseIterable {
    case system, user, assistant
}

/// One rendered chat message.
public struct PromptMessage: Sendable, Hashable, Codable {
    public var role: MessageRole
    public var content: String

    public init(role: MessageRole, content: String) {
        self.role = role
        self.content = content
    }
}

/// A prompt body: Mustache text split into messages by `{{role "..."}}` markers.
///
/// Role markers are found in the template *source* and replaced by a random
/// sentinel before Mustache runs, so a variable's value can never start a new
/// message, and values are inserted as plain text, never parsed as template text.
public struct PromptTemplate: Sendable {
    /// The body text as written.
    public let source: String
    /// The names of prompts this body includes with `{{> name}}`.
    public let partialNames: [String]

    /// The file path and the file line the body starts on, for error messages.
    let displayPath: String
    let firstLine: Int
    /// The source with role markers replaced by placeholders; see `render`.
    private let pieces: [Piece]

    private enum Piece: Sendable {
        case text(String)
        case role(MessageRole)
    }

    /// Parses and checks a body.
    ///
    /// - Throws: ``PromptLabError`` (`invalidInput`) citing `file:line:col` for an
    ///   unknown role or a Mustache syntax error.
    public init(source: String, displayPath: String, firstLine: Int) throws(PromptLabError) {
        self.source = source
        self.displayPath = displayPath
        self.firstLine = firstLine
        var pieces = [Piece]()
        var blanked = ""  // markers replaced by spaces, so Mustache errors keep their columns
        var rest = source[...]
        while let range = rest.range(of: "{{") {
            let afterOpen = rest[range.upperBound...]
            let trimmed = afterOpen.drop { $0 == " " }
            guard trimmed.hasPrefix("role"), trimmed.dropFirst(4).first.map({ $0 == " " || $0 == "}" }) ?? false else {
                let next = afterOpen.startIndex
                pieces.append(.text(String(rest[..<next])))
                blanked += rest[..<next]
                rest = rest[next...]
                continue
            }
            pieces.append(.text(String(rest[..<range.lowerBound])))
            blanked += rest[..<range.lowerBound]
            guard let close = afterOpen.range(of: "}}") else {
                throw Self.error(displayPath, firstLine, source, at: range.lowerBound, "role marker is missing its closing '}}'")
            }
            let inner = afterOpen[..<close.lowerBound].trimmingCharacters(in: .whitespaces).dropFirst(4)
                .trimmingCharacters(in: .whitespaces)
            guard inner.count >= 2, inner.first == "\"", inner.last == "\"",
                let role = MessageRole(rawValue: String(inner.dropFirst().dropLast()))
            else {
                throw Self.error(
                    displayPath, firstLine, source, at: range.lowerBound,
                    "expected {{role \"system\"}}, {{role \"user\"}} or {{role \"assistant\"}}, found {{role \(inner)}}")
            }
            pieces.append(.role(role))
            blanked += String(repeating: " ", count: source[range.lowerBound..<close.upperBound].count)
            rest = afterOpen[close.upperBound...]
        }
        pieces.append(.text(String(rest)))
        blanked += rest
        self.pieces = pieces

        do {
            _ = try MustacheTemplate(string: String(blanked))
        } catch let error as MustacheTemplate.ParserError {
            let line = firstLine + error.context.lineNumber - 1
            throw PromptLabError(
                .invalidInput,
                "\(displayPath):\(line):\(error.context.columnNumber): template error: \(Self.describe(error.error))",
                hint: "fix the Mustache syntax and try again")
        } catch {
            throw PromptLabError(.invalidInput, "\(displayPath):\(firstLine):1: template error: \(error)")
        }
        partialNames = Self.findPartials(in: source)
    }

    /// The body with role markers replaced by `sentinel(role)`, ready for Mustache.
    func mustacheSource(sentinel: (MessageRole) -> String) -> String {
        var text = "{{% CONTENT_TYPE: TEXT}}"
        for piece in pieces {
            switch piece {
            case .text(let t): text += t
            case .role(let role): text += sentinel(role)
            }
        }
        return text
    }

    static func findPartials(in source: String) -> [String] {
        var names = [String]()
        var rest = source[...]
        while let open = rest.range(of: "{{>") {
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "}}") else { break }
            let name = after[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if !name.isEmpty, !names.contains(name) { names.append(name) }
            rest = after[close.upperBound...]
        }
        return names
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect: "a section is closed with a different name than it was opened with"
        case .unfinishedName: "a tag is not closed with '}}'"
        case .expectedSectionEnd: "a section is never closed ({{/name}} missing)"
        case .invalidSetDelimiter: "malformed set-delimiter tag"
        case .invalidConfigVariableSyntax, .unrecognisedConfigVariable: "unrecognised {{% pragma}}"
        default: "\(error)"
        }
    }

    private static func error(
        _ path: String, _ firstLine: Int, _ source: String, at index: String.Index, _ message: String
    ) -> PromptLabError {
        let before = source[..<index]
        let line = firstLine + before.filter { $0 == "\n" }.count
        let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
        return PromptLabError(.invalidInput, "\(path):\(line):\(column): \(message)", hint: "fix the template and try again")
    }
}
