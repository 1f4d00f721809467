/// A JSON-like value a template reads.
///
/// Objects keep their key order (it shows when an object is printed as JSON or iterated with
/// `{{#each}}`) and look keys up in constant time.
public enum TemplateValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([TemplateValue])
    case object(TemplateObject)
}

/// The key-value pairs of an object value, in the order they were given.
///
/// Duplicate keys keep the position of their first occurrence and the value of their last,
/// as a JavaScript object literal does. Two objects are equal when they hold the same pairs in
/// the same order.
public struct TemplateObject: Sendable, Hashable, Sequence {
    /// Objects up to this size are searched linearly: comparing a few short strings is faster
    /// than hashing one, and most prompt variables are small objects.
    private static let linearSearchLimit = 8

    /// One reference for all three arrays, so copying an object (which rendering does on every
    /// lookup) costs one retain.
    private final class Storage: Sendable {
        let keys: [String]
        let values: [TemplateValue]
        /// Key to position; empty for objects small enough to search linearly.
        let positions: [String: Int]

        init(keys: [String], values: [TemplateValue], positions: [String: Int]) {
            self.keys = keys
            self.values = values
            self.positions = positions
        }
    }

    private let storage: Storage

    /// Makes an object from pairs; a repeated key keeps its first position and its last value.
    public init(_ pairs: [(String, TemplateValue)]) {
        var keys: [String] = []
        var values: [TemplateValue] = []
        var positions: [String: Int] = [:]
        keys.reserveCapacity(pairs.count)
        values.reserveCapacity(pairs.count)
        let indexed = pairs.count > Self.linearSearchLimit
        for (key, value) in pairs {
            if let existing = indexed ? positions[key] : keys.firstIndex(of: key) {
                values[existing] = value
                continue
            }
            if indexed { positions[key] = keys.count }
            keys.append(key)
            values.append(value)
        }
        // Small after removing duplicates: the linear search is enough.
        if keys.count <= Self.linearSearchLimit { positions = [:] }
        storage = Storage(keys: keys, values: values, positions: positions)
    }

    /// An empty object (all empty objects share one storage: helpers without `key=value` arguments
    /// get one on every call).
    public init() {
        storage = Self.emptyStorage
    }

    private static let emptyStorage = Storage(keys: [], values: [], positions: [:])

    /// The keys, in order.
    public var keys: [String] { storage.keys }

    /// The values, in the same order as `keys`.
    public var values: [TemplateValue] { storage.values }

    /// The value for `key`, or nil when the object has no such key.
    public subscript(key: String) -> TemplateValue? {
        let storage = storage
        if storage.positions.isEmpty {
            let keys = storage.keys
            for index in keys.indices where keys[index] == key { return storage.values[index] }
            return nil
        }
        guard let index = storage.positions[key] else { return nil }
        return storage.values[index]
    }

    public var count: Int { storage.keys.count }

    public var isEmpty: Bool { storage.keys.isEmpty }

    public static func == (lhs: TemplateObject, rhs: TemplateObject) -> Bool {
        lhs.storage === rhs.storage || (lhs.storage.keys == rhs.storage.keys && lhs.storage.values == rhs.storage.values)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.keys)
        hasher.combine(storage.values)
    }

    public struct Iterator: IteratorProtocol {
        fileprivate let object: TemplateObject
        fileprivate var index = 0

        public mutating func next() -> (key: String, value: TemplateValue)? {
            guard index < object.count else { return nil }
            defer { index += 1 }
            return (object.storage.keys[index], object.storage.values[index])
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(object: self)
    }
}

// MARK: - Literals

extension TemplateObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self.init(elements)
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) { self = .object(TemplateObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}

// MARK: - Truth

extension TemplateValue {
    /// JavaScript truthiness, which `{{#if}}` tests: null, false, 0, NaN and "" are false,
    /// and so is an empty array (Handlebars treats it as empty). Objects are always true.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let value): value
        case .int(let value): value != 0
        case .double(let value): !(value == 0 || value.isNaN)
        case .string(let value): !value.isEmpty
        case .array(let items): !items.isEmpty
        case .object: true
        }
    }

    /// Handlebars' `isEmpty`: what `{{#with}}` and `{{#if … includeZero=true}}` skip.
    /// Like `isTruthy`, except that zero counts as a value.
    var isEmptyValue: Bool {
        switch self {
        case .int: false
        case .double(let value): value.isNaN
        default: !isTruthy
        }
    }
}
