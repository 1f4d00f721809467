import PromptLabCore
import Yams

/// Reads YAML front matter into a ``FrontMatter``, reporting problems as
/// `file:line:col: message` with positions in the whole prompt file.
///
/// Known fields are checked; a top-level or `config` field within a typo of a
/// known one is an error that names it. Other fields are kept: in `raw`, under
/// `ext` when namespaced (`myext.foo`), and in ``GenerationSettings/additional``
/// under `config`, so Genkit's provider-specific settings pass through.
struct FrontMatterParser {
    let reader: YAMLReader
    let schemas: Picoschema.SchemaResolver?

    /// The top-level fields PromptLab reads: Dotprompt's, plus `tags` and `examples`.
    static let knownFields = [
        "name", "variant", "version", "description", "model", "tools", "toolDefs", "config", "input", "output",
        "metadata", "ext", "raw", "tags", "examples",
    ]
    /// The `config` fields PromptLab reads; others are passed on as they are.
    static let knownConfigFields = ["temperature", "maxOutputTokens", "topP", "topK", "stopSequences", "seed", "safetySettings"]

    init(displayPath: String, lineOffset: Int, schemas: Picoschema.SchemaResolver? = nil) {
        reader = YAMLReader(displayPath: displayPath, lineOffset: lineOffset, hint: "fix the front matter and try again")
        self.schemas = schemas
    }

    func parse(_ yaml: String) throws(PromptLabError) -> FrontMatter {
        var front = FrontMatter()
        guard let node = try reader.compose(yaml) else { return front }
        guard case .mapping(let mapping) = node else {
            throw problem(node, "front matter must be a mapping of fields such as 'model:' and 'config:'")
        }
        front.raw = try value(node)
        for (keyNode, valueNode) in mapping {
            let key = try reader.key(keyNode)
            switch key {
            case "name": front.name = try string(valueNode, key)
            case "variant": front.variant = try string(valueNode, key)
            case "version": front.version = try string(valueNode, key)
            case "description": front.description = try string(valueNode, key)
            case "model": front.model = try string(valueNode, key)
            case "config": front.config = try config(valueNode)
            case "input": try input(valueNode, into: &front)
            case "output": try output(valueNode, into: &front)
            case "tools": front.tools = try stringList(valueNode, key)
            case "metadata":
                front.metadata = try value(valueNode)
                guard front.metadata?.isObject == true else { throw problem(valueNode, "'metadata' must be a mapping") }
            case "tags": front.tags = try stringList(valueNode, key)
            case "examples": front.examples = try examples(valueNode)
            case "ext", "raw", "toolDefs": break  // Dotprompt's own fields: kept in `raw`.
            default:
                if key.contains(".") { continue }  // Namespaced: grouped under `ext` below.
                if let known = Suggestion.closest(to: key, in: Self.knownFields) {
                    throw problem(
                        keyNode, "unknown front matter field '\(key)'; did you mean '\(known)'?",
                        hint: "fix the name, or namespace your own fields (such as 'myteam.\(key)')")
                }
            // Other fields (Genkit's or a team's own) are kept in `raw`.
            }
        }
        front.ext = FrontMatter.extensions(of: front.raw)
        return front
    }

    // MARK: - Fields

    /// Reads `config`: known settings checked for type and sanity (a provider's
    /// own ranges are checked where the model's provider is known), the rest kept in order.
    func config(_ node: Node) throws(PromptLabError) -> GenerationSettings {
        guard case .mapping(let mapping) = node else { throw problem(node, "'config' must be a mapping") }
        var settings = GenerationSettings()
        for (keyNode, valueNode) in mapping {
            let key = try reader.key(keyNode)
            switch key {
            case "temperature":
                let t = try number(valueNode, "config.temperature")
                guard t.isFinite, t >= 0 else { throw problem(valueNode, "config.temperature must be a number ≥ 0") }
                settings.temperature = t
            case "maxOutputTokens":
                let n = try integer(valueNode, "config.maxOutputTokens")
                guard n > 0 else { throw problem(valueNode, "config.maxOutputTokens must be positive") }
                settings.maxOutputTokens = n
            case "topP":
                let p = try number(valueNode, "config.topP")
                guard (0...1).contains(p) else { throw problem(valueNode, "config.topP must be between 0 and 1") }
                settings.topP = p
            case "topK":
                let k = try integer(valueNode, "config.topK")
                guard k >= 1 else { throw problem(valueNode, "config.topK must be a whole number ≥ 1") }
                settings.topK = k
            case "stopSequences": settings.stopSequences = try stringList(valueNode, "config.stopSequences")
            case "seed": settings.seed = try integer(valueNode, "config.seed")
            case "safetySettings":
                guard case .array(let items) = try value(valueNode), items.allSatisfy(\.isObject) else {
                    throw problem(
                        valueNode,
                        "config.safetySettings must be a list of mappings, such as [{category: HARM_CATEGORY_HATE_SPEECH, threshold: BLOCK_NONE}]"
                    )
                }
                settings.additional.append((key, .array(items)))
            default:
                if let known = Suggestion.closest(to: key, in: Self.knownConfigFields) {
                    throw problem(
                        keyNode, "unknown config field '\(key)'; did you mean '\(known)'?",
                        hint: "fix the name (known: \(Self.knownConfigFields.joined(separator: ", ")); others are passed to the provider)")
                }
                settings.additional.append((key, try value(valueNode)))
            }
        }
        return settings
    }

    private func input(_ node: Node, into front: inout FrontMatter) throws(PromptLabError) {
        guard case .mapping(let mapping) = node else { throw problem(node, "'input' must be a mapping") }
        for (keyNode, valueNode) in mapping {
            let key = try reader.key(keyNode)
            switch key {
            case "schema":
                front.inputSchema = try schema(valueNode, field: "input.schema")
                front.inputVariables = FrontMatter.variables(of: front.inputSchema)
            case "default":
                guard case .object(let pairs) = try value(valueNode) else {
                    throw problem(valueNode, "'input.default' must be a mapping of variable names to values")
                }
                front.inputDefaults = pairs
            default: throw unknownField(keyNode, key, in: "input", known: ["schema", "default"])
            }
        }
    }

    private func output(_ node: Node, into front: inout FrontMatter) throws(PromptLabError) {
        guard case .mapping(let mapping) = node else { throw problem(node, "'output' must be a mapping") }
        for (keyNode, valueNode) in mapping {
            let key = try reader.key(keyNode)
            switch key {
            case "format":
                let formats = OutputFormat.allCases.map(\.rawValue)
                guard let text = valueNode.string, let format = OutputFormat(rawValue: text) else {
                    let written = valueNode.string ?? ""
                    throw problem(
                        valueNode,
                        "output.format must be one of \(formats.joined(separator: ", "))\(Suggestion.phrase(for: written, in: formats))")
                }
                front.outputFormat = format
            case "schema": front.outputSchema = try schema(valueNode, field: "output.schema")
            default: throw unknownField(keyNode, key, in: "output", known: ["format", "schema"])
            }
        }
    }

    /// Compiles a Picoschema (or JSON Schema) and checks the result is a schema
    /// the validator understands; nil for an empty schema.
    private func schema(_ node: Node, field: String) throws(PromptLabError) -> PromptValue? {
        let written = try value(node)
        if written == .null || written == .string("") { return nil }
        let compiled = try Picoschema.compile(written, field: field, resolver: schemas) { path, atValue in
            locate(path, in: node, atValue: atValue)
        }
        do {
            _ = try JSONSchemaValidator(schema: compiled)
        } catch {
            throw problem(node, "\(field): \(error.message)")
        }
        return compiled
    }

    /// `file:line:col` of the key (or value) at `path` below `root`; the deepest found.
    private func locate(_ path: [String], in root: Node, atValue: Bool) -> String {
        var current = root
        var keyNode: Node?
        for key in path {
            guard case .mapping(let mapping) = current, let pair = mapping.first(where: { $0.key.string == key }) else { break }
            keyNode = pair.key
            current = pair.value
        }
        let target = atValue || keyNode == nil ? current : (keyNode ?? current)
        return "\(reader.displayPath):\((target.mark?.line ?? 1) + reader.lineOffset):\(target.mark?.column ?? 1)"
    }

    private func unknownField(_ keyNode: Node, _ key: String, in parent: String, known: [String]) -> PromptLabError {
        problem(
            keyNode, "unknown \(parent) field '\(key)'\(Suggestion.phrase(for: key, in: known)) (known: \(known.joined(separator: ", ")))")
    }

    private func examples(_ node: Node) throws(PromptLabError) -> [PromptExample] {
        guard case .sequence(let sequence) = node else {
            throw problem(node, "'examples' must be a list of {input, output} pairs")
        }
        var examples = [PromptExample]()
        for item in sequence {
            guard case .mapping(let mapping) = item else {
                throw problem(item, "each example must be a mapping with 'input' and 'output'")
            }
            var input: PromptValue?
            var output: PromptValue?
            for (keyNode, valueNode) in mapping {
                switch keyNode.string ?? "" {
                case "input": input = try value(valueNode)
                case "output": output = try value(valueNode)
                default: break
                }
            }
            guard let input, let output else { throw problem(item, "each example needs both 'input' and 'output'") }
            examples.append(PromptExample(input: input, output: output))
        }
        return examples
    }

    // MARK: - Scalars

    private func string(_ node: Node, _ field: String) throws(PromptLabError) -> String { try reader.string(node, field) }
    private func number(_ node: Node, _ field: String) throws(PromptLabError) -> Double { try reader.number(node, field) }
    private func integer(_ node: Node, _ field: String) throws(PromptLabError) -> Int { try reader.integer(node, field) }
    private func stringList(_ node: Node, _ field: String) throws(PromptLabError) -> [String] { try reader.stringList(node, field) }
    private func value(_ node: Node) throws(PromptLabError) -> PromptValue { try reader.value(node) }
    private func problem(_ node: Node, _ message: String, hint: String? = nil) -> PromptLabError {
        var error = reader.problem(node, message)
        if let hint { error.hint = hint }
        return error
    }
}

extension GenerationSettings {
    /// Reads a `config:` mapping written outside a prompt file (an experiment variant's overrides)
    /// with the same rules as front matter, reporting problems at their place in `reader`'s file.
    public static func parse(_ node: Node, reader: YAMLReader) throws(PromptLabError) -> GenerationSettings {
        try FrontMatterParser(displayPath: reader.displayPath, lineOffset: reader.lineOffset).config(node)
    }
}
