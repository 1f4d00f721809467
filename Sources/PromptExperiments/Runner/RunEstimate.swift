import PromptFormat
import PromptLabCore
import PromptLabProviders
import PromptVersioning

/// What a run will send, before it starts: cells, tokens and cost.
public struct RunEstimate: Sendable {
    public struct Line: Sendable {
        public var variant: String
        public var model: String
        public var cells: Int
        /// Prompt tokens, estimated at four characters per token.
        public var inputTokens: Int
        /// The most answer tokens the cells may produce (`maxOutputTokens`, or 1,024 per cell when unset).
        public var maxOutputTokens: Int
        /// Upper-bound cost in USD; nil when the model is not in the pricing table.
        public var maxCostUSD: Double?
    }

    public var lines: [Line]
    public var cells: Int { lines.reduce(0) { $0 + $1.cells } }
    public var inputTokens: Int { lines.reduce(0) { $0 + $1.inputTokens } }
    public var maxOutputTokens: Int { lines.reduce(0) { $0 + $1.maxOutputTokens } }
    /// nil when any variant's cost is unknown.
    public var maxCostUSD: Double? {
        lines.reduce(Double?(0)) { total, line in total.flatMap { t in line.maxCostUSD.map { t + $0 } } }
    }
    /// Models the pricing table does not know.
    public var unpricedModels: [String] { lines.filter { $0.maxCostUSD == nil }.map(\.model) }

    /// Output tokens assumed for a cell whose prompt sets no `maxOutputTokens`.
    static let defaultOutputTokens = 1024

    /// Estimated prompt tokens of a text length (about four characters per token in English).
    static func tokens(characters: Int) -> Int { (characters + 3) / 4 }
}

extension ExperimentPlan {
    /// Estimates every cell of the plan (or `cellsPerVariant` of them per variant, for a resumed run).
    func estimate(pricing: Pricing, references: [ModelReference], cellsPerVariant: [Int]? = nil) -> RunEstimate {
        var lines = [RunEstimate.Line]()
        for (index, variant) in variants.enumerated() {
            let cells = cellsPerVariant?[index] ?? cases.count * repeatCount
            let perCase = cases.isEmpty ? 0 : Double(renderedCharacters[index]) / Double(cases.count)
            let input = RunEstimate.tokens(characters: Int(perCase * Double(cells)))
            let output = cells * (variant.config.maxOutputTokens ?? RunEstimate.defaultOutputTokens)
            let cost = pricing.cost(model: references[index].description, inputTokens: input, outputTokens: output)
            lines.append(
                RunEstimate.Line(
                    variant: variant.name, model: variant.model, cells: cells, inputTokens: input,
                    maxOutputTokens: output, maxCostUSD: cost))
        }
        return RunEstimate(lines: lines)
    }
}
