import Foundation

/// A judge's verdict on one case, from the variant's point of view.
public enum Verdict: String, Sendable, CaseIterable {
    /// The variant's answer was preferred.
    case win
    /// Neither answer was preferred.
    case tie
    /// The control's answer was preferred.
    case loss

    /// The per-case score s ∈ {1, ½, 0}.
    public var score: Double {
        switch self {
        case .win: return 1
        case .tie: return 0.5
        case .loss: return 0
        }
    }

    /// Combines the verdicts from the two presentation orders (both already expressed
    /// from the variant's point of view). If they disagree the case is a tie (MT-Bench rule).
    public static func combined(_ first: Verdict, _ second: Verdict) -> Verdict {
        first == second ? first : .tie
    }
}

/// Counts of wins, ties and losses of a variant against the control.
public struct VerdictCounts: Sendable, Equatable {
    /// W: cases the variant won.
    public var wins: Int
    /// T: tied cases.
    public var ties: Int
    /// L: cases the variant lost.
    public var losses: Int

    public init(wins: Int, ties: Int, losses: Int) {
        self.wins = wins
        self.ties = ties
        self.losses = losses
    }

    /// Tallies a list of per-case verdicts.
    public init(_ verdicts: [Verdict]) {
        self.init(wins: 0, ties: 0, losses: 0)
        for verdict in verdicts {
            switch verdict {
            case .win: wins += 1
            case .tie: ties += 1
            case .loss: losses += 1
            }
        }
    }

    /// n = W + T + L.
    public var total: Int { wins + ties + losses }
}

/// The judge's position consistency: how often the two presentation orders agree.
public struct PositionConsistency: Sendable, Equatable {
    /// Pairs whose two verdicts agree.
    public let agreeing: Int
    /// Pairs judged in both orders.
    public let pairs: Int

    /// agreeing / pairs (NaN when there are no pairs).
    public var rate: Double { pairs > 0 ? Double(agreeing) / Double(pairs) : .nan }

    /// Compares the verdicts from the two orders, case by case.
    /// - Throws: ``StatsError/lengthMismatch(_:_:)`` when the lists differ in length.
    public init(first: [Verdict], second: [Verdict]) throws {
        guard first.count == second.count else { throw StatsError.lengthMismatch(first.count, second.count) }
        agreeing = zip(first, second).filter { $0 == $1 }.count
        pairs = first.count
    }
}

/// The pairwise win rate of a variant against the control.
public struct WinRateResult: Sendable, Equatable {
    /// W/T/L counts; always show them next to the rate.
    public let counts: VerdictCounts
    /// (W + T/2) / n.
    public let rate: Double
    /// Standard error sd(s)/√n of the per-case scores s ∈ {0, ½, 1}.
    public let standardError: Double
    /// rate ± t_{1−α/2, n−1} · SE (not clipped to [0, 1], to stay the stated definition).
    public let interval: ConfidenceInterval
    /// Sign test: two-sided `binomtest(W, W + L, 0.5)`, ties dropped; 1 when W + L = 0.
    public let signTestPValue: Double
    /// `beta.sf(0.5, W + 1, L + 1)`: the posterior chance that the variant's share of
    /// decisive verdicts exceeds one half. For display only, never a stopping rule.
    public let chanceToBeat: Double
}

/// Win rate, sign test and chance-to-beat for judge verdicts.
public enum WinRate {
    /// Analyses per-case verdicts (after combining the two orders).
    public static func analyze(_ verdicts: [Verdict], level: Double = 0.95) throws -> WinRateResult {
        try analyze(VerdictCounts(verdicts), level: level)
    }

    /// Analyses W/T/L counts.
    /// - Throws: ``StatsError/tooFewObservations(needed:got:)`` with fewer than 2 cases.
    public static func analyze(_ counts: VerdictCounts, level: Double = 0.95) throws -> WinRateResult {
        let n = counts.total
        guard counts.wins >= 0, counts.ties >= 0, counts.losses >= 0 else {
            throw StatsError.invalidArgument("counts must be non-negative")
        }
        guard n >= 2 else { throw StatsError.tooFewObservations(needed: 2, got: n) }
        let nd = Double(n)
        let w = Double(counts.wins)
        let t = Double(counts.ties)
        let l = Double(counts.losses)
        let rate = (w + t / 2) / nd
        let sumOfSquares = w * (1 - rate) * (1 - rate) + t * (0.5 - rate) * (0.5 - rate) + l * rate * rate
        let sd = (sumOfSquares / (nd - 1)).squareRoot()
        let se = sd / nd.squareRoot()
        let summary = PairedT.make(count: n, mean: rate, sd: sd, se: se, df: n - 1, level: level)
        return WinRateResult(
            counts: counts, rate: rate, standardError: se, interval: summary.interval,
            signTestPValue: try signTest(counts),
            chanceToBeat: chanceToBeat(counts))
    }

    /// The sign test: two-sided exact binomial test of W out of W + L against ½.
    public static func signTest(_ counts: VerdictCounts) throws -> Double {
        try BinomialTest.pValue(successes: counts.wins, trials: counts.wins + counts.losses, p: 0.5)
    }

    /// `beta.sf(0.5, W + 1, L + 1)`.
    public static func chanceToBeat(_ counts: VerdictCounts) -> Double {
        BetaDistribution.sf(0.5, a: Double(counts.wins + 1), b: Double(counts.losses + 1))
    }
}
