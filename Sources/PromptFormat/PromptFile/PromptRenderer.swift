import Foundation
internal import Mustache
import PromptLabCore

/// A prompt rendered with variables: its messages plus its generation settings.
public struct RenderedPrompt: Sendable, Hashable {
    public var name: PromptName
    public var model: String?
    public var config: GenerationSettings
    public var outputFormat: OutputFormat
    public var outputSchema: PromptValue?
    public var messages: [PromptMessage]
}

/// Renders prompt files with variables, resolving partials through a lookup.
public struct PromptRenderer {
    /// Finds the prompt file a `{{> name}}` partial refers to, or nil if there is none.
    public typealias PartialLookup = (PromptName) throws(PromptLabError) -> PromptFile?

    private let lookup: PartialLookup

    public init(partials lookup: @escaping PartialLookup) {
        self.lookup = lookup
    }

    /// Renders `file` with `variables` (overriding the file's `input.default`).
    ///
    /// - Throws: ``PromptLabError`` (`renderFailed`) naming a missing variable or an unknown partial.
    public func render(_ file: PromptFile, variables: [String: PromptValue]) throws(PromptLabError) -> RenderedPrompt {
        try compile(file).render(variables)
    }

    /// Parses `file` and its partials once, for rendering many variable sets.
    ///
    /// - Throws: ``PromptLabError``: `renderFailed` for an unknown or cyclic partial,
    ///   `invalidInput` for sections nested more than ``PromptTemplate/maximumNesting``
    ///   deep counting through partials.
    public func compile(_ file: PromptFile) throws(PromptLabError) -> CompiledPrompt {
        // A random marker per compilation: variable values cannot contain it, so they cannot start messages.
        let nonce = UUID().uuidString
        let sentinel: (MessageRole) -> String = { "\u{1E}\(nonce):\($0.rawValue)\u{1E}" }
        var loader = PartialLoader(lookup: lookup, sentinel: sentinel)
        let (source, depth) = try loader.load(file, chain: [file.name.rawValue])
        if depth > PromptTemplate.maximumNesting {
            throw PromptLabError(
                .invalidInput,
                "\(file.template.displayPath): sections nest more than \(PromptTemplate.maximumNesting) deep counting through partials",
                hint: "flatten the template or its partials")
        }
        let template: MustacheTemplate
        do {
            template = try MustacheTemplate(string: source)
        } catch {
            throw PromptLabError(.renderFailed, "\(file.name): template error: \(error)")
        }
        return CompiledPrompt(file: file, template: template, library: loader.library, nonce: nonce)
    }
}

/// Loads a prompt's partials into a Mustache library, reading every template's
/// tags as swift-mustache will (with the role sentinels in place), so no
/// partial can hide behind a set-delimiter tag or a parent, and measuring how
/// deep rendering will recurse.
private struct PartialLoader {
    let lookup: PromptRenderer.PartialLookup
    let sentinel: (MessageRole) -> String
    var library = MustacheLibrary()
    /// The deepest nesting of each loaded partial, counting its own partials.
    var depths = [String: Int]()

    /// `file`'s Mustache source, and how deep rendering it nests.
    mutating func load(_ file: PromptFile, chain: [String]) throws(PromptLabError) -> (source: String, depth: Int) {
        let source = file.template.mustacheSource(sentinel: sentinel)
        let tags = TemplateTags(source, depthLimit: PromptTemplate.maximumNesting)
        try PromptTemplate.checkTags(
            tags, in: source, displayPath: file.template.displayPath, firstLine: file.template.firstLine)
        var depth = tags.maximumDepth
        for tag in tags.tags {
            switch tag.kind {
            case .partial, .parent:
                let partial = tag.name
                depth = max(depth, tag.depth + 1 + (try self.depth(of: partial, includedBy: file, chain: chain)))
            default: continue
            }
        }
        return (source, depth)
    }

    /// Loads `partial` once and returns its depth; refuses unknown and cyclic partials.
    private mutating func depth(of partial: String, includedBy file: PromptFile, chain: [String]) throws(PromptLabError) -> Int {
        if chain.contains(partial) {
            throw PromptLabError(
                .renderFailed, "partial '\(partial)' includes itself (\((chain + [partial]).joined(separator: " → ")))")
        }
        if let known = depths[partial] { return known }
        let name: PromptName
        do { name = try PromptName(partial) } catch {
            throw PromptLabError(.renderFailed, "prompt '\(file.name)' includes an invalid partial name '\(partial)'")
        }
        guard chain.count < TemplateClosure.maximumDepth else {
            throw PromptLabError(
                .renderFailed, "partials nest more than \(TemplateClosure.maximumDepth) deep (\(chain.joined(separator: " → ")))",
                hint: "flatten the includes")
        }
        guard let included = try lookup(name) else {
            throw PromptLabError(
                .renderFailed, "prompt '\(file.name)' includes unknown partial '\(partial)'",
                hint: "create \(name.relativePath) or fix the {{> \(partial)}} tag")
        }
        let (source, depth) = try load(included, chain: chain + [partial])
        do {
            library.register(try MustacheTemplate(string: source), named: partial)
        } catch {
            throw PromptLabError(.renderFailed, "partial '\(partial)': template error: \(error)")
        }
        depths[partial] = depth
        return depth
    }
}

/// A prompt parsed once, with its partials, ready to render with many
/// variable sets (one per test case).
public struct CompiledPrompt: @unchecked Sendable {
    // MustacheLibrary and MustacheTemplate are immutable values; rendering does not mutate them.
    public let file: PromptFile
    let template: MustacheTemplate
    let library: MustacheLibrary
    let nonce: String
    private let examples: PromptValue
    private let defaults: [String: PromptValue]
    private let optional: Set<String>
    /// Declared types by variable name (`input.schema`).
    private let types: [String: InputVariable]

    init(file: PromptFile, template: MustacheTemplate, library: MustacheLibrary, nonce: String) {
        self.file = file
        self.template = template
        self.library = library
        self.nonce = nonce
        examples = PromptValue.array(
            file.frontMatter.examples.map { .object([("input", $0.input), ("output", .string($0.output.templateText))]) })
        self.defaults = Dictionary(file.frontMatter.inputDefaults.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        optional = Set(file.frontMatter.inputVariables.filter(\.isOptional).map(\.name))
        types = Dictionary(file.frontMatter.inputVariables.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Checks `variables` against the declared types, converting text where
    /// that is unambiguous (see ``SchemaType/check(_:path:optional:)``).
    ///
    /// - Throws: ``PromptLabError`` (`invalidInput`) naming the variable, its type and the value.
    public func typed(_ variables: [String: PromptValue]) throws(PromptLabError) -> [String: PromptValue] {
        guard !types.isEmpty else { return variables }
        var result = variables
        for (key, value) in variables {
            guard let declared = types[key] else { continue }
            result[key] = try declared.schema.check(value, path: key, optional: declared.isOptional)
        }
        return result
    }

    /// Renders with `variables` (overriding the file's `input.default`), each
    /// checked against its declared type first.
    ///
    /// - Throws: ``PromptLabError``: `invalidInput` for a value of the wrong type,
    ///   `renderFailed` naming a missing variable.
    public func render(_ variables: [String: PromptValue]) throws(PromptLabError) -> RenderedPrompt {
        var given = defaults
        for (key, value) in try typed(variables) { given[key] = value }
        let budget = RenderBudget()
        var values = [String: Any](minimumCapacity: given.count + 1)
        for (key, value) in given { values[key] = value.templateObject(budget: budget) }
        values["examples"] = examples.templateObject(budget: budget)
        let scope = VariableScope(values: values, variables: given, optional: optional)
        let text = template.render(scope, library: library)
        if budget.isExceeded {
            throw PromptLabError(
                .renderFailed,
                "prompt '\(file.name)' renders more than \(RenderBudget.maximumItems) list items (sections over lists nest too deeply)",
                hint: "iterate fewer nested lists, or pass smaller lists")
        }
        if let missing = scope.missing.first {
            let others = scope.missing.count > 1 ? " (also missing: \(scope.missing.dropFirst().joined(separator: ", ")))" : ""
            throw PromptLabError(
                .renderFailed, "prompt '\(file.name)' needs variable '\(missing)', which was not given\(others)",
                hint: "pass it with --var \(missing)=VALUE or --vars FILE, or give it a default under input.default",
                subject: missing)
        }
        return RenderedPrompt(
            name: file.name, model: file.frontMatter.model, config: file.frontMatter.config,
            outputFormat: file.frontMatter.outputFormat, outputSchema: file.frontMatter.outputSchema,
            messages: PromptRenderer.split(text, nonce: nonce))
    }
}

extension PromptRenderer {
    /// Splits rendered text at role sentinels into trimmed, non-empty messages.
    ///
    /// Works on UTF-8 bytes (the sentinel is ASCII), since this runs once per request in experiments.
    static func split(_ text: String, nonce: String) -> [PromptMessage] {
        var messages = [PromptMessage]()
        var role = MessageRole.user
        let bytes = Array(text.utf8)
        let prefix = Array((nonce + ":").utf8)
        func flush(_ range: Range<Int>) {
            var lower = range.lowerBound
            var upper = range.upperBound
            while lower < upper, Self.isASCIIWhitespace(bytes[lower]) { lower += 1 }
            while upper > lower, Self.isASCIIWhitespace(bytes[upper - 1]) { upper -= 1 }
            guard lower < upper else { return }
            let content = String(decoding: bytes[lower..<upper], as: UTF8.self)
            let trimmed = content.trimmedOfWhitespace  // non-ASCII whitespace, rarely present
            if !trimmed.isEmpty { messages.append(PromptMessage(role: role, content: trimmed)) }
        }
        var segmentStart = 0
        var index = 0
        while index < bytes.count {
            guard bytes[index] == 0x1E else {
                index += 1
                continue
            }
            let nameStart = index + 1 + prefix.count
            if nameStart <= bytes.count, bytes[(index + 1)..<nameStart].elementsEqual(prefix),
                let close = bytes[nameStart...].firstIndex(of: 0x1E),
                let next = MessageRole(rawValue: String(decoding: bytes[nameStart..<close], as: UTF8.self))
            {
                flush(segmentStart..<index)
                role = next
                segmentStart = close + 1
                index = close + 1
            } else {
                index += 1
            }
        }
        flush(segmentStart..<bytes.count)
        return messages
    }

    private static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
    }
}

extension String {
    /// The text without leading and trailing whitespace and newlines.
    public var trimmedOfWhitespace: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return ""
        }
        return String(self[first...last])
    }
}

/// The root of the template context: answers lookups and records the names
/// that no value and no default supplied.
///
/// `{{.}}` at the top level inserts the variables (defaults overridden by the
/// given values, `examples` left out) as one JSON object with sorted keys.
private final class VariableScope: MustacheParent, MustacheCustomRenderable {
    let values: [String: Any]
    let variables: [String: PromptValue]
    let optional: Set<String>
    private(set) var missing: [String] = []

    init(values: [String: Any], variables: [String: PromptValue], optional: Set<String>) {
        self.values = values
        self.variables = variables
        self.optional = optional
    }

    var renderText: String {
        PromptValue.object(variables.keys.sorted().map { ($0, variables[$0]!) }).jsonText(pretty: false)  // keys come from `variables`.
    }
    var isNull: Bool { false }

    func child(named name: String) -> Any? {
        if let value = values[name] { return value }
        if name != ".", !optional.contains(name), !missing.contains(name) { missing.append(name) }
        return nil
    }
}
