import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PromptLab
import PromptLabCore
import Testing

@testable import PromptLabWeb

/// Every page, rendered by the real app on a real repository and results database.
@Suite struct WebPageTests {
    @Test func everyPageRendersWithTheSecurityHeaders() async throws {
        let fixture = try await WebFixture.make()
        defer { fixture.remove() }
        let run = fixture.runID
        try await fixture.test { client in
            for path in [
                "/", "/prompts", "/prompts/support%2Ftriage", "/prompts/support%2Ftriage?version=v1&render=1&var.text=hi",
                "/prompts/support%2Ftriage/diff?from=v1&to=v2", "/prompts/support%2Ftriage/label?label=production&version=v2",
                "/prompts/support%2Ftriage/rollback?to=v1", "/runs", "/runs/\(run)", "/runs/\(run)?failing=true&q=ticket",
                "/runs/\(run)/cases/plain-0", "/runs/\(run)/review", "/runs/\(run)/review?reviewer=Ada",
                "/compare", "/compare?before=\(run)&after=\(run)", "/experiments/triage-web/history", "/login",
            ] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .ok, "\(path): \(response.status) \(response.text.prefix(300))")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(path)")
                let policy = try #require(response.headers[.contentSecurityPolicy], "\(path)")
                #expect(policy.contains("script-src 'self'") && policy.contains("default-src 'none'"))
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.text.contains("<main id=\"content\">"), "\(path)")
                #expect(!response.text.contains("<script>"), "\(path): the only script is /static/app.js")
            }
        }
    }

    @Test func theRunPageShowsTheReportChartsAndAPageOfTheGrid() async throws {
        let fixture = try await WebFixture.make(cases: 60)
        defer { fixture.remove() }
        try await fixture.test { client in
            let page = try await client.execute(uri: "/runs/\(fixture.runID)?per_page=10", method: .get).text
            #expect(page.contains("class=\"data variant-table\""))
            #expect(page.contains("id=\"verdict\""))
            #expect(page.components(separatedBy: "<svg class=\"chart\"").count - 1 >= 4, "rates, differences, cost, latency")
            #expect(page.components(separatedBy: "<tr class=\"case-row").count - 1 == 10)
            #expect(page.contains("67 matching of 67 cases · page 1 of 7"))
            #expect(page.contains("id=\"pager-next\""))
            let last = try await client.execute(uri: "/runs/\(fixture.runID)?per_page=10&page=7", method: .get).text
            #expect(last.components(separatedBy: "<tr class=\"case-row").count - 1 == 7)
            #expect(!last.contains("id=\"pager-next\""))
            // Filters narrow the grid: only the first variant fails `contains ok`.
            let failing = try await client.execute(uri: "/runs/\(fixture.runID)?failing=true&q=ticket+number+5", method: .get).text
            #expect(failing.contains(">plain-5<") && !failing.contains(">plain-6<"))
        }
    }

    @Test func modelOutputAndCaseDataAreShownAsTextEverywhere() async throws {
        let fixture = try await WebFixture.make()
        defer { fixture.remove() }
        let pages = try await fixture.test { client in
            var pages = [String: String]()
            for path in [
                "/runs/\(fixture.runID)", "/runs/\(fixture.runID)/cases/hostile-0", "/runs/\(fixture.runID)/cases/hostile-1",
                "/runs/\(fixture.runID)/cases/hostile-3",
            ] {
                pages[path] = try await client.execute(uri: path, method: .get).text
            }
            // Review shows outputs side by side: walk the queue through every hostile case.
            for _ in 0..<8 {
                let review = try await client.execute(uri: "/runs/\(fixture.runID)/review?reviewer=Ada", method: .get).text
                pages["review-\(pages.count)"] = review
                guard let caseID = review.firstMatch(of: /name="case_id" value="([^"]+)"/)?.1 else { break }
                _ = try await client.execute(
                    uri: "/runs/\(fixture.runID)/review", method: .post, headers: CSRF.cookie,
                    body: ByteBuffer(string: "csrf_token=\(CSRF.token)&reviewer=Ada&case_id=\(caseID)&choice=skip"))
            }
            return pages
        }
        let workspace = try Workspace(at: fixture.path, environment: [:])
        defer { workspace.close() }
        let report = try await ReportService(workspace: workspace).report(fixture.runID)
        let cases = try await CaseService(workspace: workspace).cases(fixture.runID, page: (1, 100))
        let html = try await HTMLReport.render(report: report, cases: cases)
        for (name, page) in pages.merging(["html report": html], uniquingKeysWith: { first, _ in first }) {
            #expect(!page.contains("<script>alert"), "\(name)")
            #expect(!page.contains("<img src=x"), "\(name)")
            #expect(!page.contains("href=\"javascript:"), "\(name)")
            #expect(!page.contains("</textarea><b>"), "\(name)")
        }
        #expect(pages["/runs/\(fixture.runID)/cases/hostile-0"]?.contains("&lt;script&gt;alert(1)&lt;/script&gt;") == true)
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(pages.values.contains { $0.contains("&lt;a href=&quot;javascript:alert(1)&quot;&gt;") })
    }

    @Test func theHTMLReportIsOneFileThatLoadsNothingFromElsewhere() async throws {
        let fixture = try await WebFixture.make()
        defer { fixture.remove() }
        let workspace = try Workspace(at: fixture.path, environment: [:])
        defer { workspace.close() }
        let report = try await ReportService(workspace: workspace).report(fixture.runID)
        let cases = try await CaseService(workspace: workspace).cases(fixture.runID, page: (1, HTMLReport.caseLimit))
        let html = try await HTMLReport.render(report: report, cases: cases)
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("/static/"))
        #expect(html.contains("<svg class=\"chart\""))
        #expect(html.contains("id=\"report-filters\""))
        // The policy allows exactly the inline stylesheet and script, by hash.
        let policy = try #require(html.firstMatch(of: /http-equiv="Content-Security-Policy" content="([^"]+)"/)?.1)
            .replacingOccurrences(of: "&#39;", with: "'")
        let script = try #require(html.firstMatch(of: /<script>([\s\S]*?)<\/script>/)?.1)
        #expect(policy.contains(HTMLReport.hash(String(script))))
        #expect(policy.contains("default-src 'none'"))
    }

    @Test func badAddressesGetReadablePagesAndProblemDetails() async throws {
        let fixture = try await WebFixture.make()
        defer { fixture.remove() }
        try await fixture.test { client in
            let traversal = try await client.execute(uri: "/prompts/..%2F..%2Fetc%2Fpasswd", method: .get)
            #expect(traversal.status == .unprocessableContent)
            #expect(traversal.text.contains("id=\"error-detail\""))
            let git = try await client.execute(uri: "/api/v1/prompts/.git%2Fconfig", method: .get)
            #expect(git.status == .unprocessableContent)
            #expect(git.headers[.contentType] == "application/problem+json")
            let problem = try decode(ProblemDetails.self, from: git.text)
            #expect(problem.status == 422 && problem.title == "Unprocessable Content")
            let missing = try await client.execute(uri: "/api/v1/runs/r-nope/report", method: .get)
            #expect(missing.status == .notFound)
            #expect(try decode(ProblemDetails.self, from: missing.text).hint != nil)
            let unknown = try await client.execute(uri: "/no/such/page", method: .get)
            #expect(unknown.status == .notFound && unknown.text.contains("there is nothing at this address"))
            for uri in ["/runs/\(fixture.runID)?page=0", "/runs/\(fixture.runID)?per_page=99999999999999999999", "/api/v1/runs?limit=-1"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .badRequest, "\(uri)")
                #expect(!response.text.contains("Swift") && !response.text.contains("Error Domain"), "\(uri)")
            }
        }
    }
}
