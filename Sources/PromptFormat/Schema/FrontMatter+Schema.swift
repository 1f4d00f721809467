import PromptLabCore

extension FrontMatter {
    /// Reads front matter text (without its `---` lines) as a prompt file's.
    ///
    /// - Parameters:
    ///   - displayPath: the path shown in error messages.
    ///   - lineOffset: how many file lines precede the YAML (1 for the opening `---`).
    ///   - schemas: named schemas for Picoschema types such as `Foo`.
    /// - Throws: ``PromptLabError`` (`invalidInput`) citing `file:line:col`.
    public static func parse(
        _ yaml: String, displayPath: String, lineOffset: Int = 1, schemas: Picoschema.SchemaResolver? = nil
    ) throws(PromptLabError) -> FrontMatter {
        try FrontMatterParser(displayPath: displayPath, lineOffset: lineOffset, schemas: schemas).parse(yaml)
    }

    // MARK: - Variables

    /// Checks variables against ``inputSchema``, converting text where the
    /// reading is unambiguous: `"12"` for an integer, `"0.5"` for a number,
    /// `"true"` for a boolean, JSON text for an array or object, the text of an
    /// enum value; numbers and booleans become text where text is declared.
    /// `--var` values and CSV cells are always text, so this is what lets them
    /// meet a declared type.
    ///
    /// Every JSON Schema keyword ``JSONSchemaValidator`` knows is checked on
    /// each declared variable (nested `required`, `additionalProperties`,
    /// enums, ranges). Two things are left to the variables' own nature:
    /// undeclared top-level variables are allowed even where Picoschema wrote
    /// `additionalProperties: false` (datasets carry columns such as notes,
    /// and the template check already reports undeclared names a template
    /// uses), and null stands for "not given" for an optional variable.
    ///
    /// - Returns: the variables, converted.
    /// - Throws: ``PromptLabError``: `invalidInput` naming the variable's path
    ///   (`address.street`, `tags[1]`), the expected type and the value, with the
    ///   top-level variable as `subject`; `renderFailed` for a required variable
    ///   that was not given and has no default.
    public func checkVariables(_ variables: [String: PromptValue]) throws(PromptLabError) -> [String: PromptValue] {
        try variableChecker().check(variables)
    }

    /// The input schema prepared once (validators built, declarations indexed), for checking many variable
    /// sets: a run checks every case, and a compiled prompt every render.
    public func variableChecker() throws(PromptLabError) -> VariableChecker {
        guard let schema = inputSchema, case .object(let properties)? = schema["properties"] else { return VariableChecker() }
        var declared = [String: VariableChecker.Declaration]()
        for (name, property) in properties where declared[name] == nil {
            declared[name] = .init(
                variable: inputVariables.first { $0.name == name }, schema: property, validator: try JSONSchemaValidator(schema: property))
        }
        var additional: VariableChecker.Declaration?
        if let schema = schema["additionalProperties"], schema.isObject {
            additional = .init(variable: nil, schema: schema, validator: try JSONSchemaValidator(schema: schema))
        }
        var required = [String]()
        if case .array(let names)? = schema["required"] { required = names.compactMap(\.stringValue) }
        return VariableChecker(
            declared: declared, additional: additional, required: required, defaulted: Set(inputDefaults.map(\.key)),
            optional: optionalVariableNames)
    }

    /// The variables a compiled input schema declares, as ``InputVariable``s.
    static func variables(of schema: PromptValue?, depth: Int = 0) -> [InputVariable] {
        guard let schema, case .object(let properties)? = schema["properties"], depth < Picoschema.maximumDepth else { return [] }
        var required = Set<String>()
        if case .array(let names)? = schema["required"] { required = Set(names.compactMap(\.stringValue)) }
        return properties.map { name, property in
            let type = schemaType(of: property, depth: depth + 1)
            return InputVariable(
                name: name, type: type.keyword, isOptional: !required.contains(name), description: property["description"]?.stringValue,
                schema: type)
        }
    }

    /// The ``SchemaType`` a JSON Schema describes; `any` where it says more than one type can.
    static func schemaType(of schema: PromptValue, depth: Int) -> SchemaType {
        if case .array(let values)? = schema["enum"] { return .enumeration(values.filter { $0 != .null }) }
        let names: [String]
        switch schema["type"] {
        case .string(let name)?: names = [name]
        case .array(let list)?: names = list.compactMap(\.stringValue).filter { $0 != "null" }
        default: names = []
        }
        guard names.count == 1, let name = names.first else { return names.isEmpty && schema["type"] != nil ? .null : .any }
        switch name {
        case "array": return .array(schema["items"].map { schemaType(of: $0, depth: depth + 1) } ?? .any)
        case "object": return .object(variables(of: schema, depth: depth + 1))
        default: return SchemaType.scalar(name) ?? .any
        }
    }

    // MARK: - Dotprompt metadata

    /// The object Dotprompt's `renderMetadata` returns for this front matter
    /// (with no options and no model configurations): `ext`, `metadata` and
    /// `config` always; the reserved keys as written (`model`, `name`, `variant`,
    /// `version`, `description`, `tools`, `toolDefs`), with `input.schema` and
    /// `output.schema` compiled; `raw`, the whole front matter.
    ///
    /// As in Dotprompt, tools stay names (PromptLab resolves none, so `toolDefs`
    /// is empty) and other unnamespaced keys appear only in `raw`. Unlike
    /// Dotprompt (whose parser drops it), a `metadata:` mapping is kept.
    public var dotpromptMetadata: PromptValue {
        var out: [(key: String, value: PromptValue)] = [("ext", .object([])), ("metadata", .object([])), ("config", .object([]))]
        func set(_ key: String, _ value: PromptValue) {
            if let index = out.firstIndex(where: { $0.key == key }) { out[index].value = value } else { out.append((key, value)) }
        }
        guard case .object(let pairs) = raw else { return .object(out) }
        for (key, value) in pairs {
            switch key {
            case "input":
                set(key, inputSchema.map { value.setting("schema", to: $0) } ?? value)
            case "output":
                set(key, outputSchema.map { value.setting("schema", to: $0) } ?? value)
            case "tools":
                set(key, value)
                if out.first(where: { $0.key == "toolDefs" }) == nil { set("toolDefs", .array([])) }
            case "metadata" where value.isObject:
                set(key, value)
            case _ where Self.dotpromptReservedKeys.contains(key):
                set(key, value)
            default:
                continue
            }
        }
        set("raw", raw)
        set("ext", ext)
        return .object(out)
    }

    /// The top-level keys Dotprompt's parser keeps (its `RESERVED_METADATA_KEYWORDS`).
    static let dotpromptReservedKeys: Set<String> = [
        "config", "description", "ext", "input", "model", "name", "output", "raw", "toolDefs", "tools", "variant", "version",
    ]

    /// Groups namespaced keys as Dotprompt does: everything before the last dot
    /// names the namespace, so `a.b.c: 1` becomes `{"a.b": {c: 1}}`.
    static func extensions(of raw: PromptValue) -> PromptValue {
        guard case .object(let pairs) = raw else { return .object([]) }
        var groups = [(key: String, value: PromptValue)]()
        for (key, value) in pairs where !dotpromptReservedKeys.contains(key) {
            guard let dot = key.lastIndex(of: ".") else { continue }
            let namespace = String(key[..<dot])
            let field = String(key[key.index(after: dot)...])
            if let index = groups.firstIndex(where: { $0.key == namespace }) {
                groups[index].value = groups[index].value.setting(field, to: value)
            } else {
                groups.append((namespace, .object([(field, value)])))
            }
        }
        return .object(groups)
    }
}

// MARK: - Converting variables

/// Converts variable values toward a JSON Schema before validation.
enum VariableCheck {
    static func convert(_ value: PromptValue, to schema: PromptValue, path: String, depth: Int) throws(PromptLabError) -> PromptValue {
        guard depth < Picoschema.maximumDepth, case .object = schema else { return value }
        if case .array(let options)? = schema["enum"], case .string(let text) = value, !options.contains(where: { $0.jsonEquals(value) }),
            let match = options.first(where: { $0 != .null && $0.templateText == text })
        {
            return match
        }
        let types: [String]
        switch schema["type"] {
        case .string(let name)?: types = [name]
        case .array(let names)?: types = names.compactMap(\.stringValue)
        default: types = []
        }
        var converted = value
        if !types.isEmpty, !types.contains(where: { value.hasJSONType($0) }) {
            guard let found = types.lazy.compactMap({ convertText(value, to: $0) }).first else {
                throw PromptLabError(
                    .invalidInput, "variable '\(path)' must be \(phrase(types)), got \(SchemaType.describe(value))",
                    hint: "give \(phrase(types)) (input.schema declares '\(types.joined(separator: " or "))'), or change the declared type",
                    subject: SchemaType.root(of: path))
            }
            converted = found
        }
        switch converted {
        case .array(let items):
            guard let itemSchema = schema["items"], itemSchema.isObject else { return converted }
            var result = [PromptValue]()
            result.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                result.append(try convert(item, to: itemSchema, path: "\(path)[\(index)]", depth: depth + 1))
            }
            return .array(result)
        case .object(let pairs):
            let properties = schema["properties"]
            let additional = schema["additionalProperties"]
            var result = pairs
            for index in pairs.indices {
                let (name, member) = pairs[index]
                guard let memberSchema = properties?[name] ?? additional, memberSchema.isObject else { continue }
                result[index].value = try convert(member, to: memberSchema, path: "\(path).\(name)", depth: depth + 1)
            }
            return .object(result)
        default:
            return converted
        }
    }

    /// `value` read as `type` where that reading is unambiguous; nil otherwise.
    private static func convertText(_ value: PromptValue, to type: String) -> PromptValue? {
        switch (type, value) {
        case ("string", .int), ("string", .double), ("string", .bool): return .string(value.templateText)
        case ("integer", .string), ("number", .string), ("boolean", .string):
            let scalar = SchemaType.scalar(type) ?? .any
            return try? scalar.check(value, path: "")
        case ("array", .string(let text)), ("object", .string(let text)):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard trimmed.hasPrefix(type == "array" ? "[" : "{"), let parsed = try? PromptValue.parseJSON(trimmed) else { return nil }
            return parsed.hasJSONType(type) ? parsed : nil
        default: return nil
        }
    }

    /// How the types read in a sentence: `an integer`, `text or null`.
    static func phrase(_ types: [String]) -> String {
        types.map { type in
            switch type {
            case "array": "a list as JSON"
            case "object": "an object as JSON"
            default: (SchemaType.scalar(type) ?? .any).phrase
            }
        }.joined(separator: " or ")
    }
}

/// A prompt's input schema, ready to check variable sets (see ``FrontMatter/checkVariables(_:)``).
public struct VariableChecker: Sendable {
    struct Declaration: Sendable {
        var variable: InputVariable?
        var schema: PromptValue
        var validator: JSONSchemaValidator
    }

    var declared: [String: Declaration] = [:]
    var additional: Declaration?
    var required: [String] = []
    var defaulted: Set<String> = []
    var optional: Set<String> = []

    /// Checks and converts `variables`; see ``FrontMatter/checkVariables(_:)``.
    public func check(_ variables: [String: PromptValue]) throws(PromptLabError) -> [String: PromptValue] {
        guard !declared.isEmpty || additional != nil || !required.isEmpty else { return variables }
        var result = variables
        for name in variables.keys.sorted() {
            guard let value = variables[name], let declaration = declared[name] ?? additional else { continue }
            if case .null = value, optional.contains(name) { continue }
            // The type check first, for its plain messages ("must be an integer, got 'abc'"); then every other
            // keyword of the schema.
            var converted = value
            if let variable = declaration.variable {
                converted = try variable.schema.check(value, path: name, optional: variable.isOptional)
            }
            converted = try VariableCheck.convert(converted, to: declaration.schema, path: name, depth: 0)
            if let violation = declaration.validator.validate(converted).first {
                let path = name + String(violation.path.dropFirst())
                throw PromptLabError(
                    .invalidInput, "variable '\(path)': \(violation.message)",
                    hint: "give a value that input.schema allows, or change input.schema", subject: name)
            }
            result[name] = converted
        }
        for name in required where result[name] == nil && !defaulted.contains(name) {
            throw PromptLabError(
                .renderFailed, "needs variable '\(name)', which was not given (input.schema requires it)",
                hint: "pass it with --var \(name)=VALUE or --vars FILE, give it a default under input.default, "
                    + "or mark it optional ('\(name)?') under input.schema",
                subject: name)
        }
        return result
    }
}
