import Foundation
import Handlebars
import PromptLabCore

/// Checks a prompt's body before it is committed, so mistakes that would only surface at `render` or
/// `run` time are caught at `commit`:
///
/// - a partial that will not exist in the commit (`{{> shared/styel}}`);
/// - a variable the body uses but `input.schema` does not declare, when the prompt declares a schema
///   (`{{emial}}` beside `email: string`);
/// - nesting deeper than ``PromptTemplate/maximumNesting`` counting through partials;
/// - a tag with unbalanced braces that would be sent as text (`{name}}`, `{{name}}}`).
///
/// Partials are checked where they are included, so their variables are held to the including prompt's
/// schema (plus the keys the tag passes, `{{> card name=customer}}`), and inside blocks as the block sees
/// them. Errors cite `file:line:col` and suggest the nearest known name.
public struct TemplateCheck {
    /// Finds a partial as it will be after the commit; nil when it will not exist.
    public typealias Lookup = (PromptName) throws(PromptLabError) -> PromptFile?

    private let lookup: Lookup
    /// Every prompt name known anywhere (committed or on disk), for suggestions.
    private let knownNames: [String]
    /// Whether a prompt the lookup did not find exists on disk all the same.
    private let isOnDisk: (PromptName) -> Bool

    /// The helpers prompt bodies can call, besides Handlebars' built-in ones.
    static let helperNames = Set(DotpromptHelpers.all.keys)

    /// - Parameters:
    ///   - lookup: finds a partial as it will be after the commit.
    ///   - knownNames: every prompt name, for suggestions.
    ///   - isOnDisk: whether a partial the lookup did not find is on disk, for a precise hint.
    public init(partials lookup: @escaping Lookup, knownNames: [String], isOnDisk: @escaping (PromptName) -> Bool = { _ in false }) {
        self.lookup = lookup
        self.knownNames = knownNames
        self.isOnDisk = isOnDisk
    }

    /// A partial checked at a depth with the names it sees; checking it there again finds nothing new.
    private struct Visit: Hashable {
        var name: String
        var depth: Int
        var visible: Set<String>?
    }

    /// Checks `file`'s body and, through it, every partial it includes.
    ///
    /// - Throws: ``PromptLabError`` (`invalidInput`) with a `did you mean` hint where one fits.
    public func check(_ file: PromptFile) throws(PromptLabError) {
        let front = file.frontMatter
        let declared: Set<String>? =
            front.raw["input"]?["schema"] == nil
            ? nil : Set(front.inputVariables.map(\.name) + front.inputDefaults.map(\.key) + ["examples"])
        var visited = Set<Visit>()
        try check(file.template, of: file, root: file, declared: declared, chain: [file.name.rawValue], depth: 0, visited: &visited)
    }

    private func check(
        _ template: PromptTemplate, of file: PromptFile, root: PromptFile, declared: Set<String>?, chain: [String], depth: Int,
        visited: inout Set<Visit>
    ) throws(PromptLabError) {
        let noVerify = "or commit with --no-verify to skip these checks"
        func fail(_ line: Int, _ column: Int, _ message: String, hint: String) -> PromptLabError {
            let via = chain.count > 1 ? " (included by \(chain.dropLast().joined(separator: " → ")))" : ""
            return PromptLabError(.invalidInput, "\(template.location(line: line, column: column)): \(message)\(via)", hint: hint)
        }
        if depth + template.parsed.nestingDepth > PromptTemplate.maximumNesting {
            throw fail(
                1, 1, "blocks nest more than \(PromptTemplate.maximumNesting) deep counting through partials",
                hint: "flatten the template or its partials, \(noVerify)")
        }
        try checkBraces(
            template.text,
            fail: { index, text in
                let before = template.text[..<index]
                let line = 1 + before.reduce(0) { $0 + ($1 == "\n" ? 1 : 0) }
                let column =
                    before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
                return fail(
                    line, column, "unbalanced braces in '\(text)', which would be sent as text",
                    hint: "write the tag as {{name}}, \(noVerify)")
            })
        let outline = template.parsed.outline(helpers: Self.helperNames)
        if let declared {
            for use in outline.variables {
                guard let visible = visibleNames(for: use.contexts, declared: declared, front: root.frontMatter) else { continue }
                if visible.contains(use.name) { continue }
                let suggestion = Suggestion.phrase(for: use.name, in: visible.subtracting(["examples"]))
                throw fail(
                    use.line, use.column, "variable '\(use.name)' is not declared in input.schema\(suggestion)",
                    hint: "declare it under input.schema, fix the tag, \(noVerify)")
            }
        }
        for partial in outline.partials {
            let raw = partial.name
            let suggestion = Suggestion.phrase(for: raw, in: knownNames)
            guard let name = try? PromptName(raw) else {
                throw fail(
                    partial.line, partial.column, "invalid partial name '\(raw)'\(suggestion)", hint: "fix the {{> NAME}} tag, \(noVerify)")
            }
            if chain.contains(raw) {
                throw fail(
                    partial.line, partial.column, "partial '\(raw)' includes itself (\((chain + [raw]).joined(separator: " → ")))",
                    hint: "remove one of the {{> …}} tags, \(noVerify)")
            }
            guard chain.count < TemplateClosure.maximumDepth else {
                throw fail(
                    partial.line, partial.column, "partials nest more than \(TemplateClosure.maximumDepth) deep",
                    hint: "flatten the includes, \(noVerify)")
            }
            guard let included = try Self.find(name, lookup: lookup) else {
                if isOnDisk(name) {
                    throw fail(
                        partial.line, partial.column, "partial '\(name)' exists on disk but is neither committed nor part of this commit",
                        hint: "commit it too (promptlab commit \(chain[0]) \(name) -m MESSAGE), \(noVerify)")
                }
                throw fail(
                    partial.line, partial.column, "unknown partial '\(name)'\(suggestion)",
                    hint: "create and commit \(name.relativePath), fix the {{> \(raw)}} tag, \(noVerify)")
            }
            // The partial sees what the tag sees, plus the keys its hash passes; past a context change it
            // cannot be checked.
            var partialDeclared: Set<String>? = nil
            if let declared, let visible = visibleNames(for: partial.contexts, declared: declared, front: root.frontMatter) {
                partialDeclared = visible.union(partial.hashKeys)
            }
            let partialDepth = depth + partial.depth + 1
            if visited.insert(Visit(name: raw, depth: partialDepth, visible: partialDeclared)).inserted {
                try check(
                    included.template, of: included, root: root, declared: partialDeclared, chain: chain + [raw], depth: partialDepth,
                    visited: &visited)
            }
        }
    }

    /// The names visible inside `contexts`, or nil when they cannot be known (anything goes).
    private func visibleNames(
        for contexts: [TemplateOutline.ContextChange], declared: Set<String>, front: FrontMatter
    ) -> Set<String>? {
        var visible = declared
        for (index, context) in contexts.enumerated() {
            let atRoot = index == 0
            switch context {
            case .unknown: return nil
            case .each(let path), .with(let path), .section(let path):
                guard atRoot,
                    let fields = fields(of: path, front: front, isSection: { if case .section = context { true } else { false } }())
                else { return nil }
                switch fields {
                case .transparent: continue
                case .names(let names): visible = names
                case .anything: return nil
                }
            }
        }
        return visible
    }

    private enum Fields {
        case transparent
        case names(Set<String>)
        case anything
    }

    /// What a block over the root variable `path` makes visible inside it.
    private func fields(of path: String, front: FrontMatter, isSection: Bool) -> Fields? {
        if path == "examples" { return .names(["input", "output"]) }
        guard !path.contains("."), let variable = front.inputVariables.first(where: { $0.name == path }) else { return .anything }
        switch variable.schema {
        case .object(let fields) where !fields.isEmpty, .array(.object(let fields)) where !fields.isEmpty:
            return .names(Set(fields.map(\.name)))
        case .any, .object, .array(.any), .array(.object), .array(.array): return .anything
        default: return isSection ? .transparent : .anything
        }
    }

    /// Finds `{name}}` (one brace short) and `{{name}}}` (one too many) in text outside tags.
    private func checkBraces(
        _ source: String, fail: (String.Index, String) -> PromptLabError
    ) throws(PromptLabError) {
        let nameCharacters = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_#^/&>~@")
        var index = source.startIndex
        while index < source.endIndex {
            guard source[index] == "{" else {
                index = source.index(after: index)
                continue
            }
            let previous = index > source.startIndex ? source[source.index(before: index)] : nil
            let next = source.index(after: index)
            if next < source.endIndex, source[next] == "{" {
                // A real tag: skip it, then look for a stray third closing brace.
                let triple = source.index(after: next) < source.endIndex && source[source.index(after: next)] == "{"
                guard let close = source[next...].range(of: triple ? "}}}" : "}}") else { return }
                if !triple, close.upperBound < source.endIndex, source[close.upperBound] == "}" {
                    throw fail(index, String(source[index...close.upperBound]))
                }
                index = close.upperBound
                continue
            }
            if previous != "{" {
                let name = source[next...].prefix { nameCharacters.contains($0) }
                if !name.isEmpty, source[name.endIndex...].hasPrefix("}}") {
                    throw fail(index, String(source[index..<source.index(name.endIndex, offsetBy: 2)]))
                }
            }
            index = next
        }
    }

    /// The prompt a partial tag names: `name.prompt`, or Dotprompt's `_name.prompt` beside it.
    static func find(_ name: PromptName, lookup: Lookup) throws(PromptLabError) -> PromptFile? {
        if let file = try lookup(name) { return file }
        return try name.dotpromptPartialFile.flatMap { (file: PromptName) throws(PromptLabError) in try lookup(file) }
    }
}
