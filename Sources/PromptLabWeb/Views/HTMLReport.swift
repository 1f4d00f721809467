import Crypto
import Foundation
import PromptExperiments
import PromptLab
import PromptLabCore

/// `promptlab report RUN --format html`: the run page as one self-contained file.
///
/// The variant table, charts, verdict and case grid come from the same templates as the web app;
/// the stylesheet and script are inlined, and a Content-Security-Policy allows exactly those two
/// (by hash) and nothing from the network, so the file opens from disk, a CI artifact or an e-mail.
public enum HTMLReport {
    /// Cases written into the file at most; the grid says when there are more.
    public static let caseLimit = 2_000

    /// The report of `report`'s run with the cases of `cases` (one page of them is enough).
    public static func render(report: Report, cases: CaseViewOutput) async throws -> String {
        let pages = try await PageRenderer.load()
        let assets = try StaticAssets.load()
        let css = assets.text("app.css")
        let script = assets.text("app.js")
        let policy =
            "default-src 'none'; style-src '\(hash(css))'; script-src '\(hash(script))'; img-src data:; form-action 'none'; base-uri 'none'"
        let shown = cases.cases.count
        return try pages.render(
            "report",
            [
                "title": "Run \(report.run.id)", "run": report.run.id, "experiment": report.run.experimentName,
                "status": report.run.status.rawValue, "created": Format.date(report.run.createdAt),
                "report": RunViews.report(report), "rows": RunViews.grid(cases, runHref: ""),
                "variants": cases.variants.map { ["name": $0] }, "shown": shown,
                "total": cases.page?.matching ?? cases.totalCases,
                "truncated": (cases.page?.matching ?? shown) > shown, "css": css, "script": script, "policy": policy,
                "generated": "PromptLab \(PromptLabVersion.current)",
            ])
    }

    /// A CSP source expression for an inline element's exact text.
    static func hash(_ text: String) -> String {
        "sha256-" + Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString()
    }
}
