import PromptLabCore

/// Generation settings from a prompt's `config` block (Dotprompt names).
public struct GenerationSettings: Sendable, Hashable, Codable {
    public var temperature: Double?
    public var maxOutputTokens: Int?
    public var topP: Double?
    public var stopSequences: [String]?
    public var seed: Int?

    public init(
        temperature: Double? = nil, maxOutputTokens: Int? = nil, topP: Double? = nil,
        stopSequences: [String]? = nil, seed: Int? = nil
    ) {
        self.temperature = temperature
        self.maxOutputTokens = maxOutputTokens
        self.topP = topP
        self.stopSequences = stopSequences
        self.seed = seed
    }

    /// The fields that are set, in Dotprompt's names and order, for display and JSON.
    public var fields: [(key: String, value: PromptValue)] {
        var fields = [(key: String, value: PromptValue)]()
        if let temperature { fields.append(("temperature", .double(temperature))) }
        if let maxOutputTokens { fields.append(("maxOutputTokens", .int(maxOutputTokens))) }
        if let topP { fields.append(("topP", .double(topP))) }
        if let stopSequences { fields.append(("stopSequences", .array(stopSequences.map(PromptValue.string)))) }
        if let seed { fields.append(("seed", .int(seed))) }
        return fields
    }

    /// These settings with every field that `overrides` sets replaced.
    public func merged(with overrides: GenerationSettings) -> GenerationSettings {
        GenerationSettings(
            temperature: overrides.temperature ?? temperature,
            maxOutputTokens: overrides.maxOutputTokens ?? maxOutputTokens,
            topP: overrides.topP ?? topP,
            stopSequences: overrides.stopSequences ?? stopSequences,
            seed: overrides.seed ?? seed)
    }
}

/// The format a prompt asks the model to answer in.
public enum OutputFormat: String, Sendable, Hashable, Codable {
    case text, json
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
    public var description: String?
    /// The default model, such as `openai/gpt-4o-mini`.
    public var model: String?
    public var config = GenerationSettings()
    public var inputVariables: [InputVariable] = []
    /// Defaults for input variables (`input.default`).
    public var inputDefaults: [(key: String, value: PromptValue)] = []
    public var outputFormat: OutputFormat = .text
    public var outputSchema: PromptValue?
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
}
