import Foundation
import PromptExperiments
import PromptFormat
import PromptLabCore
import PromptLabStats
import PromptLabStore

/// The analysis use cases: a run's report, the comparison of two runs, the regression gate,
/// and how many cases an experiment needs.
public struct ReportService {
    public let workspace: Workspace

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    /// The report of a run, or of an experiment's latest run.
    ///
    /// - Parameter target: A run id, or an experiment name for its latest run.
    public func report(_ target: String, options: ReportOptions = ReportOptions()) async throws -> Report {
        let store = try workspace.results()
        do {
            let run = try await ReportBuilder.resolveRun(target, in: store)
            return try await ReportBuilder.build(store: store, runID: run.id, options: options)
        } catch let error as StatsError {
            throw ErrorCatalogue.map(error)
        }
    }

    /// The variants of `report` significantly worse than the control on its primary grader.
    public func regressions(in report: Report) -> RegressionOutput {
        RegressionOutput(
            grader: report.primaryGrader?.grader, control: report.control,
            regressions: RegressionGate.regressions(in: report).map(\.variant))
    }

    /// The cases that newly fail and newly pass between two runs, per variant.
    public func compare(
        before: String, after: String, grader: String? = nil, threshold: Double? = nil, alpha: Double = 0.05
    ) async throws -> RunComparison {
        guard ReportOptions.alphaRange.contains(alpha) else {
            throw PromptLabError(.usage, "--alpha must be \(ReportOptions.alphaRangeText), got \(alpha)")
        }
        let store = try workspace.results()
        do {
            return try await RunComparison.build(
                store: store, before: before, after: after, grader: grader, threshold: threshold, alpha: alpha)
        } catch let error as StatsError {
            throw ErrorCatalogue.map(error)
        }
    }
}

/// The sample-size use case: needs no repository.
public enum SampleSizeService {
    /// One experiment design to plan for.
    public enum Design: Sendable {
        /// Pass/fail, from the two pass rates (independence given the case).
        case passRates(control: Double, variant: Double)
        /// Pass/fail, from the discordant shares (McNemar, Connor 1987).
        case discordant(p10: Double, p01: Double)
        /// Scores: the mean difference and the sd of per-case differences.
        case scores(effect: Double, sd: Double)
        /// A pairwise judge's win rate against 50%.
        case winRate(Double, tieRate: Double)
    }

    /// The cases `design` needs at significance `alpha` and `power`, with `comparisons` variants.
    public static func plan(_ design: Design, alpha: Double, power: Double, comparisons: Int) throws -> SampleSizeOutput {
        guard alpha >= 1e-6, alpha < 1 else { throw PromptLabError(.usage, "--alpha must be from 0.000001 to below 1, got \(alpha)") }
        guard power > 0, power < 1 else { throw PromptLabError(.usage, "--power must be between 0 and 1, got \(power)") }
        guard comparisons >= 1 else { throw PromptLabError(.usage, "--comparisons must be at least 1") }
        let plan: SamplePlanner.Plan
        do {
            switch design {
            case .passRates(let control, let variant):
                plan = try SamplePlanner.pairedPassFail(
                    controlRate: control, variantRate: variant, alpha: alpha, power: power, comparisons: comparisons)
            case .discordant(let p10, let p01):
                plan = try SamplePlanner.pairedPassFail(p10: p10, p01: p01, alpha: alpha, power: power, comparisons: comparisons)
            case .scores(let effect, let sd):
                plan = try SamplePlanner.pairedScores(effect: effect, sd: sd, alpha: alpha, power: power, comparisons: comparisons)
            case .winRate(let rate, let tieRate):
                plan = try SamplePlanner.winRate(rate, tieRate: tieRate, alpha: alpha, power: power, comparisons: comparisons)
            }
        } catch let error as StatsError {
            throw PromptLabError(.invalidInput, "cannot plan: \(error.description)", hint: "check the rates and effect sizes")
        }
        return SampleSizeOutput(
            design: plan.design, cases: plan.cases, exactCases: plan.exactCases, alpha: plan.alpha, power: plan.power,
            inputs: plan.inputs, assumptions: plan.assumptions)
    }
}
