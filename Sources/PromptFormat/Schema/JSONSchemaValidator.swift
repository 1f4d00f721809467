import Foundation
import PromptLabCore

/// Validates JSON values against a subset of JSON Schema (draft 2020-12
/// keywords, also fine for draft-07 schemas that use only these):
///
/// - any value: `type` (a name or a list of names: `null`, `boolean`,
///   `integer`, `number`, `string`, `array`, `object`), `enum`, `const`,
///   `anyOf`, `oneOf`, `allOf`, `not`, local `$ref` (`#`, `#/$defs/x`, `#/definitions/x`);
/// - numbers: `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`;
/// - strings: `minLength`, `maxLength` (in Unicode code points), `pattern` (unanchored, ICU syntax);
/// - arrays: `items` (one schema for every item, or a list for a tuple), `minItems`, `maxItems`, `uniqueItems`;
/// - objects: `properties`, `required`, `additionalProperties` (true, false or a schema),
///   `minProperties`, `maxProperties`.
///
/// `true` and `false` are schemas too. Other keywords (`format`,
/// `patternProperties`, `if`/`then`, ...) are ignored, as the specification
/// says for unknown keywords. An integer-valued number such as `1.0` is an `integer`.
///
/// Related: <https://json-schema.org/draft/2020-12/json-schema-validation>.
public struct JSONSchemaValidator: Sendable {
    /// One way a value fails its schema.
    public struct Violation: Sendable, Hashable, CustomStringConvertible {
        /// Where, as a path from the root: `$`, `$.items[2].total`.
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// The schema.
    public let schema: PromptValue
    private let patterns: [String: SharedRegex]

    private static let typeNames: Set<String> = ["null", "boolean", "integer", "number", "string", "array", "object"]

    /// Checks the schema itself and prepares its patterns.
    ///
    /// - Throws: ``PromptLabError`` (`invalidInput`) naming the first malformed
    ///   keyword, such as `schema at $.properties.total: 'minimum' must be a number`.
    public init(schema: PromptValue) throws(PromptLabError) {
        self.schema = schema
        var patterns = [String: SharedRegex]()
        try Self.check(schema, at: "$", root: schema, patterns: &patterns)
        self.patterns = patterns
    }

    /// Validates `value`.
    ///
    /// - Returns: Every violation found (empty when the value is valid), in document order.
    public func validate(_ value: PromptValue) -> [Violation] {
        var violations = [Violation]()
        validate(value, against: schema, path: "$", depth: 0, into: &violations)
        return violations
    }

    // MARK: - Checking the schema

    private static func check(
        _ schema: PromptValue, at location: String, root: PromptValue, patterns: inout [String: SharedRegex]
    ) throws(PromptLabError) {
        func problem(_ message: String) -> PromptLabError {
            PromptLabError(.invalidInput, "schema at \(location): \(message)", hint: "fix the JSON Schema")
        }
        if case .bool = schema { return }
        guard case .object(let pairs) = schema else { throw problem("a schema must be an object, true or false") }
        for (key, value) in pairs {
            switch key {
            case "type":
                let names: [PromptValue]
                if case .array(let list) = value { names = list } else { names = [value] }
                for name in names {
                    guard case .string(let text) = name, typeNames.contains(text) else {
                        throw problem("'type' must be one of \(typeNames.sorted().joined(separator: ", ")), or a list of them")
                    }
                }
            case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum":
                guard value.number != nil else { throw problem("'\(key)' must be a number") }
            case "multipleOf":
                guard let number = value.number, number > 0 else { throw problem("'multipleOf' must be a number > 0") }
            case "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties":
                guard let number = value.number, number >= 0, number == number.rounded() else {
                    throw problem("'\(key)' must be a whole number ≥ 0")
                }
            case "pattern":
                guard case .string(let pattern) = value else { throw problem("'pattern' must be text") }
                do {
                    patterns[pattern] = try SharedRegex(pattern)
                } catch {
                    throw problem("'pattern' is not a valid regular expression: \(pattern)")
                }
            case "required":
                guard case .array(let names) = value, names.allSatisfy({ if case .string = $0 { true } else { false } }) else {
                    throw problem("'required' must be a list of property names")
                }
            case "enum":
                guard case .array = value else { throw problem("'enum' must be a list of values") }
            case "uniqueItems":
                guard case .bool = value else { throw problem("'uniqueItems' must be true or false") }
            case "properties", "$defs", "definitions":
                guard case .object(let children) = value else { throw problem("'\(key)' must map names to schemas") }
                for (name, child) in children { try check(child, at: "\(location).\(key).\(name)", root: root, patterns: &patterns) }
            case "additionalProperties", "not":
                try check(value, at: "\(location).\(key)", root: root, patterns: &patterns)
            case "items":
                if case .array(let tuple) = value {
                    for (index, child) in tuple.enumerated() {
                        try check(child, at: "\(location).items[\(index)]", root: root, patterns: &patterns)
                    }
                } else {
                    try check(value, at: "\(location).items", root: root, patterns: &patterns)
                }
            case "anyOf", "oneOf", "allOf":
                guard case .array(let list) = value, !list.isEmpty else { throw problem("'\(key)' must be a non-empty list of schemas") }
                for (index, child) in list.enumerated() {
                    try check(child, at: "\(location).\(key)[\(index)]", root: root, patterns: &patterns)
                }
            case "$ref":
                guard case .string(let reference) = value, resolve(reference, in: root) != nil else {
                    throw problem("'$ref' must point inside this schema, such as \"#/$defs/item\"")
                }
            default:
                continue  // Unknown keywords are ignored, as the specification says.
            }
        }
    }

    /// Resolves a local reference: `#` or a JSON pointer such as `#/$defs/item`.
    private static func resolve(_ reference: String, in root: PromptValue) -> PromptValue? {
        guard reference.hasPrefix("#") else { return nil }
        var current = root
        for token in reference.dropFirst().split(separator: "/", omittingEmptySubsequences: true) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch current {
            case .object:
                guard let next = current[key] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(key), items.indices.contains(index) else { return nil }
                current = items[index]
            default: return nil
            }
        }
        return current
    }

    // MARK: - Validating

    private func validate(_ value: PromptValue, against schema: PromptValue, path: String, depth: Int, into violations: inout [Violation]) {
        func fail(_ message: String) { violations.append(Violation(path: path, message: message)) }
        if case .bool(let allowed) = schema {
            if !allowed { fail("no value is allowed here") }
            return
        }
        guard case .object(let keywords) = schema else { return }
        guard depth < 64 else {
            fail("the schema nests too deeply (a $ref cycle?)")
            return
        }
        func keyword(_ name: String) -> PromptValue? { keywords.first { $0.key == name }?.value }

        if case .string(let reference)? = keyword("$ref"), let target = Self.resolve(reference, in: self.schema) {
            validate(value, against: target, path: path, depth: depth + 1, into: &violations)
        }
        if let type = keyword("type") {
            let allowed: [String]
            if case .array(let names) = type {
                allowed = names.compactMap(\.stringValue)
            } else {
                allowed = type.stringValue.map { [$0] } ?? []
            }
            if !allowed.contains(where: { value.hasJSONType($0) }) {
                fail("expected \(allowed.joined(separator: " or ")), got \(value.jsonTypeName)")
                return  // Further keywords would only repeat the type mismatch.
            }
        }
        if case .array(let options)? = keyword("enum"), !options.contains(where: { $0.jsonEquals(value) }) {
            fail("\(value.shortJSON) is not one of \(options.map(\.shortJSON).joined(separator: ", "))")
        }
        if let constant = keyword("const"), !constant.jsonEquals(value) {
            fail("must be \(constant.shortJSON), got \(value.shortJSON)")
        }

        switch value {
        case .int, .double:
            let number = value.number!  // ints and doubles always have one.
            if let minimum = keyword("minimum")?.number, number < minimum {
                fail("\(value.shortJSON) is less than the minimum \(PromptValue.format(minimum))")
            }
            if let maximum = keyword("maximum")?.number, number > maximum {
                fail("\(value.shortJSON) is more than the maximum \(PromptValue.format(maximum))")
            }
            if let bound = keyword("exclusiveMinimum")?.number, number <= bound {
                fail("\(value.shortJSON) must be more than \(PromptValue.format(bound))")
            }
            if let bound = keyword("exclusiveMaximum")?.number, number >= bound {
                fail("\(value.shortJSON) must be less than \(PromptValue.format(bound))")
            }
            if let divisor = keyword("multipleOf")?.number {
                let quotient = number / divisor
                if abs(quotient - quotient.rounded()) > 1e-9 * max(1, abs(quotient)) {
                    fail("\(value.shortJSON) is not a multiple of \(PromptValue.format(divisor))")
                }
            }
        case .string(let text):
            let length = text.unicodeScalars.count
            if let minimum = keyword("minLength")?.number, Double(length) < minimum {
                fail("text of \(length) characters is shorter than \(PromptValue.format(minimum))")
            }
            if let maximum = keyword("maxLength")?.number, Double(length) > maximum {
                fail("text of \(length) characters is longer than \(PromptValue.format(maximum))")
            }
            if case .string(let pattern)? = keyword("pattern"), let regex = patterns[pattern], regex.firstMatch(in: text) == nil {
                fail("\(value.shortJSON) does not match the pattern /\(pattern)/")
            }
        case .array(let items):
            if let minimum = keyword("minItems")?.number, Double(items.count) < minimum {
                fail("\(items.count) items, fewer than \(PromptValue.format(minimum))")
            }
            if let maximum = keyword("maxItems")?.number, Double(items.count) > maximum {
                fail("\(items.count) items, more than \(PromptValue.format(maximum))")
            }
            if keyword("uniqueItems") == .bool(true) {
                outer: for i in items.indices {
                    for j in items.indices where j > i && items[i].jsonEquals(items[j]) {
                        fail("items \(i) and \(j) are equal, but items must be unique")
                        break outer
                    }
                }
            }
            switch keyword("items") {
            case .array(let tuple)?:
                for (index, item) in items.enumerated() where index < tuple.count {
                    validate(item, against: tuple[index], path: "\(path)[\(index)]", depth: depth + 1, into: &violations)
                }
            case let itemSchema?:
                for (index, item) in items.enumerated() {
                    validate(item, against: itemSchema, path: "\(path)[\(index)]", depth: depth + 1, into: &violations)
                }
            case nil:
                break
            }
        case .object(let members):
            if let minimum = keyword("minProperties")?.number, Double(members.count) < minimum {
                fail("\(members.count) properties, fewer than \(PromptValue.format(minimum))")
            }
            if let maximum = keyword("maxProperties")?.number, Double(members.count) > maximum {
                fail("\(members.count) properties, more than \(PromptValue.format(maximum))")
            }
            if case .array(let required)? = keyword("required") {
                for case .string(let name) in required where !members.contains(where: { $0.key == name }) {
                    fail("required property '\(name)' is missing")
                }
            }
            var declared = [String: PromptValue]()
            if case .object(let properties)? = keyword("properties") {
                for (name, propertySchema) in properties { declared[name] = propertySchema }
            }
            let additional = keyword("additionalProperties")
            for (name, member) in members {
                let memberPath = Self.memberPath(path, name)
                if let propertySchema = declared[name] {
                    validate(member, against: propertySchema, path: memberPath, depth: depth + 1, into: &violations)
                } else if let additional {
                    if additional == .bool(false) {
                        fail("property '\(name)' is not allowed")
                    } else {
                        validate(member, against: additional, path: memberPath, depth: depth + 1, into: &violations)
                    }
                }
            }
        default:
            break
        }

        if case .array(let schemas)? = keyword("allOf") {
            for subschema in schemas { validate(value, against: subschema, path: path, depth: depth + 1, into: &violations) }
        }
        if case .array(let schemas)? = keyword("anyOf") {
            var firstFailure: [Violation]?
            var matched = false
            for subschema in schemas {
                var trial = [Violation]()
                validate(value, against: subschema, path: path, depth: depth + 1, into: &trial)
                if trial.isEmpty {
                    matched = true
                    break
                }
                if firstFailure == nil { firstFailure = trial }
            }
            if !matched { fail("matches none of the anyOf schemas (first: \(firstFailure?.first?.description ?? "?"))") }
        }
        if case .array(let schemas)? = keyword("oneOf") {
            var matches = 0
            var firstFailure: Violation?
            for subschema in schemas {
                var trial = [Violation]()
                validate(value, against: subschema, path: path, depth: depth + 1, into: &trial)
                if trial.isEmpty { matches += 1 } else if firstFailure == nil { firstFailure = trial.first }
            }
            if matches == 0 {
                fail("matches none of the oneOf schemas (first: \(firstFailure?.description ?? "?"))")
            } else if matches > 1 {
                fail("matches \(matches) of the oneOf schemas, not exactly one")
            }
        }
        if let negated = keyword("not") {
            var trial = [Violation]()
            validate(value, against: negated, path: path, depth: depth + 1, into: &trial)
            if trial.isEmpty { fail("matches the schema under 'not'") }
        }
    }

    private static func memberPath(_ path: String, _ name: String) -> String {
        let plain = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } && !(name.first?.isNumber ?? false)
        return plain ? "\(path).\(name)" : "\(path)[\(PromptValue.jsonQuoted(name))]"
    }
}

// MARK: - JSON value helpers

extension PromptValue {
    /// The value as a number, for ints and doubles.
    package var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    package var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The JSON Schema type name of the value (`integer` for whole numbers).
    package var jsonTypeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double(let d): d == d.rounded() && d.isFinite ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    package func hasJSONType(_ name: String) -> Bool {
        name == jsonTypeName || (name == "number" && number != nil)
    }

    /// JSON equality: numbers by value, objects regardless of key order
    /// (what comparing a compiled schema or metadata with Dotprompt's needs).
    public func jsonEquals(_ other: PromptValue) -> Bool {
        switch (self, other) {
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { pair in b.contains { $0.key == pair.key && $0.value.jsonEquals(pair.value) } }
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.jsonEquals($1) }
        default:
            if let x = number, let y = other.number { return x == y }
            return self == other
        }
    }

    /// Compact JSON, shortened for messages.
    package var shortJSON: String {
        let text = jsonText(pretty: false)
        return text.count > 40 ? String(text.prefix(39)) + "…" : text
    }
}
