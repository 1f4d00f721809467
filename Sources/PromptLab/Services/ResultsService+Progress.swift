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

    /// A fingerprint of everything a run's report is computed from: its status, responses, grades and
    /// review verdicts. Equal fingerprints mean an equal report, so front ends can cache reports by it.
    public func reportState(_ target: String) async throws -> String {
        let store = try workspace.results()
        let run = try await ReportBuilder.resolveRun(target, in: store)
        let summary = try await store.summary(runID: run.id)
        let graders = try await store.graderConfigurations(runID: run.id)
            .map { "\($0.grader)#\($0.configHash)#\($0.latestGradeID)" }.sorted().joined(separator: ",")
        let verdicts = try await store.verdicts(runID: run.id).count
        return "\(run.id)|\(summary.run.status.rawValue)|\(summary.okCount)|\(summary.errorCount)|\(graders)|\(verdicts)"
    }
}
