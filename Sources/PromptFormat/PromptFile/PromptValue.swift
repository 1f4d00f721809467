import Foundation
import PromptLabCore

/// A JSON-like value from front matter, a variables file or a dataset.
///
/// Objects keep their keys in source order, so diffs and rendered JSON read
/// the way the author wrote them.
public enum PromptValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([PromptValue])
    case object([(key: String, value: PromptValue)])

    public static func == (lhs: PromptValue, rhs: PromptValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): Double(a) == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .int(let i): hasher.combine(Double(i))
        case .double(let d): hasher.combine(d)
        case .string(let s): hasher.combine(s)
        case .array(let a): hasher.combine(a)
        case .object(let o):
            for (key, value) in o {
                hasher.combine(key)
                hasher.combine(value)
            }
        }
    }

    /// The value for `key` when this is an object.
    public subscript(key: String) -> PromptValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    /// The text a template inserts for this value: strings as they are,
    /// numbers and booleans in their usual spelling, containers as JSON.
    public var templateText: String {
        switch self {
        case .null: ""
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): PromptValue.format(d)
        case .string(let s): s
        case .array, .object: jsonText(pretty: false)
        }
    }

    /// A short one-line rendering for summaries and diffs.
    public var summary: String {
        switch self {
        case .string(let s): s.contains("\n") || s.count > 60 ? "\"\(s.prefix(57).replacingOccurrences(of: "\n", with: "⏎"))…\"" : s
        case .array(let a): "[\(a.count) items]"
        case .object(let o): "{\(o.count) fields}"
        default: templateText
        }
    }

    public static func format(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return String(d)
    }

    // MARK: - JSON

    /// Compact or pretty JSON text, with keys in source order.
    public func jsonText(pretty: Bool, indent: String = "") -> String {
        let step = pretty ? "  " : ""
        let newline = pretty ? "\n" : ""
        let separator = pretty ? ": " : ":"
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? String(d) : "null"
        case .string(let s): return PromptValue.jsonQuoted(s)
        case .array(let a):
            if a.isEmpty { return "[]" }
            let inner = a.map { indent + step + $0.jsonText(pretty: pretty, indent: indent + step) }
            return "[" + newline + inner.joined(separator: "," + newline) + newline + indent + "]"
        case .object(let o):
            if o.isEmpty { return "{}" }
            let inner = o.map {
                indent + step + PromptValue.jsonQuoted($0.key) + separator
                    + $0.value.jsonText(pretty: pretty, indent: indent + step)
            }
            return "{" + newline + inner.joined(separator: "," + newline) + newline + indent + "}"
        }
    }

    /// A JSON string literal for `text` (the one escaping rule of every JSON PromptLab writes).
    public static func jsonQuoted(_ text: String) -> String {
        JSONOutput.quoted(text)
    }

    /// Arrays and objects in JSON text nest at most this deep, as YAML's
    /// (``YAMLLimits/standard``): values are walked recursively everywhere.
    public static let maximumJSONDepth = 100

    /// Parses JSON text.
    ///
    /// - Throws: ``PromptLabError`` (`invalidInput`) for nesting deeper than
    ///   ``maximumJSONDepth``, checked before decoding; a decoding error otherwise.
    public static func parseJSON(_ text: String) throws -> PromptValue {
        let bytes = Data(text.utf8)
        if let depth = firstTooDeep(bytes) {
            throw PromptLabError(
                .invalidInput, "JSON arrays and objects nest more than \(maximumJSONDepth) deep (at byte \(depth + 1))",
                hint: "flatten the data")
        }
        return try JSONDecoder().decode(PromptValue.self, from: bytes)
    }

    /// The offset of the first bracket that opens level ``maximumJSONDepth`` + 1, skipping strings.
    private static func firstTooDeep(_ bytes: Data) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        for (offset, byte) in bytes.enumerated() {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maximumJSONDepth { return offset }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: continue
            }
        }
        return nil
    }
}

extension PromptValue: Codable {
    /// Object keys are user data (variable names, config fields): written verbatim, never re-cased.
    private typealias Key = VerbatimKey

    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: Key.self) {
            // JSONDecoder does not expose source key order; sort for determinism.
            let keys = container.allKeys.map(\.stringValue).sorted()
            self = .object(try keys.map { ($0, try container.decode(PromptValue.self, forKey: Key($0))) })
            return
        }
        if var container = try? decoder.unkeyedContainer() {
            var items = [PromptValue]()
            while !container.isAtEnd { items.append(try container.decode(PromptValue.self)) }
            self = .array(items)
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int.self) {
            self = .int(i)
        } else if let d = try? container.decode(Double.self) {
            self = .double(d)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let b):
            var container = encoder.singleValueContainer()
            try container.encode(b)
        case .int(let i):
            var container = encoder.singleValueContainer()
            try container.encode(i)
        case .double(let d):
            var container = encoder.singleValueContainer()
            try container.encode(d)
        case .string(let s):
            var container = encoder.singleValueContainer()
            try container.encode(s)
        case .array(let a):
            var container = encoder.unkeyedContainer()
            for item in a { try container.encode(item) }
        case .object(let o):
            var container = encoder.container(keyedBy: Key.self)
            for (key, value) in o { try container.encode(value, forKey: Key(key)) }
        }
    }
}
