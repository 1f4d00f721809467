/// Placing ``GenerationConfig/additional`` entries in a vendor's request body.
///
/// The entries come from a prompt's `config` as Genkit writes them (camelCase). Vendors whose JSON is
/// snake_case get the key converted; a key that lands on a field PromptLab sets itself is refused,
/// since sending it would either be ignored by the JSON decoder at the other end or override a
/// setting PromptLab records and prices by.
enum AdditionalSettings {
    /// `frequencyPenalty` → `frequency_penalty`, `topK` → `top_k`, `logitBias` → `logit_bias`;
    /// snake_case keys are unchanged.
    static func snakeCase(_ key: String) -> String {
        var result = ""
        let characters = Array(key)
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let nextIsLower = index + 1 < characters.count && characters[index + 1].isLowercase
                if previous != "_" && (previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower)) {
                    result.append("_")
                }
            }
            result += character.lowercased()
        }
        return result
    }

    /// `max_output_tokens` → `maxOutputTokens`: the key protobuf's JSON mapping also accepts for a
    /// field, used to find collisions in Gemini's camelCase body.
    static func camelCase(_ key: String) -> String {
        var result = ""
        var upperNext = false
        for character in key {
            if character == "_" && !result.isEmpty {
                upperNext = true
            } else {
                result += upperNext ? character.uppercased() : String(character)
                upperNext = false
            }
        }
        return result
    }

    /// The entries with their keys converted by `convert`, refusing a key that lands on one of `reserved`
    /// or on the same key as another entry.
    ///
    /// - Throws: ``ProviderError/Kind/invalidConfiguration(_:)``, with no attempt made.
    static func place(
        _ additional: [String: ProviderJSON], convert: (String) -> String, reserved: Set<String>, provider: String
    ) throws(ProviderError) -> [String: ProviderJSON] {
        var placed: [String: ProviderJSON] = [:]
        var origins: [String: String] = [:]
        for key in additional.keys.sorted() {
            guard let value = additional[key] else { continue }
            let converted = convert(key)
            let shown = converted == key ? "'\(key)'" : "'\(key)' (sent as '\(converted)')"
            if reserved.contains(converted) {
                throw ProviderError(
                    .invalidConfiguration(
                        "config key \(shown) is a field PromptLab sets itself; use the prompt's own setting for it instead"),
                    provider: provider, attempts: 0)
            }
            if let other = origins[converted] {
                throw ProviderError(
                    .invalidConfiguration("config keys '\(other)' and '\(key)' are both sent as '\(converted)'; keep one"),
                    provider: provider, attempts: 0)
            }
            origins[converted] = key
            placed[converted] = value
        }
        return placed
    }
}

// MARK: - Encoding extra fields

/// A `CodingKey` for any string.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Encodes `base` (a keyed value) with `extra` members added beside its own.
struct WithExtraFields<Base: Encodable>: Encodable {
    var base: Base
    var extra: [String: ProviderJSON]

    func encode(to encoder: any Encoder) throws {
        try base.encode(to: encoder)
        guard !extra.isEmpty else { return }
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        for (key, value) in extra { try container.encode(value, forKey: AnyCodingKey(key)) }
    }
}
