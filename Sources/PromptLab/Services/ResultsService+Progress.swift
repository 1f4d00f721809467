import Foundation
import PromptExperiments
import PromptLabCore
import PromptLabStore

extension ResultsService {
    /// Where a run stands: cells done, errors and cost so far, and, from `report` when the caller
    /// has one, the primary grader's comparisons with their always-valid p-values.
    ///
    /// - Parameter report: The run's report at this state, or nil to leave the statistics out.
    public func progress(_ target: String, report: Report? = nil) async throws -> RunProgressOutput {
        let store = try workspace.results()
        let run = try await ReportBuilder.resolveRun(target, in: store)
        let summary = try await store.summary(runID: run.id)
        let interim = (report?.primaryGrader?.comparisons ?? []).filter(\.againstControl).map { comparison in
            RunProgressOutput.InterimComparison(
                variant: comparison.variant, grader: comparison.grader, estimate: comparison.estimate,
                pValue: comparison.pValue, sequentialPValue: comparison.sequentialPValue,
                significant: comparison.significant, verdict: comparison.verdict)
        }
        return RunProgressOutput(
            run: run.id, experiment: run.experimentName, status: summary.run.status.rawValue, cells: summary.run.cellCount,
            done: summary.responseCount, ok: summary.okCount, errors: summary.errorCount, cached: summary.cachedCount,
            costUsd: summary.totalCostUSD, knownCostUsd: summary.knownCostUSD, interim: interim)
    }

    /// A token that changes whenever the run's status, responses, grades or review verdicts change
    /// (see ``ResultsStore/stateToken(runID:)``): front ends cache reports and case indexes by it.
    public func stateToken(_ target: String) async throws -> String {
        let store = try workspace.results()
        let run = try await ReportBuilder.resolveRun(target, in: store)
        return try await store.stateToken(runID: run.id)
    }
}
