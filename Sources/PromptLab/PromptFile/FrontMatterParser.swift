import Yams

/// Reads YAML front matter into a ``FrontMatter``, reporting problems as
/// `file:line:col: message` with positions in the whole prompt file.
struct FrontMatterParser {
    /// The path shown in error messages.
    var displayPath: String
    /// How many file lines precede the first front matter line.
    var lineOffset: Int

    func parse(_ yaml: String) throws(PromptLabError) -> FrontMatter {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw yamlError(error)
        } catch {
            throw PromptLabError(.invalidInput, "\(displayPath): malformed front matter: \(error)")
        }
        var front = FrontMatter()
        guard let node else { return front }
        guard case .mapping(let mapping) = node else {
            throw problem(node, "front matter must be a mapping of fields such as 'model:' and 'config:'")
        }
        front.raw = try value(node)
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else { throw problem(keyNode, "field names must be text") }
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

    private func config(_ node: Node) throws(PromptLabError) -> GenerationSettings {
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

    /// Picoschema: `name: type`, `name?: type, description`, or a nested mapping for objects.
    private func schema(_ node: Node) throws(PromptLabError) -> [InputVariable] {
        guard case .mapping(let mapping) = node else {
            throw problem(node, "'input.schema' must map variable names to types, such as 'ticket: string'")
        }
        var variables = [InputVariable]()
        for (keyNode, valueNode) in mapping {
            guard var name = keyNode.string else { throw problem(keyNode, "variable names must be text") }
            var optional = false
            if name.hasSuffix("?") {
                optional = true
                name.removeLast()
            }
            if let paren = name.firstIndex(of: "(") { name = String(name[..<paren]).trimmingCharacters(in: .whitespaces) }
            var type = "object"
            var description: String?
            if let text = valueNode.string {
                let parts = text.split(separator: ",", maxSplits: 1)
                type = parts.first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "any"
                description = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : nil
            }
            variables.append(InputVariable(name: name, type: type, isOptional: optional, description: description))
        }
        return variables
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

    private func string(_ node: Node, _ field: String) throws(PromptLabError) -> String {
        guard case .scalar(let scalar) = node else { throw problem(node, "'\(field)' must be text") }
        return scalar.string
    }

    private func number(_ node: Node, _ field: String) throws(PromptLabError) -> Double {
        switch try value(node) {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: throw problem(node, "'\(field)' must be a number")
        }
    }

    private func integer(_ node: Node, _ field: String) throws(PromptLabError) -> Int {
        guard case .int(let i) = try value(node) else { throw problem(node, "'\(field)' must be a whole number") }
        return i
    }

    private func stringList(_ node: Node, _ field: String) throws(PromptLabError) -> [String] {
        guard case .sequence(let sequence) = node else { throw problem(node, "'\(field)' must be a list of text") }
        var items = [String]()
        for item in sequence {
            guard case .scalar(let scalar) = item else { throw problem(item, "'\(field)' must be a list of text") }
            items.append(scalar.string)
        }
        return items
    }

    /// Converts a YAML node into a value, resolving scalars by YAML's core tags.
    func value(_ node: Node) throws(PromptLabError) -> PromptValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain { return .string(scalar.string) }  // quoted text stays text
            switch node.any {
            case is NSNull: return .null
            case let b as Bool: return .bool(b)
            case let i as Int: return .int(i)
            case let d as Double: return .double(d)
            default: return .string(scalar.string)  // including timestamps, kept as written
            }
        case .sequence(let sequence):
            var items = [PromptValue]()
            for item in sequence { items.append(try value(item)) }
            return .array(items)
        case .mapping(let mapping):
            var pairs = [(key: String, value: PromptValue)]()
            for (keyNode, valueNode) in mapping {
                guard let key = keyNode.string else { throw problem(keyNode, "mapping keys must be text") }
                pairs.append((key, try value(valueNode)))
            }
            return .object(pairs)
        case .alias:
            throw problem(node, "YAML aliases are not supported in front matter")
        }
    }

    // MARK: - Errors

    private func problem(_ node: Node, _ message: String) -> PromptLabError {
        let line = (node.mark?.line ?? 1) + lineOffset
        let column = node.mark?.column ?? 1
        return PromptLabError(
            .invalidInput, "\(displayPath):\(line):\(column): \(message)",
            hint: "fix the front matter and try again")
    }

    func yamlError(_ error: YamlError) -> PromptLabError {
        let (mark, text): (Mark?, String) =
            switch error {
            case .scanner(let context, let problem, let mark, _): (mark, [context?.text, problem].compactMap { $0 }.joined(separator: " "))
            case .parser(let context, let problem, let mark, _): (mark, [context?.text, problem].compactMap { $0 }.joined(separator: " "))
            case .composer(let context, let problem, let mark, _): (mark, [context?.text, problem].compactMap { $0 }.joined(separator: " "))
            default: (nil, "\(error)")
            }
        let line = (mark?.line ?? 1) + lineOffset
        let column = mark?.column ?? 1
        return PromptLabError(
            .invalidInput, "\(displayPath):\(line):\(column): malformed front matter: \(text)",
            hint: "fix the YAML between the '---' lines and try again")
    }
}

import Foundation
