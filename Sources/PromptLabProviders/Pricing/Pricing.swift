import Foundation

/// List prices per million tokens, and the cost of a response.
///
/// The table ships as `Resources/pricing.json` and can be overridden, entry by entry, by a user file of
/// the same shape:
///
/// ```json
/// {"as_of": "2025-11-30", "currency": "USD",
///  "models": {"openai/gpt-4o-mini": {"input_per_million": 0.15, "output_per_million": 0.60,
///                                    "cached_input_per_million": 0.075},
///             "anthropic/claude-sonnet-4-5": {"input_per_million": 3, "output_per_million": 15,
///                                    "cached_input_per_million": 0.3, "cache_write_input_per_million": 3.75},
///             "local/*": {"input_per_million": 0, "output_per_million": 0}}}
/// ```
///
/// Keys are full model references. A key ending in `*` matches every reference with that prefix; the
/// exact key wins, then the longest prefix. A model found nowhere has an *unknown* cost (`nil`), never 0.
public struct Pricing: Sendable, Hashable, Codable {
    /// The price of one model.
    public struct Price: Sendable, Hashable, Codable {
        /// Price of one million uncached prompt tokens.
        public var inputPerMillion: Double
        /// Price of one million answer tokens.
        public var outputPerMillion: Double
        /// Price of one million prompt tokens read from cache; the input price when `nil`.
        public var cachedInputPerMillion: Double?
        /// Price of one million prompt tokens written to the cache (Anthropic's
        /// `cache_creation_input_tokens`, at the five-minute cache's rate); the input price when `nil`.
        public var cacheWriteInputPerMillion: Double?

        /// Creates a price.
        public init(
            inputPerMillion: Double, outputPerMillion: Double, cachedInputPerMillion: Double? = nil,
            cacheWriteInputPerMillion: Double? = nil
        ) {
            self.inputPerMillion = inputPerMillion
            self.outputPerMillion = outputPerMillion
            self.cachedInputPerMillion = cachedInputPerMillion
            self.cacheWriteInputPerMillion = cacheWriteInputPerMillion
        }

        enum CodingKeys: String, CodingKey {
            case inputPerMillion = "input_per_million"
            case outputPerMillion = "output_per_million"
            case cachedInputPerMillion = "cached_input_per_million"
            case cacheWriteInputPerMillion = "cache_write_input_per_million"
        }
    }

    /// The day the prices were taken from the vendors' public price lists (`YYYY-MM-DD`).
    public var asOf: String
    /// The currency of every price, `USD`.
    public var currency: String
    /// Prices by model reference (or `provider/*` pattern).
    public var models: [String: Price]

    /// Creates a table.
    public init(asOf: String, currency: String = "USD", models: [String: Price]) {
        self.asOf = asOf
        self.currency = currency
        self.models = models
    }

    enum CodingKeys: String, CodingKey {
        case asOf = "as_of"
        case currency
        case models
    }

    // MARK: - Loading

    /// The table shipped with PromptLab.
    ///
    /// - Throws: ``ProviderError/Kind/invalidConfiguration(_:)`` if the bundled file is missing or broken
    ///   (a packaging error).
    public static func bundled() throws(ProviderError) -> Pricing {
        guard let url = Bundle.module.url(forResource: "pricing", withExtension: "json") else {
            throw ProviderError(.invalidConfiguration("the bundled pricing.json is missing"), provider: "pricing")
        }
        return try load(contentsOf: url)
    }

    /// Reads a table from a JSON file.
    ///
    /// - Throws: ``ProviderError/Kind/invalidConfiguration(_:)`` naming the file and the problem.
    public static func load(contentsOf url: URL) throws(ProviderError) -> Pricing {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ProviderError(.invalidConfiguration("cannot read pricing file \(url.path)"), provider: "pricing")
        }
        do {
            let table = try JSONDecoder().decode(Pricing.self, from: data)
            for (model, price) in table.models {
                let values = [
                    price.inputPerMillion, price.outputPerMillion, price.cachedInputPerMillion ?? 0,
                    price.cacheWriteInputPerMillion ?? 0,
                ]
                guard values.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                    throw ProviderError(
                        .invalidConfiguration("pricing file \(url.path): negative or invalid price for \(model)"),
                        provider: "pricing")
                }
            }
            return table
        } catch let error as ProviderError {
            throw error
        } catch {
            throw ProviderError(
                .invalidConfiguration("pricing file \(url.path) is not a valid pricing table (\(HTTPTransport.describe(error)))"),
                provider: "pricing")
        }
    }

    /// The bundled table with the entries of a user file laid over it.
    ///
    /// - Parameter overridePath: A pricing file whose entries replace or add to the bundled ones; its
    ///   `as_of` and `currency` win. `nil` for the bundled table alone.
    public static func load(overridePath: String?) throws(ProviderError) -> Pricing {
        let base = try bundled()
        guard let overridePath else { return base }
        return base.merging(try load(contentsOf: URL(fileURLWithPath: overridePath)))
    }

    /// This table with `other`'s entries replacing or adding to its own.
    public func merging(_ other: Pricing) -> Pricing {
        Pricing(asOf: other.asOf, currency: other.currency, models: models.merging(other.models) { _, new in new })
    }

    // MARK: - Lookup

    /// The price for a model reference such as `openai/gpt-4o-mini`: the exact entry, else the longest
    /// matching `prefix*` entry, else `nil`.
    public func price(for model: String) -> Price? {
        if let exact = models[model] { return exact }
        var best: (length: Int, price: Price)?
        for (key, price) in models where key.hasSuffix("*") {
            let prefix = key.dropLast()
            if model.hasPrefix(prefix), prefix.count > (best?.length ?? -1) { best = (prefix.count, price) }
        }
        return best?.price
    }

    /// The price for a model reference.
    public func price(for reference: ModelReference) -> Price? {
        price(for: reference.description)
    }

    /// The cost of one response, in ``currency``.
    ///
    /// `inputTokens` includes `cachedTokens` and `cacheWriteTokens` (see ``ChatResponse``): cache reads
    /// are priced at the cached rate, cache writes at the cache-write rate, the rest at the input rate.
    /// - Returns: `nil` when the model has no price, a token count is unknown, or a count is negative,
    ///   above ``maxTokenCount`` or larger than the input it is part of (a count that cannot be right is
    ///   never priced); never 0 for an unknown model.
    public func cost(
        model: String, inputTokens: Int?, outputTokens: Int?, cachedTokens: Int? = nil, cacheWriteTokens: Int? = nil
    ) -> Double? {
        guard let price = price(for: model), let inputTokens, let outputTokens else { return nil }
        let cached = cachedTokens ?? 0
        let written = cacheWriteTokens ?? 0
        let counts = 0...Pricing.maxTokenCount
        guard counts.contains(inputTokens), counts.contains(outputTokens), counts.contains(cached), counts.contains(written),
            cached + written <= inputTokens  // each ≤ maxTokenCount: the sum cannot overflow
        else { return nil }
        let uncached = Double(inputTokens - cached - written)
        let cachedRate = price.cachedInputPerMillion ?? price.inputPerMillion
        let writeRate = price.cacheWriteInputPerMillion ?? price.inputPerMillion
        let cost =
            (uncached * price.inputPerMillion + Double(cached) * cachedRate + Double(written) * writeRate
                + Double(outputTokens) * price.outputPerMillion) / 1_000_000
        return cost.isFinite ? cost : nil
    }

    /// The largest token count priced: the most a provider's response is believed to report
    /// (larger counts are recorded as unknown when the response is read).
    public static let maxTokenCount = 1_000_000_000_000

    /// The cost of `response` from `reference`; `nil` when unknown.
    public func cost(of response: ChatResponse, reference: ModelReference) -> Double? {
        cost(
            model: reference.description, inputTokens: response.inputTokens, outputTokens: response.outputTokens,
            cachedTokens: response.cachedTokens, cacheWriteTokens: response.cacheWriteTokens)
    }
}
