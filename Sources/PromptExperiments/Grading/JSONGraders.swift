import Foundation
import PromptFormat
import PromptLabCore
import PromptVersioning

/// `is-json`: the output parses as JSON, optionally matches a JSON Schema
/// (``JSONSchemaValidator``), and has the expected values at named fields.
///
/// ```yaml
/// - type: is-json
///   schema: {type: object, required: [vendor, total], properties: {total: {type: number}}}
///   fields: {currency: EUR, "lines[0].sku": A-1}   # literal expectations
///   expected_fields: [vendor, total]              # compared with the case's expected JSON
///   allow_fences: true                            # accept ```json ... ``` around the output
/// ```
///
/// Without a `schema`, a prompt with `output.format: json` and an `output.schema`
/// supplies its compiled schema (``GradingSample/outputSchema``).
///
/// Field paths are dot-separated keys with `[n]` (or `.n`) for array items.
struct JSONGrader: DeterministicGrader {
    var validator: JSONSchemaValidator?
    var fields: [(path: String, value: PromptValue)]
    var expectedFields: [String]
    var allowFences: Bool

    init(options: GraderOptions) throws(PromptLabError) {
        if let schema = options.value("schema") {
            do {
                validator = try JSONSchemaValidator(schema: schema)
            } catch {
                throw options.problem(error.message)
            }
        }
        fields = []
        if let value = options.value("fields") {
            guard case .object(let pairs) = value else {
                throw options.problem("'fields' must map field paths to values, such as {currency: EUR}")
            }
            for (path, expected) in pairs {
                guard Self.pathComponents(path) != nil else { throw options.problem("field path '\(path)' is malformed") }
                fields.append((path, expected))
            }
        }
        expectedFields = try options.stringList("expected_fields") ?? []
        for path in expectedFields where Self.pathComponents(path) == nil {
            throw options.problem("field path '\(path)' is malformed")
        }
        allowFences = try options.bool("allow_fences", default: false)
    }

    func evaluate(_ sample: GradingSample) throws(GradeProblem) -> GradeOutcome {
        var text = sample.output.trimmedOfWhitespace
        if allowFences { text = Self.removingFence(text) }
        guard let value = Self.parse(text) else {
            return .binary(false, "not valid JSON: \(text.quotedPreview(40))")
        }
        var problems = [String]()
        if let validator {
            problems += validator.validate(value).map(\.description)
        } else if let schema = sample.outputSchema {
            // The prompt's own output schema; it was checked when the prompt was read.
            guard let promptValidator = try? JSONSchemaValidator(schema: schema) else {
                throw GradeProblem("the prompt's output.schema is not a JSON Schema this grader can check")
            }
            problems += promptValidator.validate(value).map(\.description)
        }
        for (path, expected) in fields {
            problems += Self.compare(value, path: path, expected: expected)
        }
        if !expectedFields.isEmpty {
            guard let expectedText = sample.expected, let expected = Self.parse(expectedText) else {
                throw GradeProblem("case '\(sample.caseID)' has no 'expected' JSON to compare expected_fields with")
            }
            for path in expectedFields {
                guard let wanted = Self.lookup(expected, path: path) else {
                    throw GradeProblem("the 'expected' value of case '\(sample.caseID)' has no field '\(path)'")
                }
                problems += Self.compare(value, path: path, expected: wanted)
            }
        }
        if problems.isEmpty { return .binary(true) }
        let more = problems.count > 3 ? " (+\(problems.count - 3) more)" : ""
        return .binary(false, problems.prefix(3).joined(separator: "; ") + more)
    }

    // MARK: - Helpers

    /// Parses JSON text of any kind (object, array or scalar).
    static func parse(_ text: String) -> PromptValue? {
        let trimmed = text.trimmedOfWhitespace
        guard !trimmed.isEmpty else { return nil }
        return try? PromptValue.parseJSON(trimmed)
    }

    /// The text inside one Markdown code fence (```json ... ```) around the whole text.
    static func removingFence(_ text: String) -> String {
        guard text.hasPrefix("```"), text.hasSuffix("```"), text.count >= 6 else { return text }
        var inner = text.dropFirst(3).dropLast(3)
        if let newline = inner.firstIndex(of: "\n") {
            let language = inner[..<newline]
            if language.allSatisfy({ $0.isLetter }) { inner = inner[inner.index(after: newline)...] }
        }
        return String(inner).trimmedOfWhitespace
    }

    private static func compare(_ value: PromptValue, path: String, expected: PromptValue) -> [String] {
        guard let actual = lookup(value, path: path) else { return ["field '\(path)' is missing"] }
        return actual.jsonEquals(expected) ? [] : ["field '\(path)' is \(actual.shortJSON), expected \(expected.shortJSON)"]
    }

    /// Splits `a.b[0].c` into keys and indexes; nil when malformed.
    static func pathComponents(_ path: String) -> [String]? {
        var components = [String]()
        var current = ""
        var index = path.startIndex
        while index < path.endIndex {
            let character = path[index]
            switch character {
            case ".":
                guard !current.isEmpty || components.last?.hasPrefix("[") == true else { return nil }
                if !current.isEmpty { components.append(current) }
                current = ""
            case "[":
                if !current.isEmpty { components.append(current) }
                current = ""
                guard let close = path[index...].firstIndex(of: "]") else { return nil }
                let number = path[path.index(after: index)..<close]
                guard !number.isEmpty, number.allSatisfy(\.isNumber) else { return nil }
                components.append("[" + number + "]")
                index = close
            default:
                current.append(character)
            }
            index = path.index(after: index)
        }
        if !current.isEmpty { components.append(current) }
        return components.isEmpty ? nil : components
    }

    /// The value at `path`, if there is one.
    static func lookup(_ value: PromptValue, path: String) -> PromptValue? {
        guard let components = pathComponents(path) else { return nil }
        var current = value
        for component in components {
            if component.hasPrefix("[") {
                guard case .array(let items) = current, let index = Int(component.dropFirst().dropLast()), items.indices.contains(index)
                else {
                    return nil
                }
                current = items[index]
            } else if case .array(let items) = current, let index = Int(component) {
                guard items.indices.contains(index) else { return nil }
                current = items[index]
            } else {
                guard let next = current[component] else { return nil }
                current = next
            }
        }
        return current
    }
}

// MARK: - Registration

extension GraderType {
    public static let isJSON: GraderType = "is-json"
}

extension GraderRegistration {
    static let isJSON = GraderRegistration([.isJSON]) { (options, _) throws(PromptLabError) in try JSONGrader(options: options) }
}
