import Foundation
import PromptExperiments
import PromptLabCore
import PromptLabStats
import PromptLabStore

extension ReportService {
    /// An experiment's primary grader across its runs, oldest first, one point per run and variant,
    /// each with its interval: whether the prompt is getting better, version after version.
    ///
    /// - Parameters:
    ///   - grader: The grader to follow; the experiment's first grader in each run when nil.
    ///   - limit: The newest runs to include.
    /// - Throws: ``PromptLabError`` `notFound` when the experiment has no runs.
    public func history(experiment: String, grader: String? = nil, limit: Int = 50) async throws -> ExperimentHistoryOutput {
        guard (1...1000).contains(limit) else { throw PromptLabError(.usage, "limit must be between 1 and 1000, got \(limit)") }
        let store = try workspace.results()
        let runs = try await store.runs(experiment: experiment, limit: limit)
        guard !runs.isEmpty else {
            throw PromptLabError(.notFound, "no runs of experiment '\(experiment)'", hint: "see 'promptlab runs' for experiment names")
        }
        var points = [ExperimentHistoryOutput.Point]()
        var chosenGrader: String?
        var metric: String?
        for summary in runs.reversed() {
            let run = summary.run
            let variants = try await store.variants(runID: run.id)
            let report: Report
            do {
                report = try await ReportBuilder.build(store: store, runID: run.id, options: ReportOptions(grader: grader))
            } catch let error as PromptLabError where error.kind == .notFound {
                continue  // this run has no grades by that grader
            }
            guard let primary = report.primaryGrader else { continue }
            chosenGrader = chosenGrader ?? primary.grader
            metric = metric ?? primary.metric.rawValue
            for score in primary.variants {
                let record = variants.first { $0.name == score.variant }
                points.append(
                    .init(
                        run: run.id, created: run.createdAt, status: run.status.rawValue, variant: score.variant,
                        control: score.isControl,
                        prompt: record.map { variant in variant.version.map { "\(variant.promptName)@v\($0)" } ?? variant.promptReference }
                            ?? "",
                        cases: score.cases, estimate: score.estimate, low: score.interval?.lower, high: score.interval?.upper))
            }
        }
        return ExperimentHistoryOutput(experiment: experiment, grader: chosenGrader, metric: metric, points: points)
    }
}
