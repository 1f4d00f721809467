import Foundation
import PromptFormat
import PromptLabCore
import PromptLabStats
import PromptLabStore
import PromptVersioning

/// The same experiment at two moments: which cases newly fail or newly pass, per variant.
///
/// Cases are paired by case id. A case passes in a run when more than half of its
/// graded repeats pass (with one repeat: when it passed); for a grader that gives
/// only scores, when its mean score is at least the threshold. The change is tested
/// with McNemar's exact test on the discordant cases (b = newly failing, c = newly
/// passing), Holm-adjusted over the variants.
public struct RunComparison: Sendable {
    /// One variant's changes between the two runs.
    public struct VariantChange: Sendable, Equatable {
        public var variant: String
        /// Cases graded in both runs.
        public var cases: Int
        /// Pass rates over those cases in run A and run B.
        public var passRateBefore: Double
        public var passRateAfter: Double
        /// Case ids that passed in A and fail in B, and the reverse, in dataset order.
        public var newlyFailing: [String]
        public var newlyPassing: [String]
        /// McNemar's exact p-value and its Holm adjustment over the variants.
        public var pValue: Double
        public var pAdjusted: Double
        /// Whether the adjusted p-value is at most α.
        public var significant: Bool

        /// The test behind ``pValue``.
        public var test: String { "McNemar exact" }
    }

    public var before: RunRecord
    public var after: RunRecord
    public var grader: String
    public var alpha: Double
    /// The score threshold used when the grader gives no pass/fail outcome.
    public var threshold: Double?
    /// One entry per variant present in both runs, in run B's order.
    public var variants: [VariantChange]
    /// Things to know, such as variants present in only one run.
    public var notes: [String]

    // MARK: - Building

    /// Compares two runs on one grader.
    ///
    /// - Parameters:
    ///   - before: Run A's id (the earlier moment).
    ///   - after: Run B's id.
    ///   - grader: The grader; the experiment's first grader with grades in both runs when `nil`.
    ///   - threshold: Pass when the mean score is at least this, for graders without pass/fail.
    ///   - alpha: Significance level for the Holm-adjusted McNemar p-values.
    /// - Throws: ``PromptLabError`` when a run or the grader is missing, or the grader is pairwise.
    public static func build(
        store: any ResultsStore, before: String, after: String, grader: String? = nil, threshold: Double? = nil,
        alpha: Double = 0.05
    ) async throws -> RunComparison {
        let runA = try await store.run(id: before)
        let runB = try await store.run(id: after)
        let configsA = try await store.graderConfigurations(runID: runA.id)
        let configsB = try await store.graderConfigurations(runID: runB.id)
        let namesA = Set(configsA.map(\.grader))
        let common = configsB.map(\.grader).filter { namesA.contains($0) }
        let name: String
        if let grader {
            guard common.contains(grader) else {
                throw PromptLabError(
                    .notFound, "grader '\(grader)' has no grades in both runs",
                    hint: common.isEmpty
                        ? "grade both runs first" : "graders graded in both: \(Set(common).sorted().joined(separator: ", "))")
            }
            name = grader
        } else {
            let order = ReportBuilder.graderOrder(settingsJSON: runB.settingsJSON)
            guard let first = order.first(where: common.contains) ?? Set(common).sorted().first else {
                throw PromptLabError(
                    .notFound, "runs '\(runA.id)' and '\(runB.id)' have no grader in common", hint: "grade both runs first")
            }
            name = first
        }
        let configA = try ReportBuilder.choose(configsA, only: name, runID: runA.id)[0]
        let configB = try ReportBuilder.choose(configsB, only: name, runID: runB.id)[0]
        async let tableA = store.caseGrades(runID: runA.id, grader: name, configHash: configA.configHash)
        let tableB = try await store.caseGrades(runID: runB.id, grader: name, configHash: configB.configHash)
        return try compare(
            before: runA, after: runB, tableBefore: try await tableA, tableAfter: tableB, threshold: threshold, alpha: alpha)
    }

    /// Compares two grade tables of the same grader (pure).
    public static func compare(
        before: RunRecord, after: RunRecord, tableBefore: CaseGradeTable, tableAfter: CaseGradeTable, threshold: Double?,
        alpha: Double
    ) throws -> RunComparison {
        if tableBefore.orderedCount > 0 || tableAfter.orderedCount > 0 {
            throw PromptLabError(
                .invalidInput, "'\(tableAfter.grader)' is a pairwise judge: it has no pass/fail per case to compare between runs",
                hint: "compare with a pass/fail or scoring grader (--grader NAME)")
        }
        let usesPass = tableBefore.judgedCount > 0 && tableAfter.judgedCount > 0
        if !usesPass && threshold == nil {
            throw PromptLabError(
                .invalidInput, "'\(tableAfter.grader)' gives scores but no pass/fail outcome",
                hint: "give --threshold X: a case passes when its mean score is at least X")
        }
        func outcomes(_ table: CaseGradeTable, _ variant: String) -> [String: Bool] {
            guard let sums = table.variants.first(where: { $0.variant == variant })?.unordered else { return [:] }
            var result: [String: Bool] = [:]
            for (index, caseID) in table.cases.enumerated() {
                if usesPass {
                    if sums.judged[index] > 0 { result[caseID] = 2 * Int(sums.passes[index]) > Int(sums.judged[index]) }
                } else if sums.scored[index] > 0, let threshold {
                    result[caseID] = sums.scoreSum[index] / Double(sums.scored[index]) >= threshold
                }
            }
            return result
        }
        let namesBefore = Set(tableBefore.variants.map(\.variant))
        var notes: [String] = []
        var changes: [VariantChange] = []
        for variant in tableAfter.variants.map(\.variant) {
            guard namesBefore.contains(variant) else {
                notes.append("variant '\(variant)' is only in run \(after.id)")
                continue
            }
            let a = outcomes(tableBefore, variant)
            let b = outcomes(tableAfter, variant)
            var failing: [String] = []
            var passing: [String] = []
            var cases = 0
            var passedBefore = 0
            var passedAfter = 0
            for caseID in tableAfter.cases {
                guard let was = a[caseID], let now = b[caseID] else { continue }
                cases += 1
                if was { passedBefore += 1 }
                if now { passedAfter += 1 }
                if was && !now { failing.append(caseID) }
                if !was && now { passing.append(caseID) }
            }
            let test = try McNemar.test(controlOnly: failing.count, variantOnly: passing.count)
            changes.append(
                VariantChange(
                    variant: variant, cases: cases,
                    passRateBefore: cases > 0 ? Double(passedBefore) / Double(cases) : .nan,
                    passRateAfter: cases > 0 ? Double(passedAfter) / Double(cases) : .nan,
                    newlyFailing: failing, newlyPassing: passing, pValue: test.exactPValue, pAdjusted: test.exactPValue,
                    significant: false))
        }
        for variant in namesBefore.subtracting(tableAfter.variants.map(\.variant)).sorted() {
            notes.append("variant '\(variant)' is only in run \(before.id)")
        }
        let adjusted = Holm.adjust(changes.map(\.pValue))
        for index in changes.indices {
            changes[index].pAdjusted = adjusted[index]
            changes[index].significant = adjusted[index] <= alpha
        }
        if before.experimentName != after.experimentName {
            notes.append("the runs belong to different experiments ('\(before.experimentName)' and '\(after.experimentName)')")
        }
        return RunComparison(
            before: before, after: after, grader: tableAfter.grader, alpha: alpha, threshold: usesPass ? nil : threshold,
            variants: changes, notes: notes)
    }

    // MARK: - Output

    /// A sentence per variant, such as
    /// `few-shot: 3 newly failing, 1 newly passing of 120 cases (pass rate 0.82 → 0.80), McNemar exact p = 0.62; not significant.`
    public func summary(for change: VariantChange) -> String {
        var text = "\(change.variant): \(change.newlyFailing.count) newly failing, \(change.newlyPassing.count) newly passing "
        text +=
            "of \(change.cases) cases (pass rate \(VerdictWriter.number(change.passRateBefore)) → \(VerdictWriter.number(change.passRateAfter))), "
        text += "\(change.test) p \(VerdictWriter.pValue(change.pAdjusted))\(variants.count > 1 ? ", Holm-adjusted" : "")"
        if change.significant {
            text += change.newlyFailing.count > change.newlyPassing.count ? "; significantly worse." : "; significantly better."
        } else {
            text += "; not significant."
        }
        return text
    }

    /// Plain text: a summary line per variant, then the case ids.
    public func text() -> String {
        var out = "Run \(before.id) → \(after.id), grader '\(grader)'"
        if let threshold { out += " (pass: mean score ≥ \(VerdictWriter.number(threshold)))" }
        out += "\n"
        for change in variants {
            out += "\n  " + summary(for: change) + "\n"
            if !change.newlyFailing.isEmpty { out += "    newly failing: " + change.newlyFailing.joined(separator: ", ") + "\n" }
            if !change.newlyPassing.isEmpty { out += "    newly passing: " + change.newlyPassing.joined(separator: ", ") + "\n" }
        }
        for note in notes { out += "\nnote: \(note)" }
        return notes.isEmpty ? out : out + "\n"
    }

    /// JSON, documented in `docs/report-json.md`.
    public func json() -> PromptValue {
        .object([
            ("schema_version", .int(JSONOutput.schemaVersion)),
            ("before", .string(before.id)), ("after", .string(after.id)), ("grader", .string(grader)),
            ("alpha", .double(alpha)), ("threshold", threshold.map(PromptValue.double) ?? .null),
            (
                "variants",
                .array(
                    variants.map { change in
                        .object([
                            ("variant", .string(change.variant)), ("n", .int(change.cases)),
                            ("pass_rate_before", change.passRateBefore.isFinite ? .double(change.passRateBefore) : .null),
                            ("pass_rate_after", change.passRateAfter.isFinite ? .double(change.passRateAfter) : .null),
                            ("newly_failing", .array(change.newlyFailing.map(PromptValue.string))),
                            ("newly_passing", .array(change.newlyPassing.map(PromptValue.string))),
                            ("test", .string(change.test)), ("p_value", .double(change.pValue)),
                            ("p_adjusted", .double(change.pAdjusted)), ("significant", .bool(change.significant)),
                        ])
                    })
            ),
            ("notes", .array(notes.map(PromptValue.string))),
        ])
    }
}
