import Foundation
import Testing

@testable import PromptLabStats

/// A/A simulations of peeking: an always-valid p-value read after every case must
/// keep the false-positive rate at α (up to simulation error).
@Suite("Always-valid results under peeking")
struct SequentialSimulationTests {
    static let alpha = 0.05
    static let runs = 2000
    /// α plus three binomial standard errors of a rate estimated from `runs` runs.
    static let bound = alpha + 3 * (alpha * (1 - alpha) / Double(runs)).squareRoot()

    enum Design: String, CaseIterable, Sendable {
        case passFail, scores, winRate

        var prior: SequentialPrior {
            switch self {
            case .passFail: .passFail
            case .scores: .scores(in: 1...10)
            case .winRate: .winRate
            }
        }

        /// One per-case difference under "no difference".
        func draw(_ generator: inout Xoshiro256StarStar) -> Double {
            switch self {
            case .passFail:
                // Cases differ in difficulty; both arms pass with the case's probability.
                let p = generator.nextUniform()
                let a = generator.nextUniform() < p ? 1.0 : 0.0
                let b = generator.nextUniform() < p ? 1.0 : 0.0
                return b - a
            case .scores:
                return Double(generator.nextInt(below: 10) - generator.nextInt(below: 10))
            case .winRate:
                let u = generator.nextUniform()
                return u < 0.35 ? 0.5 : (u < 0.7 ? -0.5 : 0)
            }
        }
    }

    /// The share of A/A runs in which the always-valid p-value fell to α at any look.
    /// Each run has `cases` cases and is tuned for that many (S = cases, as reports tune to the dataset).
    static func falsePositiveRate(_ design: Design, cases: Int, prior: SequentialPrior, seed: UInt64) throws -> Double {
        var generator = Xoshiro256StarStar(seed: seed)
        var rejected = 0
        for _ in 0..<runs {
            var mean = 0.0
            var squares = 0.0
            for n in 1...cases {
                // Welford's update of the mean and Σ(d − d̄)².
                let d = design.draw(&generator)
                let delta = d - mean
                mean += delta / Double(n)
                squares += delta * (d - mean)
                let result = try Sequential.alwaysValid(
                    mean: mean, squaredDeviations: squares, count: n, alpha: alpha, tuning: Double(cases), prior: prior)
                if result.pValue <= alpha {
                    rejected += 1
                    break
                }
            }
        }
        return Double(rejected) / Double(runs)
    }

    @Test("2,000 A/A runs checked after every case stay within α", arguments: Design.allCases, [20, 50, 200])
    func peekingKeepsAlpha(design: Design, cases: Int) throws {
        let rate = try Self.falsePositiveRate(design, cases: cases, prior: design.prior, seed: 42 &+ UInt64(cases))
        #expect(rate <= Self.bound, "\(design.rawValue), \(cases) cases: false-positive rate \(rate) > \(Self.bound)")
    }

    @Test("The simulation detects the plug-in form's excess false positives")
    func plugInIsTooLiberal() throws {
        // Without the prior and the minimum, scores reject in about 15% of A/A runs:
        // the simulation is sensitive enough to catch the defect it guards against.
        let rate = try Self.falsePositiveRate(.scores, cases: 50, prior: .none, seed: 42)
        #expect(rate > Self.bound)
    }

    @Test("Equal differences give p = 1, not 0")
    func zeroVarianceIsNoEvidence() throws {
        let plain = try Sequential.alwaysValid(mean: -1, standardDeviation: 0, count: 2, tuning: 100)
        #expect(plain.pValue == 1)
        #expect(plain.interval.lower == -.infinity && plain.interval.upper == .infinity)
        let early = try Sequential.alwaysValid(differences: [-1, -1], tuning: 100, prior: .passFail)
        #expect(early.pValue == 1)
        #expect(early.belowMinimum)
        // Twelve equal losses: past the minimum, the prior keeps σ̂ positive.
        let twelve = try Sequential.alwaysValid(differences: [Double](repeating: -1, count: 12), tuning: 100, prior: .passFail)
        #expect(!twelve.belowMinimum)
        #expect(isClose(twelve.standardDeviation, (1.0 / 12).squareRoot(), rel: 1e-12))
        #expect(twelve.interval.upper > twelve.interval.lower)
    }
}
