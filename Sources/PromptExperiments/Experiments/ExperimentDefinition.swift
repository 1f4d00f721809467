import Foundation
import PromptFormat
import PromptLabCore
import PromptLabProviders
import PromptVersioning
import Yams

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
    /// Grader declarations as written (recorded with each run).
    public var graders: [PromptValue]
    /// The same graders, parsed and checked when the file was read.
    public var graderDefinitions: [GraderDefinition]
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

    /// Parses experiment YAML and reads its dataset. Dataset paths are relative to `path`'s folder.
    public static func parse(_ text: String, path: String) throws(PromptLabError) -> ExperimentDefinition {
        let file = try ExperimentFile.parse(text, path: path)
        let dataset = try file.loadDataset()
        return ExperimentDefinition(
            name: file.name, description: file.description, control: file.control, variants: file.variants, model: file.model,
            dataset: dataset, repeatCount: file.repeatCount, concurrency: file.concurrency, budget: file.budget, seed: file.seed,
            graders: file.graderDeclarations, graderDefinitions: file.graders, providers: file.providers, sourceText: text,
            sourceHash: ContentHash.hex(of: text), path: path)
    }

    static func parseVariants(_ node: Node, reader: YAMLReader) throws(PromptLabError) -> [VariantDefinition] {
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

    static func reference(_ node: Node, reader: YAMLReader) throws(PromptLabError) -> PromptReference {
        let text = try reader.string(node, "prompt")
        do {
            return try PromptReference(parsing: text)
        } catch {
            throw reader.problem(node, error.message)
        }
    }
}
