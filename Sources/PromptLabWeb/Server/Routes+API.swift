import Foundation
import Hummingbird
import PromptExperiments
import PromptFormat
import PromptLab
import PromptLabCore

/// The JSON bodies the API's writes take.
struct RenderRequest: Decodable {
    var ref: String?
    var variables: PromptValue?
}

struct LabelRequest: Decodable {
    var label: String
    var version: String
    /// The commit the label pointed at when the client looked; JSON null: it did not exist.
    var expectedCommit: String??

    enum CodingKeys: String, CodingKey { case label, version, expectedCommit }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        label = try container.decode(String.self, forKey: .label)
        version = try container.decode(String.self, forKey: .version)
        if container.contains(.expectedCommit) {
            expectedCommit = .some(
                try container.decodeNil(forKey: .expectedCommit) ? nil : try container.decode(String.self, forKey: .expectedCommit))
        }
    }
}

struct RollbackRequest: Decodable {
    var to: String
    var label: String?
    var expectedCommit: String?
}

struct ReviewRequest: Decodable {
    var reviewer: String
    var a: String?
    var b: String?
    var caseId: String
    var choice: String
}

extension WebApp {
    /// `/api/v1/prompts…`: the version-control documents of the CLI's `--format json`.
    func addPromptAPI(to router: Router<WebRequestContext>) {
        let api = router.group("/api/v1")
        api.get("/prompts") { _, _ in
            try json(try await withWorkspace { try PromptService(workspace: $0).list() })
        }
        var getPrompt = [String: PromptHandler]()
        var postPrompt = [String: PromptHandler]()
        getPrompt[""] = { request, context, name in
            let ref = FormFields(request.uri.query).text("ref") ?? "latest"
            return try json(try await withWorkspace { try PromptService(workspace: $0).show(Self.reference(name, ref)) })
        }
        getPrompt["log"] = { request, context, name in
            let limit = try Self.integer(FormFields(request.uri.query)["limit"], name: "limit", range: 1...Int(Int32.max))
            return try json(try await withWorkspace { try PromptService(workspace: $0).log(prompt: name, limit: limit) })
        }
        getPrompt["diff"] = { request, context, name in
            let query = FormFields(request.uri.query)
            guard let from = query.text("from") else { throw PromptLabError(.usage, "from is required: the version to compare from") }
            return try json(
                try await withWorkspace {
                    try PromptService(workspace: $0).diff(
                        old: Self.reference(name, from), new: query.text("to").map { Self.reference(name, $0) }, wordLevel: true)
                })
        }
        postPrompt["render"] = { request, context, name in
            let body = try await readJSON(RenderRequest.self, request, context: context)
            var variables = [String: PromptValue]()
            switch body.variables {
            case .object(let pairs)?: for pair in pairs { variables[pair.key] = pair.value }
            case nil, .null?: break
            default: throw PromptLabError(.usage, "variables must be a JSON object")
            }
            return try json(
                try await withWorkspace {
                    try PromptService(workspace: $0).render(
                        Self.reference(name, body.ref.flatMap(\.nonEmpty) ?? "latest"), variables: variables)
                })
        }
        getPrompt["labels"] = { _, context, name in
            return try json(try await withWorkspace { try PromptService(workspace: $0).labels(of: name) })
        }
        postPrompt["labels"] = { request, context, name in
            let body = try await readJSON(LabelRequest.self, request, context: context)
            return try json(
                try await withWorkspace {
                    try PromptService(workspace: $0).setLabel(
                        body.label, to: Self.reference(name, body.version), expectedCommit: body.expectedCommit)
                })
        }
        postPrompt["rollback"] = { request, context, name in
            let body = try await readJSON(RollbackRequest.self, request, context: context)
            return try json(
                try await withWorkspace {
                    try PromptService(workspace: $0).rollback(name, to: body.to, label: body.label, expectedLatest: body.expectedCommit)
                })
        }
        api.get("/prompts/**") { [getPrompt] request, context in
            let (name, endpoint) = try Self.promptAddress(context, endpoints: Set(getPrompt.keys))
            guard let handler = getPrompt[endpoint] else { throw HTTPError(.notFound) }
            return try await handler(request, context, name)
        }
        api.post("/prompts/**") { [postPrompt] request, context in
            let (name, endpoint) = try Self.promptAddress(context, endpoints: Set(postPrompt.keys))
            guard let handler = postPrompt[endpoint] else { throw HTTPError(.notFound) }
            return try await handler(request, context, name)
        }
    }

    /// `/api/v1/runs…`, comparison and history: the experiment documents, and the live event stream.
    func addRunAPI(to router: Router<WebRequestContext>) {
        let api = router.group("/api/v1")
        api.get("/runs") { request, _ in
            let query = FormFields(request.uri.query)
            let limit = try Self.integer(query["limit"], name: "limit", range: 1...1000) ?? 50
            return try json(try await runList(experiment: query.text("experiment"), limit: limit))
        }
        api.get("/runs/:id/report") { request, context in
            let id = try Self.parameter("id", context)
            let query = FormFields(request.uri.query)
            var options = ReportOptions(grader: query.text("grader"))
            if let alpha = query["alpha"] {
                guard let value = Double(alpha), ReportOptions.alphaRange.contains(value) else {
                    throw PromptLabError(.usage, "alpha must be a number \(ReportOptions.alphaRangeText)")
                }
                options.alpha = value
            }
            if let pairs = query["pairs"] {
                guard let selection = PairSelection(rawValue: pairs) else { throw PromptLabError(.usage, "pairs must be control or all") }
                options.pairs = selection
            }
            let report = try await report(id, options: options)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: ReportRenderer.json(report).jsonText(pretty: false))))
        }
        api.get("/runs/:id/cases") { request, context in
            let id = try Self.parameter("id", context)
            let query = FormFields(request.uri.query)
            let filter = try Self.caseFilter(query)
            let page = try Self.integer(query["page"], name: "page", range: 1...1_000_000) ?? 1
            let size = try Self.integer(query["per_page"], name: "per_page", range: 1...500) ?? Self.defaultPageSize
            return try json(try await casePage(id, filter: filter, page: (page, size)))
        }
        api.get("/runs/:id/cases/:case") { _, context in
            let id = try Self.parameter("id", context)
            let caseID = try Self.parameter("case", context)
            let index = try await caseIndex(id)
            return try json(try await withWorkspace { try await CaseService(workspace: $0).detail(index, caseID: caseID) })
        }
        api.get("/runs/:id/progress") { _, context in
            try json(try await progress(try Self.parameter("id", context)))
        }
        api.get("/runs/:id/events") { _, context in
            let id = try Self.parameter("id", context)
            _ = try await progress(id)  // an unknown run is a 404, not an empty stream
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in try await streamProgress(id, to: &writer) })
        }
        api.get("/runs/:id/review") { request, context in
            let id = try Self.parameter("id", context)
            let query = FormFields(request.uri.query)
            guard let reviewer = query.text("reviewer") else { throw PromptLabError(.usage, "reviewer is required") }
            let pair = try await variantPair(query, runID: id)
            return try json(
                try await withWorkspace { try await ReviewService(workspace: $0).nextItem(runID: id, variants: pair, reviewer: reviewer) })
        }
        api.post("/runs/:id/review") { request, context in
            let id = try Self.parameter("id", context)
            let body = try await readJSON(ReviewRequest.self, request, context: context)
            let pair = try await variantPair(a: body.a.flatMap(\.nonEmpty), b: body.b.flatMap(\.nonEmpty), runID: id)
            return try json(
                try await withWorkspace {
                    try await ReviewService(workspace: $0).record(
                        runID: id, variants: pair, reviewer: body.reviewer, caseID: body.caseId, choice: try Self.choice(body.choice))
                })
        }
        api.get("/compare") { request, _ in
            let query = FormFields(request.uri.query)
            guard let before = query.text("before"), let after = query.text("after") else {
                throw PromptLabError(.usage, "before and after are required: two run ids")
            }
            let comparison = try await withWorkspace {
                try await ReportService(workspace: $0).compare(before: before, after: after, grader: query.text("grader"))
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: comparison.json().jsonText(pretty: false))))
        }
        api.get("/experiments/:name/history") { request, context in
            let name = try Self.parameter("name", context)
            let grader = FormFields(request.uri.query).text("grader")
            return try json(try await withWorkspace { try await ReportService(workspace: $0).history(experiment: name, grader: grader) })
        }
    }

    /// A run's progress with interim statistics from the (cached) report, computed once per run state.
    func progress(_ id: String) async throws -> RunProgressOutput {
        let state = try await withWorkspace { try await ResultsService(workspace: $0).stateToken(id) }
        return try await progressCache.value(key: state) {
            let basic = try await withWorkspace { try await ResultsService(workspace: $0).progress(id) }
            guard basic.done > 0 else { return basic }
            let report = try? await report(basic.run)
            return try await withWorkspace { try await ResultsService(workspace: $0).progress(basic.run, report: report) }
        }
    }

    /// Server-Sent Events: a `progress` event whenever the run's progress changes, then `done` once
    /// it stops. The stream closes after ``WebServerConfiguration/liveStreamLimit``; `EventSource`
    /// reconnects by itself.
    func streamProgress(_ id: String, to writer: inout any ResponseBodyWriter) async throws {
        var last = ""
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: configuration.liveStreamLimit)
        try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
        while !Task.isCancelled {
            let progress = try await progress(id)
            // One line: a newline inside `data:` would split the event.
            let text = try JSONOutput.text(progress, pretty: false).trimmingCharacters(in: .newlines)
            if text != last {
                try await writer.write(ByteBuffer(string: "event: progress\ndata: \(text)\n\n"))
                last = text
            }
            if progress.status != "running" {
                try await writer.write(ByteBuffer(string: "event: done\ndata: {\"status\":\"\(progress.status)\"}\n\n"))
                break
            }
            if clock.now >= deadline { break }
            try await Task.sleep(for: configuration.liveInterval)
        }
        try await writer.finish(nil)
    }
}
