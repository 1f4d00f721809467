import Foundation
import Hummingbird
import PromptExperiments
import PromptLab
import PromptLabCore

extension WebApp {
    /// Cases per page of the grid unless the address asks for another size.
    static let defaultPageSize = 50

    /// Runs, a run's page with its case grid, a case, the review page, run comparison and history.
    func addRunPages(to router: Router<WebRequestContext>) {
        router.get("/rollouts") { _, context in
            let list = try await withWorkspace { try await RolloutService(workspace: $0).list() }
            return try page("rollouts", RolloutViews.list(list), request: context)
        }
        router.get("/rollouts/:name") { _, context in
            let name = try Self.parameter("name", context)
            let readout = try await withWorkspace { try await RolloutService(workspace: $0).status(name) }
            return try page("rollout", RolloutViews.readout(readout), request: context)
        }
        router.get("/runs") { request, context in
            let query = FormFields(request.uri.query)
            let runs = try await runList(experiment: query.text("experiment"), limit: 200)
            var verdicts = [String: String]()
            for run in runs.runs.prefix(20) where run.ok > 0 {
                verdicts[run.run] = (try? await report(run.run)).map(RunViews.verdict)
            }
            return try page("runs", ["title": "Runs", "runs": RunViews.list(runs, verdicts: verdicts)], request: context)
        }
        router.get("/runs/:id") { request, context in
            let id = try Self.parameter("id", context)
            return try page("run", try await runPage(id, query: FormFields(request.uri.query)), request: context)
        }
        router.get("/runs/:id/cases/:case") { _, context in
            let id = try Self.parameter("id", context)
            let caseID = try Self.parameter("case", context)
            let index = try await caseIndex(id)
            let detail = try await withWorkspace { try await CaseService(workspace: $0).detail(index, caseID: caseID) }
            return try page("case", RunViews.caseDetail(detail), request: context)
        }
        router.get("/runs/:id/review") { request, context in
            let id = try Self.parameter("id", context)
            let query = FormFields(request.uri.query)
            let pair = try await variantPair(query, runID: id)
            guard let reviewer = query.text("reviewer") else {
                let variants = try await casePage(id, filter: .init(), page: (1, 1)).variants
                return try page(
                    "review-start",
                    ["title": "Review", "run": id, "run_href": "/runs/" + Format.segment(id), "variants": variants.map { ["name": $0] }],
                    request: context)
            }
            let item = try await withWorkspace {
                try await ReviewService(workspace: $0).nextItem(runID: id, variants: pair, reviewer: reviewer)
            }
            return try page("review", Self.reviewContext(item, runID: id), request: context)
        }
        router.post("/runs/:id/review") { request, context in
            let id = try Self.parameter("id", context)
            let form = try await readForm(request, context: context)
            guard let reviewer = form.text("reviewer"), let caseID = form.text("case_id"), let choice = form.text("choice")
            else { throw PromptLabError(.usage, "the review form lacks the reviewer, the case or the choice") }
            let pair = try await variantPair(form, runID: id)
            _ = try await withWorkspace {
                try await ReviewService(workspace: $0).record(
                    runID: id, variants: pair, reviewer: reviewer, caseID: caseID, choice: try Self.choice(choice))
            }
            let query = "reviewer=\(Format.query(reviewer))" + (pair.map { "&a=\(Format.query($0.0))&b=\(Format.query($0.1))" } ?? "")
            return redirect("/runs/" + Format.segment(id) + "/review?" + query)
        }
        router.get("/compare") { request, context in
            let query = FormFields(request.uri.query)
            guard let before = query.text("before"), let after = query.text("after") else {
                let runs = try await runList(limit: 200)
                return try page(
                    "compare-start", ["title": "Compare runs", "runs": runs.runs.map { ["run": $0.run, "experiment": $0.experiment] }],
                    request: context)
            }
            return try page("compare", try await comparePage(before: before, after: after, grader: query.text("grader")), request: context)
        }
        router.get("/experiments/:name/history") { request, context in
            let name = try Self.parameter("name", context)
            let grader = FormFields(request.uri.query).text("grader")
            let history = try await withWorkspace { try await ReportService(workspace: $0).history(experiment: name, grader: grader) }
            return try page("history", RunViews.history(history), request: context)
        }
    }

    /// The run page: summary, report, charts and one page of the case grid with its filters.
    func runPage(_ id: String, query: FormFields) async throws -> [String: Any] {
        let filter = try Self.caseFilter(query)
        let pageNumber = try Self.integer(query["page"], name: "page", range: 1...1_000_000) ?? 1
        let pageSize = try Self.integer(query["per_page"], name: "per_page", range: 1...500) ?? Self.defaultPageSize
        let progress = try await progress(id)
        let cases = try await casePage(progress.run, filter: filter, page: (pageNumber, pageSize))
        let runHref = "/runs/" + Format.segment(progress.run)
        var context: [String: Any] = [
            "title": "Run \(progress.run)", "run": progress.run, "experiment": progress.experiment, "href": runHref,
            "history_href": "/experiments/" + Format.segment(progress.experiment) + "/history",
            "status": progress.status, "running": progress.status == "running", "cells": progress.cells, "done": progress.done,
            "errors": progress.errors,
            "cost": progress.costUsd.map(Format.dollars) ?? (Format.dollars(progress.knownCostUsd) + " + unpriced"),
            "variants": cases.variants.map { ["name": $0, "selected": $0 == filter.newlyFailingVs] },
            "rows": RunViews.grid(cases, runHref: runHref), "total_cases": cases.totalCases,
            "filter_failing": filter.failing, "filter_disagree": filter.disagree, "filter_q": filter.grep ?? "",
            "filter_expected": filter.expected ?? "",
        ]
        if progress.done > 0 {
            let report = try await report(progress.run)
            context["report"] = RunViews.report(report)
        }
        let state = try await withWorkspace { try await ResultsService(workspace: $0).stateToken(progress.run) }
        if let index = await caseIndexes.cached(state) {
            context["expected_options"] = index.expectedValues.map { ["value": $0, "selected": $0 == filter.expected] }
        }
        if let info = cases.page {
            var base = query.pairs.filter { $0.name != "page" }.map { "\(Format.query($0.name))=\(Format.query($0.value))" }
            base.append("page=")
            let prefix = runHref + "?" + base.joined(separator: "&")
            context["pager"] = [
                "page": info.page, "pages": info.pages, "matching": info.matching,
                "previous": (info.page > 1 ? prefix + String(info.page - 1) : nil) as String? as Any,
                "next": (info.page < info.pages ? prefix + String(info.page + 1) : nil) as String? as Any,
            ]
        }
        return context
    }

    private func comparePage(before: String, after: String, grader: String?) async throws -> [String: Any] {
        let comparison = try await withWorkspace {
            try await ReportService(workspace: $0).compare(before: before, after: after, grader: grader)
        }
        var variants = [[String: Any]]()
        for change in comparison.variants {
            let shown = Array(
                (change.newlyFailing.map { ($0, "newly failing") } + change.newlyPassing.map { ($0, "newly passing") }).prefix(50))
            let ids = shown.map(\.0)
            let outputs = try await withWorkspace { workspace -> (CaseViewOutput?, CaseViewOutput?) in
                guard !ids.isEmpty else { return (nil, nil) }
                let service = CaseService(workspace: workspace)
                return (
                    try await service.cases(comparison.before.id, filter: .init(caseIDs: ids)),
                    try await service.cases(comparison.after.id, filter: .init(caseIDs: ids))
                )
            }
            func output(_ view: CaseViewOutput?, _ caseID: String) -> String {
                let response = view?.cases.first { $0.caseId == caseID }?.variants.first { $0.variant == change.variant }?.responses.first
                return response?.output ?? response?.errorMessage ?? ""
            }
            variants.append([
                "variant": change.variant, "cases": change.cases,
                "before_rate": Format.percent(change.passRateBefore), "after_rate": Format.percent(change.passRateAfter),
                "p": Format.pValue(change.pValue), "p_holm": Format.pValue(change.pAdjusted), "significant": change.significant,
                "failing_count": change.newlyFailing.count, "passing_count": change.newlyPassing.count,
                "cases_shown": shown.map { entry -> [String: Any] in
                    [
                        "case_id": entry.0, "change": entry.1, "failing": entry.1 == "newly failing",
                        "before": Format.excerpt(output(outputs.0, entry.0), limit: 600),
                        "after": Format.excerpt(output(outputs.1, entry.0), limit: 600),
                    ]
                },
            ])
        }
        return [
            "title": "Compare \(comparison.before.id) → \(comparison.after.id)", "before": comparison.before.id,
            "after": comparison.after.id, "grader": comparison.grader, "alpha": Format.number(comparison.alpha, digits: 2),
            "variants": variants, "notes": comparison.notes.map { ["text": $0] },
        ]
    }

    static func reviewContext(_ item: ReviewItemOutput, runID: String) -> [String: Any] {
        [
            "title": "Review \(runID)", "run": runID, "run_href": "/runs/" + Format.segment(runID), "reviewer": item.reviewer,
            "a": item.variantA, "b": item.variantB, "reviewed": item.reviewed, "remaining": item.remaining,
            "unavailable": (item.unavailable > 0 ? item.unavailable : nil) as Int? as Any, "done": item.item == nil,
            "item": item.item.map { item -> [String: Any] in
                ["case_id": item.caseId, "input": item.input, "expected": item.expected as Any, "left": item.left, "right": item.right]
            } as Any,
        ]
    }

    static func choice(_ text: String) throws -> ReviewQueue.Choice {
        switch text {
        case "left", "a": .left
        case "right", "b": .right
        case "tie", "t": .tie
        case "skip", "s": .skip
        default: throw PromptLabError(.usage, "choice must be left, right, tie or skip, got '\(text.prefix(40))'")
        }
    }

    /// The two variants to review: both as given, or one given and the other by default (variant A
    /// defaults to the control, B to the first variant other than A), or nil for the defaults of both.
    func variantPair(_ fields: FormFields, runID: String) async throws -> (String, String)? {
        try await variantPair(a: fields.text("a"), b: fields.text("b"), runID: runID)
    }

    func variantPair(a: String?, b: String?, runID: String) async throws -> (String, String)? {
        if a == nil, b == nil { return nil }
        if let a, let b { return (a, b) }
        let variants = try await caseIndex(runID).variants
        let names = variants.map(\.name)
        if let a {
            guard let other = names.first(where: { $0 != a }) else {
                throw PromptLabError(.invalidInput, "run \(runID) has only one variant; there is nothing to compare")
            }
            return (a, other)
        }
        let control = variants.first(where: \.isControl)?.name
        guard let b, let first = control.flatMap({ $0 == b ? nil : $0 }) ?? names.first(where: { $0 != b }) else {
            throw PromptLabError(.invalidInput, "run \(runID) has only one variant; there is nothing to compare")
        }
        return (first, b)
    }

    /// The grid's filters from an address's query.
    static func caseFilter(_ query: FormFields) throws -> CaseService.Filter {
        CaseService.Filter(
            failing: try boolean(query["failing"], name: "failing"), newlyFailingVs: query.text("newly_failing_vs"),
            disagree: try boolean(query["disagree"], name: "disagree"), grep: query.text("q"), expected: query.text("expected"))
    }

    static func boolean(_ text: String?, name: String) throws -> Bool {
        switch text {
        case nil, "false", "0", "off": false
        case "true", "1", "on": true
        default: throw PromptLabError(.usage, "\(name) must be true or false")
        }
    }

    /// An integer from outside, checked before use.
    static func integer(_ text: String?, name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw PromptLabError(.usage, "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}
