import Foundation
import Handlebars
import PromptLabCore
import Synchronization

/// A prompt body: Handlebars text, as Dotprompt reads it, split into messages by `{{role "…"}}` and
/// `{{history}}` when rendered.
///
/// The body is parsed once into a syntax tree (cached per body text, see ``TemplateCache``); rendering
/// inserts values as data, never as template text, and Dotprompt's helpers produce markers that no value
/// can forge (see ``MessageAssembly``).
public struct PromptTemplate: Sendable {
    /// The body text as written in the file.
    public let source: String
    /// Blocks, inverted sections and subexpressions nest at most this deep in one template; rendering
    /// recurses once per level.
    public static let maximumNesting = 100

    /// The names of prompts this body includes with `{{> name}}`, in order of first use.
    public let partialNames: [String]

    /// The file path, and where the parsed text starts in the file, for error messages.
    let displayPath: String
    let firstLine: Int
    let firstColumn: Int
    /// The parsed body.
    let parsed: Template
    /// The text that was parsed: the body, trimmed when it follows front matter.
    let text: String

    /// Parses and checks a body.
    ///
    /// - Parameters:
    ///   - trimmed: Whether to drop leading and trailing whitespace first, as Dotprompt does for a body that
    ///     follows front matter.
    /// - Throws: ``PromptLabError`` (`invalidInput`) citing `file:line:col` for a syntax error.
    public init(source: String, displayPath: String, firstLine: Int, trimmed: Bool = false) throws(PromptLabError) {
        self.source = source
        self.displayPath = displayPath
        var text = Substring(source)
        var line = firstLine
        var column = 1
        if trimmed {
            let start = text.firstIndex { !$0.isWhitespace } ?? text.endIndex
            let skipped = text[..<start]
            let newlines = skipped.reduce(0) { $0 + ($1 == "\n" ? 1 : 0) }
            line += newlines
            column += skipped.count - ((skipped.lastIndex(of: "\n").map { skipped.distance(from: skipped.startIndex, to: $0) + 1 }) ?? 0)
            text = text[start...]
            if let end = text.lastIndex(where: { !$0.isWhitespace }) { text = text[...end] }
        }
        self.firstLine = line
        self.firstColumn = column
        self.text = String(text)
        do {
            parsed = try TemplateCache.shared.template(for: self.text)
        } catch {
            throw PromptLabError(
                .invalidInput,
                "\(displayPath):\(Self.fileLine(error.line, line)):\(Self.fileColumn(error.line, error.column, column)): template error: \(error.message)",
                hint: "fix the template syntax (Handlebars, as Dotprompt uses it; see docs/prompt-format.md)")
        }
        // A role the template names literally is checked now, so `commit` catches `{{role "robot"}}`.
        for call in parsed.outline(helpers: TemplateCheck.helperNames).helperCalls where call.name == "role" {
            guard case .string(let role)?? = call.literalParameters.first, MessageRole(dotpromptName: role) == nil else { continue }
            throw PromptLabError(
                .invalidInput,
                "\(displayPath):\(Self.fileLine(call.line, line)):\(Self.fileColumn(call.line, call.column, column)): expected {{role \"system\"}}, {{role \"user\"}} or {{role \"model\"}} (or \"assistant\"), found {{role \"\(role)\"}}",
                hint: "use one of the roles Dotprompt defines")
        }
        var seen = Set<String>()
        partialNames = parsed.partials.map(\.name).filter { seen.insert($0).inserted }
    }

    /// `file:line:col` for a position in the parsed text.
    func location(line: Int, column: Int) -> String {
        "\(displayPath):\(Self.fileLine(line, firstLine)):\(Self.fileColumn(line, column, firstColumn))"
    }

    private static func fileLine(_ line: Int, _ first: Int) -> Int { first + max(line, 1) - 1 }
    private static func fileColumn(_ line: Int, _ column: Int, _ firstColumn: Int) -> Int {
        line <= 1 ? firstColumn + max(column, 1) - 1 : column
    }

    /// The partials a body includes, read with the same parser; empty for a body that does not parse.
    static func findPartials(in source: String) -> [String] {
        guard let template = try? TemplateCache.shared.template(for: source) else { return [] }
        var seen = Set<String>()
        return template.partials.map(\.name).filter { seen.insert($0).inserted }
    }
}

/// Parsed templates by their text, so a body that many prompts, versions or requests share is parsed once
/// per process. Bounded: when full it starts over.
final class TemplateCache: Sendable {
    static let shared = TemplateCache()
    static let capacity = 512

    private let templates = Mutex([String: Template]())

    func template(for text: String) throws(TemplateSyntaxError) -> Template {
        if let cached = templates.withLock({ $0[text] }) { return cached }
        let template = try Template(text, limits: PromptRenderer.limits)
        templates.withLock { cache in
            if cache.count >= Self.capacity { cache.removeAll(keepingCapacity: true) }
            cache[text] = template
        }
        return template
    }
}
