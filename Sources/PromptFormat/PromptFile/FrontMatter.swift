import PromptLabCore

/// Generation settings from a prompt's `config` block (Dotprompt names).
public struct GenerationSettings: Sendable, Hashable, Codable {
    public var temperature: Double?
    public var maxOutputTokens: Int?
    public var topP: Double?
    public var stopSequences: [String]?
    public var seed: Int?
    /// Sample from this many most likely tokens (Gemini, Anthropic).
    public var topK: Int?
    /// Entries PromptLab does not interpret (`safetySettings`, provider-specific
    /// options), in source order, kept so they are passed on and shown.
    public var additional: [(key: String, value: PromptValue)]

    public init(
        temperature: Double? = nil, maxOutputTokens: Int? = nil, topP: Double? = nil,
        stopSequences: [String]? = nil, seed: Int? = nil, topK: Int? = nil,
        additional: [(key: String, value: PromptValue)] = []
    ) {
        self.temperature = temperature
        self.maxOutputTokens = maxOutputTokens
        self.topP = topP
        self.stopSequences = stopSequences
        self.seed = seed
        self.topK = topK
        self.additional = additional
    }

    /// The fields that are set, in Dotprompt's names and order, for display and JSON.
    public var fields: [(key: String, value: PromptValue)] {
        var fields = [(key: String, value: PromptValue)]()
        if let temperature { fields.append(("temperature", .double(temperature))) }
        if let maxOutputTokens { fields.append(("maxOutputTokens", .int(maxOutputTokens))) }
        if let topP { fields.append(("topP", .double(topP))) }
        if let stopSequences { fields.append(("stopSequences", .array(stopSequences.map(PromptValue.string)))) }
        if let seed { fields.append(("seed", .int(seed))) }
        if let topK { fields.append(("topK", .int(topK))) }
        return fields + additional
    }

    /// These settings with every field that `overrides` sets replaced; an
    /// additional entry of `overrides` replaces the one of the same key or is appended.
    public func merged(with overrides: GenerationSettings) -> GenerationSettings {
        var additional = additional
        for entry in overrides.additional {
            if let index = additional.firstIndex(where: { $0.key == entry.key }) {
                additional[index].value = entry.value
            } else {
                additional.append(entry)
            }
        }
        return GenerationSettings(
            temperature: overrides.temperature ?? temperature,
            maxOutputTokens: overrides.maxOutputTokens ?? maxOutputTokens,
            topP: overrides.topP ?? topP,
            stopSequences: overrides.stopSequences ?? stopSequences,
            seed: overrides.seed ?? seed,
            topK: overrides.topK ?? topK,
            additional: additional)
    }

    public static func == (lhs: GenerationSettings, rhs: GenerationSettings) -> Bool {
        lhs.temperature == rhs.temperature && lhs.maxOutputTokens == rhs.maxOutputTokens && lhs.topP == rhs.topP
            && lhs.stopSequences == rhs.stopSequences && lhs.seed == rhs.seed && lhs.topK == rhs.topK
            && PromptValue.object(lhs.additional) == PromptValue.object(rhs.additional)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(temperature)
        hasher.combine(maxOutputTokens)
        hasher.combine(topP)
        hasher.combine(stopSequences)
        hasher.combine(seed)
        hasher.combine(topK)
        hasher.combine(PromptValue.object(additional))
    }

    private enum CodingKeys: String, CodingKey {
        case temperature, maxOutputTokens, topP, stopSequences, seed, topK, additional
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        maxOutputTokens = try container.decodeIfPresent(Int.self, forKey: .maxOutputTokens)
        topP = try container.decodeIfPresent(Double.self, forKey: .topP)
        stopSequences = try container.decodeIfPresent([String].self, forKey: .stopSequences)
        seed = try container.decodeIfPresent(Int.self, forKey: .seed)
        topK = try container.decodeIfPresent(Int.self, forKey: .topK)
        // Encoded as an object; JSONDecoder does not keep key order, so they come back sorted.
        if case .object(let pairs)? = try container.decodeIfPresent(PromptValue.self, forKey: .additional) {
            additional = pairs
        } else {
            additional = []
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(temperature, forKey: .temperature)
        try container.encodeIfPresent(maxOutputTokens, forKey: .maxOutputTokens)
        try container.encodeIfPresent(topP, forKey: .topP)
        try container.encodeIfPresent(stopSequences, forKey: .stopSequences)
        try container.encodeIfPresent(seed, forKey: .seed)
        try container.encodeIfPresent(topK, forKey: .topK)
        if !additional.isEmpty { try container.encode(PromptValue.object(additional), forKey: .additional) }
    }
}

/// The format a prompt asks the model to answer in (Dotprompt's `output.format`).
public enum OutputFormat: String, Sendable, Hashable, Codable, CaseIterable {
    case text, json, media, array, `enum`, jsonl
}

/// A variable declared in `input.schema` (Picoschema: `name?: type, description`),
/// or a field of an object variable.
public struct InputVariable: Sendable, Hashable {
    public var name: String
    /// The type's keyword as written: `string`, `integer`, `number`, `boolean`,
    /// `null`, `any`, `array`, `object` or `enum`.
    public var type: String
    public var isOptional: Bool
    public var description: String?
    /// The full type, with array items, object fields and enum values.
    public var schema: SchemaType = .any
}

/// A Picoschema type, as Dotprompt declares variables:
/// `count: integer`, `tags(array): string`, `address(object): {street: string}`,
/// `level(enum): [low, high]`.
///
/// See <https://google.github.io/dotprompt/reference/picoschema/>.
public indirect enum SchemaType: Sendable, Hashable {
    case string, integer, number, boolean, null, any
    /// One of these values.
    case enumeration([PromptValue])
    /// A list whose items have this type.
    case array(SchemaType)
    /// An object with these fields; other fields are allowed.
    case object([InputVariable])

    /// The scalar type a keyword such as `integer` names.
    public static func scalar(_ keyword: String) -> SchemaType? {
        switch keyword {
        case "string": .string
        case "integer": .integer
        case "number": .number
        case "boolean": .boolean
        case "null": .null
        case "any", "": .any
        default: nil
        }
    }

    /// The keyword that names this type.
    public var keyword: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .number: "number"
        case .boolean: "boolean"
        case .null: "null"
        case .any: "any"
        case .enumeration: "enum"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// A few-shot example: the variables of an input and the answer expected for it.
public struct PromptExample: Sendable, Hashable {
    public var input: PromptValue
    public var output: PromptValue
}

/// A prompt file's YAML front matter, compatible with Google's Dotprompt
/// where the two overlap.
public struct FrontMatter: Sendable, Hashable {
    public var name: String?
    public var variant: String?
    public var version: String?
    public var description: String?
    /// The default model, such as `openai/gpt-4o-mini`.
    public var model: String?
    public var config = GenerationSettings()
    /// The variables `input.schema` declares, read from ``inputSchema``.
    public var inputVariables: [InputVariable] = []
    /// `input.schema` compiled to JSON Schema (see ``Picoschema``).
    public var inputSchema: PromptValue?
    /// Defaults for input variables (`input.default`).
    public var inputDefaults: [(key: String, value: PromptValue)] = []
    public var outputFormat: OutputFormat = .text
    /// `output.schema` compiled to JSON Schema (see ``Picoschema``).
    public var outputSchema: PromptValue?
    /// Names of the tools the prompt may call (`tools`).
    public var tools: [String] = []
    /// Free-form data for code and tools (`metadata`).
    public var metadata: PromptValue?
    /// Namespaced top-level keys such as `myext.foo: bar`, grouped as Dotprompt
    /// groups them: `{myext: {foo: bar}}`.
    public var ext: PromptValue = .object([])
    public var tags: [String] = []
    public var examples: [PromptExample] = []
    /// The whole front matter as written, for field-by-field comparison.
    public var raw: PromptValue = .object([])

    public init() {}

    public static func == (lhs: FrontMatter, rhs: FrontMatter) -> Bool { lhs.raw == rhs.raw }
    public func hash(into hasher: inout Hasher) { hasher.combine(raw) }

    /// Names of variables a case must supply: declared, not optional, with no default.
    public var requiredVariables: [String] {
        let defaulted = Set(inputDefaults.map(\.key))
        return inputVariables.filter { !$0.isOptional && !defaulted.contains($0.name) }.map(\.name)
    }

    /// Top-level properties of ``inputSchema`` that its `required` does not list.
    public var optionalVariableNames: Set<String> {
        Set(inputVariables.filter(\.isOptional).map(\.name))
    }
}
