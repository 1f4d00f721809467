import Foundation
import PromptLabCore
import Yams

/// Reads YAML documents node by node, reporting problems as
/// `file:line:col: message` with positions in the original file.
///
/// Every YAML document PromptLab reads goes through ``compose(_:)``: front
/// matter, experiment files (with inline `cases:`), YAML datasets and `--vars`
/// files. It checks ``YAMLLimits`` (size, depth, what aliases expand to)
/// before Yams builds the node tree, so no document can exhaust memory or the stack.
public struct YAMLReader {
    /// The path shown in error messages.
    public var displayPath: String
    /// How many file lines precede the document's first line.
    public var lineOffset: Int = 0
    /// The hint attached to every error.
    public var hint: String = "fix the YAML and try again"
    /// The bounds checked before parsing.
    public var limits: YAMLLimits = .standard

    public init(displayPath: String, lineOffset: Int = 0, hint: String = "fix the YAML and try again") {
        self.displayPath = displayPath
        self.lineOffset = lineOffset
        self.hint = hint
    }

    /// Parses text into a node tree; nil for an empty document.
    public func compose(_ yaml: String) throws(PromptLabError) -> Node? {
        do {
            try limits.check(yaml)
        } catch {
            throw PromptLabError(
                .invalidInput, "\(displayPath):\(error.line + lineOffset):\(error.column): \(error.message)", hint: error.hint)
        }
        do {
            return try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw yamlError(error)
        } catch {
            throw PromptLabError(.invalidInput, "\(displayPath): malformed YAML: \(error)", hint: hint)
        }
    }

    // MARK: - Typed access

    public func mapping(_ node: Node, _ what: String) throws(PromptLabError) -> Node.Mapping {
        guard case .mapping(let mapping) = node else { throw problem(node, "\(what) must be a mapping") }
        return mapping
    }

    public func key(_ node: Node) throws(PromptLabError) -> String {
        guard case .scalar(let scalar) = node else { throw problem(node, "mapping keys must be text") }
        return scalar.string
    }

    public func string(_ node: Node, _ field: String) throws(PromptLabError) -> String {
        guard case .scalar(let scalar) = node else { throw problem(node, "'\(field)' must be text") }
        return scalar.string
    }

    public func number(_ node: Node, _ field: String) throws(PromptLabError) -> Double {
        switch try value(node) {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: throw problem(node, "'\(field)' must be a number")
        }
    }

    public func integer(_ node: Node, _ field: String) throws(PromptLabError) -> Int {
        guard case .int(let i) = try value(node) else { throw problem(node, "'\(field)' must be a whole number") }
        return i
    }

    public func stringList(_ node: Node, _ field: String) throws(PromptLabError) -> [String] {
        guard case .sequence(let sequence) = node else { throw problem(node, "'\(field)' must be a list of text") }
        var items = [String]()
        for item in sequence {
            guard case .scalar(let scalar) = item else { throw problem(item, "'\(field)' must be a list of text") }
            items.append(scalar.string)
        }
        return items
    }

    /// Converts a node into a value; plain scalars are typed by YAML's core schema,
    /// quoted ones stay text.
    ///
    /// A plain scalar with a `:` is text, as in YAML 1.2 (and Dotprompt's reader). Yams follows YAML
    /// 1.1, which reads `1:30` as the base-60 number 90, and multiplies the base without a check, so
    /// twelve groups (`1:1:1:1:1:1:1:1:1:1:1:1`) trapped on overflow.
    public func value(_ node: Node) throws(PromptLabError) -> PromptValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain || scalar.string.utf8.contains(UInt8(ascii: ":")) { return .string(scalar.string) }
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
            for (keyNode, valueNode) in mapping { pairs.append((try key(keyNode), try value(valueNode))) }
            return .object(pairs)
        case .alias:
            throw problem(node, "YAML aliases are not supported")
        }
    }

    // MARK: - Errors

    /// An error located at `node`.
    public func problem(_ node: Node, _ message: String) -> PromptLabError {
        let line = (node.mark?.line ?? 1) + lineOffset
        let column = node.mark?.column ?? 1
        return PromptLabError(.invalidInput, "\(displayPath):\(line):\(column): \(message)", hint: hint)
    }

    public func yamlError(_ error: YamlError) -> PromptLabError {
        let (mark, text): (Mark?, String) =
            switch error {
            case .scanner(let context, let problem, let mark, _): (mark, [context?.text, problem].compactMap { $0 }.joined(separator: " "))
            case .parser(let context, let problem, let mark, _): (mark, [context?.text, problem].compactMap { $0 }.joined(separator: " "))
            case .composer(let context, let problem, let mark, _):
                (mark, [context?.text, problem].compactMap { $0 }.joined(separator: " "))
            default: (nil, "\(error)")
            }
        let line = (mark?.line ?? 1) + lineOffset
        let column = mark?.column ?? 1
        return PromptLabError(.invalidInput, "\(displayPath):\(line):\(column): malformed YAML: \(text)", hint: hint)
    }
}

extension PromptValue {
    /// Parses YAML text (a data file such as `--vars` or a dataset).
    ///
    /// - Throws: ``PromptLabError`` (`invalidInput`) with the line and column of a syntax error.
    public static func parseYAML(_ text: String, displayPath: String = "YAML") throws(PromptLabError) -> PromptValue {
        let reader = YAMLReader(displayPath: displayPath)
        guard let node = try reader.compose(text) else { return .null }
        return try reader.value(node)
    }
}
