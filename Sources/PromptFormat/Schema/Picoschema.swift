import PromptLabCore

/// Compiles Picoschema, Dotprompt's compact schema notation, into JSON Schema
/// as Dotprompt does, so a Genkit prompt file's `input.schema` and
/// `output.schema` mean the same in PromptLab.
///
/// ```yaml
/// schema:
///   title: string, the headline        # required, with a description
///   score?: number                     # optional, so also nullable
///   tags(array, labels): string        # an array of strings
///   author(object):                    # a nested object
///     name: string
///   mood?(enum): [happy, sad]          # an enum; optional adds null
///   (*): any                           # other properties allowed
/// ```
///
/// An object with a `type` Dotprompt knows (`string`, `object`, ...) is JSON
/// Schema already and passes through unchanged; one with `properties` but no
/// `type` gets `type: object`. Beyond Dotprompt, a list written without
/// `(enum)` is read as an enum and an empty type as `any`, as PromptLab did
/// before it compiled schemas.
///
/// Keys come out in one order (`type`, `description`, then `properties`,
/// `required`, `additionalProperties` or `items`); JSON object order carries no
/// meaning, and the specification's own examples use several.
///
/// Related: <https://google.github.io/dotprompt/reference/picoschema/>.
public enum Picoschema {
    /// Looks up a named schema (`Foo` in `field: Foo`); nil when there is none.
    public typealias SchemaResolver = (String) -> PromptValue?
    /// Says where a key path (keys as written, from the schema's root) sits in
    /// the source file, as `file:line:col`: its key, or its value when `value`
    /// is true; nil when unknown.
    public typealias Locator = (_ path: [String], _ value: Bool) -> String?

    /// The scalar type names, as Dotprompt lists them.
    public static let scalarTypes = ["any", "boolean", "integer", "null", "number", "string"]

    /// Schemas nest at most this deep; YAML front matter is bounded already,
    /// but values can come from elsewhere.
    public static let maximumDepth = 64

    /// Compiles `value` into JSON Schema.
    ///
    /// - Parameters:
    ///   - value: the schema as written: a type such as `string, a name`, a
    ///     Picoschema object, or JSON Schema.
    ///   - field: where the schema sits, for messages (`input.schema`).
    ///   - resolver: named schemas, for types such as `Foo`.
    ///   - locate: positions of keys, for messages.
    /// - Throws: ``PromptLabError`` (`invalidInput`) naming the key, where it
    ///   is, and what was expected there.
    public static func compile(
        _ value: PromptValue, field: String = "schema", resolver: SchemaResolver? = nil, locate: Locator? = nil
    ) throws(PromptLabError) -> PromptValue {
        let compiler = Compiler(field: field, resolver: resolver, locate: locate)
        switch value {
        case .string(let text): return try compiler.typeText(text, path: [])
        case .object where isJSONSchema(value): return value
        case .object(var pairs) where pairs.contains(where: { $0.key == "properties" && $0.value.isObject }):
            pairs.removeAll { $0.key == "type" }
            return .object([("type", .string("object"))] + pairs)
        case .object: return try compiler.object(value, path: [], depth: 0)
        default:
            throw compiler.problem(
                [], "'\(field)' must be a type such as 'string', a mapping of fields, or JSON Schema; got \(value.summary)",
                atValue: true)
        }
    }

    /// Whether `value` is JSON Schema already, as Dotprompt decides it: an
    /// object whose `type` is a scalar type name, `object` or `array`.
    public static func isJSONSchema(_ value: PromptValue) -> Bool {
        guard case .string(let type)? = value["type"] else { return false }
        return scalarTypes.contains(type) || type == "object" || type == "array"
    }

    /// `text` split at its first comma into a type and a trimmed description.
    static func splitDescription(_ text: String) -> (type: String, description: String?) {
        guard let comma = text.firstIndex(of: ",") else { return (text.trimmingCharacters(in: .whitespaces), nil) }
        let description = text[text.index(after: comma)...].trimmingCharacters(in: .whitespaces)
        return (text[..<comma].trimmingCharacters(in: .whitespaces), description.isEmpty ? nil : description)
    }
}

// MARK: - Compiler

extension Picoschema {
    private struct Compiler {
        let field: String
        let resolver: SchemaResolver?
        let locate: Locator?

        /// An error at `path`'s key (or its value), `message` naming it with `'\(name(path))'` where that helps.
        func problem(_ path: [String], _ message: String, atValue: Bool = false) -> PromptLabError {
            let place = locate?(path, atValue).map { "\($0): " } ?? ""
            return PromptLabError(
                .invalidInput, "\(place)\(message)",
                hint: "see https://google.github.io/dotprompt/reference/picoschema/ for the notation")
        }

        /// The path as one name: `input.schema.address(object).street`.
        func name(_ path: some Sequence<String>) -> String { ([field] + path).joined(separator: ".") }

        /// A type written as text: a scalar type or a named schema, with an optional description.
        func typeText(_ text: String, path: [String]) throws(PromptLabError) -> PromptValue {
            let (type, description) = Picoschema.splitDescription(text)
            if type.isEmpty || type == "any" {
                return .object(description.map { [("description", .string($0))] } ?? [])
            }
            if Picoschema.scalarTypes.contains(type) {
                var pairs: [(key: String, value: PromptValue)] = [("type", .string(type))]
                if let description { pairs.append(("description", .string(description))) }
                return .object(pairs)
            }
            guard let resolved = resolver?(type) else {
                let known = Picoschema.scalarTypes
                throw problem(
                    path,
                    "unknown type '\(type)'\(Suggestion.phrase(for: type, in: known)) for '\(name(path))'; expected one of "
                        + "\(known.joined(separator: ", ")), a named schema, or a field written 'name(array)', 'name(object)' or 'name(enum)'",
                    atValue: true)
            }
            guard let description else { return resolved }
            return resolved.describing(description)
        }

        /// A value inside Picoschema: a type as text, a nested object, or (PromptLab's shorthand) an enum list.
        func value(_ value: PromptValue, path: [String], depth: Int, optional: Bool = false) throws(PromptLabError) -> PromptValue {
            switch value {
            case .string(let text): return try typeText(text, path: path)
            case .null: return .object([])
            case .object: return try object(value, path: path, depth: depth + 1)
            case .array: return try enumeration(value, path: path, optional: optional)
            default:
                throw problem(
                    path, "'\(name(path))' must be a type such as 'string' or a mapping of fields, got \(value.summary)", atValue: true)
            }
        }

        func object(_ value: PromptValue, path: [String], depth: Int) throws(PromptLabError) -> PromptValue {
            guard depth < Picoschema.maximumDepth else {
                throw problem(path, "'\(name(path))': objects nest more than \(Picoschema.maximumDepth) deep")
            }
            guard case .object(let pairs) = value else {
                throw problem(path, "'\(name(path))' must be a mapping of fields", atValue: true)
            }
            var properties = [(key: String, value: PromptValue)]()
            var required = [PromptValue]()
            var additional = PromptValue.bool(false)
            for (key, child) in pairs {
                let childPath = path + [key]
                if key.trimmingCharacters(in: .whitespaces) == "(*)" {
                    additional = try self.value(child, path: childPath, depth: depth)
                    continue
                }
                let parsed = try propertyKey(key, path: childPath)
                if properties.contains(where: { $0.key == parsed.name }) {
                    throw problem(childPath, "field '\(parsed.name)' is declared twice in '\(name(path))'")
                }
                if !parsed.optional { required.append(.string(parsed.name)) }
                var schema: PromptValue
                switch parsed.type {
                case nil:
                    schema = try self.value(child, path: childPath, depth: depth, optional: parsed.optional)
                    if parsed.optional, case .string(let type)? = schema["type"] {
                        schema = schema.setting("type", to: .array([.string(type), .string("null")]))
                    }
                case "array"?:
                    let items = try self.value(child, path: childPath, depth: depth)
                    schema = .object([
                        ("type", parsed.optional ? .array([.string("array"), .string("null")]) : .string("array")), ("items", items),
                    ])
                case "object"?:
                    guard case .object = child else {
                        throw problem(
                            childPath, "'\(name(childPath))' must be a mapping of fields, such as {street: string}", atValue: true)
                    }
                    schema = try object(child, path: childPath, depth: depth + 1)
                    if parsed.optional { schema = schema.setting("type", to: .array([.string("object"), .string("null")])) }
                case "enum"?:
                    schema = try enumeration(child, path: childPath, optional: parsed.optional)
                case let other?:
                    throw problem(
                        childPath,
                        "unknown type '(\(other))'\(Suggestion.phrase(for: other, in: ["array", "object", "enum"])) in '\(key)'; "
                            + "expected (array), (object) or (enum)")
                }
                if parsed.type != nil, let description = parsed.description {
                    schema = schema.describing(description)
                }
                properties.append((parsed.name, schema))
            }
            var result: [(key: String, value: PromptValue)] = [("type", .string("object")), ("properties", .object(properties))]
            if !required.isEmpty { result.append(("required", .array(required))) }
            result.append(("additionalProperties", additional))
            return .object(result)
        }

        func enumeration(_ value: PromptValue, path: [String], optional: Bool) throws(PromptLabError) -> PromptValue {
            guard case .array(var values) = value, !values.isEmpty else {
                throw problem(path, "'\(name(path))' must list its values, such as [low, medium, high]", atValue: true)
            }
            if optional, !values.contains(.null) { values.append(.null) }
            return .object([("enum", .array(values))])
        }

        /// `name`, `name?`, `name(type)`, `name?(type, description)`.
        func propertyKey(
            _ key: String, path: [String]
        ) throws(PromptLabError) -> (name: String, optional: Bool, type: String?, description: String?) {
            var written = Substring(key)
            var type: String?
            var description: String?
            if let open = key.firstIndex(of: "(") {
                written = key[..<open]
                var inside = key[key.index(after: open)...].trimmingCharacters(in: .whitespaces)
                guard inside.hasSuffix(")") else {
                    throw problem(path, "'\(key)' opens '(' without closing it; expected 'name(type)' or 'name(type, description)'")
                }
                inside.removeLast()
                let split = Picoschema.splitDescription(inside)
                type = split.type
                description = split.description
            }
            var trimmed = written.trimmingCharacters(in: .whitespaces)
            let optional = trimmed.hasSuffix("?")
            if optional { trimmed.removeLast() }
            guard !trimmed.isEmpty else { throw problem(path, "'\(key)' in '\(name(path.dropLast()))' has no field name") }
            return (trimmed, optional, type, description)
        }
    }
}

extension PromptValue {
    /// This object with `key` set to `value`: replaced where it is, or added at the end.
    func setting(_ key: String, to value: PromptValue) -> PromptValue {
        guard case .object(var pairs) = self else { return self }
        if let index = pairs.firstIndex(where: { $0.key == key }) {
            pairs[index].value = value
        } else {
            pairs.append((key, value))
        }
        return .object(pairs)
    }

    /// This object with `description` set, placed right after `type` (or first) so it reads first.
    func describing(_ description: String) -> PromptValue {
        guard case .object(var pairs) = self else { return self }
        pairs.removeAll { $0.key == "description" }
        let position = pairs.firstIndex { $0.key == "type" }.map { $0 + 1 } ?? 0
        pairs.insert(("description", .string(description)), at: position)
        return .object(pairs)
    }

    var isObject: Bool {
        if case .object = self { true } else { false }
    }
}
