import Foundation
import PromptFormat
import PromptLabCore
import PromptVersioning

/// One grader declared in an experiment's `graders:` list, parsed and checked.
///
/// Every grader accepts `type` (required), `name`, `weight` and `threshold`:
///
/// - `name` identifies its grades in the results database. It defaults to the
///   type, with `-2`, `-3`, ... appended when several graders share a type.
/// - `weight` (default 1) is for reports that combine graders; it never changes a grade.
/// - `threshold`: when set, a grade passes when its score is at least the
///   threshold (for every grader but `pairwise`). Graders that give pass or
///   fail score 1 or 0.
///
/// The options of each type:
///
/// | type | options |
/// |---|---|
/// | `equals` | `value` (default: the case's `expected`), `ignore_case`, `normalize_whitespace`; ends are always trimmed |
/// | `contains`, `icontains`, `starts-with` | `value` (default: `expected`), `ignore_case` |
/// | `contains-any`, `contains-all` | `values` (a list), `ignore_case` |
/// | `regex` | `pattern`, `ignore_case`, `multiline`, `dot_all`; passes when the pattern matches somewhere |
/// | `is-json` | `schema` (JSON Schema subset, see ``JSONSchemaValidator``), `fields` (`path: value`), `expected_fields` (paths compared with `expected` parsed as JSON), `allow_fences` |
/// | `numeric` | `tolerance` (absolute), `relative_tolerance`, `value`, `pattern` |
/// | `similarity` | `method` (`levenshtein` or `jaccard`), `value`, `ignore_case` (default true); `threshold` defaults to 0.8 |
/// | `classification` | `labels` (required) |
/// | `max-tokens`, `max-latency`, `max-cost` | `max`: output tokens, milliseconds, US dollars |
/// | `exec` | `command` (required), `timeout` (seconds, default 30) |
/// | `llm-rubric` | `rubric` (required), `judge` (default `judges/rubric`), `model`, `scale` (`pass-fail` or `1-10`); `threshold` defaults to 7 on the 1–10 scale |
/// | `pairwise` | `judge` (default `judges/pairwise`), `model`, `rubric` (optional criteria) |
///
/// A `numeric` grader without a `pattern` of its own takes the number from the
/// first capture group of the experiment's first `regex` grader that has one,
/// and otherwise uses the last number in the output.
public struct GraderDefinition: Sendable {
    /// The grader's 1-based position in the `graders:` list.
    public var position: Int
    /// The grader's name, unique within the experiment.
    public var name: String
    public var type: GraderType
    /// The weight reports give this grader when they combine graders (default 1).
    public var weight: Double
    /// When set, a grade passes when its score is at least this.
    public var threshold: Double?
    /// The declaration as written in the experiment file.
    public var declaration: PromptValue
    /// The declaration as canonical JSON (keys sorted, no `name` or `weight`),
    /// plus whatever the grader borrowed from another (a `numeric` grader's regex).
    /// ``configHash(repository:)`` hashes it.
    public var canonicalJSON: String

    /// The parsed configuration: what grades.
    let implementation: any Grader
    /// The registration of ``type``.
    let registration: GraderRegistration

    /// A label such as `grader 2 (regex)` for messages.
    var label: String { "grader \(position) (\(type.rawValue))" }

    /// The judge prompt reference of an `llm-rubric` or `pairwise` grader.
    public var judgeReference: String? { judgeReferenceValue?.description }

    /// The judge model named in the grader (`model:`), if any; otherwise the judge prompt's own model is used.
    public var judgeModel: String? { (implementation as? any JudgeGrader)?.model }

    /// The judge prompt reference of an LLM judge, parsed.
    var judgeReferenceValue: PromptReference? { (implementation as? any JudgeGrader)?.judge }

    /// Whether the grader asks an LLM judge.
    var isJudge: Bool { implementation is any JudgeGrader }

    /// Whether grades come in pairs of presentation orders against the control.
    var isPairwise: Bool { (implementation as? any AsynchronousGrader).map { Swift.type(of: $0).isPairwise } ?? false }

    /// Whether grading needs the case's `expected` value when the grader gives no value of its own.
    var usesExpected: Bool { registration.usesExpected }
}

// MARK: - Parsing

extension GraderDefinition {
    /// Options every grader accepts.
    static let commonOptions: Set<String> = ["type", "name", "weight", "threshold"]

    /// Parses and checks an experiment's grader declarations (``ExperimentDefinition/graders``).
    ///
    /// - Parameter declarations: The `graders:` list, one object per grader.
    /// - Returns: The graders in file order, with unique names.
    /// - Throws: ``PromptLabError`` (`invalidInput`) with a one-line message
    ///   that names the grader by position and type, such as
    ///   `grader 2 (regex): 'pattern' is missing`.
    public static func parseList(_ declarations: [PromptValue]) throws(PromptLabError) -> [GraderDefinition] {
        // A numeric grader borrows the first capturing regex of the experiment.
        var borrowedPattern: String?
        for declaration in declarations where declaration["type"] == .string(GraderType.regex.rawValue) {
            if case .string(let pattern)? = declaration["pattern"], let regex = try? NSRegularExpression(pattern: pattern),
                regex.numberOfCaptureGroups > 0
            {
                borrowedPattern = pattern
                break
            }
        }
        var graders = [GraderDefinition]()
        var taken = [String: Int]()
        for (index, declaration) in declarations.enumerated() {
            var grader = try parse(declaration, position: index + 1, borrowedPattern: borrowedPattern)
            if declaration["name"] == nil {
                // Unnamed graders take their type, numbered when the type repeats.
                var candidate = grader.name
                var suffix = 2
                while taken[candidate] != nil || declarations.contains(where: { $0["name"] == .string(candidate) }) {
                    candidate = "\(grader.name)-\(suffix)"
                    suffix += 1
                }
                grader.name = candidate
            } else if let first = taken[grader.name] {
                throw problem(grader.label, "name '\(grader.name)' is already used by grader \(first)")
            }
            taken[grader.name] = grader.position
            graders.append(grader)
        }
        return graders
    }

    /// Parses one declaration.
    ///
    /// - Parameters:
    ///   - position: The 1-based position, for messages.
    ///   - borrowedPattern: For `numeric`: a capturing regex declared elsewhere in the experiment.
    public static func parse(
        _ declaration: PromptValue, position: Int, borrowedPattern: String? = nil
    ) throws(PromptLabError) -> GraderDefinition {
        guard case .object(let pairs) = declaration else {
            throw problem("grader \(position)", "must be a mapping with a 'type', such as {type: equals}")
        }
        guard case .string(let typeName)? = declaration["type"] else {
            throw problem("grader \(position)", "needs a 'type', such as 'equals' or 'classification'")
        }
        let type = GraderType(rawValue: typeName)
        guard let registration = GraderRegistry.registration(for: type) else {
            throw problem("grader \(position)", "unknown type '\(typeName)' (known: \(GraderRegistry.knownTypes))")
        }
        let options = GraderOptions(label: "grader \(position) (\(typeName))", pairs: pairs)
        var name = type.rawValue
        if let given = try options.string("name") {
            let trimmed = given.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.contains(where: \.isNewline) else {
                throw options.problem("'name' must be a non-empty single line")
            }
            name = trimmed
        }
        let weight = try options.number("weight") ?? 1
        guard weight >= 0, weight.isFinite else { throw options.problem("'weight' must be a number ≥ 0") }
        let threshold = try options.number("threshold")

        let implementation = try registration.make(options, GraderParseContext(borrowedPattern: borrowedPattern))
        try options.rejectUnknown()

        var canonical = pairs.filter { $0.key != "name" && $0.key != "weight" }
        canonical.append(contentsOf: implementation.borrowedConfiguration)
        return GraderDefinition(
            position: position, name: name, type: type, weight: weight, threshold: threshold, declaration: declaration,
            canonicalJSON: PromptValue.object(canonical).canonicalJSONText, implementation: implementation, registration: registration)
    }

    static func problem(_ label: String, _ message: String) -> PromptLabError {
        PromptLabError(.invalidInput, "\(label): \(message)", hint: "fix the grader under 'graders:' in the experiment file")
    }
}

// MARK: - Configuration hash

extension GraderDefinition {
    /// The hash stored with this grader's grades (``GradeRecord/configHash``):
    /// ``ContentHash/hex(of:)`` of ``canonicalJSON``, extended with what the
    /// configuration resolves to outside the file, so that a change there also
    /// yields new grades:
    ///
    /// - judges: the judge prompt's resolved version (commit, or the working file's content);
    /// - `exec`: the content of the program file, when the command names a file.
    ///
    /// - Parameter repository: Resolves judge prompts; may be nil when there are no judges.
    /// - Throws: ``PromptLabError`` when a judge prompt cannot be resolved.
    public func configHash(repository: PromptRepository?) throws(PromptLabError) -> String {
        let resolved = try implementation.resolvedConfiguration(repository: repository, label: label)
        guard !resolved.isEmpty else { return ContentHash.hex(of: canonicalJSON) }
        return ContentHash.hex(of: canonicalJSON + "\n" + PromptValue.object(resolved).canonicalJSONText)
    }

    /// `name@<commit>` for a committed judge prompt, `name@working:<content hash>` for the working file.
    static func resolvedJudge(_ reference: PromptReference, repository: PromptRepository?, label: String) throws(PromptLabError) -> String {
        guard let repository else {
            throw PromptLabError(
                .invalidInput, "\(label): the judge prompt '\(reference)' needs the prompt repository",
                hint: "run inside the prompt repository, or pass -C PATH")
        }
        let version: PromptVersion
        do {
            let resolved = try BuiltInJudges.resolve(reference, in: repository)
            if resolved.builtIn {
                return "\(reference.name)@builtin:\(ContentHash.hex(of: resolved.version.bytes))"
            }
            version = resolved.version
        } catch {
            throw PromptLabError(
                error.kind, "\(label): judge prompt: \(error.message)",
                hint: error.hint ?? "the judge is a prompt in the repository, such as judges/rubric.prompt")
        }
        if let record = version.record { return "\(reference.name)@\(record.commit.hex)" }
        return "\(reference.name)@working:\(ContentHash.hex(of: String(decoding: version.bytes, as: UTF8.self)))"
    }
}

// MARK: - Reading options

/// A grader's options, read with messages that name the grader; remembers
/// which options were read so that unknown ones (typos) are reported.
final class GraderOptions {
    let label: String
    let pairs: [(key: String, value: PromptValue)]
    private var used: Set<String> = GraderDefinition.commonOptions

    init(label: String, pairs: [(key: String, value: PromptValue)]) {
        self.label = label
        self.pairs = pairs
    }

    func problem(_ message: String) -> PromptLabError {
        GraderDefinition.problem(label, message)
    }

    /// The raw value of an option; nil when absent or null.
    func value(_ key: String) -> PromptValue? {
        used.insert(key)
        guard let value = pairs.first(where: { $0.key == key })?.value, value != .null else { return nil }
        return value
    }

    /// Text; numbers and booleans are accepted in their usual spelling.
    /// A judge's `judge:` option as a prompt reference, or `defaultJudge` when it is not given.
    func judgeReference(default defaultJudge: String) throws(PromptLabError) -> PromptReference {
        let reference = try string("judge") ?? defaultJudge
        do {
            return try PromptReference(parsing: reference)
        } catch {
            throw problem("'judge': \(error.message)")
        }
    }

    func string(_ key: String) throws(PromptLabError) -> String? {
        guard let value = value(key) else { return nil }
        switch value {
        case .string(let s): return s
        case .int, .double, .bool: return value.templateText
        default: throw problem("'\(key)' must be text")
        }
    }

    func requiredString(_ key: String, example: String) throws(PromptLabError) -> String {
        guard let text = try string(key) else { throw problem("'\(key)' is missing (for example \(key): \(example))") }
        return text
    }

    func number(_ key: String) throws(PromptLabError) -> Double? {
        guard let value = value(key) else { return nil }
        switch value {
        case .int(let i): return Double(i)
        case .double(let d) where d.isFinite: return d
        default: throw problem("'\(key)' must be a number")
        }
    }

    func bool(_ key: String, default fallback: Bool) throws(PromptLabError) -> Bool {
        guard let value = value(key) else { return fallback }
        guard case .bool(let b) = value else { throw problem("'\(key)' must be true or false") }
        return b
    }

    func stringList(_ key: String) throws(PromptLabError) -> [String]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value else { throw problem("'\(key)' must be a list, such as [a, b]") }
        var strings = [String]()
        for item in items {
            switch item {
            case .string(let s): strings.append(s)
            case .int, .double, .bool: strings.append(item.templateText)
            default: throw problem("'\(key)' must be a list of text")
            }
        }
        return strings
    }

    /// Reports the first option that no reader asked for.
    func rejectUnknown() throws(PromptLabError) {
        if let unknown = pairs.first(where: { !used.contains($0.key) }) {
            let known = used.subtracting(["type"]).sorted().joined(separator: ", ")
            throw problem("unknown option '\(unknown.key)' (known: \(known))")
        }
    }
}

// MARK: - Canonical JSON

extension PromptValue {
    /// Compact JSON with object keys sorted at every level, so that equal
    /// configurations written in a different order hash the same.
    var canonicalJSONText: String {
        switch self {
        case .object(let pairs):
            let sorted = pairs.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
            return "{" + sorted.map { PromptValue.jsonQuoted($0.key) + ":" + $0.value.canonicalJSONText }.joined(separator: ",") + "}"
        case .array(let items):
            return "[" + items.map(\.canonicalJSONText).joined(separator: ",") + "]"
        case .double(let d) where d == d.rounded() && abs(d) < 1e15:
            // 1.0 and 1 are the same setting.
            return String(Int(d))
        default:
            return jsonText(pretty: false)
        }
    }
}

extension GraderDefinition {
    /// Whether the grader can grade a live response on its own: it decides without I/O (no `exec`,
    /// no LLM judge) and needs no test case (no `expected` value, which live traffic does not have).
    public var gradesWithoutACase: Bool {
        guard implementation is any DeterministicGrader else { return false }
        if declaration["expected_fields"] != nil { return false }
        guard usesExpected else { return true }
        return declaration["value"] != nil || declaration["values"] != nil
            || (type == .numeric && declaration["value"] != nil)
    }
}
