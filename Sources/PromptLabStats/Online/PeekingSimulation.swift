import Foundation

/// Simulated rollouts of a rate metric, read after every batch of traffic, to show what peeking
/// does to a fixed-horizon test and that the always-valid readout is immune to it.
///
/// Each rollout assigns `batchSize` units per batch to control or treatment by the weights
/// (a binomial draw), draws each arm's conversions, and after every batch computes
/// ``OnlineMetric/difference(control:treatment:alpha:tuning:bound:minimumUnits:)`` from the
/// running sums. A rollout *declares* at the first look with p < α, always-valid and naive
/// (the fixed-horizon z-test) counted separately. Only sums are kept, so a run of thousands of
/// rollouts takes milliseconds per thousand looks.
public enum PeekingSimulation {
    /// What to simulate.
    public struct Configuration: Sendable, Equatable, Codable {
        /// Independent rollouts.
        public var rollouts: Int
        /// Looks per rollout, one after each batch.
        public var batches: Int
        /// Units per batch, over both arms.
        public var batchSize: Int
        /// The control's true rate.
        public var controlRate: Double
        /// The treatment's true rate; equal to the control's for an A/A simulation.
        public var treatmentRate: Double
        /// The control's weight.
        public var controlWeight: Double
        /// The treatment's weight.
        public var treatmentWeight: Double
        /// Significance level of both tests.
        public var alpha: Double
        /// S in units per arm; nil tunes to the effective units per arm expected after the last batch.
        public var tuning: Double?
        /// Each arm needs this many units before an always-valid verdict.
        public var minimumUnits: Int
        /// Seed of the `Xoshiro256StarStar` stream; the same seed gives the same result.
        public var seed: UInt64

        public init(
            rollouts: Int = 2000, batches: Int = 20, batchSize: Int = 500, controlRate: Double = 0.3,
            treatmentRate: Double = 0.3, controlWeight: Double = 0.5, treatmentWeight: Double = 0.5, alpha: Double = 0.05,
            tuning: Double? = nil, minimumUnits: Int = OnlineMetric.defaultMinimumUnits, seed: UInt64 = 1
        ) {
            self.rollouts = rollouts
            self.batches = batches
            self.batchSize = batchSize
            self.controlRate = controlRate
            self.treatmentRate = treatmentRate
            self.controlWeight = controlWeight
            self.treatmentWeight = treatmentWeight
            self.alpha = alpha
            self.tuning = tuning
            self.minimumUnits = minimumUnits
            self.seed = seed
        }

        /// Limits that keep a run from exhausting memory or time: 10⁷ rollouts, 10⁴ looks, 10⁹ units per batch.
        public static let maximumRollouts = 10_000_000
        public static let maximumBatches = 10_000
        public static let maximumBatchSize = 1_000_000_000

        /// The share of units the treatment gets.
        var treatmentShare: Double { treatmentWeight / (controlWeight + treatmentWeight) }

        /// S: the configured tuning, or the effective units per arm after the last batch if the
        /// split is kept exactly.
        var effectiveTuning: Double {
            if let tuning { return tuning }
            let total = Double(batches) * Double(batchSize)
            let treatment = total * treatmentShare
            let control = total - treatment
            return max(1, 2 * treatment * control / total)
        }

        func validate() throws {
            guard (1...Self.maximumRollouts).contains(rollouts) else {
                throw StatsError.invalidArgument("rollouts must be in 1...\(Self.maximumRollouts)")
            }
            guard (1...Self.maximumBatches).contains(batches) else {
                throw StatsError.invalidArgument("batches must be in 1...\(Self.maximumBatches)")
            }
            guard (1...Self.maximumBatchSize).contains(batchSize) else {
                throw StatsError.invalidArgument("batch size must be in 1...\(Self.maximumBatchSize)")
            }
            guard (0...1).contains(controlRate), (0...1).contains(treatmentRate) else {
                throw StatsError.invalidArgument("rates must be in [0, 1]")
            }
            guard controlWeight.isFinite, treatmentWeight.isFinite, controlWeight > 0, treatmentWeight > 0 else {
                throw StatsError.invalidArgument("both weights must be finite and positive")
            }
            try OnlineMetric.validate(alpha: alpha, tuning: effectiveTuning)
            guard minimumUnits >= 1 else { throw StatsError.invalidArgument("minimumUnits must be at least 1") }
        }
    }

    /// Runs the simulation.
    /// - Throws: ``StatsError/invalidArgument(_:)`` for a configuration outside its limits.
    public static func run(_ configuration: Configuration) throws -> PeekingSimulationResult {
        try configuration.validate()
        let tuning = configuration.effectiveTuning
        let share = configuration.treatmentShare
        let truth = configuration.treatmentRate - configuration.controlRate
        var generator = Xoshiro256StarStar(seed: configuration.seed)
        var declared = 0
        var declaredRight = 0
        var naiveDeclared = 0
        var naiveDeclaredRight = 0
        var looksToDeclare = 0

        for _ in 0..<configuration.rollouts {
            var control = UnitMetricSums.empty
            var treatment = UnitMetricSums.empty
            var verdict: Double?
            var naiveVerdict: Double?
            for look in 1...configuration.batches {
                let treatmentUnits = generator.nextBinomial(trials: configuration.batchSize, probability: share)
                let controlUnits = configuration.batchSize - treatmentUnits
                add(
                    units: controlUnits,
                    conversions: generator.nextBinomial(trials: controlUnits, probability: configuration.controlRate),
                    to: &control)
                add(
                    units: treatmentUnits,
                    conversions: generator.nextBinomial(trials: treatmentUnits, probability: configuration.treatmentRate),
                    to: &treatment)
                guard control.units > 0, treatment.units > 0 else { continue }
                let difference = try OnlineMetric.difference(
                    control: control, treatment: treatment, alpha: configuration.alpha, tuning: tuning, bound: 1,
                    minimumUnits: configuration.minimumUnits)
                if verdict == nil, difference.pValue < configuration.alpha {
                    verdict = difference.difference
                    looksToDeclare += look
                }
                if naiveVerdict == nil, difference.fixedHorizonPValue < configuration.alpha {
                    naiveVerdict = difference.difference
                }
                if verdict != nil, naiveVerdict != nil { break }
            }
            if let verdict {
                declared += 1
                if truth != 0, (verdict > 0) == (truth > 0) { declaredRight += 1 }
            }
            if let naiveVerdict {
                naiveDeclared += 1
                if truth != 0, (naiveVerdict > 0) == (truth > 0) { naiveDeclaredRight += 1 }
            }
        }
        let rollouts = Double(configuration.rollouts)
        return PeekingSimulationResult(
            configuration: configuration, tuning: tuning,
            declaredShare: Double(declared) / rollouts,
            rightDirectionShare: Double(declaredRight) / rollouts,
            naiveDeclaredShare: Double(naiveDeclared) / rollouts,
            naiveRightDirectionShare: Double(naiveDeclaredRight) / rollouts,
            meanLooksToDeclare: declared > 0 ? Double(looksToDeclare) / Double(declared) : nil)
    }

    /// Adds `units` units observed once each, `conversions` of them converted (x_u ∈ {0, 1}).
    private static func add(units: Int, conversions: Int, to sums: inout UnitMetricSums) {
        let n = Double(units)
        let k = Double(conversions)
        sums.units += units
        sums.sumValue += k
        sums.sumValueSquared += k
        sums.sumCount += n
        sums.sumCountSquared += n
        sums.sumValueCount += k
    }
}
