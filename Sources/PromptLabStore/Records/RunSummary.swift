/// A run together with counts of what it has recorded so far, as `promptlab runs` lists it.
///
/// ## Cost
///
/// A response's cost is `nil` when it is unknown (for example an unpriced
/// model). The summary never treats unknown as free:
/// - ``knownCostUSD`` adds up the responses whose cost is known;
/// - ``unknownCostCount`` counts the responses whose cost is not;
/// - ``totalCostUSD`` is the total only when every cost is known, and `nil` otherwise.
///
/// So a run with some unknown costs reports its total as unknown, and a caller
/// can still show the known part as a lower bound ("at least $1.23, 40
/// responses unpriced").
public struct RunSummary: Sendable, Hashable, Codable {
    /// The run itself.
    public var run: RunRecord
    /// Responses recorded with status `ok` (including cache hits).
    public var okCount: Int
    /// Responses recorded with status `error`.
    public var errorCount: Int
    /// Responses whose output came from the local cache.
    public var cachedCount: Int
    /// The sum of the known costs, in US dollars.
    public var knownCostUSD: Double
    /// How many responses have an unknown cost.
    public var unknownCostCount: Int

    /// Creates a summary.
    public init(run: RunRecord, okCount: Int, errorCount: Int, cachedCount: Int, knownCostUSD: Double, unknownCostCount: Int) {
        self.run = run
        self.okCount = okCount
        self.errorCount = errorCount
        self.cachedCount = cachedCount
        self.knownCostUSD = knownCostUSD
        self.unknownCostCount = unknownCostCount
    }

    /// All recorded responses, successful or not.
    public var responseCount: Int { okCount + errorCount }

    /// Cells not yet recorded (never negative).
    public var remainingCount: Int { max(0, run.cellCount - responseCount) }

    /// The run's total cost in US dollars, or `nil` when any response's cost is unknown.
    public var totalCostUSD: Double? { unknownCostCount == 0 ? knownCostUSD : nil }

    /// Whether some costs are known and some are not, so ``knownCostUSD`` is only a lower bound.
    public var costIsPartial: Bool { unknownCostCount > 0 && unknownCostCount < responseCount }
}
