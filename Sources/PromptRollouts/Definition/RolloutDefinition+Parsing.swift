import Foundation
import PromptExperiments
import PromptFormat
import PromptLabCore
import Yams

extension RolloutDefinition {
    /// The folder of rollout files, relative to the prompt root.
    public static let folder = "rollouts/"

    /// The largest rollout file read (rollouts are short; this bounds the YAML reader's work).
    public static let maximumFileSize = 256 * 1024

    /// Parses and checks a rollout file.
    ///
    /// - Parameters:
    ///   - text: The file's content.
    ///   - displayPath: The path shown in messages (`rollouts/triage-v5.yaml`).
    ///   - defaultName: The name when the file has no `name:` (its file name without `.yaml`).
    /// - Throws: ``PromptLabError`` `invalidInput` with `file:line:col` for anything wrong.
    public static func parse(_ text: String, displayPath: String, defaultName: String) throws(PromptLabError) -> RolloutDefinition {
        guard text.utf8.count <= maximumFileSize else {
            throw PromptLabError(
                .invalidInput, "\(displayPath) is larger than \(maximumFileSize / 1024) KiB", hint: "a rollout file is a short YAML file")
        }
        let reader = YAMLReader(displayPath: displayPath, hint: "fix the rollout file; see docs/production-ab.md")
        guard let root = try reader.compose(text) else {
            throw PromptLabError(.invalidInput, "\(displayPath) is empty", hint: "see docs/production-ab.md for the format")
        }
        return try RolloutParser(reader: reader, defaultName: defaultName).parse(root)
    }

    /// Checks a rollout or arm name: it appears in file names, URLs and model names (`promptlab/NAME`).
    public static func validateName(_ name: String, what: String = "rollout name") throws(PromptLabError) {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        guard !name.isEmpty, name.utf8.count <= 100, allowed, !name.hasPrefix("."), !name.hasPrefix("-") else {
            throw PromptLabError(
                .invalidInput, "'\(name.prefix(100))' is not a valid \(what)",
                hint: "use 1 to 100 letters, digits, '-', '_' and '.', not starting with '.' or '-'")
        }
    }
}

/// Reads a rollout file's node tree into a ``RolloutDefinition``, field by field, with positions in messages.
private struct RolloutParser {
    let reader: YAMLReader
    let defaultName: String

    static let topLevelKeys: Set<String> = [
        "name", "prompt", "unit", "seed", "coverage", "arms", "metrics", "primary", "guardrails", "graders", "alpha",
        "expected_units",
    ]

    func parse(_ root: Node) throws(PromptLabError) -> RolloutDefinition {
        let mapping = try reader.mapping(root, "a rollout file")
        var fields = [String: Node]()
        for (keyNode, value) in mapping {
            let key = try reader.key(keyNode)
            guard Self.topLevelKeys.contains(key) else {
                throw reader.problem(
                    keyNode, "unknown field '\(key)'; a rollout has \(Self.topLevelKeys.sorted().joined(separator: ", "))")
            }
            fields[key] = value
        }
        let name = try fields["name"].map { (node) throws(PromptLabError) in try reader.string(node, "name") } ?? defaultName
        do { try RolloutDefinition.validateName(name) } catch { throw reader.problem(fields["name"] ?? root, error.message) }

        guard let promptNode = fields["prompt"] else { throw reader.problem(root, "'prompt' is missing: the prompt the arms serve") }
        let prompt = try reader.string(promptNode, "prompt")
        do { _ = try PromptName(prompt) } catch { throw reader.problem(promptNode, error.message) }

        let unit = try fields["unit"].map { (node) throws(PromptLabError) in try reader.string(node, "unit") } ?? "user"
        guard !unit.isEmpty, unit.utf8.count <= 100 else { throw reader.problem(fields["unit"] ?? root, "'unit' must be a field name") }
        let seed = try fields["seed"].map { (node) throws(PromptLabError) in try reader.string(node, "seed") } ?? name
        guard seed.utf8.count <= 1_000 else { throw reader.problem(fields["seed"] ?? root, "'seed' is longer than 1000 bytes") }

        var coverage = 1.0
        if let node = fields["coverage"] {
            coverage = try share(node, "coverage")
            guard coverage > 0, coverage <= 1 else { throw reader.problem(node, "'coverage' must be above 0 and at most 100%") }
        }

        guard let armsNode = fields["arms"] else {
            throw reader.problem(root, "'arms' is missing: the control first, then one or more treatments")
        }
        let arms = try parseArms(armsNode)

        var metrics = [RolloutMetric]()
        if let node = fields["metrics"] { metrics = try parseMetrics(node) }
        var graders = [PromptValue]()
        if let node = fields["graders"] {
            let parsed = try parseGraders(node)
            graders = parsed.declarations
            for grader in parsed.names {
                guard !metrics.contains(where: { $0.name == grader }), RolloutMetric.builtIn.allSatisfy({ $0.name != grader }) else {
                    throw reader.problem(node, "grader '\(grader)' has the name of a metric; give it another 'name'")
                }
                metrics.append(RolloutMetric(name: grader, kind: .binary, source: .grader))
            }
        }
        let known = metrics + RolloutMetric.builtIn
        let primary: String
        if let node = fields["primary"] {
            primary = try reader.string(node, "primary")
            guard known.contains(where: { $0.name == primary }) else {
                throw reader.problem(
                    node, "primary metric '\(primary)' is not declared; known: \(known.map(\.name).joined(separator: ", "))")
            }
        } else if let first = metrics.first {
            primary = first.name
        } else {
            throw reader.problem(root, "'primary' is missing and no metric is declared: say which metric decides the rollout")
        }

        var guardrails = [RolloutGuardrail]()
        if let node = fields["guardrails"] { guardrails = try parseGuardrails(node, known: known) }

        var alpha = 0.05
        if let node = fields["alpha"] {
            alpha = try reader.number(node, "alpha")
            guard alpha >= 1e-6, alpha < 0.5 else { throw reader.problem(node, "'alpha' must be at least 0.000001 and below 0.5") }
        }
        var expectedUnits = 10_000
        if let node = fields["expected_units"] {
            expectedUnits = try reader.integer(node, "expected_units")
            guard (10...1_000_000_000).contains(expectedUnits) else {
                throw reader.problem(node, "'expected_units' must be between 10 and 1000000000 (units per arm)")
            }
        }
        return RolloutDefinition(
            name: name, prompt: prompt, arms: arms, coverage: coverage, unit: unit, seed: seed, metrics: metrics,
            primaryMetric: primary, guardrails: guardrails, graders: graders, alpha: alpha, expectedUnits: expectedUnits)
    }

    /// `0.25`, `25%`: a share between 0 and 1.
    func share(_ node: Node, _ field: String) throws(PromptLabError) -> Double {
        if case .scalar(let scalar) = node, scalar.string.hasSuffix("%") {
            guard let percent = Double(scalar.string.dropLast().trimmingCharacters(in: .whitespaces)), percent.isFinite else {
                throw reader.problem(node, "'\(field)' must be a number or a percentage")
            }
            return percent / 100
        }
        let value = try reader.number(node, field)
        guard value.isFinite else { throw reader.problem(node, "'\(field)' must be finite") }
        return value
    }

    func parseArms(_ node: Node) throws(PromptLabError) -> [RolloutArm] {
        guard case .sequence(let items) = node, items.count >= 2 else {
            throw reader.problem(node, "'arms' must be a list of at least two arms: the control first, then the treatments")
        }
        guard items.count <= 20 else { throw reader.problem(node, "a rollout has at most 20 arms") }
        var arms = [RolloutArm]()
        for item in items {
            let mapping = try reader.mapping(item, "an arm")
            var name: String?
            var ref: String?
            var weight: Double?
            for (keyNode, value) in mapping {
                switch try reader.key(keyNode) {
                case "name": name = try reader.string(value, "name")
                case "ref": ref = try reader.string(value, "ref")
                case "weight":
                    let w = try share(value, "weight")
                    guard w >= 0, w <= 1e9 else { throw reader.problem(value, "'weight' must be between 0 and 1000000000") }
                    weight = w
                case let other: throw reader.problem(keyNode, "unknown arm field '\(other)'; an arm has name, ref and weight")
                }
            }
            guard let ref, !ref.isEmpty else {
                throw reader.problem(item, "the arm lacks 'ref': a label (production), a version (v5) or a commit")
            }
            let armName = name ?? ref
            do { try RolloutDefinition.validateName(armName, what: "arm name") } catch { throw reader.problem(item, error.message) }
            guard !arms.contains(where: { $0.name == armName }) else {
                throw reader.problem(item, "arm name '\(armName)' is used twice; give each arm its own 'name'")
            }
            arms.append(RolloutArm(name: armName, ref: ref, weight: weight ?? 1))
        }
        let total = arms.reduce(0) { $0 + $1.weight }
        guard total > 0 else { throw reader.problem(node, "the arms' weights are all 0") }
        return arms
    }

    func parseMetrics(_ node: Node) throws(PromptLabError) -> [RolloutMetric] {
        guard case .sequence(let items) = node else { throw reader.problem(node, "'metrics' must be a list") }
        guard items.count <= 50 else { throw reader.problem(node, "a rollout has at most 50 metrics") }
        var metrics = [RolloutMetric]()
        for item in items {
            let mapping = try reader.mapping(item, "a metric")
            var name: String?
            var kind = RolloutMetric.Kind.binary
            var higherIsBetter = true
            var minimum: Double?
            var maximum: Double?
            for (keyNode, value) in mapping {
                switch try reader.key(keyNode) {
                case "name": name = try reader.string(value, "name")
                case "type":
                    let text = try reader.string(value, "type")
                    guard let parsed = RolloutMetric.Kind(rawValue: text) else {
                        throw reader.problem(value, "metric type '\(text)' is unknown; use binary or numeric")
                    }
                    kind = parsed
                case "higher_is_better":
                    guard case .bool(let flag) = try reader.value(value) else {
                        throw reader.problem(value, "'higher_is_better' must be true or false")
                    }
                    higherIsBetter = flag
                case "min": minimum = try finite(value, "min")
                case "max": maximum = try finite(value, "max")
                case let other:
                    throw reader.problem(keyNode, "unknown metric field '\(other)'; a metric has name, type, higher_is_better, min and max")
                }
            }
            guard let name else { throw reader.problem(item, "the metric lacks 'name'") }
            guard Self.isMetricName(name) else {
                throw reader.problem(item, "'\(name.prefix(64))' is not a valid metric name; use 1 to 64 lowercase letters, digits and '_'")
            }
            guard !metrics.contains(where: { $0.name == name }), !RolloutMetric.builtIn.contains(where: { $0.name == name }) else {
                throw reader.problem(item, "metric '\(name)' is declared twice or is a built-in metric")
            }
            if let minimum, let maximum, minimum >= maximum { throw reader.problem(item, "'min' must be below 'max'") }
            if kind == .binary, minimum != nil || maximum != nil {
                throw reader.problem(item, "a binary metric is 0 or 1; 'min' and 'max' are for numeric metrics")
            }
            metrics.append(
                RolloutMetric(name: name, kind: kind, source: .feedback, higherIsBetter: higherIsBetter, minimum: minimum, maximum: maximum)
            )
        }
        return metrics
    }

    static func isMetricName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy {
                ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
            }
    }

    func finite(_ node: Node, _ field: String) throws(PromptLabError) -> Double {
        let value = try reader.number(node, field)
        guard value.isFinite, abs(value) <= 1e15 else { throw reader.problem(node, "'\(field)' must be a finite number") }
        return value
    }

    func parseGuardrails(_ node: Node, known: [RolloutMetric]) throws(PromptLabError) -> [RolloutGuardrail] {
        guard case .sequence(let items) = node else { throw reader.problem(node, "'guardrails' must be a list") }
        var guardrails = [RolloutGuardrail]()
        for item in items {
            let mapping = try reader.mapping(item, "a guardrail")
            var metric: String?
            var statistic = RolloutGuardrail.Statistic.mean
            var tolerance: (value: Double, relative: Bool)?
            for (keyNode, value) in mapping {
                switch try reader.key(keyNode) {
                case "metric": metric = try reader.string(value, "metric")
                case "statistic":
                    let text = try reader.string(value, "statistic")
                    guard let parsed = RolloutGuardrail.Statistic(rawValue: text) else {
                        throw reader.problem(value, "statistic '\(text)' is unknown; use mean or p95")
                    }
                    statistic = parsed
                case "tolerance":
                    if case .scalar(let scalar) = value, scalar.string.hasSuffix("%") {
                        tolerance = (try share(value, "tolerance"), true)
                    } else {
                        tolerance = (try finite(value, "tolerance"), false)
                    }
                    guard let tolerance, tolerance.value >= 0 else { throw reader.problem(value, "'tolerance' must not be negative") }
                case let other:
                    throw reader.problem(keyNode, "unknown guardrail field '\(other)'; a guardrail has metric, statistic and tolerance")
                }
            }
            guard let metric, let definition = known.first(where: { $0.name == metric }) else {
                throw reader.problem(item, "the guardrail's 'metric' must be one of: \(known.map(\.name).joined(separator: ", "))")
            }
            if statistic == .p95, definition.kind == .binary || definition.source != .request {
                throw reader.problem(
                    item, "a p95 guardrail needs a numeric request metric: latency_ms, input_tokens, output_tokens or cost_usd")
            }
            if statistic == .p95, let tolerance, !tolerance.relative {
                throw reader.problem(item, "a p95 guardrail's tolerance is a percentage of the control's p95, such as 10%")
            }
            let chosen = tolerance ?? (0, statistic == .p95)
            guardrails.append(RolloutGuardrail(metric: metric, statistic: statistic, tolerance: chosen.value, isRelative: chosen.relative))
        }
        return guardrails
    }

    func parseGraders(_ node: Node) throws(PromptLabError) -> (declarations: [PromptValue], names: [String]) {
        guard case .sequence(let items) = node else { throw reader.problem(node, "'graders' must be a list") }
        var declarations = [PromptValue]()
        for item in items {
            var declaration = try reader.value(item)
            if case .string(let type) = declaration { declaration = .object([("type", .string(type))]) }
            declarations.append(declaration)
        }
        let graders: [GraderDefinition]
        do { graders = try GraderDefinition.parseList(declarations) } catch { throw reader.problem(node, error.message) }
        for grader in graders where !grader.gradesWithoutACase {
            throw reader.problem(
                node,
                "grader '\(grader.name)' (\(grader.type.rawValue)) cannot grade live traffic: online graders decide without a test case or I/O"
            )
        }
        for grader in graders where !Self.isMetricName(grader.name) {
            throw reader.problem(node, "grader name '\(grader.name)' must be lowercase letters, digits and '_' to be a metric")
        }
        return (declarations, graders.map(\.name))
    }
}
