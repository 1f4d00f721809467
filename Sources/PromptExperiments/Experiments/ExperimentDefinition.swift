import Foundation
import PromptLabProviders
import Yams
import PromptFormat
import PromptLabCore
import PromptVersioning

/// An experiment file (`experiments/NAME.yaml`): which prompt versions to
/// compare, on which cases, with which models, graders and limits.
public struct ExperimentDefinition: Sendable {
    public var name: String
    public var description: String?
    /// The baseline variant every other variant is compared with.
    public var control: String
    /// The variants, in file order.
    public var variants: [VariantDefinition]
    /// The default model for variants that do not set one.
    public var model: String?
    public var dataset: Dataset
    /// How many times each (variant, case) is sent.
    public var repeatCount: Int
    public var concurrency: Int?
    public var budget: Budget
    public var seed: Int?
    /// Grader declarations, kept as written; the grading issue interprets them.
    public var graders: [PromptValue]
    /// Per-provider settings: base URL, key variable, timeout, attempts, concurrency.
    public var providers: [String: ProviderOverrides]
    /// The file's text, as run, and its hash.
    public var sourceText: String
    public var sourceHash: String
    public var path: String

    public struct VariantDefinition: Sendable {
        public var name: String
        public var prompt: PromptReference
        /// Overrides for this variant only.
        public var model: String?
        public var config: GenerationSettings
    }

    public struct Budget: Sendable, Hashable {
        public var maxUSD: Double?
        public var maxRequests: Int?
    }

    /// A provider's settings from the experiment's `providers:` block: the providers' own type,
    /// so nothing is converted between the file and the registry.
    public typealias ProviderOverrides = PromptLabProviders.ProviderOverrides

    /// The control variant's definition.
    public var controlVariant: VariantDefinition { variants.first { $0.name == control }! }  // parse() checks it exists.
}

extension ExperimentDefinition {
    /// Reads and validates an experiment file.
    ///
    /// - Throws: ``PromptLabError`` (`invalidInput`) citing `file:line:col`, or
    ///   the dataset's file and line for a malformed case.
    public static func load(path: String) throws(PromptLabError) -> ExperimentDefinition {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PromptLabError(.invalidInput, "cannot read experiment file '\(path)'", hint: "check the path")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PromptLabError(.invalidInput, "experiment file '\(path)' is not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Parses experiment YAML. Dataset paths are relative to `path`'s folder.
    public static func parse(_ text: String, path: String) throws(PromptLabError) -> ExperimentDefinition {
        let reader = YAMLReader(displayPath: path, hint: "fix the experiment file and try again")
        guard let root = try reader.compose(text) else {
            throw PromptLabError(.invalidInput, "\(path): the experiment file is empty")
        }
        let mapping = try reader.mapping(root, "an experiment file")
        var fields = [String: Node]()
        for (keyNode, valueNode) in mapping {
            let key = try reader.key(keyNode)
            let known = [
                "name", "description", "control", "variants", "model", "dataset", "cases", "repeat", "concurrency",
                "budget", "seed", "graders", "providers",
            ]
            guard known.contains(key) else {
                throw reader.problem(keyNode, "unknown field '\(key)' (known: \(known.joined(separator: ", ")))")
            }
            fields[key] = valueNode
        }
        func required(_ key: String) throws(PromptLabError) -> Node {
            guard let node = fields[key] else {
                throw PromptLabError(.invalidInput, "\(path): the experiment has no '\(key)' field", hint: "see experiments/README.md for the format")
            }
            return node
        }

        let name = try reader.string(try required("name"), "name")
        var model: String?
        if let node = fields["model"] { model = try reader.string(node, "model") }
        var description: String?
        if let node = fields["description"] { description = try reader.string(node, "description") }
        var seed: Int?
        if let node = fields["seed"] { seed = try reader.integer(node, "seed") }
        let variants = try parseVariants(try required("variants"), reader: reader)
        let controlNode = try required("control")
        let control = try reader.string(controlNode, "control")
        guard variants.contains(where: { $0.name == control }) else {
            throw reader.problem(
                controlNode, "control '\(control)' is not one of the variants (\(variants.map(\.name).joined(separator: ", ")))")
        }

        let dataset: Dataset
        switch (fields["dataset"], fields["cases"]) {
        case (let node?, nil):
            let relative = try reader.string(node, "dataset")
            let base = (path as NSString).deletingLastPathComponent
            let full = relative.hasPrefix("/") ? relative : (base.isEmpty ? relative : base + "/" + relative)
            dataset = try Dataset.load(path: full, displayPath: full)
        case (nil, let node?):
            dataset = try Dataset.inline(try reader.value(node), displayPath: path)
        case (nil, nil):
            throw PromptLabError(.invalidInput, "\(path): the experiment has no 'dataset' file and no inline 'cases'")
        case (_?, let node?):
            throw reader.problem(node, "give either 'dataset' (a file) or inline 'cases', not both")
        }
        if dataset.cases.isEmpty {
            throw PromptLabError(.invalidInput, "\(path): the dataset \(dataset.source) has no cases")
        }

        var repeatCount = 1
        if let node = fields["repeat"] {
            repeatCount = try reader.integer(node, "repeat")
            guard (1...1000).contains(repeatCount) else { throw reader.problem(node, "'repeat' must be between 1 and 1000") }
        }
        var concurrency: Int?
        if let node = fields["concurrency"] {
            let value = try reader.integer(node, "concurrency")
            guard (1...1024).contains(value) else { throw reader.problem(node, "'concurrency' must be between 1 and 1024") }
            concurrency = value
        }
        var budget = Budget()
        if let node = fields["budget"] {
            for (keyNode, valueNode) in try reader.mapping(node, "'budget'") {
                switch try reader.key(keyNode) {
                case "max_usd":
                    let usd = try reader.number(valueNode, "budget.max_usd")
                    guard usd >= 0 else { throw reader.problem(valueNode, "budget.max_usd must not be negative") }
                    budget.maxUSD = usd
                case "max_requests":
                    let count = try reader.integer(valueNode, "budget.max_requests")
                    guard count >= 0 else { throw reader.problem(valueNode, "budget.max_requests must not be negative") }
                    budget.maxRequests = count
                default: throw reader.problem(keyNode, "unknown budget field (known: max_usd, max_requests)")
                }
            }
        }
        var graders = [PromptValue]()
        if let node = fields["graders"] {
            guard case .sequence(let items) = node else { throw reader.problem(node, "'graders' must be a list") }
            for item in items {
                let value = try reader.value(item)
                guard case .string? = value["type"] else {
                    throw reader.problem(item, "each grader needs a 'type', such as 'equals' or 'classification'")
                }
                graders.append(value)
            }
        }
        var providers = [String: ProviderOverrides]()
        if let node = fields["providers"] {
            for (keyNode, valueNode) in try reader.mapping(node, "'providers'") {
                providers[try reader.key(keyNode)] = try ProviderOverrides.parse(valueNode, reader: reader)
            }
        }
        return ExperimentDefinition(
            name: name, description: description,
            control: control, variants: variants, model: model, dataset: dataset, repeatCount: repeatCount,
            concurrency: concurrency, budget: budget, seed: seed,
            graders: graders, providers: providers, sourceText: text, sourceHash: ContentHash.hex(of: text), path: path)
    }

    private static func parseVariants(_ node: Node, reader: YAMLReader) throws(PromptLabError) -> [VariantDefinition] {
        let mapping = try reader.mapping(node, "'variants'")
        var variants = [VariantDefinition]()
        for (keyNode, valueNode) in mapping {
            let name = try reader.key(keyNode)
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw reader.problem(keyNode, "variant names use letters, digits, '-', '_' and '.'")
            }
            var variant: VariantDefinition
            switch valueNode {
            case .scalar:
                variant = VariantDefinition(
                    name: name, prompt: try reference(valueNode, reader: reader), model: nil, config: GenerationSettings())
            case .mapping(let fields):
                guard let promptNode = fields.first(where: { $0.key.string == "prompt" })?.value else {
                    throw reader.problem(valueNode, "variant '\(name)' needs a 'prompt' such as support/triage@v2")
                }
                variant = VariantDefinition(
                    name: name, prompt: try reference(promptNode, reader: reader), model: nil, config: GenerationSettings())
                for (fieldKey, fieldValue) in fields {
                    switch try reader.key(fieldKey) {
                    case "prompt": break
                    case "model": variant.model = try reader.string(fieldValue, "model")
                    case "config": variant.config = try GenerationSettings.parse(fieldValue, reader: reader)
                    default: throw reader.problem(fieldKey, "unknown variant field (known: prompt, model, config)")
                    }
                }
            default:
                throw reader.problem(valueNode, "variant '\(name)' must be a prompt reference or a mapping with 'prompt'")
            }
            variants.append(variant)
        }
        guard !variants.isEmpty else { throw reader.problem(node, "an experiment needs at least one variant") }
        return variants
    }

    private static func reference(_ node: Node, reader: YAMLReader) throws(PromptLabError) -> PromptReference {
        let text = try reader.string(node, "prompt")
        do {
            return try PromptReference(parsing: text)
        } catch {
            throw reader.problem(node, error.message)
        }
    }
}
