import Foundation
import PromptLabCore

extension SchemaType {
    /// Checks a variable's value against this type, converting text where the
    /// reading is unambiguous: `"12"` for an integer, `"0.5"` for a number,
    /// `"true"`/`"false"` for a boolean, JSON text for an array or object, the
    /// text of an enum value. `--var` values and CSV cells are always text, so
    /// this is what lets them meet a declared type.
    ///
    /// Numbers and booleans are accepted where text is declared (they render as
    /// they read). Objects may carry fields the schema does not list.
    ///
    /// - Parameters:
    ///   - path: the variable's name, such as `max_words` or `address.street`, for the error.
    ///   - optional: whether null stands for "not given".
    /// - Throws: ``PromptLabError`` (`invalidInput`) naming the variable, the type and the value,
    ///   with the top-level variable as its `subject`.
    public func check(_ value: PromptValue, path: String, optional: Bool = false) throws(PromptLabError) -> PromptValue {
        if case .null = value, optional || self == .null || self == .any { return value }
        switch (self, value) {
        case (.any, _): return value
        case (.string, .string): return value
        case (.string, .int), (.string, .double), (.string, .bool): return .string(value.templateText)
        case (.integer, .int): return value
        case (.integer, .double(let d)):
            if let exact = Int(exactly: d) { return .int(exact) }
        case (.integer, .string(let text)):
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let digits = trimmed.first == "-" || trimmed.first == "+" ? trimmed.dropFirst() : trimmed[...]
            if !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let n = Int(trimmed) {
                return .int(n)
            }
        case (.number, .int), (.number, .double): return value
        case (.number, .string(let text)):
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let allowed = Set("0123456789+-.eE")
            if !trimmed.isEmpty, trimmed.allSatisfy(allowed.contains), let d = Double(trimmed), d.isFinite {
                let looksWhole = !trimmed.contains { ".eE".contains($0) }
                if looksWhole, let n = Int(exactly: d) { return .int(n) }
                return .double(d)
            }
        case (.boolean, .bool): return value
        case (.boolean, .string(let text)):
            switch text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: break
            }
        case (.enumeration(let values), _):
            if let match = values.first(where: { $0 == value }) { return match }
            if case .string(let text) = value, let match = values.first(where: { $0.templateText == text }) { return match }
        case (.array(let item), .array(let items)):
            var checked = [PromptValue]()
            checked.reserveCapacity(items.count)
            for (index, element) in items.enumerated() {
                checked.append(try item.check(element, path: "\(path)[\(index)]"))
            }
            return .array(checked)
        case (.object(let fields), .object(let pairs)):
            var result = pairs
            for field in fields {
                let fieldPath = "\(path).\(field.name)"
                guard let position = pairs.firstIndex(where: { $0.key == field.name }) else {
                    if field.isOptional { continue }
                    throw PromptLabError(
                        .invalidInput, "variable '\(fieldPath)' (\(field.schema.phrase)) is missing",
                        hint: "add it to '\(path)', or mark it optional ('\(field.name)?') under input.schema",
                        subject: Self.root(of: path))
                }
                result[position].value = try field.schema.check(pairs[position].value, path: fieldPath, optional: field.isOptional)
            }
            return .object(result)
        case (.array, .string(let text)), (.object, .string(let text)):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.hasPrefix("[") || trimmed.hasPrefix("{"), let parsed = try? PromptValue.parseJSON(trimmed),
                !parsed.isString
            {
                return try check(parsed, path: path)
            }
        default: break
        }
        throw PromptLabError(
            .invalidInput, "variable '\(path)' must be \(phrase), got \(Self.describe(value))",
            hint: "give \(phrase) (input.schema declares '\(keyword)'), or change the declared type",
            subject: Self.root(of: path))
    }

    /// How the type reads in a sentence: `an integer`, `one of low, high`.
    public var phrase: String {
        switch self {
        case .string: "text"
        case .integer: "an integer"
        case .number: "a number"
        case .boolean: "true or false"
        case .null: "null"
        case .any: "any value"
        case .enumeration(let values): "one of " + values.map(\.templateText).joined(separator: ", ")
        case .array(let item): "a list (of \(item.phrase)) as JSON"
        case .object(let fields):
            fields.isEmpty ? "an object as JSON" : "an object with \(fields.map(\.name).joined(separator: ", ")) as JSON"
        }
    }

    static func describe(_ value: PromptValue) -> String {
        switch value {
        case .null: return "null"
        case .string(let s): return "'" + (s.count > 60 ? String(s.prefix(57)) + "…" : s) + "'"
        case .array, .object:
            let json = value.jsonText(pretty: false)
            return json.count > 60 ? String(json.prefix(57)) + "…" : json
        default: return value.templateText
        }
    }

    static func root(of path: String) -> String {
        String(path.prefix { $0 != "." && $0 != "[" })
    }
}

extension PromptValue {
    var isString: Bool {
        if case .string = self { true } else { false }
    }
}
