import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PromptExperiments
import PromptLab
import PromptLabCore
import PromptLabTestSupport
import Testing

@testable import PromptLabWeb

/// The JSON API: the CLI's documents, writes through the CLI's compare-and-swap code, and the
/// live event stream.
@Suite struct WebAPITests {
    static let json: HTTPFields = [.contentType: "application/json"]

    @Test func readsReturnTheCLIDocuments() async throws {
        let fixture = try await WebFixture.make(cases: 20)
        defer { fixture.remove() }
        let run = fixture.runID
        try await fixture.test { client in
            func get<T: Decodable>(_ uri: String, as type: T.Type) async throws -> T {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .ok, "\(uri): \(response.text.prefix(300))")
                #expect(response.headers[.contentType] == "application/json", "\(uri)")
                return try decode(T.self, from: response.text)
            }
            let prompts = try await get("/api/v1/prompts", as: PromptListOutput.self)
            #expect(prompts.prompts.map(\.name) == ["support/triage"])
            let shown = try await get("/api/v1/prompts/support%2Ftriage?ref=v1", as: ShowOutput.self)
            #expect(shown.version == 1 && shown.content.contains("Answer: {{text}}"))
            let log = try await get("/api/v1/prompts/support%2Ftriage/log", as: PromptLogOutput.self)
            #expect(log.versions.map(\.version) == [2, 1])
            let diff = try await get("/api/v1/prompts/support%2Ftriage/diff?from=1&to=2", as: DiffOutput.self)
            #expect(diff.words?.contains { $0.op == "added" && $0.text.contains("briefly") } == true)
            let runs = try await get("/api/v1/runs", as: RunListOutput.self)
            #expect(runs.runs.map(\.run) == [run])
            let cases = try await get("/api/v1/runs/\(run)/cases?per_page=5&page=2&failing=true", as: CaseViewOutput.self)
            #expect(cases.page == PageInfo(page: 2, perPage: 5, matching: 27))
            #expect(cases.cases.count == 5)
            let detail = try await get("/api/v1/runs/\(run)/cases/plain-1", as: CaseDetailOutput.self)
            #expect(detail.variants.map(\.variant) == ["old", "new"])
            #expect(detail.variants[0].messages?.first?.content == "Answer: ticket number 1")
            #expect(detail.variants[1].responses.first?.output == "Answer briefly: ticket number 1 ok")
            #expect(detail.variants[1].responses.first?.grades.first?.passed == true)
            let progress = try await get("/api/v1/runs/\(run)/progress", as: RunProgressOutput.self)
            #expect(progress.status == "completed" && progress.done == 54 && progress.cells == 54)
            #expect(progress.interim.first?.variant == "new")
            let history = try await get("/api/v1/experiments/triage-web/history", as: ExperimentHistoryOutput.self)
            #expect(history.points.map(\.variant) == ["old", "new"])
            #expect(history.points.map(\.estimate) == [0, 1])
            let report = try await client.execute(uri: "/api/v1/runs/\(run)/report", method: .get)
            #expect(report.status == .ok && report.text.contains("\"comparisons\""))
            let document = try await client.execute(uri: "/api/v1/openapi.json", method: .get)
            let openAPI = try #require(try JSONSerialization.jsonObject(with: Data(document.text.utf8)) as? [String: Any])
            #expect(openAPI["openapi"] as? String == "3.1.0")
        }
    }

    @Test func labelMovesAreCompareAndSwap() async throws {
        let fixture = try await WebFixture.make()
        defer { fixture.remove() }
        let log = try PromptService(workspace: try Workspace(at: fixture.path, environment: [:])).log(prompt: "support/triage")
        let (v2, v1) = (log.versions[0].commit, log.versions[1].commit)
        try await fixture.test { client in
            func move(_ body: String) async throws -> TestResponse {
                try await client.execute(
                    uri: "/api/v1/prompts/support%2Ftriage/labels", method: .post, headers: Self.json, body: ByteBuffer(string: body))
            }
            // A new label: the client saw none (null).
            let created = try await move(#"{"label":"production","version":"v1","expected_commit":null}"#)
            #expect(created.status == .ok, "\(created.text)")
            #expect(try decode(LabelChangeOutput.self, from: created.text).action == "created")
            // Someone else moved it; a client that still saw nothing is refused, and nothing changes.
            let stale = try await move(#"{"label":"production","version":"v2","expected_commit":null}"#)
            #expect(stale.status == .conflict)
            #expect(try decode(ProblemDetails.self, from: stale.text).detail.contains("as when you looked"))
            let moved = try await move(#"{"label":"production","version":"v2","expected_commit":"\#(v1)"}"#)
            #expect(moved.status == .ok)
            let wrongShape = try await move(#"{"label":"production"}"#)
            #expect(wrongShape.status == .badRequest)
            let notHex = try await move(#"{"label":"production","version":"v1","expected_commit":"zz"}"#)
            #expect(notHex.status == .unprocessableContent)
        }
        let refs = try git(
            ["for-each-ref", "--format=%(objectname)", "refs/promptlab/labels/support/triage.prompt/production"], in: fixture.path)
        #expect(refs == v2)
    }

    @Test func rollbackChecksTheVersionThePersonSaw() async throws {
        let fixture = try await WebFixture.make()
        defer { fixture.remove() }
        let log = try PromptService(workspace: try Workspace(at: fixture.path, environment: [:])).log(prompt: "support/triage")
        let (v2, v1) = (log.versions[0].commit, log.versions[1].commit)
        try await fixture.test { client in
            let stale = try await client.execute(
                uri: "/api/v1/prompts/support%2Ftriage/rollback", method: .post, headers: Self.json,
                body: ByteBuffer(string: #"{"to":"v1","expected_commit":"\#(v1)"}"#))
            #expect(stale.status == .conflict)
            let done = try await client.execute(
                uri: "/api/v1/prompts/support%2Ftriage/rollback", method: .post, headers: Self.json,
                body: ByteBuffer(string: #"{"to":"v1","label":"production","expected_commit":"\#(v2)"}"#))
            #expect(done.status == .ok, "\(done.text)")
            #expect(try decode(RollbackOutput.self, from: done.text).version == 3)
        }
        #expect(try git(["log", "-1", "--format=%s"], in: fixture.path).hasPrefix("Roll back support/triage"))
        #expect(try git(["status", "--porcelain", "--", "support"], in: fixture.path).isEmpty)
    }

    @Test func reviewVerdictsReachTheReport() async throws {
        let fixture = try await WebFixture.make()
        defer { fixture.remove() }
        try await fixture.test { client in
            let first = try decode(
                ReviewItemOutput.self,
                from: try await client.execute(uri: "/api/v1/runs/\(fixture.runID)/review?reviewer=Ada", method: .get).text)
            let item = try #require(first.item)
            #expect(first.remaining == 7 && first.reviewed == 0)
            let body = #"{"reviewer":"Ada","case_id":"\#(item.caseId)","choice":"left"}"#
            let saved = try await client.execute(
                uri: "/api/v1/runs/\(fixture.runID)/review", method: .post, headers: Self.json, body: ByteBuffer(string: body))
            #expect(saved.status == .ok, "\(saved.text)")
            let again = try await client.execute(
                uri: "/api/v1/runs/\(fixture.runID)/review", method: .post, headers: Self.json, body: ByteBuffer(string: body))
            #expect(again.status == .conflict)
            let next = try decode(
                ReviewItemOutput.self,
                from: try await client.execute(uri: "/api/v1/runs/\(fixture.runID)/review?reviewer=Ada", method: .get).text)
            #expect(next.reviewed == 1 && next.item?.caseId != item.caseId)
            let report = try await client.execute(uri: "/api/v1/runs/\(fixture.runID)/report", method: .get).text
            #expect(report.contains("\"human_review\"") && report.contains("\"Ada\""))
        }
    }

    @Test func theEventStreamSendsProgressThenDone() async throws {
        let fixture = try await WebFixture.make()
        defer { fixture.remove() }
        try await fixture.test { client in
            let response = try await client.execute(uri: "/api/v1/runs/\(fixture.runID)/events", method: .get)
            #expect(response.headers[.contentType] == "text/event-stream")
            let events = response.text.components(separatedBy: "\n\n").filter { $0.hasPrefix("event:") }
            #expect(events.count == 2)
            #expect(events.first?.hasPrefix("event: progress\ndata: {") == true)
            let data = try #require(events.first?.components(separatedBy: "data: ").last)
            #expect(try decode(RunProgressOutput.self, from: data).status == "completed")
            #expect(events.last == "event: done\ndata: {\"status\":\"completed\"}")
            let unknown = try await client.execute(uri: "/api/v1/runs/r-nope/events", method: .get)
            #expect(unknown.status == .notFound)
        }
    }

    @Test func reportsAreCachedByRunState() async throws {
        let cache = StateCache<Report>()
        let fixture = try await WebFixture.make()
        defer { fixture.remove() }
        let workspace = try Workspace(at: fixture.path, environment: [:])
        defer { workspace.close() }
        let report = try await ReportService(workspace: workspace).report(fixture.runID)
        let state = try await ResultsService(workspace: workspace).stateToken(fixture.runID)
        _ = try await cache.value(key: state) { report }
        #expect(await cache.cached(state) != nil)
        // A verdict changes the state, so the cached report is not used.
        let queue = try await ReviewService(workspace: workspace).queue(runID: fixture.runID, variants: nil, reviewer: "Ada")
        try await ReviewService(workspace: workspace).record(.tie, on: queue.items[0], in: queue)
        let after = try await ResultsService(workspace: workspace).stateToken(fixture.runID)
        #expect(after != state)
        #expect(await cache.cached(after) == nil)
    }
}

extension WebAPITests {
    /// The 405 table and the OpenAPI document name the same operations, and other methods get 405.
    @Test func everyDocumentedOperationAndNoOtherIsRouted() async throws {
        let fixture = try await WebFixture.make()
        defer { fixture.remove() }
        try await fixture.test { client in
            let text = try await client.execute(uri: "/api/v1/openapi.json", method: .get).text
            let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var documented = Set<String>()
            for (path, operations) in paths {
                let template = path.replacingOccurrences(of: #"\{[^}]+\}"#, with: "*", options: .regularExpression)
                for method in operations.keys where ["get", "post", "put", "delete", "patch"].contains(method) {
                    documented.insert(method.uppercased() + " " + template)
                }
            }
            let routed = Set(
                APIRoutes.table.flatMap { route in
                    route.methods.map { "\($0.rawValue) /api/v1/" + route.segments.joined(separator: "/") }
                })
            #expect(routed == documented.filter { $0.contains(" /api/v1/") })
            #expect(WebApp.servingOperations == documented.filter { $0.contains(" /v1/") })
            let put = try await client.execute(
                uri: "/api/v1/prompts/support%2Ftriage/labels", method: .put, headers: WebAPITests.json, body: ByteBuffer(string: "{}"))
            #expect(put.status == .methodNotAllowed && put.headers[.allow] == "GET, POST")
            let trace = try await client.execute(uri: "/api/v1/prompts", method: .trace)
            #expect(trace.status == .methodNotAllowed && trace.headers[.allow] == "GET")
            let getRender = try await client.execute(uri: "/api/v1/prompts/support%2Ftriage/render", method: .get)
            #expect(getRender.status == .methodNotAllowed)
            // A name may keep its slashes.
            let slashed = try await client.execute(uri: "/api/v1/prompts/support/triage/log", method: .get)
            #expect(try decode(PromptLogOutput.self, from: slashed.text).prompt == "support/triage")
            #expect(try await client.execute(uri: "/api/v1/prompts/support/triage", method: .trace).status == .methodNotAllowed)
            #expect(try await client.execute(uri: "/prompts/support/triage", method: .get).status == .ok)
            // Empty numbers and booleans are refused; one review variant takes the other's default.
            #expect(try await client.execute(uri: "/api/v1/runs?limit=", method: .get).status == .badRequest)
            #expect(try await client.execute(uri: "/api/v1/runs/\(fixture.runID)/cases?failing=", method: .get).status == .badRequest)
            #expect(try await client.execute(uri: "/api/v1/runs/\(fixture.runID)/report?alpha=1e-17", method: .get).status == .badRequest)
            let onlyB = try await client.execute(uri: "/api/v1/runs/\(fixture.runID)/review?reviewer=Ada&b=new", method: .get)
            #expect(try decode(ReviewItemOutput.self, from: onlyB.text).variantA == "old")
            let onlyA = try await client.execute(uri: "/api/v1/runs/\(fixture.runID)/review?reviewer=Ada&a=new", method: .get)
            #expect(try decode(ReviewItemOutput.self, from: onlyA.text).variantB == "old")
        }
    }
}

/// The git CLI in `directory`, isolated from the machine's configuration.
func git(_ arguments: [String], in directory: String) throws -> String {
    try GitCLI.run(arguments, in: directory)
}
