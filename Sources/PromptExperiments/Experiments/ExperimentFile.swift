import Foundation
import PromptFormat
import PromptLabCore
import PromptLabProviders
import PromptVersioning
import Yams

/// An experiment file parsed and checked, before its dataset is read: the one model of the file
/// that the run, grading and re-grading all read their part of.
///
/// ``ExperimentDefinition`` adds the dataset; ``GradingConfiguration`` takes the graders and
/// providers (also from the copy stored with a run, when the dataset may have moved). Unknown
/// fields are refused the same way for all of them.
public struct ExperimentFile: Sendable {
    public var name: String
    public var description: String?
    public var control: String
    public var variants: [ExperimentDefinition.VariantDefinition]
    public var model: String?
    public var dataset: DatasetSource
    public var repeatCount: Int
    public var concurrency: Int?
    public var budget: ExperimentDefinition.Budget
    public var seed: Int?
    /// The graders as written.
    public var graderDeclarations: [PromptValue]
    /// The graders, parsed and checked.
    public var graders: [GraderDefinition]
    public var providers: [String: ProviderOverrides]
    public var path: String

    /// Where the cases come from.
    public enum DatasetSource: Sendable {
        /// A JSONL, CSV or YAML file (its path resolved against the experiment's folder).
        case file(String)
        /// Inline `cases:`.
        case inline(PromptValue)
    }

    /// Reads the cases.
    ///
    /// - Throws: ``PromptLabError`` (`invalidInput`) for an unreadable or malformed dataset, or one without cases.
    public func loadDataset() throws(PromptLabError) -> Dataset {
        let dataset: Dataset
        switch self.dataset {
        case .file(let full): dataset = try Dataset.load(path: full, displayPath: full)
        case .inline(let value): dataset = try Dataset.inline(value, displayPath: path)
        }
        if dataset.cases.isEmpty {
            throw PromptLabError(.invalidInput, "\(path): the dataset \(dataset.source) has no cases")
        }
        return dataset
    }

    /// Parses and checks experiment YAML without reading the dataset.
    ///
    /// - Parameter path: The file's path, for messages and for resolving a relative `dataset:`.
    /// - Throws: ``PromptLabError`` (`invalidInput`) citing `file:line:col`.
    public static func parse(_ text: String, path: String) throws(PromptLabError) -> ExperimentFile {
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
                throw PromptLabError(
                    .invalidInput, "\(path): the experiment has no '\(key)' field", hint: "see experiments/README.md for the format")
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
        let variants = try ExperimentDefinition.parseVariants(try required("variants"), reader: reader)
        let controlNode = try required("control")
        let control = try reader.string(controlNode, "control")
        guard variants.contains(where: { $0.name == control }) else {
            throw reader.problem(
                controlNode, "control '\(control)' is not one of the variants (\(variants.map(\.name).joined(separator: ", ")))")
        }

        let dataset: DatasetSource
        switch (fields["dataset"], fields["cases"]) {
        case (let node?, nil):
            let relative = try reader.string(node, "dataset")
            let base = (path as NSString).deletingLastPathComponent
            dataset = .file(relative.hasPrefix("/") ? relative : (base.isEmpty ? relative : base + "/" + relative))
        case (nil, let node?):
            dataset = .inline(try reader.value(node))
        case (nil, nil):
            throw PromptLabError(.invalidInput, "\(path): the experiment has no 'dataset' file and no inline 'cases'")
        case (_?, let node?):
            throw reader.problem(node, "give either 'dataset' (a file) or inline 'cases', not both")
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
        var budget = ExperimentDefinition.Budget()
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
                let name = try reader.key(keyNode)
                providers[name] = try ProviderOverrides.parse(valueNode, provider: name, reader: reader)
            }
        }
        let definitions: [GraderDefinition]
        do {
            definitions = try GraderDefinition.parseList(graders)
        } catch {
            throw PromptLabError(error.kind, "\(path): \(error.message)", hint: error.hint)
        }
        return ExperimentFile(
            name: name, description: description, control: control, variants: variants, model: model, dataset: dataset,
            repeatCount: repeatCount, concurrency: concurrency, budget: budget, seed: seed, graderDeclarations: graders,
            graders: definitions, providers: providers, path: path)
    }
}
