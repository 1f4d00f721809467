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

/// A variable declared in `input.schema` (Picoschema: `name?: type, description`).
public struct InputVariable: Sendable, Hashable {
    public var name: String
    public var type: String
    public var isOptional: Bool
    public var description: String?
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
