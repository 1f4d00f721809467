import PromptLabCore
import Yams

/// Reads YAML front matter into a ``FrontMatter``, reporting problems as
/// `file:line:col: message` with positions in the whole prompt file.
struct FrontMatterParser {
    let reader: YAMLReader

    init(displayPath: String, lineOffset: Int) {
        reader = YAMLReader(displayPath: displayPath, lineOffset: lineOffset, hint: "fix the front matter and try again")
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
            case "description": front.description = try string(valueNode, key)
            case "model": front.model = try string(valueNode, key)
            case "config": front.config = try config(valueNode)
            case "input": try input(valueNode, into: &front)
            case "output": try output(valueNode, into: &front)
            case "tags": front.tags = try stringList(valueNode, key)
            case "examples": front.examples = try examples(valueNode)
            default: break  // Other Dotprompt fields (name, variant, metadata, ...) are kept in `raw`.
            }
        }
        return front
    }

    // MARK: - Fields

    func config(_ node: Node) throws(PromptLabError) -> GenerationSettings {
        guard case .mapping(let mapping) = node else { throw problem(node, "'config' must be a mapping") }
        var settings = GenerationSettings()
        for (keyNode, valueNode) in mapping {
            let key = keyNode.string ?? ""
            switch key {
            case "temperature":
                let t = try number(valueNode, "config.temperature")
                guard (0...2).contains(t) else { throw problem(valueNode, "config.temperature must be between 0 and 2") }
                settings.temperature = t
            case "maxOutputTokens":
                let n = try integer(valueNode, "config.maxOutputTokens")
                guard n > 0 else { throw problem(valueNode, "config.maxOutputTokens must be positive") }
                settings.maxOutputTokens = n
            case "topP":
                let p = try number(valueNode, "config.topP")
                guard (0...1).contains(p) else { throw problem(valueNode, "config.topP must be between 0 and 1") }
                settings.topP = p
            case "stopSequences": settings.stopSequences = try stringList(valueNode, "config.stopSequences")
            case "seed": settings.seed = try integer(valueNode, "config.seed")
            default:
                throw problem(
                    keyNode,
                    "unknown config field '\(key)' (known: temperature, maxOutputTokens, topP, stopSequences, seed)")
            }
        }
        return settings
    }

    private func input(_ node: Node, into front: inout FrontMatter) throws(PromptLabError) {
        guard case .mapping(let mapping) = node else { throw problem(node, "'input' must be a mapping") }
        for (keyNode, valueNode) in mapping {
            switch keyNode.string ?? "" {
            case "schema": front.inputVariables = try schema(valueNode)
            case "default":
                guard case .object(let pairs) = try value(valueNode) else {
                    throw problem(valueNode, "'input.default' must be a mapping of variable names to values")
                }
                front.inputDefaults = pairs
            default: throw problem(keyNode, "unknown input field '\(keyNode.string ?? "")' (known: schema, default)")
            }
        }
    }

    /// Picoschema: `name: type`, `name?: type, description`, `name(array): type`,
    /// `name(object): {field: type}`, `name(enum): [a, b]`, or a nested mapping for objects.
    private func schema(_ node: Node) throws(PromptLabError) -> [InputVariable] {
        guard case .mapping = node else {
            throw problem(node, "'input.schema' must map variable names to types, such as 'ticket: string'")
        }
        return try fields(node)
    }

    private func fields(_ node: Node) throws(PromptLabError) -> [InputVariable] {
        guard case .mapping(let mapping) = node else {
            throw problem(node, "an object's fields must be a mapping, such as '{street: string}'")
        }
        var variables = [InputVariable]()
        for (keyNode, valueNode) in mapping {
            guard var name = keyNode.string?.trimmingCharacters(in: .whitespaces) else {
                throw problem(keyNode, "variable names must be text")
            }
            if name == "(*)" { continue }  // Picoschema's wildcard: other fields are allowed anyway.
            var modifier = [String]()
            if let open = name.firstIndex(of: "("), name.hasSuffix(")") {
                modifier = name[name.index(after: open)..<name.index(before: name.endIndex)]
                    .split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                name = name[..<open].trimmingCharacters(in: .whitespaces)
            }
            var optional = false
            if name.hasSuffix("?") {
                optional = true
                name.removeLast()
            }
            var description = modifier.count > 1 ? modifier[1] : nil
            let type: SchemaType
            switch modifier.first {
            case nil:
                let (written, text) = try valueType(valueNode)
                type = written
                description = text
            case "array"?:
                type = .array(try valueType(valueNode).type)
            case "object"?:
                type = .object(try fields(valueNode))
            case "enum"?:
                type = try enumeration(valueNode)
            case let other?:
                throw problem(keyNode, "unknown type '\(other)' for '\(name)' (known here: array, object, enum)")
            }
            variables.append(
                InputVariable(name: name, type: type.keyword, isOptional: optional, description: description, schema: type))
        }
        return variables
    }

    /// A type written as a value: `string, description`, a mapping (an object), or a list (an enum).
    private func valueType(_ node: Node) throws(PromptLabError) -> (type: SchemaType, description: String?) {
        switch node {
        case .mapping: return (.object(try fields(node)), nil)
        case .sequence: return (try enumeration(node), nil)
        default:
            let text = node.string ?? ""
            let parts = text.split(separator: ",", maxSplits: 1)
            let keyword = parts.first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            let description = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : nil
            guard let type = SchemaType.scalar(keyword) else {
                let known = ["string", "integer", "number", "boolean", "null", "any"]
                throw problem(
                    node,
                    "unknown type '\(keyword)'\(Suggestion.phrase(for: keyword, in: known)) (known: \(known.joined(separator: ", ")), or (array), (object), (enum))"
                )
            }
            return (type, description)
        }
    }

    private func enumeration(_ node: Node) throws(PromptLabError) -> SchemaType {
        guard case .sequence = node, case .array(let values) = try value(node), !values.isEmpty else {
            throw problem(node, "an enum lists its values, such as [low, medium, high]")
        }
        return .enumeration(values)
    }

    private func output(_ node: Node, into front: inout FrontMatter) throws(PromptLabError) {
        guard case .mapping(let mapping) = node else { throw problem(node, "'output' must be a mapping") }
        for (keyNode, valueNode) in mapping {
            switch keyNode.string ?? "" {
            case "format":
                guard let text = valueNode.string, let format = OutputFormat(rawValue: text) else {
                    throw problem(valueNode, "output.format must be 'text' or 'json'")
                }
                front.outputFormat = format
            case "schema": front.outputSchema = try value(valueNode)
            default: throw problem(keyNode, "unknown output field '\(keyNode.string ?? "")' (known: format, schema)")
            }
        }
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
    private func problem(_ node: Node, _ message: String) -> PromptLabError { reader.problem(node, message) }
}

extension GenerationSettings {
    /// Reads a `config:` mapping written outside a prompt file (an experiment variant's overrides)
    /// with the same rules as front matter, reporting problems at their place in `reader`'s file.
    public static func parse(_ node: Node, reader: YAMLReader) throws(PromptLabError) -> GenerationSettings {
        try FrontMatterParser(displayPath: reader.displayPath, lineOffset: reader.lineOffset).config(node)
    }
}
