import GitKit
import PromptFormat
import PromptLabCore
import PromptVersioning

/// One test case of a dataset: the variables a prompt is rendered with, the
/// answer expected (if any) and free-form metadata.
public struct TestCase: Sendable, Hashable {
    /// A stable id: the case's explicit `id`, or else a hash of its content.
    /// Ids pair a case across variants and across runs.
    public var id: String
    /// The variables, in source order.
    public var variables: [(key: String, value: PromptValue)]
    public var expected: PromptValue?
    public var metadata: PromptValue?
    /// Where the case came from, for messages: `data.jsonl:17` or `case 3`.
    public var location: String

    public static func == (lhs: TestCase, rhs: TestCase) -> Bool {
        lhs.id == rhs.id && PromptValue.object(lhs.variables) == PromptValue.object(rhs.variables)
            && lhs.expected == rhs.expected && lhs.metadata == rhs.metadata
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    /// The variables as a dictionary for rendering.
    public var variableDictionary: [String: PromptValue] {
        Dictionary(variables.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// Builds a case from a JSON-like object: `id`, `expected` and `metadata`
    /// are special; a `vars` (or `variables`) object holds the variables,
    /// otherwise every other key is a variable.
    static func from(_ value: PromptValue, location: String) throws(PromptLabError) -> TestCase {
        guard case .object(let pairs) = value else {
            throw PromptLabError(
                .invalidInput, "\(location): a case must be a mapping of variables (with optional id, expected, metadata)")
        }
        var id: String?
        var expected: PromptValue?
        var metadata: PromptValue?
        var variables = [(key: String, value: PromptValue)]()
        var nested: [(key: String, value: PromptValue)]?
        for (key, value) in pairs {
            switch key {
            case "id":
                guard value.isScalar, value != .null else {
                    throw PromptLabError(.invalidInput, "\(location): 'id' must be text or a number")
                }
                id = value.templateText
            case "expected": expected = value
            case "metadata": metadata = value
            case "vars", "variables":
                guard case .object(let inner) = value else {
                    throw PromptLabError(.invalidInput, "\(location): '\(key)' must be a mapping of variables")
                }
                nested = inner
            default: variables.append((key, value))
            }
        }
        if let nested { variables = nested + variables }
        let content = PromptValue.object([
            ("variables", .object(variables)), ("expected", expected ?? .null),
        ])
        let resolvedID = id ?? ("h" + ContentHash.hex(of: content.jsonText(pretty: false)).prefix(12))
        return TestCase(id: resolvedID, variables: variables, expected: expected, metadata: metadata, location: location)
    }

    /// The canonical text of the case, for dataset hashes.
    var canonicalText: String {
        PromptValue.object([
            ("id", .string(id)), ("variables", .object(variables)), ("expected", expected ?? .null),
            ("metadata", metadata ?? .null),
        ]).jsonText(pretty: false)
    }
}
