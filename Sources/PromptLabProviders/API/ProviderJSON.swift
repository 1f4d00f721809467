/// A JSON value that PromptLab carries to a provider without interpreting it: a response schema
/// (``GenerationConfig/responseSchema``) or a provider-specific setting (``GenerationConfig/additional``).
///
/// Integers stay apart from other numbers and booleans apart from both, so a value is sent exactly as
/// the prompt wrote it. Decoding refuses nesting deeper than ``maxDepth``, so a hostile file cannot make
/// the recursive code over these values (encoding, hashing, schema conversion) run out of stack.
public enum ProviderJSON: Sendable, Hashable, Codable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
    ExpressibleByNilLiteral
{
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([ProviderJSON])
    case object([String: ProviderJSON])

    /// The deepest nesting accepted (an object or array inside another counts one level): the limit of
    /// the JSON a prompt file may hold, so every value a prompt can give fits.
    public static let maxDepth = 100

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: ProviderJSON...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, ProviderJSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    public init(from decoder: any Decoder) throws {
        guard decoder.codingPath.count <= Self.maxDepth else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "JSON nested deeper than \(Self.maxDepth) levels"))
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([ProviderJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: ProviderJSON].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    // MARK: - Reading

    /// The members of an object; nil for other values.
    public var objectValue: [String: ProviderJSON]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The elements of an array; nil for other values.
    public var arrayValue: [ProviderJSON]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The text of a string; nil for other values.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The member `key` of an object; nil for other values or a missing key.
    public subscript(key: String) -> ProviderJSON? {
        objectValue?[key]
    }

    // MARK: - Checks

    /// Why the value cannot be sent (a number that is not finite, nesting deeper than ``maxDepth``), as
    /// a phrase naming where; nil when it can.
    public func problem(at path: String) -> String? {
        problem(at: path, root: path, depth: 0)
    }

    private func problem(at path: String, root: String, depth: Int) -> String? {
        switch self {
        case .number(let value) where !value.isFinite:
            return "\(path) is \(value), which JSON cannot carry"
        case .array(let elements):
            guard depth < Self.maxDepth else { return "\(root) is nested deeper than \(Self.maxDepth) levels" }
            for (index, element) in elements.enumerated() {
                if let problem = element.problem(at: "\(path)[\(index)]", root: root, depth: depth + 1) { return problem }
            }
        case .object(let members):
            guard depth < Self.maxDepth else { return "\(root) is nested deeper than \(Self.maxDepth) levels" }
            for key in members.keys.sorted() {
                if let problem = members[key]?.problem(at: "\(path).\(key)", root: root, depth: depth + 1) { return problem }
            }
        default:
            break
        }
        return nil
    }

    // MARK: - Canonical text

    /// Compact JSON with object keys sorted, the same text for equal values on every platform: for
    /// request hashes and cache keys. A non-finite number (which ``problem(at:)`` refuses to send)
    /// is written `null`.
    public var canonicalText: String {
        var text = ""
        writeCanonical(to: &text)
        return text
    }

    private func writeCanonical(to text: inout String) {
        switch self {
        case .null: text += "null"
        case .bool(let value): text += value ? "true" : "false"
        case .integer(let value): text += String(value)
        case .number(let value): text += value.isFinite ? String(value) : "null"
        case .string(let value): Self.writeQuoted(value, to: &text)
        case .array(let elements):
            text += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { text += "," }
                element.writeCanonical(to: &text)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { text += "," }
                Self.writeQuoted(key, to: &text)
                text += ":"
                members[key]?.writeCanonical(to: &text)
            }
            text += "}"
        }
    }

    /// `value` as a JSON string literal (RFC 8259 escapes; other characters as they are).
    static func writeQuoted(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
