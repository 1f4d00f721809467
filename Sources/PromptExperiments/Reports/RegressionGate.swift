import PromptFormat
import PromptLabCore
import PromptLabStore
import PromptVersioning

/// Decides whether a run should fail a CI gate: is any variant significantly worse
/// than the control on the primary grader?
///
/// "Significantly worse" means the Holm-adjusted p-value over the primary grader's
/// comparisons is at most α and the estimate is below the value of no effect (a
/// negative difference, or a win rate below ½). While a run is not complete the
/// always-valid (mSPRT) p-value is used instead, so a gate checked mid-run is not
/// fooled by peeking. The exit code is ``exitCode`` (10) when there is a regression.
///
/// `promptlab report --fail-on-regression` and `promptlab run --fail-on-regression`
/// both call ``check(store:runID:grader:alpha:)``.
public enum RegressionGate {
    /// The documented exit code for "a significant regression was found".
    public static let exitCode: Int32 = 10

    /// The outcome of a gate check.
    public struct Result: Sendable {
        /// The report the decision was made on.
        public var report: Report
        /// The grader that gated (the primary grader), or `nil` when the run has no grades.
        public var grader: String?
        /// The comparisons that are significant regressions.
        public var regressions: [Comparison]

        /// ``RegressionGate/exitCode`` when there is a regression, else 0.
        public var exitCode: Int32 { regressions.isEmpty ? 0 : RegressionGate.exitCode }
    }

    /// Significant regressions on the report's primary grader.
    public static func regressions(in report: Report) -> [Comparison] {
        report.primaryGrader?.comparisons.filter(\.isRegression) ?? []
    }

    /// Builds the run's report and checks it.
    ///
    /// - Parameters:
    ///   - store: The results store.
    ///   - runID: The run to check.
    ///   - grader: The grader to gate on; the experiment's first grader with grades when `nil`.
    ///   - alpha: The family-wise significance level.
    /// - Throws: ``PromptLabError`` (`notFound`) for an unknown grader, or the store's errors.
    public static func check(
        store: any ResultsStore, runID: String, grader: String? = nil, alpha: Double = 0.05
    ) async throws -> Result {
        let report = try await ReportBuilder.build(
            store: store, runID: runID, options: ReportOptions(grader: grader, alpha: alpha))
        return Result(report: report, grader: report.primaryGrader?.grader, regressions: regressions(in: report))
    }
}
