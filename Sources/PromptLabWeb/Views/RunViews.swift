import Foundation
import PromptExperiments
import PromptFormat
import PromptLab
import PromptLabStats

/// The contexts of the run pages and the HTML report, made from the report and the case documents.
enum RunViews {
    static func list(_ runs: RunListOutput, verdicts: [String: String] = [:]) -> [[String: Any]] {
        runs.runs.map { run in
            [
                "run": run.run, "href": "/runs/" + Format.segment(run.run), "experiment": run.experiment,
                "history_href": "/experiments/" + Format.segment(run.experiment) + "/history",
                "status": run.status, "created": Format.date(run.created), "cells": run.cells, "done": run.ok + run.errors,
                "errors": run.errors, "cost": run.costUsdTotal.map(Format.dollars) ?? (Format.dollars(run.knownCostUsdTotal) + "+"),
                "verdict": verdicts[run.run] as Any,
            ]
        }
    }

    /// The one-line verdict of a report: what the primary grader's comparisons say.
    static func verdict(_ report: Report) -> String {
        guard let primary = report.primaryGrader else { return "not graded yet" }
        let lines = primary.comparisons.filter(\.againstControl).map(\.verdict)
        return lines.isEmpty ? "no comparison (one variant)" : lines.joined(separator: " ")
    }

    /// The report part of the run page: the verdict, every grader's table, usage and the charts.
    static func report(_ report: Report) -> [String: Any] {
        let usage = report.usage.map { usage -> [String: Any] in
            [
                "variant": usage.variant, "responses": usage.responses, "errors": usage.errors,
                "input_tokens": Format.tokens(usage.inputTokensMean), "output_tokens": Format.tokens(usage.outputTokensMean),
                "cost": usage.costUSD.map(Format.dollars) ?? (Format.dollars(usage.knownCostUSD) + " + unpriced"),
                "cost_per_1k": Format.dollars(usage.costPerThousandRequestsUSD),
                "latency_p50": Format.milliseconds(usage.latencyP50Ms), "latency_p95": Format.milliseconds(usage.latencyP95Ms),
            ]
        }
        var charts = [[String: Any]]()
        let graders = report.graders.map { grader -> [String: Any] in
            let rate = grader.metric != .meanScore
            let comparisons = Dictionary(
                grader.comparisons.filter(\.againstControl).map { ($0.variant, $0) }, uniquingKeysWith: { first, _ in first })
            let rows = grader.variants.map { score -> [String: Any] in
                let comparison = comparisons[score.variant]
                return [
                    "variant": score.variant, "control": score.isControl, "cases": score.cases,
                    "estimate": Format.metric(score.estimate, rate: rate),
                    "interval": Format.interval(score.interval?.lower, score.interval?.upper, rate: rate),
                    "difference": comparison.map { Format.signedMetric($0.estimate, rate: rate) } ?? "",
                    "difference_interval": comparison.map {
                        $0.hasInterval ? Format.interval($0.interval.lower, $0.interval.upper, rate: rate) : ""
                    } ?? "",
                    "test": comparison?.test ?? "", "p": comparison.map { Format.pValue($0.pValue) } ?? "",
                    "p_holm": comparison.map { Format.pValue($0.pAdjusted) } ?? "",
                    "p_always_valid": comparison.map { Format.pValue($0.sequentialPAdjusted ?? $0.sequentialPValue) } ?? "",
                    "wtl": comparison.map { "\($0.wins)/\($0.ties)/\($0.losses)" } ?? "",
                    "significant": comparison?.significant ?? false,
                    "worse": comparison.map { $0.significant && $0.direction == .worse } ?? false,
                    "better": comparison.map { $0.significant && $0.direction == .better } ?? false,
                ]
            }
            var graderCharts = [String]()
            graderCharts.append(
                SVGCharts.intervals(
                    title: "\(grader.grader): \(grader.metric.label) with \(Int((report.options.level * 100).rounded()))% intervals",
                    rows: grader.variants.map {
                        .init(
                            label: $0.variant, estimate: $0.estimate, low: $0.interval?.lower, high: $0.interval?.upper,
                            emphasized: $0.isControl)
                    },
                    format: rate ? .percent : .number(digits: 2), domain: rate ? 0...1 : grader.scoreRange))
            let against = grader.comparisons.filter(\.againstControl)
            if !against.isEmpty {
                graderCharts.append(
                    SVGCharts.intervals(
                        title: "\(grader.grader): difference against \(report.control)",
                        rows: against.map {
                            .init(
                                label: $0.variant, estimate: $0.estimate, low: $0.hasInterval ? $0.interval.lower : nil,
                                high: $0.hasInterval ? $0.interval.upper : nil, emphasized: $0.significant)
                        },
                        format: rate ? .percent : .number(digits: 2), referenceLine: grader.metric == .winRate ? 0.5 : 0))
            }
            if grader.ratings.count >= 3 {
                graderCharts.append(
                    SVGCharts.intervals(
                        title: "\(grader.grader): Bradley–Terry ratings (Elo scale)",
                        rows: grader.ratings.sorted { $0.rank < $1.rank }.map {
                            .init(label: $0.variant, estimate: $0.elo, low: $0.interval.lower, high: $0.interval.upper)
                        },
                        format: .number(digits: 0), referenceLine: nil))
            }
            for confusion in grader.confusion {
                graderCharts.append(
                    SVGCharts.confusionMatrix(
                        title: "\(grader.grader): \(confusion.variant), expected (rows) × predicted (columns)",
                        labels: confusion.matrix.labels, counts: confusion.matrix.counts))
            }
            charts.append(contentsOf: graderCharts.map { ["svg": $0] })
            return [
                "grader": grader.grader, "metric": grader.metric.label, "rows": rows,
                "exclusions": grader.exclusions.map { ["text": "\($0)"] },
            ]
        }
        charts.append([
            "svg": SVGCharts.bars(
                title: "Cost per variant (USD)",
                rows: report.usage.map { .init(label: $0.variant, value: $0.costUSD ?? $0.knownCostUSD) }, format: .dollars)
        ])
        charts.append([
            "svg": SVGCharts.bars(
                title: "Latency per variant: p50, with p95 marked",
                rows: report.usage.map { .init(label: $0.variant, value: $0.latencyP50Ms, marker: $0.latencyP95Ms) },
                format: .milliseconds, markerName: "p95")
        ])
        let reviews = report.humanReview.map { review -> [String: Any] in
            [
                "pair": "\(review.variantA) vs \(review.variantB)", "cases": review.overall.cases,
                "wins": review.overall.wins, "ties": review.overall.ties, "losses": review.overall.losses,
                "win_rate": Format.percent(review.overall.winRate),
                "interval": Format.interval(review.overall.interval?.lower, review.overall.interval?.upper, rate: true),
                "p": Format.pValue(review.overall.signTestPValue),
            ]
        }
        return [
            "verdict": verdict(report), "interim": report.isInterim, "graders": graders, "usage": usage, "charts": charts,
            "notes": report.notes.map { ["text": $0] }, "reviews": reviews, "has_reviews": !reviews.isEmpty,
            "control": report.control, "alpha": Format.number(report.options.alpha, digits: 2),
        ]
    }

    /// The case grid's rows: one per case, one cell per variant with its outputs and verdicts.
    static func grid(_ cases: CaseViewOutput, runHref: String) -> [[String: Any]] {
        cases.cases.map { item in
            let verdicts = item.variants.map(\.passed)
            let disagree = verdicts.contains(true) && verdicts.contains(false)
            return [
                "case_id": item.caseId, "href": runHref + "/cases/" + Format.segment(item.caseId),
                "input": Format.excerpt(variablesText(item.variables), limit: 200), "expected": item.expected as Any,
                "failing": item.variants.contains { !$0.failingGraders.isEmpty }, "disagree": disagree,
                "cells": item.variants.map { variant -> [String: Any] in
                    [
                        "variant": variant.variant,
                        "state": variant.passed.map { $0 ? "pass" : "fail" } ?? "none",
                        "outputs": variant.responses.map { response -> [String: Any] in
                            [
                                "text": Format.excerpt(response.output ?? response.errorMessage.map { "error: " + $0 }, limit: 400),
                                "error": response.status != "ok",
                                "grades": response.grades.map { grade -> [String: Any] in
                                    [
                                        "grader": grade.grader + (grade.order.map { " (\($0))" } ?? ""),
                                        "state": grade.passed.map { $0 ? "pass" : "fail" } ?? "score",
                                        "score": grade.score.map { Format.number($0, digits: 2) } ?? "",
                                        "reason": grade.reason.map { Format.excerpt($0, limit: 300) } as Any,
                                    ]
                                },
                            ]
                        },
                    ]
                },
            ]
        }
    }

    /// A case's variables as `name: value` lines.
    static func variablesText(_ value: PromptValue) -> String {
        guard case .object(let pairs) = value else { return value.templateText }
        return pairs.map { "\($0.key): \($0.value.templateText)" }.joined(separator: "\n")
    }

    static func caseDetail(_ detail: CaseDetailOutput) -> [String: Any] {
        [
            "title": "Case \(detail.caseId)", "run": detail.run, "run_href": "/runs/" + Format.segment(detail.run),
            "case_id": detail.caseId, "position": detail.position, "input": variablesText(detail.variables),
            "expected": detail.expected as Any,
            "variants": detail.variants.map { variant -> [String: Any] in
                [
                    "variant": variant.variant, "control": variant.control, "prompt": variant.prompt, "model": variant.model,
                    "commit": String(variant.commit.prefix(10)),
                    "messages": (variant.messages ?? []).map { ["role": $0.role, "content": $0.content] },
                    "messages_note": variant.messagesNote as Any,
                    "responses": variant.responses.map { response -> [String: Any] in
                        [
                            "repeat": response.repeat, "status": response.status, "ok": response.status == "ok",
                            "output": response.output ?? "",
                            "error": [response.errorKind, response.errorMessage].compactMap { $0 }.joined(separator: ": ").nonEmpty as Any,
                            "provider": response.provider, "model": response.model, "finish": response.finishReason ?? "–",
                            "request_id": response.requestId ?? "–", "attempts": response.attempts,
                            "input_tokens": response.inputTokens.map(String.init) ?? "–",
                            "output_tokens": response.outputTokens.map(String.init) ?? "–",
                            "latency": Format.milliseconds(response.latencyMs), "cost": Format.dollars(response.costUsd),
                            "cached": response.fromCache,
                            "grades": response.grades.map { grade -> [String: Any] in
                                [
                                    "grader": grade.grader, "order": grade.order as Any,
                                    "state": grade.passed.map { $0 ? "pass" : "fail" } ?? "score",
                                    "score": grade.score.map { Format.number($0, digits: 3) } ?? "",
                                    "reason": grade.reason as Any, "raw": grade.rawJudgeOutput as Any,
                                ]
                            },
                        ]
                    },
                ]
            },
        ]
    }

    static func history(_ history: ExperimentHistoryOutput) -> [String: Any] {
        let rate = history.metric != ReportMetric.meanScore.rawValue
        // One column per run, in run order, shared by every variant's line: each line has a point
        // (missing where the variant was not in that run) for every run, so the chart's columns,
        // taken in order of first appearance, are the runs in order. The prompt versions are in the
        // table below.
        var runs = [(id: String, label: String)]()
        for point in history.points where !runs.contains(where: { $0.id == point.run }) {
            runs.append(
                (point.run, "\(Format.date(point.created).prefix(16).replacingOccurrences(of: "T", with: " ")) · \(point.run.suffix(4))"))
        }
        var variants = [String]()
        for point in history.points where !variants.contains(point.variant) { variants.append(point.variant) }
        let series = variants.map { variant -> (name: String, points: [SVGCharts.HistoryPoint]) in
            (
                variant,
                runs.map { run in
                    let point = history.points.first { $0.run == run.id && $0.variant == variant }
                    return SVGCharts.HistoryPoint(label: run.label, estimate: point?.estimate, low: point?.low, high: point?.high)
                }
            )
        }
        return [
            "title": "History of \(history.experiment)", "experiment": history.experiment, "grader": history.grader ?? "–",
            "metric": history.metric ?? "",
            "chart": SVGCharts.history(
                title: "\(history.grader ?? "primary grader") across runs", series: series, format: rate ? .percent : .number(digits: 2),
                domain: rate ? 0...1 : nil),
            "points": history.points.map { point -> [String: Any] in
                [
                    "run": point.run, "href": "/runs/" + Format.segment(point.run), "created": Format.date(point.created),
                    "variant": point.variant, "prompt": point.prompt, "cases": point.cases,
                    "estimate": Format.metric(point.estimate, rate: rate), "interval": Format.interval(point.low, point.high, rate: rate),
                ]
            },
        ]
    }
}
