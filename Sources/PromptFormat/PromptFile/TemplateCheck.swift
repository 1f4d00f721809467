import Foundation
import PromptLabCore

/// Checks a prompt's body before it is committed, so mistakes that would only
/// surface at `render` or `run` time are caught at `commit`:
///
/// - a partial that will not exist in the commit (`{{> shared/styel}}`);
/// - a variable the body uses but `input.schema` does not declare, when the
///   prompt declares a schema (`{{emial}}` beside `email: string`);
/// - a tag with unbalanced braces that Mustache would send as text (`{name}}`,
///   `{{name}}}`).
///
/// Partials are checked where they are included, so their variables are held
/// to the including prompt's schema, and inside sections as the section sees
/// them. Errors cite `file:line:col` and suggest the nearest known name.
public struct TemplateCheck {
    /// Finds a partial as it will be after the commit; nil when it will not exist.
    public typealias Lookup = (PromptName) throws(PromptLabError) -> PromptFile?

    private let lookup: Lookup
    /// Every prompt name known anywhere (committed or on disk), for suggestions.
    private let knownNames: [String]

    /// Whether a prompt the lookup did not find exists on disk all the same.
    private let isOnDisk: (PromptName) -> Bool

    /// - Parameters:
    ///   - lookup: finds a partial as it will be after the commit.
    ///   - knownNames: every prompt name, for suggestions.
    ///   - isOnDisk: whether a partial the lookup did not find is on disk, for a precise hint.
    public init(partials lookup: @escaping Lookup, knownNames: [String], isOnDisk: @escaping (PromptName) -> Bool = { _ in false }) {
        self.lookup = lookup
        self.knownNames = knownNames
        self.isOnDisk = isOnDisk
    }

    /// What a section makes visible to the names inside it.
    private enum Scope: Hashable {
        /// Nothing new (a boolean or text value, or an inverted section).
        case transparent
        /// These fields of the item (an object, or a list of objects with known fields).
        case fields(Set<String>)
        /// Anything: fields that cannot be known.
        case anything
    }

    /// A partial checked at a depth in a context; checking it there again finds nothing new.
    private struct Visit: Hashable {
        var name: PromptName
        var depth: Int
        var scopes: [Scope]
    }

    /// Checks `file`'s body and, through it, every partial it includes.
    ///
    /// - Throws: ``PromptLabError`` (`invalidInput`) with a `did you mean` hint where one fits.
    public func check(_ file: PromptFile) throws(PromptLabError) {
        let front = file.frontMatter
        let declared: Set<String>? =
            front.raw["input"]?["schema"] == nil
            ? nil : Set(front.inputVariables.map(\.name) + front.inputDefaults.map(\.key) + ["examples"])
        var scopes = [Scope]()
        var visited = Set<Visit>()
        try check(
            file.template, of: file, declared: declared, scopes: &scopes, chain: [file.name], depth: 0, visited: &visited)
    }

    /// Checks one template; `depth` is how deeply the tag including it is nested, counting through partials.
    private func check(
        _ template: PromptTemplate, of file: PromptFile, declared: Set<String>?, scopes: inout [Scope],
        chain: [PromptName], depth: Int, visited: inout Set<Visit>
    ) throws(PromptLabError) {
        let source = template.mustacheText
        func fail(_ index: String.Index, _ message: String, hint: String) -> PromptLabError {
            let before = source[..<index]
            let line = template.firstLine + before.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            let lineStart = before.lastIndex(of: "\n").map { source.index(after: $0) } ?? source.startIndex
            let column = source[lineStart..<index].count + 1
            let via = chain.count > 1 ? " (included by \(chain.dropLast().map(\.rawValue).joined(separator: " → ")))" : ""
            return PromptLabError(
                .invalidInput, "\(template.displayPath):\(line):\(column): \(message)\(via)", hint: hint)
        }
        let noVerify = "or commit with --no-verify to skip these checks"

        try checkBraces(
            source,
            fail: { index, text in
                fail(
                    index, "unbalanced braces in '\(text)', which Mustache would send as text",
                    hint: "write the tag as {{name}}, \(noVerify)")
            })

        for tag in TemplateTags(source, depthLimit: PromptTemplate.maximumNesting).tags {
            let position = tag.position
            if depth + tag.depth > PromptTemplate.maximumNesting {
                throw fail(
                    position, "sections nest more than \(PromptTemplate.maximumNesting) deep counting through partials",
                    hint: "flatten the template or its partials, \(noVerify)")
            }
            switch tag.kind {
            case .comment, .pragma, .setDelimiter: continue
            case .partial, .parent:
                let raw = tag.name
                let suggestion = Suggestion.phrase(for: raw, in: knownNames)
                guard let name = try? PromptName(raw) else {
                    throw fail(position, "invalid partial name '\(raw)'\(suggestion)", hint: "fix the {{> NAME}} tag, \(noVerify)")
                }
                if chain.contains(name) {
                    throw fail(
                        position, "partial '\(name)' includes itself (\((chain + [name]).map(\.rawValue).joined(separator: " → ")))",
                        hint: "remove one of the {{> ...}} tags, \(noVerify)")
                }
                guard chain.count < TemplateClosure.maximumDepth else {
                    throw fail(
                        position, "partials nest more than \(TemplateClosure.maximumDepth) deep", hint: "flatten the includes, \(noVerify)")
                }
                guard let partial = try lookup(name) else {
                    if isOnDisk(name) {
                        throw fail(
                            position, "partial '\(name)' exists on disk but is neither committed nor part of this commit",
                            hint: "commit it too (promptlab commit \(chain[0]) \(name) -m MESSAGE), \(noVerify)")
                    }
                    throw fail(
                        position, "unknown partial '\(name)'\(suggestion)",
                        hint: "create and commit \(name.relativePath), fix the {{> \(raw)}} tag, \(noVerify)")
                }
                if case .parent = tag.kind { scopes.append(.transparent) }
                let partialDepth = depth + tag.depth + 1
                if visited.insert(Visit(name: name, depth: partialDepth, scopes: scopes)).inserted {
                    try check(
                        partial.template, of: partial, declared: declared, scopes: &scopes, chain: chain + [name],
                        depth: partialDepth, visited: &visited)
                }
            case .close:
                _ = scopes.popLast()
            case .block:
                scopes.append(.transparent)
            case .section, .invertedSection:
                guard let name = Self.rootName(tag.name[...]) else {
                    scopes.append(.anything)
                    continue
                }
                try checkVariable(name, at: position, declared: declared, scopes: scopes, fail: fail)
                scopes.append(tag.kind == .invertedSection ? .transparent : scope(of: name, in: file.frontMatter, scopes: scopes))
            case .variable, .unescapedVariable:
                guard let root = Self.rootName(tag.name[...]) else { continue }
                try checkVariable(root, at: position, declared: declared, scopes: scopes, fail: fail)
            }
        }
    }

    private func checkVariable(
        _ name: String, at position: String.Index, declared: Set<String>?, scopes: [Scope],
        fail: (String.Index, String, String) -> PromptLabError
    ) throws(PromptLabError) {
        guard let declared, !declared.contains(name) else { return }
        var visible = declared
        for scope in scopes {
            switch scope {
            case .anything: return
            case .fields(let fields):
                if fields.contains(name) { return }
                visible.formUnion(fields)
            case .transparent: break
            }
        }
        let suggestion = Suggestion.phrase(for: name, in: visible.subtracting(["examples"]))
        throw fail(
            position, "variable '\(name)' is not declared in input.schema\(suggestion)",
            "declare it under input.schema, fix the tag, or commit with --no-verify to skip these checks")
    }

    /// What a `{{#name}}` section makes visible inside it.
    private func scope(of name: String, in front: FrontMatter, scopes: [Scope]) -> Scope {
        if name == "examples", scopes.isEmpty { return .fields(["input", "output"]) }
        guard scopes.isEmpty, let variable = front.inputVariables.first(where: { $0.name == name }) else { return .anything }
        switch variable.schema {
        case .object(let fields) where !fields.isEmpty, .array(.object(let fields)) where !fields.isEmpty:
            return .fields(Set(fields.map(\.name)))
        case .any, .object, .array(.any), .array(.object), .array(.array): return .anything
        default: return .transparent
        }
    }

    /// The variable a tag's name looks up first: `a` for `a.b.c` and for
    /// transforms such as `uppercased(a)`; nil for `.` and empty names.
    static func rootName(_ text: Substring) -> String? {
        var name = text.trimmingCharacters(in: .whitespaces)[...]
        if let open = name.lastIndex(of: "(") {
            name = name[name.index(after: open)...].prefix { $0 != ")" }
        }
        guard let first = name.split(separator: ".", omittingEmptySubsequences: false).first, !first.isEmpty else {
            return nil
        }
        return String(first)
    }

    /// Finds `{name}}` (one brace short) and `{{name}}}` (one too many) in text outside tags.
    private func checkBraces(
        _ source: String, fail: (String.Index, String) -> PromptLabError
    ) throws(PromptLabError) {
        let nameCharacters = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_#^/&>")
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
}
