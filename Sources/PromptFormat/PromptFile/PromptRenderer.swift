import Foundation
import Handlebars
import PromptLabCore

/// A prompt rendered with variables: its messages plus its generation settings.
public struct RenderedPrompt: Sendable, Hashable {
    public var name: PromptName
    public var model: String?
    public var config: GenerationSettings
    public var outputFormat: OutputFormat
    public var outputSchema: PromptValue?
    public var messages: [PromptMessage]
    /// The prompt's metadata as Dotprompt reports it (`model`, `config`, `input`, `output`, `raw`, `ext`…),
    /// with the render's option defaults merged in.
    public var dotpromptMetadata: PromptValue
}

/// What a render takes besides the variables.
public struct RenderOptions: Sendable {
    /// Values templates read as `@name` (Dotprompt's context: `@state`, `@auth`, `@user`…).
    public var context: [String: PromptValue]
    /// The conversation so far, for `{{history}}` (or inserted before the last user message when the
    /// template has no `{{history}}`).
    public var history: [PromptMessage]
    /// Defaults over the file's `input.default`, under the given variables.
    public var defaults: [String: PromptValue]

    public init(context: [String: PromptValue] = [:], history: [PromptMessage] = [], defaults: [String: PromptValue] = [:]) {
        self.context = context
        self.history = history
        self.defaults = defaults
    }
}

/// Renders prompt files with variables, resolving partials through a lookup.
public struct PromptRenderer {
    /// Finds the prompt file a `{{> name}}` partial refers to, or nil if there is none.
    public typealias PartialLookup = (PromptName) throws(PromptLabError) -> PromptFile?

    /// The limits every prompt body is parsed and rendered with.
    public static let limits: TemplateLimits = {
        var limits = TemplateLimits()
        limits.maximumNesting = PromptTemplate.maximumNesting
        limits.maximumPartialDepth = TemplateClosure.maximumDepth
        return limits
    }()

    private let lookup: PartialLookup

    public init(partials lookup: @escaping PartialLookup) {
        self.lookup = lookup
    }

    /// Renders `file` with `variables` (overriding the file's `input.default`).
    ///
    /// - Throws: ``PromptLabError``: `invalidInput` for a value the input schema refuses, `renderFailed`
    ///   naming a missing variable, an unknown partial or a template error with its position.
    public func render(
        _ file: PromptFile, variables: [String: PromptValue], options: RenderOptions = RenderOptions()
    ) throws(PromptLabError) -> RenderedPrompt {
        try compile(file).render(variables, options: options)
    }

    /// Parses `file` and its partials once, for rendering many variable sets.
    ///
    /// - Throws: ``PromptLabError`` (`renderFailed`) for an unknown or cyclic partial, or partials nested
    ///   more than ``TemplateClosure/maximumDepth`` deep.
    public func compile(_ file: PromptFile) throws(PromptLabError) -> CompiledPrompt {
        var loader = PartialLoader(lookup: lookup)
        let depth = try loader.load(file.template, of: file, chain: [file.name.rawValue])
        if depth > PromptTemplate.maximumNesting {
            throw PromptLabError(
                .invalidInput,
                "\(file.template.displayPath): blocks nest more than \(PromptTemplate.maximumNesting) deep counting through partials",
                hint: "flatten the template or its partials")
        }
        return try CompiledPrompt(file: file, partials: loader.templates)
    }
}

/// Loads a prompt's partials, following each partial's own partials, refusing unknown and cyclic ones, and
/// measures how deeply rendering nests counting through partials.
private struct PartialLoader {
    let lookup: PromptRenderer.PartialLookup
    var templates = [String: Template]()
    /// The nesting of each loaded partial, counting its own partials.
    var depths = [String: Int]()

    mutating func load(_ template: PromptTemplate, of file: PromptFile, chain: [String]) throws(PromptLabError) -> Int {
        var depth = template.parsed.nestingDepth
        for reference in template.parsed.outline(helpers: TemplateCheck.helperNames).partials {
            let name = reference.name
            if chain.contains(name) {
                throw PromptLabError(
                    .renderFailed,
                    "\(template.location(line: reference.line, column: reference.column)): partial '\(name)' includes itself (\((chain + [name]).joined(separator: " → ")))",
                    hint: "remove one of the {{> …}} tags")
            }
            if let known = depths[name] {
                depth = max(depth, reference.depth + 1 + known)
                continue
            }
            guard chain.count < TemplateClosure.maximumDepth else {
                throw PromptLabError(
                    .renderFailed, "partials nest more than \(TemplateClosure.maximumDepth) deep (\(chain.joined(separator: " → ")))",
                    hint: "flatten the includes")
            }
            guard let partial = try Self.find(name, lookup: lookup) else {
                let suggestion = (try? PromptName(name)).map { " (create \($0.relativePath))" } ?? ""
                throw PromptLabError(
                    .renderFailed,
                    "\(template.location(line: reference.line, column: reference.column)): prompt '\(file.name)' includes unknown partial '\(name)'",
                    hint: "create the partial\(suggestion) or fix the {{> \(name)}} tag")
            }
            templates[name] = partial.template.parsed
            let partialDepth = try load(partial.template, of: partial, chain: chain + [name])
            depths[name] = partialDepth
            depth = max(depth, reference.depth + 1 + partialDepth)
        }
        return depth
    }

    /// The prompt a partial tag names: `name.prompt`, or Dotprompt's `_name.prompt` beside it.
    static func find(_ name: String, lookup: PromptRenderer.PartialLookup) throws(PromptLabError) -> PromptFile? {
        guard let promptName = try? PromptName(name) else {
            throw PromptLabError(.renderFailed, "invalid partial name '\(name)'", hint: "name a prompt, such as {{> shared/tone}}")
        }
        return try TemplateCheck.find(promptName, lookup: lookup)
    }
}

/// A prompt parsed once, with its partials, ready to render with many variable sets (one per test case).
public struct CompiledPrompt: Sendable {
    public let file: PromptFile
    private let partials: [String: Template]
    private let renderer: Renderer
    /// `examples` as templates see it, converted once.
    private let examples: TemplateValue
    private let optional: Set<String>
    /// The input schema, prepared once.
    private let checker: VariableChecker
    /// The file's Dotprompt metadata, computed once.
    private let metadata: PromptValue

    init(file: PromptFile, partials: [String: Template]) throws(PromptLabError) {
        self.file = file
        self.partials = partials
        renderer = Renderer(helpers: DotpromptHelpers.all, partials: partials, limits: PromptRenderer.limits)
        examples = TemplateValue(
            .array(file.frontMatter.examples.map { .object([("input", $0.input), ("output", .string($0.output.templateText))]) }))
        optional = file.frontMatter.optionalVariableNames
        checker = try file.frontMatter.variableChecker()
        metadata = file.frontMatter.dotpromptMetadata
    }

    /// Checks `variables` against the input schema, converting text where that is unambiguous.
    ///
    /// - Throws: ``PromptLabError`` (`invalidInput`) naming the variable, its type and the value.
    public func typed(_ variables: [String: PromptValue]) throws(PromptLabError) -> [String: PromptValue] {
        try checker.check(variables)
    }

    /// Renders with `variables` (overriding the defaults), checked against the input schema first.
    ///
    /// - Throws: ``PromptLabError``: `invalidInput` for a value of the wrong type, `renderFailed` naming a
    ///   missing variable or a template error with its position.
    public func render(_ variables: [String: PromptValue], options: RenderOptions = RenderOptions()) throws(PromptLabError)
        -> RenderedPrompt
    {
        var given = [String: PromptValue]()
        for (key, value) in file.frontMatter.inputDefaults { given[key] = value }
        for (key, value) in options.defaults { given[key] = value }
        for (key, value) in try typed(variables) { given[key] = value }
        var pairs = [(String, TemplateValue)]()
        pairs.reserveCapacity(given.count + 1)
        for key in given.keys.sorted() { pairs.append((key, TemplateValue(given[key]!))) }  // keys come from `given`.
        if given["examples"] == nil, !file.frontMatter.examples.isEmpty { pairs.append(("examples", examples)) }
        var data = [String: TemplateValue]()
        for (key, value) in options.context { data[key] = TemplateValue(value) }

        let rendering: Rendering
        do {
            rendering = try renderer.render(file.template.parsed, context: .object(TemplateObject(pairs)), data: data)
        } catch {
            throw PromptLabError(
                .renderFailed, "\(file.template.location(line: error.line, column: error.column)): \(error.message)",
                hint: "fix the template or the values it is given")
        }
        let missing = rendering.missingNames.filter { !optional.contains($0) && $0 != "examples" }
        if let first = missing.first {
            let others = missing.count > 1 ? " (also missing: \(missing.dropFirst().joined(separator: ", ")))" : ""
            throw PromptLabError(
                .renderFailed, "prompt '\(file.name)' needs variable '\(first)', which was not given\(others)",
                hint: "pass it with --var \(first)=VALUE or --vars FILE, or give it a default under input.default",
                subject: first)
        }
        var metadata = self.metadata
        if !options.defaults.isEmpty { metadata = metadata.merging(input: options.defaults) }
        return RenderedPrompt(
            name: file.name, model: file.frontMatter.model, config: file.frontMatter.config,
            outputFormat: file.frontMatter.outputFormat, outputSchema: file.frontMatter.outputSchema,
            messages: MessageAssembly.messages(from: rendering.pieces, history: options.history),
            dotpromptMetadata: metadata)
    }
}

extension PromptValue {
    /// Dotprompt metadata with `defaults` merged into `input.default`.
    fileprivate func merging(input defaults: [String: PromptValue]) -> PromptValue {
        guard case .object(var pairs) = self else { return self }
        var input: [(key: String, value: PromptValue)] = []
        if case .object(let existing)? = self["input"] { input = existing }
        var defaultPairs: [(key: String, value: PromptValue)] = []
        if case .object(let existing)? = self["input"]?["default"] { defaultPairs = existing }
        for key in defaults.keys.sorted() {
            if let index = defaultPairs.firstIndex(where: { $0.key == key }) {
                defaultPairs[index].value = defaults[key]!  // keys come from `defaults`.
            } else {
                defaultPairs.append((key, defaults[key]!))  // keys come from `defaults`.
            }
        }
        if let index = input.firstIndex(where: { $0.key == "default" }) {
            input[index].value = .object(defaultPairs)
        } else {
            input.append(("default", .object(defaultPairs)))
        }
        if let index = pairs.firstIndex(where: { $0.key == "input" }) {
            pairs[index].value = .object(input)
        } else {
            pairs.append(("input", .object(input)))
        }
        return .object(pairs)
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
