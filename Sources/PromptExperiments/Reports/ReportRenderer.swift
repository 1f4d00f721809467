import Foundation
import PromptFormat
import PromptLabCore
import PromptLabStats
import PromptVersioning

/// Formats a ``Report`` as text for a terminal, Markdown, CSV or JSON.
///
/// The JSON is documented field by field in `docs/report-json.md`; other tools
/// may rely on it. Text and Markdown are for people and may change.
public enum ReportRenderer {
    /// The output formats.
    public enum Format: String, Sendable, CaseIterable {
        case text, json, csv, markdown
    }

    /// The report in `format`, ending with a newline.
    public static func render(_ report: Report, as format: Format) -> String {
        switch format {
        case .text: text(report, markdown: false)
        case .markdown: text(report, markdown: true)
        case .csv: csv(report)
        case .json: json(report).jsonText(pretty: true) + "\n"
        }
    }

    // MARK: - Text and Markdown

    static func text(_ report: Report, markdown: Bool) -> String {
        let run = report.run
        var out = ""
        func heading(_ title: String) {
            out += markdown ? "\n## \(title)\n\n" : "\n\(title)\n"
        }
        func table(_ rows: [[String]], right: Set<Int>) {
            out += markdown ? TextTable.markdown(rows) : TextTable.plain(rows, rightAligned: right)
        }
        let title = "Report on run \(run.id) of '\(run.experimentName)' (\(run.status.rawValue))"
        out += markdown ? "# \(title)\n" : "\(title)\n"
        let pairs = report.options.pairs == .all ? "every pair of variants compared, Holm-adjusted over all pairs; " : ""
        let settings =
            "control variant: \(report.control); \(report.plannedCases) cases; \(pairs)α = \(VerdictWriter.number(report.options.alpha)); "
            + "\(report.options.resamples) bootstrap resamples, seed \(report.options.seed)"
        out += markdown ? "\n\(settings)\n" : "  \(settings)\n"

        heading("Usage")
        // Headers say which figures are means per response and which are totals.
        var usage = [
            [
                "variant", "responses", "errors", "cache hits", "in tok mean", "out tok mean", "cost total", "cost per 1k req",
                "ms mean", "ms p50", "ms p95",
            ]
        ]
        for u in report.usage {
            let cost = u.costUSD.map { Money.usd($0) } ?? (u.knownCostUSD > 0 ? "≥ " + Money.usd(u.knownCostUSD) : "unknown")
            usage.append([
                u.variant + (u.variant == report.control ? " (control)" : ""), "\(u.responses)", "\(u.errors)", "\(u.cacheHits)",
                optional(u.inputTokensMean, "%.0f"), optional(u.outputTokensMean, "%.0f"), cost,
                u.costPerThousandRequestsUSD.map { Money.usd($0) } ?? "-", optional(u.latencyMeanMs, "%.0f"),
                optional(u.latencyP50Ms, "%.0f"), optional(u.latencyP95Ms, "%.0f"),
            ])
        }
        table(usage, right: Set(1..<11))

        for section in report.graders {
            var range = ""
            if let scores = section.scoreRange, section.metric == .meanScore {
                range = ", scores \(VerdictWriter.number(scores.lowerBound))–\(VerdictWriter.number(scores.upperBound))"
            }
            heading("Grader '\(section.grader)': \(section.metric.label)\(range)")
            let level = VerdictWriter.percent(report.options.level)
            var rows = [["variant", "cases", "grades", section.metric.label, "\(level) CI", "interval"]]
            for v in section.variants {
                rows.append([
                    v.variant + (v.isControl ? " (control)" : ""), "\(v.cases)", "\(v.grades)",
                    v.estimate.map(VerdictWriter.number) ?? "–",
                    v.interval.map { VerdictWriter.range($0.lower, $0.upper) } ?? (v.intervalNote != nil ? "none" : "–"),
                    v.intervalMethod ?? "",
                ])
            }
            table(rows, right: [1, 2, 3])
            for v in section.variants {
                if let note = v.intervalNote { out += (markdown ? "\n> " : "  ") + "note: \(v.variant): \(note)\n" }
            }
            if !section.comparisons.isEmpty {
                out += markdown ? "\n" : "\n"
                let estimateLabel = section.metric == .winRate ? "win rate" : "diff"
                var comparisons = [
                    [
                        "variant", "n", "W/T/L", estimateLabel, "\(level) CI", "bootstrap CI", "test", "p", "p (Holm)",
                        "always-valid p",
                    ]
                ]
                for c in section.comparisons {
                    comparisons.append([
                        c.againstControl ? c.variant : "\(c.variant) vs \(c.control)", "\(c.cases)", "\(c.wins)/\(c.ties)/\(c.losses)",
                        c.metric == .winRate ? VerdictWriter.number(c.estimate) : VerdictWriter.signed(c.estimate),
                        c.hasInterval ? VerdictWriter.range(c.interval.lower, c.interval.upper) : "none",
                        c.hasInterval ? (c.bootstrap.map { VerdictWriter.range($0.lower, $0.upper) } ?? "–") : "none", c.test,
                        pCell(c.pValue), pCell(c.pAdjusted), c.sequentialPAdjusted.map(pCell) ?? "–",
                    ])
                }
                table(comparisons, right: [1, 3, 7, 8, 9])
                for c in section.comparisons {
                    if let note = c.intervalNote {
                        out += (markdown ? "\n> " : "  ") + "note: \(c.variant) vs \(c.control): \(note)\n"
                    }
                }
                for c in section.comparisons {
                    if let consistency = c.positionConsistency, let pairs = c.bothOrderCases {
                        out +=
                            (markdown ? "\n" : "  ")
                            + "judge position consistency for \(c.variant): \(VerdictWriter.number(consistency)) (\(c.consistentCases ?? 0) of \(pairs) cases agree in both orders)\n"
                    }
                }
                out += "\n"
                for c in section.comparisons {
                    out += (markdown ? "- " : "  ") + c.verdict + "\n"
                }
            }
            for entry in section.confusion {
                let m = entry.matrix
                let accuracy = m.accuracy.map(VerdictWriter.number) ?? "–"
                let caption =
                    "Confusion matrix for \(entry.variant) (rows expected, columns predicted; "
                    + "accuracy \(accuracy), \(m.correct) of \(m.total) responses)"
                out += markdown ? "\n**\(caption)**\n\n" : "\n  \(caption)\n"
                var rows = [["expected \\ predicted"] + m.labels + ["(no label)"]]
                for (row, label) in m.labels.enumerated() {
                    rows.append([label] + m.counts[row].map { "\($0)" })
                }
                table(rows, right: Set(1...(m.labels.count + 1)))
                if m.skipped > 0 {
                    out +=
                        (markdown ? "\n> " : "  ")
                        + "note: \(m.skipped) responses of \(entry.variant) left out: their case's expected value is missing or not a label\n"
                }
            }
            if !section.ratings.isEmpty {
                out += markdown ? "\n**Bradley–Terry ratings** (control = 1000)\n\n" : "\n  Bradley–Terry ratings (control = 1000)\n"
                var ratings = [["rank", "variant", "rating", "\(level) CI"]]
                for r in section.ratings.sorted(by: { ($0.rank, -$0.elo) < ($1.rank, -$1.elo) }) {
                    ratings.append([
                        "\(r.rank)", r.variant, eloCell(r.elo), eloRange(r.interval),
                    ])
                }
                table(ratings, right: [0, 2])
                for r in section.ratings where r.bound != .finite {
                    let record = r.bound == .unboundedAbove ? "won" : "lost"
                    out +=
                        (markdown ? "\n" : "  ")
                        + "\(r.variant) \(record) every comparison: its rating is unbounded; the interval is Wilson on its win share\n"
                }
            }
        }
        for review in report.humanReview {
            heading("Human review: \(review.variantB) vs \(review.variantA)")
            let level = VerdictWriter.percent(report.options.level)
            var rows = [["reviewer", "cases", "skipped", "W/T/L", "win rate", "\(level) CI", "sign test p"]]
            for tally in [review.overall] + review.reviewers {
                rows.append([
                    tally.reviewer ?? "all (one verdict per case)", "\(tally.cases)", "\(tally.skipped)",
                    "\(tally.wins)/\(tally.ties)/\(tally.losses)", tally.winRate.map(VerdictWriter.number) ?? "–",
                    tally.interval.map { VerdictWriter.range($0.lower, $0.upper) } ?? "–", tally.signTestPValue.map(pCell) ?? "–",
                ])
            }
            table(rows, right: [1, 2, 4, 6])
            if let agreement = review.agreement {
                let kappa = agreement.kappa.isFinite ? VerdictWriter.number(agreement.kappa) : "undefined (every verdict the same)"
                out +=
                    (markdown ? "\n" : "  ")
                    + "agreement: \(agreement.method) \(kappa) on \(agreement.sharedCases) cases judged by "
                    + "\(agreement.reviewers.joined(separator: ", "))\n"
            } else if review.reviewers.count >= 2 {
                out += (markdown ? "\n" : "  ") + "agreement: fewer than 2 cases judged by every reviewer; no kappa\n"
            }
        }
        if !report.notes.isEmpty {
            out += "\n"
            for note in report.notes { out += (markdown ? "> note: " : "note: ") + note + "\n" }
        }
        return out
    }

    private static func eloCell(_ elo: Double) -> String {
        elo.isFinite ? String(format: "%.0f", elo) : (elo > 0 ? "+∞" : "−∞")
    }

    private static func eloRange(_ interval: ConfidenceInterval) -> String {
        switch (interval.lower.isFinite, interval.upper.isFinite) {
        case (true, true): String(format: "%.0f–%.0f", interval.lower, interval.upper)
        case (true, false): String(format: "≥ %.0f", interval.lower)
        case (false, true): String(format: "≤ %.0f", interval.upper)
        case (false, false): "unbounded"
        }
    }

    private static func optional(_ value: Double?, _ format: String) -> String {
        value.map { String(format: format, $0) } ?? "–"
    }

    private static func pCell(_ p: Double) -> String {
        p < 0.001 ? "<0.001" : String(format: "%.3f", p)
    }

    // MARK: - JSON

    /// The report as a JSON value; see `docs/report-json.md`.
    public static func json(_ report: Report) -> PromptValue {
        let run = report.run
        var variants: [PromptValue] = []
        var comparisons: [PromptValue] = []
        var ratings: [PromptValue] = []
        var confusion: [PromptValue] = []
        var exclusions: [PromptValue] = []
        for section in report.graders {
            for exclusion in section.exclusions {
                exclusions.append(
                    .object([
                        ("variant", .string(exclusion.variant)), ("grader", .string(section.grader)),
                        ("reason", .string(exclusion.reason.rawValue)), ("explanation", .string(exclusion.reason.explanation)),
                        ("cases", .int(exclusion.caseIDs.count)), ("case_ids", .array(exclusion.caseIDs.map(PromptValue.string))),
                    ]))
            }
            for entry in section.confusion {
                let m = entry.matrix
                confusion.append(
                    .object([
                        ("variant", .string(entry.variant)), ("grader", .string(section.grader)),
                        ("labels", .array(m.labels.map(PromptValue.string))),
                        ("counts", .array(m.counts.map { row in .array(row.prefix(m.labels.count).map(PromptValue.int)) })),
                        ("no_label", .array(m.counts.map { .int($0[m.labels.count]) })),
                        ("responses", .int(m.total)), ("correct", .int(m.correct)), ("accuracy", number(m.accuracy)),
                        ("skipped", .int(m.skipped)),
                    ]))
            }
            for v in section.variants {
                variants.append(
                    .object([
                        ("variant", .string(v.variant)), ("grader", .string(section.grader)), ("control", .bool(v.isControl)),
                        ("metric", .string(section.metric.rawValue)), ("n", .int(v.cases)), ("grades", .int(v.grades)),
                        ("estimate", number(v.estimate)), ("ci_low", number(v.interval?.lower)), ("ci_high", number(v.interval?.upper)),
                        ("ci_method", v.intervalMethod.map(PromptValue.string) ?? .null),
                        ("interval_note", v.intervalNote.map(PromptValue.string) ?? .null),
                    ]))
            }
            for c in section.comparisons { comparisons.append(json(c)) }
            for r in section.ratings {
                ratings.append(
                    .object([
                        ("variant", .string(r.variant)), ("grader", .string(section.grader)), ("rating", number(r.elo)),
                        ("ci_low", number(r.interval.lower)), ("ci_high", number(r.interval.upper)), ("rank", .int(r.rank)),
                        ("unbounded", r.bound == .finite ? .null : .string(r.bound.rawValue)),
                    ]))
            }
        }
        let usage: [PromptValue] = report.usage.map { u in
            .object([
                ("variant", .string(u.variant)), ("responses", .int(u.responses)), ("ok", .int(u.ok)), ("errors", .int(u.errors)),
                ("cache_hits", .int(u.cacheHits)), ("input_tokens_mean", number(u.inputTokensMean)),
                ("output_tokens_mean", number(u.outputTokensMean)), ("cost_usd", number(u.costUSD)),
                ("known_cost_usd", .double(u.knownCostUSD)), ("unpriced_responses", .int(u.unpricedResponses)),
                ("cost_per_1k_requests_usd", number(u.costPerThousandRequestsUSD)),
                ("latency_ms_mean", number(u.latencyMeanMs)), ("latency_ms_p50", number(u.latencyP50Ms)),
                ("latency_ms_p95", number(u.latencyP95Ms)),
            ])
        }
        return .object([
            ("schema_version", .int(JSONOutput.schemaVersion)),
            ("run", .string(run.id)), ("experiment", .string(run.experimentName)), ("status", .string(run.status.rawValue)),
            ("interim", .bool(report.isInterim)), ("control", .string(report.control)),
            ("primary_grader", report.primaryGrader.map { .string($0.grader) } ?? .null),
            ("alpha", .double(report.options.alpha)), ("confidence_level", .double(report.options.level)),
            ("power", .double(report.options.power)), ("bootstrap_resamples", .int(report.options.resamples)),
            ("seed", .int(Int(truncatingIfNeeded: report.options.seed))), ("cases", .int(report.plannedCases)),
            ("pairs", .string(report.options.pairs.rawValue)),
            ("regression", .bool(RegressionGate.regressions(in: report).isEmpty == false)),
            ("usage", .array(usage)), ("variants", .array(variants)), ("comparisons", .array(comparisons)),
            ("ratings", .array(ratings)), ("confusion_matrices", .array(confusion)),
            ("human_review", .array(report.humanReview.map(json))), ("exclusions", .array(exclusions)),
            ("notes", .array(report.notes.map(PromptValue.string))),
        ])
    }

    static func json(_ review: HumanReviewSummary) -> PromptValue {
        typealias Fields = [(key: String, value: PromptValue)]
        func tally(_ t: ReviewTally) -> Fields {
            [
                ("cases", .int(t.cases)), ("skipped", .int(t.skipped)), ("wins", .int(t.wins)), ("ties", .int(t.ties)),
                ("losses", .int(t.losses)), ("win_rate", number(t.winRate)), ("ci_low", number(t.interval?.lower)),
                ("ci_high", number(t.interval?.upper)), ("ci_method", t.intervalMethod.map(PromptValue.string) ?? .null),
                ("sign_test_p_value", number(t.signTestPValue)),
            ]
        }
        let agreement: PromptValue =
            review.agreement.map { a in
                .object([
                    ("method", .string(a.method)), ("kappa", number(a.kappa)), ("shared_cases", .int(a.sharedCases)),
                    ("reviewers", .array(a.reviewers.map(PromptValue.string))),
                ])
            } ?? .null
        let names: Fields = [("variant_a", .string(review.variantA)), ("variant_b", .string(review.variantB))]
        let reviewers: [PromptValue] = review.reviewers.map { t in
            let name: Fields = [("reviewer", .string(t.reviewer ?? ""))]
            return .object(name + tally(t))
        }
        let rest: Fields = [("reviewers", .array(reviewers)), ("agreement", agreement)]
        return .object(names + tally(review.overall) + rest)
    }

    static func json(_ c: Comparison) -> PromptValue {
        .object([
            ("variant", .string(c.variant)), ("control", .string(c.control)), ("grader", .string(c.grader)),
            ("metric", .string(c.metric.rawValue)), ("n", .int(c.cases)),
            ("control_estimate", number(c.controlEstimate)), ("variant_estimate", number(c.variantEstimate)),
            ("estimate", .double(c.estimate)), ("null_value", .double(c.nullValue)),
            ("ci_low", number(c.hasInterval ? c.interval.lower : nil)), ("ci_high", number(c.hasInterval ? c.interval.upper : nil)),
            ("ci_method", c.hasInterval ? .string(c.intervalMethod) : .null),
            ("interval_note", c.intervalNote.map(PromptValue.string) ?? .null),
            ("p_value", .double(c.pValue)), ("p_adjusted", .double(c.pAdjusted)), ("test", .string(c.test)),
            ("adjustment", .string("holm")),
            ("wins", .int(c.wins)), ("ties", .int(c.ties)), ("losses", .int(c.losses)),
            ("control_only", integer(c.controlOnly)), ("variant_only", integer(c.variantOnly)),
            ("bootstrap_ci_low", number(c.hasInterval ? c.bootstrap?.lower : nil)),
            ("bootstrap_ci_high", number(c.hasInterval ? c.bootstrap?.upper : nil)),
            ("sequential_p_value", number(c.sequentialPValue)), ("sequential_p_adjusted", number(c.sequentialPAdjusted)),
            ("sequential_ci_low", number(c.sequentialInterval?.lower)), ("sequential_ci_high", number(c.sequentialInterval?.upper)),
            ("position_consistency", number(c.positionConsistency)), ("both_order_cases", integer(c.bothOrderCases)),
            ("chance_to_beat", number(c.chanceToBeat)),
            ("significant", .bool(c.significant)), ("direction", .string(c.direction.rawValue)),
            ("regression", .bool(c.isRegression)), ("against_control", .bool(c.againstControl)),
            ("paired_subset", .bool(c.pairedSubset)),
            ("additional_cases_needed", integer(c.additionalCases)),
            ("minimum_detectable_effect", number(c.minimumDetectableEffect)), ("verdict", .string(c.verdict)),
        ])
    }

    private static func number(_ value: Double?) -> PromptValue {
        guard let value, value.isFinite else { return .null }
        return .double(value)
    }

    private static func integer(_ value: Int?) -> PromptValue {
        value.map(PromptValue.int) ?? .null
    }

    // MARK: - CSV

    /// The column names of the CSV output; one row per variant score and per comparison.
    public static let csvColumns = [
        "kind", "variant", "control", "grader", "metric", "n", "estimate", "ci_low", "ci_high", "p_value", "p_adjusted",
        "test", "wins", "ties", "losses", "significant", "direction", "interval_note",
    ]

    static func csv(_ report: Report) -> String {
        var lines = [csvColumns.joined(separator: ",")]
        func format(_ value: Double?) -> String {
            guard let value, value.isFinite else { return "" }
            return "\(value)"
        }
        for section in report.graders {
            for v in section.variants {
                lines.append(
                    [
                        "variant", v.variant, report.control, section.grader, section.metric.rawValue, "\(v.cases)", format(v.estimate),
                        format(v.interval?.lower), format(v.interval?.upper), "", "", "", "", "", "", "", "", v.intervalNote ?? "",
                    ].map(csvField).joined(separator: ","))
            }
            for c in section.comparisons {
                lines.append(
                    [
                        "comparison", c.variant, c.control, c.grader, c.metric.rawValue, "\(c.cases)", format(c.estimate),
                        format(c.hasInterval ? c.interval.lower : nil), format(c.hasInterval ? c.interval.upper : nil),
                        format(c.pValue), format(c.pAdjusted), c.test,
                        "\(c.wins)", "\(c.ties)", "\(c.losses)", c.significant ? "true" : "false", c.direction.rawValue,
                        c.intervalNote ?? "",
                    ].map(csvField).joined(separator: ","))
            }
        }
        for review in report.humanReview {
            for tally in [review.overall] + review.reviewers {
                lines.append(
                    [
                        "review", review.variantB, review.variantA,
                        tally.reviewer.map { "human review (\($0))" } ?? "human review", ReportMetric.winRate.rawValue,
                        "\(tally.cases)", format(tally.winRate), format(tally.interval?.lower), format(tally.interval?.upper),
                        format(tally.signTestPValue), "", "sign test", "\(tally.wins)", "\(tally.ties)", "\(tally.losses)", "", "", "",
                    ].map(csvField).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// RFC 4180 quoting when a field holds a comma, quote or newline.
    static func csvField(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
