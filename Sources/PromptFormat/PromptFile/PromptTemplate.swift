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
    /// Sections, inverted sections, parents and blocks nest at most this deep,
    /// counting through partials: rendering recurses once per level.
    public static let maximumNesting = 100

    /// The names of prompts this body includes with `{{> name}}` or as a parent (`{{< name}}`).
    public let partialNames: [String]
    /// The body as swift-mustache parses it: role markers blanked to spaces,
    /// lines and columns unchanged.
    let mustacheText: String

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
            blanked += String(source[range.lowerBound..<close.upperBound].map { $0 == "\n" ? "\n" : " " })
            rest = afterOpen[close.upperBound...]
        }
        pieces.append(.text(String(rest)))
        blanked += rest
        self.pieces = pieces
        mustacheText = blanked

        // swift-mustache parses sections recursively: refuse deep nesting before it sees the text.
        let tags = TemplateTags(blanked, depthLimit: Self.maximumNesting)
        try Self.checkTags(tags, in: blanked, displayPath: displayPath, firstLine: firstLine)
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
        partialNames = tags.includedNames
    }

    /// Refuses what swift-mustache would accept but PromptLab cannot check or
    /// bound: nesting deeper than ``maximumNesting``, dynamic partials
    /// (`{{>*name}}`, whose name is a variable) and partial tags without a name.
    static func checkTags(
        _ tags: TemplateTags, in text: String, displayPath: String, firstLine: Int
    ) throws(PromptLabError) {
        for tag in tags.tags {
            if tag.depth > maximumNesting {
                throw error(
                    displayPath, firstLine, text, at: tag.position,
                    "sections nest more than \(maximumNesting) deep", hint: "flatten the template, or move part of it into a partial")
            }
            switch tag.kind {
            case .partial(dynamic: true), .parent(dynamic: true):
                throw error(
                    displayPath, firstLine, text, at: tag.position,
                    "dynamic partials ({{>*\(tag.name)}}) are not supported: PromptLab must know every partial a prompt includes",
                    hint: "name the partial: {{> shared/name}}")
            case .partial, .parent:
                if tag.name.isEmpty {
                    throw error(
                        displayPath, firstLine, text, at: tag.position, "a partial tag needs a prompt name",
                        hint: "write {{> shared/name}}")
                }
            default: continue
            }
        }
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

    /// The partials and parents a body includes, as swift-mustache reads its
    /// tags (set-delimiter tags included).
    static func findPartials(in source: String) -> [String] {
        TemplateTags(blankingRoleMarkers(source), depthLimit: maximumNesting).includedNames
    }

    /// `source` with each `{{role ...}}` marker turned into spaces (newlines
    /// kept), as `init` does before parsing, without checking the markers.
    static func blankingRoleMarkers(_ source: String) -> String {
        var blanked = ""
        var rest = source[...]
        while let range = rest.range(of: "{{") {
            let afterOpen = rest[range.upperBound...]
            let trimmed = afterOpen.drop { $0 == " " }
            guard trimmed.hasPrefix("role"), trimmed.dropFirst(4).first.map({ $0 == " " || $0 == "}" }) ?? false,
                let close = afterOpen.range(of: "}}")
            else {
                blanked += rest[..<afterOpen.startIndex]
                rest = afterOpen
                continue
            }
            blanked += rest[..<range.lowerBound]
            blanked += String(rest[range.lowerBound..<close.upperBound].map { $0 == "\n" ? "\n" : " " })
            rest = afterOpen[close.upperBound...]
        }
        return blanked + rest
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
        _ path: String, _ firstLine: Int, _ source: String, at index: String.Index, _ message: String,
        hint: String = "fix the template and try again"
    ) -> PromptLabError {
        let before = source[..<index]
        let line = firstLine + before.filter { $0 == "\n" }.count
        let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
        return PromptLabError(.invalidInput, "\(path):\(line):\(column): \(message)", hint: hint)
    }
}
