import Foundation

/// Encodes output documents to JSON text by the rules of ``JSONOutput``.
///
/// Foundation's `JSONEncoder` leaves out an optional property that is nil (synthesized `Codable`
/// calls `encodeIfPresent`), so a client could not tell "unknown" from "not in this version". This
/// encoder writes `null` instead, converts keys to snake_case (``VerbatimKey``s stay as they are),
/// writes dates as ISO 8601 and non-finite numbers as strings, and sorts keys.
struct OutputEncoder {
    var pretty: Bool

    func encode<Value: Encodable>(_ value: Value) throws -> String {
        let root = TreeNode()
        try root.store(value, codingPath: [])
        var text = ""
        root.write(to: &text, pretty: pretty, indent: "")
        return text
    }
}

/// One value of the document being built; containers fill in as the encoder writes to them.
final class TreeNode {
    enum Content {
        case null
        case literal(String)  // true, false, or a number's JSON text
        case string(String)
        case array([TreeNode])
        case object([String: TreeNode])
    }

    var content: Content = .null

    /// Encodes `value` into this node.
    func store<Value: Encodable>(_ value: Value, codingPath: [any CodingKey]) throws {
        switch value {
        case let date as Date: content = .string(Timestamps.iso8601(date))
        case let number as Double: content = Self.number(number)
        case let number as Float: content = Self.number(Double(number))
        default: try value.encode(to: TreeEncoder(node: self, codingPath: codingPath))
        }
    }

    static func number(_ value: Double) -> Content {
        guard value.isFinite else { return .string(value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf")) }
        if value == value.rounded(), abs(value) < 1e15 { return .literal(String(Int64(value))) }
        return .literal("\(value)")
    }

    func write(to text: inout String, pretty: Bool, indent: String) {
        let inner = indent + "  "
        switch content {
        case .null: text += "null"
        case .literal(let literal): text += literal
        case .string(let string): text += JSONOutput.quoted(string)
        case .array(let items):
            guard !items.isEmpty else {
                text += "[]"
                return
            }
            text += "["
            for (index, item) in items.enumerated() {
                if index > 0 { text += "," }
                if pretty { text += "\n" + inner }
                item.write(to: &text, pretty: pretty, indent: inner)
            }
            text += pretty ? "\n" + indent + "]" : "]"
        case .object(let fields):
            guard !fields.isEmpty else {
                text += "{}"
                return
            }
            text += "{"
            for (index, key) in fields.keys.sorted().enumerated() {
                if index > 0 { text += "," }
                if pretty { text += "\n" + inner }
                text += JSONOutput.quoted(key) + (pretty ? ": " : ":")
                fields[key]?.write(to: &text, pretty: pretty, indent: inner)
            }
            text += pretty ? "\n" + indent + "}" : "}"
        }
    }

    /// The child for `key`, creating it (an object's field).
    func field(_ key: String) -> TreeNode {
        var fields: [String: TreeNode] = [:]
        if case .object(let existing) = content {
            if let child = existing[key] { return child }
            fields = existing
            content = .null  // the enum lets go of its reference, so adding below does not copy
        }
        let child = TreeNode()
        fields[key] = child
        content = .object(fields)
        return child
    }

    /// A new last element (an array's item).
    func append() -> TreeNode {
        var items: [TreeNode] = []
        if case .array(let existing) = content {
            items = existing
            content = .null  // the enum lets go of its reference, so appending below does not copy
        }
        let child = TreeNode()
        items.append(child)
        content = .array(items)
        return child
    }

    var count: Int {
        if case .array(let items) = content { return items.count }
        return 0
    }
}

/// The `Encoder` that writes into a ``TreeNode``.
struct TreeEncoder: Encoder {
    let node: TreeNode
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([:]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(node: node, codingPath: codingPath)
    }

    /// An output key: snake_case, unless it is user data.
    static func name(_ key: any CodingKey) -> String {
        key is VerbatimKey ? key.stringValue : JSONOutput.snakeCase(key.stringValue)
    }
}

struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: TreeNode
    var codingPath: [any CodingKey]

    private func child(_ key: Key) -> TreeNode { node.field(TreeEncoder.name(key)) }

    mutating func encodeNil(forKey key: Key) throws { child(key).content = .null }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try child(key).store(value, codingPath: codingPath + [key])
    }
    /// Every `encodeIfPresent` overload lands here: nil is written as `null`, not left out.
    private mutating func present<T: Encodable>(_ value: T?, _ key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try present(value, key) }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { try present(value, key) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        TreeEncoder(node: child(key), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        TreeEncoder(node: child(key), codingPath: codingPath + [key]).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.field("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder(node: child(key), codingPath: codingPath + [key]) }
}

struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: TreeNode
    var codingPath: [any CodingKey]
    var count: Int { node.count }

    mutating func encodeNil() throws { node.append().content = .null }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.append().store(value, codingPath: codingPath) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(node: node.append(), codingPath: codingPath).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        TreeEncoder(node: node.append(), codingPath: codingPath).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.append(), codingPath: codingPath) }
}

struct SingleContainer: SingleValueEncodingContainer {
    let node: TreeNode
    var codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.content = .null }
    mutating func encode(_ value: Bool) throws { node.content = .literal(value ? "true" : "false") }
    mutating func encode(_ value: String) throws { node.content = .string(value) }
    mutating func encode(_ value: Double) throws { node.content = TreeNode.number(value) }
    mutating func encode(_ value: Float) throws { node.content = TreeNode.number(Double(value)) }
    mutating func encode(_ value: Int) throws { node.content = .literal(String(value)) }
    mutating func encode(_ value: Int8) throws { node.content = .literal(String(value)) }
    mutating func encode(_ value: Int16) throws { node.content = .literal(String(value)) }
    mutating func encode(_ value: Int32) throws { node.content = .literal(String(value)) }
    mutating func encode(_ value: Int64) throws { node.content = .literal(String(value)) }
    mutating func encode(_ value: UInt) throws { node.content = .literal(String(value)) }
    mutating func encode(_ value: UInt8) throws { node.content = .literal(String(value)) }
    mutating func encode(_ value: UInt16) throws { node.content = .literal(String(value)) }
    mutating func encode(_ value: UInt32) throws { node.content = .literal(String(value)) }
    mutating func encode(_ value: UInt64) throws { node.content = .literal(String(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { try node.store(value, codingPath: codingPath) }
}
