import PromptFormat
import PromptLabCore
import PromptVersioning

/// A snapshot of a run in progress, for progress bars and periodic lines.
public struct RunProgress: Sendable {
    /// Cells in this invocation (excluding cells finished by an earlier one).
    public var total: Int
    public var done: Int
    public var errors: Int
    /// Cells answered from the response cache.
    public var cached: Int
    /// Spend so far on provider calls (cached answers cost nothing); nil when a model's price is unknown.
    public var costUSD: Double?
    public var elapsedSeconds: Double

    public init(total: Int, done: Int, errors: Int, cached: Int, costUSD: Double?, elapsedSeconds: Double) {
        self.total = total
        self.done = done
        self.errors = errors
        self.cached = cached
        self.costUSD = costUSD
        self.elapsedSeconds = elapsedSeconds
    }

    /// Cells per second so far.
    public var rate: Double { elapsedSeconds > 0 ? Double(done) / elapsedSeconds : 0 }

    /// Seconds left at the current rate, if it can be estimated.
    public var etaSeconds: Double? {
        guard rate > 0, done < total else { return nil }
        // A rate near zero gives an estimate too large to mean anything (or to print as whole minutes).
        let seconds = Double(total - done) / rate
        return seconds.isFinite && seconds < 1e9 ? seconds : nil
    }
}

/// How a run ended.
public enum RunEnd: Sendable, Equatable {
    /// Every cell has a response (answered or recorded as an error).
    case completed
    /// Stopped by the user (Ctrl-C); `--resume` completes it.
    case interrupted
    /// Stopped before exceeding the budget; `--resume` with a larger budget completes it.
    case budgetReached(String)
    /// Every cell was sent and every one failed (a wrong key, model or base URL): there is nothing
    /// to grade or report, so the run is recorded as failed. The reason names the commonest error.
    case failed(String)

    /// Whether the run recorded answers worth grading.
    public var hasResponses: Bool {
        switch self {
        case .completed, .budgetReached: true
        case .interrupted, .failed: false
        }
    }
}

/// Totals per variant for the end-of-run summary.
public struct VariantTotals: Sendable {
    public var name: String
    public var model: String
    public var ok = 0
    public var errors = 0
    public var cached = 0
    public var inputTokens = 0
    public var outputTokens = 0
    /// Cost of the recorded responses; nil if any cost is unknown.
    public var costUSD: Double? = 0
    public var latenciesMs: [Double] = []
}

/// The result of ``ExperimentRunner/run(_:progress:)``.
public struct RunResult: Sendable {
    public var runID: String
    public var end: RunEnd
    /// Cells sent to a provider in this invocation (cache hits excluded).
    public var providerCalls: Int
    public var totals: [VariantTotals]
    public var elapsedSeconds: Double
    /// Cells still missing (for an interrupted run).
    public var remaining: Int
}
