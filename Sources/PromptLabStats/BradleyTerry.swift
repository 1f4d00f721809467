import Foundation

/// One judged comparison between two variants.
public struct PairwiseOutcome: Sendable, Hashable {
    /// Index of the first variant.
    public let first: Int
    /// Index of the second variant.
    public let second: Int
    /// The first variant's score: 1 win, 0.5 tie, 0 loss.
    public let score: Double
    /// Weight of the comparison, default 1.
    public let weight: Double

    public init(first: Int, second: Int, score: Double, weight: Double = 1) {
        self.first = first
        self.second = second
        self.score = score
        self.weight = weight
    }
}

/// Win/tie/loss counts between two variants, from the first one's point of view.
public struct PairTally: Sendable, Equatable {
    public let first: Int
    public let second: Int
    public let firstWins: Int
    public let ties: Int
    public let secondWins: Int

    public init(first: Int, second: Int, firstWins: Int, ties: Int, secondWins: Int) {
        self.first = first
        self.second = second
        self.firstWins = firstWins
        self.ties = ties
        self.secondWins = secondWins
    }
}

/// Maximum-likelihood Bradley–Terry strengths.
public struct BradleyTerryFit: Sendable, Equatable {
    /// θ = α·r on the natural-log odds scale; the control is 0.
    public let strengths: [Double]
    /// Newton iterations used.
    public let iterations: Int
    /// Whether the gradient reached its tolerance. It does not when a variant wins or
    /// loses every comparison: the maximum-likelihood estimate is then infinite, and the
    /// strengths returned are merely large.
    public let converged: Bool

    /// r = θ / ln 10, the base-10 log-odds scale of the Chatbot Arena loss.
    public var ratings: [Double] { strengths.map { $0 / BradleyTerry.alpha } }
    /// Elo-style ratings 400·r + 1000.
    public var elo: [Double] { ratings.map { 400 * $0 + 1000 } }
}

/// Whether a variant's maximum-likelihood rating is finite.
public enum RatingBound: String, Sendable, Equatable {
    /// The rating is finite.
    case finite
    /// The variant won every comparison it was in: the rating is +∞.
    case unboundedAbove = "above"
    /// The variant lost every comparison it was in: the rating is −∞.
    case unboundedBelow = "below"
}

/// Bradley–Terry ratings with bootstrap intervals and ranks.
public struct BradleyTerryRanking: Sendable, Equatable {
    /// The fit on all cases. Under perfect separation its strengths are merely large; see ``bounds``.
    public let fit: BradleyTerryFit
    /// Elo ratings 400·r + 1000: the fit's, with ±∞ for a variant that won or lost every comparison.
    public let elo: [Double]
    /// Whether each variant's rating is finite.
    public let bounds: [RatingBound]
    /// Intervals for the Elo ratings (the control's is a point, being the anchor): bootstrap
    /// percentile intervals (a bound is ±∞ when enough resamples have the variant winning or
    /// losing every comparison), except for a variant that won (lost) every comparison, whose
    /// interval is the Wilson interval of its win share mapped to the Elo scale around its
    /// opponents' mean rating, unbounded on one side.
    public let eloIntervals: [ConfidenceInterval]
    /// 1 + the number of variants whose rating is above this one's: whose bootstrap
    /// interval of the rating difference (the same resamples for both) lies above 0.
    public let ranks: [Int]
    /// Number of bootstrap resamples.
    public let resamples: Int
    /// Number of distinct per-case outcome patterns that the bootstrap drew over.
    public let distinctCasePatterns: Int
}

/// The Bradley–Terry model as in Chatbot Arena (FastChat `rating_systems.py`).
///
/// Minimizes −Σ w·[o·ln σ(α(r_a − r_b)) + (1 − o)·ln(1 − σ(α(r_a − r_b)))] with
/// α = ln 10 and o ∈ {1, ½, 0}, with the control anchored at 0, by Newton's method
/// with a backtracking line search. Only the per-pair totals of w and w·o matter.
public enum BradleyTerry {
    /// α = ln 10.
    public static let alpha = log(10.0)

    /// Fits strengths to individual comparisons.
    /// - Throws: ``StatsError`` for out-of-range indices or scores.
    public static func fit(variantCount: Int, control: Int, outcomes: [PairwiseOutcome]) throws -> BradleyTerryFit {
        var pairs = try PairTotals(variantCount: variantCount, control: control)
        for outcome in outcomes { try pairs.add(outcome, times: 1) }
        return pairs.solve(start: nil)
    }

    /// Fits strengths to W/T/L tallies (a tie counts as half a win for each side).
    public static func fit(variantCount: Int, control: Int, tallies: [PairTally]) throws -> BradleyTerryFit {
        var pairs = try PairTotals(variantCount: variantCount, control: control)
        for tally in tallies {
            guard tally.firstWins >= 0, tally.ties >= 0, tally.secondWins >= 0 else {
                throw StatsError.invalidArgument("tallies must be non-negative")
            }
            let total = Double(tally.firstWins + tally.ties + tally.secondWins)
            if total == 0 { continue }
            let score = (Double(tally.firstWins) + 0.5 * Double(tally.ties)) / total
            try pairs.add(PairwiseOutcome(first: tally.first, second: tally.second, score: score, weight: total), times: 1)
        }
        return pairs.solve(start: nil)
    }

    /// Fits on all cases and adds bootstrap intervals over cases, then ranks.
    ///
    /// Cases are grouped by their full outcome pattern (the multiset of comparisons in
    /// the case), so each resample is a multinomial draw over the distinct patterns;
    /// see ``MultinomialResampler``. Intervals are percentile intervals of the
    /// bootstrap Elo ratings; each resample's fit starts from the full-data fit.
    /// A resample costs O(min(n, k)) to draw plus O(k·c) to total, for k distinct
    /// patterns of c comparisons each; memory is O(n + k·c).
    /// - Parameters:
    ///   - cases: The comparisons judged on each case.
    ///   - resamples: Bootstrap resamples, default 1000.
    ///   - level: Confidence level, default 0.95.
    ///   - seed: Seed of the ``Xoshiro256StarStar`` stream.
    public static func ranking(
        variantCount: Int, control: Int, cases: [[PairwiseOutcome]],
        resamples: Int = 1000, level: Double = 0.95, seed: UInt64 = 0
    ) throws -> BradleyTerryRanking {
        guard !cases.isEmpty else { throw StatsError.tooFewObservations(needed: 1, got: 0) }
        guard resamples >= 1 else { throw StatsError.invalidArgument("resamples must be at least 1") }
        guard level > 0, level < 1 else { throw StatsError.invalidArgument("level must be in (0, 1)") }
        let template = try PairTotals(variantCount: variantCount, control: control)

        // Group cases by outcome pattern.
        var patternIndex: [[PairwiseOutcome]: Int] = [:]
        var patterns: [[PairwiseOutcome]] = []
        var patternCounts: [Int] = []
        for outcomes in cases {
            var key = try outcomes.map { try template.canonical($0) }
            key.sort { ($0.first, $0.second, $0.score, $0.weight) < ($1.first, $1.second, $1.score, $1.weight) }
            if let index = patternIndex[key] {
                patternCounts[index] += 1
            } else {
                patternIndex[key] = patterns.count
                patterns.append(key)
                patternCounts.append(1)
            }
        }

        var full = template
        for (pattern, count) in zip(patterns, patternCounts) {
            for outcome in pattern { try full.add(outcome, times: Double(count)) }
        }
        let fit = full.solve(start: nil)

        // Flatten the patterns so that a resample is one tight loop over
        // (pair, weight, weight·score) entries.
        var patternStart = [0]
        var entryPair: [Int] = []
        var entryWeight: [Double] = []
        var entryScore: [Double] = []
        for pattern in patterns {
            for outcome in pattern {
                entryPair.append(outcome.first * variantCount + outcome.second)
                entryWeight.append(outcome.weight)
                entryScore.append(outcome.weight * outcome.score)
            }
            patternStart.append(entryPair.count)
        }

        let resampler = MultinomialResampler(counts: patternCounts)
        var generator = Xoshiro256StarStar(seed: seed)
        var drawn = [Int](repeating: 0, count: patterns.count)
        var eloDraws = [[Double]](repeating: [], count: variantCount)
        for index in eloDraws.indices { eloDraws[index].reserveCapacity(resamples) }
        var intervalDraws = eloDraws
        var totals = template
        for _ in 0..<resamples {
            resampler.draw(using: &generator, into: &drawn)
            totals.reset()
            totals.weight.withUnsafeMutableBufferPointer { weight in
                totals.score.withUnsafeMutableBufferPointer { score in
                    for pattern in 0..<patterns.count {
                        let count = Double(drawn[pattern])
                        if count == 0 { continue }
                        for entry in patternStart[pattern]..<patternStart[pattern + 1] {
                            weight[entryPair[entry]] += count * entryWeight[entry]
                            score[entryPair[entry]] += count * entryScore[entry]
                        }
                    }
                }
            }
            let elo = totals.solve(start: fit.strengths).elo
            // A resample in which a variant won (lost) everything has no finite rating: the
            // solver's large value stands in for the differences that rank, ±∞ for the interval.
            let drawBounds = separation(totals, control: control)
            for variant in 0..<variantCount {
                eloDraws[variant].append(elo[variant])
                switch drawBounds[variant] {
                case .finite: intervalDraws[variant].append(elo[variant])
                case .unboundedAbove: intervalDraws[variant].append(.infinity)
                case .unboundedBelow: intervalDraws[variant].append(-.infinity)
                }
            }
        }
        let tail = (1 - level) / 2
        var intervals = intervalDraws.map { draws -> ConfidenceInterval in
            let sorted = draws.sorted()
            return ConfidenceInterval(lower: quantile(sorted, tail), upper: quantile(sorted, 1 - tail), level: level)
        }

        // Perfect separation: a variant that won (lost) everything has an infinite MLE, and
        // every resample repeats its record, so the bootstrap interval has no width.
        var elo = fit.elo
        let bounds = separation(full, control: control)
        for variant in 0..<variantCount where bounds[variant] != .finite {
            elo[variant] = bounds[variant] == .unboundedAbove ? .infinity : -.infinity
            intervals[variant] = try separatedInterval(variant, totals: full, elo: fit.elo, bounds: bounds, level: level)
        }
        return BradleyTerryRanking(
            fit: fit, elo: elo, bounds: bounds, eloIntervals: intervals,
            ranks: ranks(draws: eloDraws, elo: elo, bounds: bounds, level: level), resamples: resamples,
            distinctCasePatterns: patterns.count)
    }

    /// Rank = 1 + the number of variants whose lower bound is above this one's upper bound
    /// (a comparison of two marginal intervals; ``ranks(draws:elo:bounds:level:)`` is what
    /// ``ranking(variantCount:control:cases:resamples:level:seed:)`` uses).
    public static func ranks(_ intervals: [ConfidenceInterval]) -> [Int] {
        intervals.map { own in 1 + intervals.filter { $0.lower > own.upper }.count }
    }

    /// Rank = 1 + the number of variants j whose rating is clearly above this one's: the
    /// percentile interval of the bootstrap rating differences elo_j − elo_i, over the same
    /// resamples, lies above 0. A variant that won every comparison is above every finite one.
    ///
    /// The control's rating is the anchor, so its own interval is a point; comparing
    /// differences instead of two marginal intervals gives the control no advantage.
    /// Ranks are then made monotone in the rating: a variant never ranks above one with a
    /// higher rating (each rank is at least the largest rank of the variants rated higher).
    /// - Parameters:
    ///   - draws: `draws[variant][resample]`, the bootstrap Elo ratings.
    ///   - elo: The point estimates (±∞ allowed).
    public static func ranks(draws: [[Double]], elo: [Double], bounds: [RatingBound]? = nil, level: Double) -> [Int] {
        let k = draws.count
        let tail = (1 - level) / 2
        var above = [[Bool]](repeating: [Bool](repeating: false, count: k), count: k)  // above[i][j]: j above i
        for i in 0..<k {
            for j in 0..<k where j != i {
                if let bounds {
                    if bounds[j] == .unboundedAbove && bounds[i] != .unboundedAbove
                        || bounds[i] == .unboundedBelow && bounds[j] != .unboundedBelow
                    {
                        above[i][j] = true
                        continue
                    }
                    if bounds[i] == bounds[j] && bounds[i] != .finite { continue }
                }
                let differences = zip(draws[j], draws[i]).map { $0 - $1 }.sorted()
                guard !differences.isEmpty else { continue }
                above[i][j] = Descriptive.quantile(sorted: differences, tail) > 0
            }
        }
        let raw = (0..<k).map { i in 1 + above[i].filter { $0 }.count }
        return (0..<k).map { i in (0..<k).filter { elo[$0] >= elo[i] }.map { raw[$0] }.max() ?? raw[i] }
    }

    /// ``Descriptive/quantile(sorted:_:)`` that lets ±∞ through (linear interpolation towards
    /// an infinite neighbour is infinite; between two equal infinities it is that infinity).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let below = min(Int(position.rounded(.down)), sorted.count - 1)
        let above = min(below + 1, sorted.count - 1)
        let low = sorted[below]
        let high = sorted[above]
        if position == Double(below) || low == high { return low }
        if low == -.infinity { return low }
        if high == .infinity { return high }
        return Descriptive.quantile(sorted: sorted, q)
    }

    /// Which variants won or lost every comparison they were in.
    static func separation(_ totals: PairTotals, control: Int) -> [RatingBound] {
        let k = totals.variantCount
        var weight = [Double](repeating: 0, count: k)
        var score = [Double](repeating: 0, count: k)
        for i in 0..<k {
            for j in (i + 1)..<k {
                let w = totals.weight[i * k + j]
                let s = totals.score[i * k + j]
                weight[i] += w
                score[i] += s
                weight[j] += w
                score[j] += w - s
            }
        }
        return (0..<k).map { v in
            guard v != control, weight[v] > 0 else { return .finite }
            if score[v] >= weight[v] { return .unboundedAbove }
            if score[v] <= 0 { return .unboundedBelow }
            return .finite
        }
    }

    /// The Wilson interval of a separated variant's win share (its score over its
    /// comparisons, of their total weight), on the Elo scale around the mean rating of the
    /// opponents it met (weighted by comparisons; separated opponents count at their fitted value):
    /// opponents + 400·log10(p/(1 − p)) at each Wilson bound.
    static func separatedInterval(
        _ variant: Int, totals: PairTotals, elo: [Double], bounds: [RatingBound], level: Double
    ) throws -> ConfidenceInterval {
        let k = totals.variantCount
        var weight = 0.0
        var opponents = 0.0
        for other in 0..<k where other != variant {
            let w = totals.weight[min(variant, other) * k + max(variant, other)]
            weight += w
            opponents += w * elo[other]
        }
        let center = opponents / weight
        let share = bounds[variant] == .unboundedAbove ? 1.0 : 0.0
        let wilson = try Wilson.interval(proportion: share, effectiveTrials: weight, level: level)
        func toElo(_ p: Double) -> Double {
            if p <= 0 { return -.infinity }
            if p >= 1 { return .infinity }
            return center + 400 * log10(p / (1 - p))
        }
        return ConfidenceInterval(lower: toElo(wilson.lower), upper: toElo(wilson.upper), level: level)
    }
}

// MARK: - Sufficient statistics and Newton solver

/// Per-pair totals Σw and Σw·o (o from the lower-indexed variant's point of view).
struct PairTotals {
    let variantCount: Int
    let control: Int
    var weight: [Double]
    var score: [Double]

    init(variantCount: Int, control: Int) throws {
        guard variantCount >= 2 else { throw StatsError.invalidArgument("need at least 2 variants") }
        guard (0..<variantCount).contains(control) else {
            throw StatsError.invalidArgument("control index \(control) must be in 0..<\(variantCount)")
        }
        self.variantCount = variantCount
        self.control = control
        weight = [Double](repeating: 0, count: variantCount * variantCount)
        score = weight
    }

    /// The outcome with `first < second`, validated.
    func canonical(_ outcome: PairwiseOutcome) throws -> PairwiseOutcome {
        let range = 0..<variantCount
        guard range.contains(outcome.first), range.contains(outcome.second), outcome.first != outcome.second else {
            throw StatsError.invalidArgument("comparison \(outcome.first)–\(outcome.second) is not between two of \(variantCount) variants")
        }
        guard (0...1).contains(outcome.score), outcome.weight > 0, outcome.weight.isFinite else {
            throw StatsError.invalidArgument("score must be in [0, 1] and weight positive")
        }
        if outcome.first < outcome.second { return outcome }
        return PairwiseOutcome(first: outcome.second, second: outcome.first, score: 1 - outcome.score, weight: outcome.weight)
    }

    mutating func reset() {
        for index in weight.indices {
            weight[index] = 0
            score[index] = 0
        }
    }

    mutating func add(_ outcome: PairwiseOutcome, times: Double) throws {
        addCanonical(try canonical(outcome), times: times)
    }

    mutating func addCanonical(_ outcome: PairwiseOutcome, times: Double) {
        let index = outcome.first * variantCount + outcome.second
        weight[index] += times * outcome.weight
        score[index] += times * outcome.weight * outcome.score
    }

    /// ln σ(x), computed without overflow.
    private static func logSigmoid(_ x: Double) -> Double {
        x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x))
    }

    private func loss(_ theta: [Double]) -> Double {
        var total = 0.0
        for i in 0..<variantCount {
            for j in (i + 1)..<variantCount {
                let w = weight[i * variantCount + j]
                if w == 0 { continue }
                let s = score[i * variantCount + j]
                let x = theta[i] - theta[j]
                total -= s * Self.logSigmoid(x) + (w - s) * Self.logSigmoid(-x)
            }
        }
        return total
    }

    /// Newton's method on the free strengths (all but the control).
    func solve(start: [Double]?) -> BradleyTerryFit {
        let k = variantCount
        var theta = start ?? [Double](repeating: 0, count: k)
        theta[control] = 0
        let free = (0..<k).filter { $0 != control }
        let m = free.count
        let totalWeight = max(weight.reduce(0, +), 1)
        var currentLoss = loss(theta)
        var converged = false
        var iterations = 0
        var gradient = [Double](repeating: 0, count: k)
        var hessian = [Double](repeating: 0, count: k * k)
        while iterations < 200 {
            for index in gradient.indices { gradient[index] = 0 }
            for index in hessian.indices { hessian[index] = 0 }
            for i in 0..<k {
                for j in (i + 1)..<k {
                    let w = weight[i * k + j]
                    if w == 0 { continue }
                    let s = score[i * k + j]
                    let x = theta[i] - theta[j]
                    let p = 1 / (1 + exp(-x))
                    let residual = s - w * p
                    gradient[i] -= residual
                    gradient[j] += residual
                    let curvature = w * p * (1 - p)
                    hessian[i * k + i] += curvature
                    hessian[j * k + j] += curvature
                    hessian[i * k + j] -= curvature
                    hessian[j * k + i] -= curvature
                }
            }
            let largest = free.map { abs(gradient[$0]) }.max() ?? 0
            if largest <= 1e-10 * totalWeight {
                converged = true
                break
            }
            iterations += 1
            // Solve H_ff · step = −g_f.
            var matrix = [Double](repeating: 0, count: m * m)
            var rhs = [Double](repeating: 0, count: m)
            for (a, i) in free.enumerated() {
                rhs[a] = -gradient[i]
                for (b, j) in free.enumerated() { matrix[a * m + b] = hessian[i * k + j] }
            }
            guard let step = Self.choleskySolve(matrix, rhs, size: m) else { break }
            var directional = 0.0
            for a in 0..<m { directional += step[a] * gradient[free[a]] }
            var scale = 1.0
            var candidate = theta
            var candidateLoss = currentLoss
            var accepted = false
            for _ in 0..<40 {
                for (a, i) in free.enumerated() { candidate[i] = theta[i] + scale * step[a] }
                candidateLoss = loss(candidate)
                if candidateLoss <= currentLoss + 1e-4 * scale * directional {
                    accepted = true
                    break
                }
                scale /= 2
            }
            if !accepted { break }
            let moved = step.map { abs($0) * scale }.max() ?? 0
            theta = candidate
            currentLoss = candidateLoss
            if moved < 1e-13 {
                converged = true
                break
            }
        }
        return BradleyTerryFit(strengths: theta, iterations: iterations, converged: converged)
    }

    /// Solves A x = b for symmetric positive (semi)definite A, adding a small ridge when
    /// A is singular (a variant with no comparisons then stays at 0).
    static func choleskySolve(_ a: [Double], _ b: [Double], size m: Int) -> [Double]? {
        if m == 0 { return [] }
        var trace = 0.0
        for i in 0..<m { trace += a[i * m + i] }
        var ridge = 0.0
        for _ in 0..<8 {
            var l = [Double](repeating: 0, count: m * m)
            var ok = true
            for i in 0..<m where ok {
                for j in 0...i {
                    var sum = a[i * m + j] + (i == j ? ridge : 0)
                    for p in 0..<j { sum -= l[i * m + p] * l[j * m + p] }
                    if i == j {
                        if sum <= 1e-300 {
                            ok = false
                            break
                        }
                        l[i * m + i] = sum.squareRoot()
                    } else {
                        l[i * m + j] = sum / l[j * m + j]
                    }
                }
            }
            if ok {
                var y = [Double](repeating: 0, count: m)
                for i in 0..<m {
                    var sum = b[i]
                    for p in 0..<i { sum -= l[i * m + p] * y[p] }
                    y[i] = sum / l[i * m + i]
                }
                var x = [Double](repeating: 0, count: m)
                for i in stride(from: m - 1, through: 0, by: -1) {
                    var sum = y[i]
                    for p in (i + 1)..<m { sum -= l[p * m + i] * x[p] }
                    x[i] = sum / l[i * m + i]
                }
                return x
            }
            ridge = ridge == 0 ? max(trace, 1) * 1e-12 : ridge * 100
        }
        return nil
    }
}
