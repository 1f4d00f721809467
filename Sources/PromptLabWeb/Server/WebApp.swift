import Foundation
import Hummingbird
import Logging
import PromptExperiments
import PromptLab
import PromptLabCore
import PromptLabProviders
import PromptLabStore

/// The web app: the pages, the JSON API and the live event streams, over one workspace.
///
/// Every handler calls the same application services as the CLI (`PromptService`, `ReportService`,
/// `CaseService`, `ReviewService`, `ResultsService`) on a workspace borrowed from ``WorkspacePool``;
/// nothing here reads the repository or the database on its own.
public struct WebApp: Sendable {
    let configuration: WebServerConfiguration
    let pool: WorkspacePool
    let pages: PageRenderer
    let assets: StaticAssets
    let reports = StateCache<Report>()
    let caseIndexes = StateCache<CaseIndex>(capacity: 4)
    let progressCache = StateCache<RunProgressOutput>()
    let runRows = StateCache<RunListOutput.Run>(capacity: 256)
    let openAPIDocument: [UInt8]
    let logger: Logger
    /// The serving API's prompts, `resolve` and feedback (`/v1`).
    public let serving: ServingService
    /// The OpenAI-compatible gateway; nil without a provider registry.
    public let gateway: GatewayService?

    /// Opens the workspace once (to fail early on a wrong folder) and loads templates and assets.
    ///
    /// - Parameter registry: The providers the gateway calls (its HTTP client must outlive the app);
    ///   nil serves everything but `/v1/chat/completions`.
    /// - Throws: ``PromptLabError`` for an invalid configuration or a folder outside any repository.
    public static func make(configuration: WebServerConfiguration, registry: ProviderRegistry? = nil, logger: Logger? = nil)
        async throws -> WebApp
    {
        try configuration.validate()
        let environment = configuration.environment
        let open: @Sendable () throws(PromptLabError) -> Workspace = {
            try Workspace(at: configuration.repositoryPath, database: configuration.database, environment: environment)
        }
        let pool = WorkspacePool(open: open)
        let resultsPath = try await pool.withWorkspace { $0.resultsPath }
        guard let openAPI = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources") else {
            throw PromptLabError(.failure, "the API description is missing from this installation")
        }
        let logger = logger ?? Self.defaultLogger(environment: environment)
        let store = try SQLiteResultsStore(path: resultsPath)
        let serving = ServingService(pool: pool, store: store, configuration: configuration.serving)
        let gateway = try registry.map { registry in
            GatewayService(
                serving: serving, registry: registry, pricing: try Pricing.load(overridePath: configuration.pricingPath),
                logger: logger)
        }
        return WebApp(
            configuration: configuration, pool: pool, pages: try await PageRenderer.load(), assets: try StaticAssets.load(),
            openAPIDocument: [UInt8](try Data(contentsOf: openAPI)), logger: logger, serving: serving, gateway: gateway)
    }

    /// Warnings and errors only, unless `PROMPTLAB_LOG` asks for more (`info` logs each start, `debug` each request).
    static func defaultLogger(environment: [String: String]) -> Logger {
        var logger = Logger(label: "promptlab.serve")
        logger.logLevel = environment["PROMPTLAB_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }

    /// The HTTP application: the router behind the error and security middleware.
    public func application(onServerRunning: @escaping @Sendable (String) async -> Void = { _ in }) -> some ApplicationProtocol {
        let host = configuration.host
        return Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: configuration.port), serverName: "PromptLab"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let shown = host.contains(":") ? "[\(host)]" : host
                await onServerRunning("http://\(shown):\(port)/")
            },
            logger: logger)
    }

    func router() -> Router<WebRequestContext> {
        let router = Router(context: WebRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: ServingMiddleware())
        if configuration.apiOnly {
            // Production serving: the /v1 API alone, without the pages, their cookies and checks.
            addServingAPI(to: router)
            return router
        }
        router.add(middleware: SecurityMiddleware(token: configuration.token))
        addServingAPI(to: router)
        addSessionRoutes(to: router)
        addPromptPages(to: router)
        addRunPages(to: router)
        addPromptAPI(to: router)
        addRunAPI(to: router)
        return router
    }

    /// The guardrail monitor of the serving process.
    public func monitor() -> RolloutMonitor {
        RolloutMonitor(pool: pool, directory: serving.directory, logger: logger)
    }

    // MARK: - Helpers shared by the routes

    /// Runs `body` with a workspace of the pool.
    func withWorkspace<Result>(_ body: (Workspace) async throws -> Result) async throws -> Result {
        try await pool.withWorkspace(body)
    }

    /// A page from `template`, with what every page shows (navigation, the CSRF token).
    func page(_ template: String, _ context: [String: Any], request: WebRequestContext, status: HTTPResponse.Status = .ok) throws
        -> Response
    {
        var context = context
        context["csrf"] = request.csrfToken ?? ""
        context["token_required"] = configuration.token != nil
        let html = try pages.render(template, context)
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// A JSON document with the CLI's encoder (snake_case keys).
    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let text = try JSONOutput.text(value, pretty: false)
        return Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A 303 redirect after a form's write, so reloading does not repeat it.
    func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// A form body, after checking its CSRF field against the browser's cookie.
    func readForm(_ request: Request, context: WebRequestContext) async throws -> FormFields {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw HTTPError(.unsupportedMediaType, message: "forms are sent as application/x-www-form-urlencoded")
        }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let form = FormFields(String(buffer: body))
        guard let sent = form["csrf_token"], let expected = context.csrfToken,
            SecurityMiddleware.constantTimeEqual(sent, expected)
        else {
            throw HTTPError(.forbidden, message: "the form's security token is missing or stale; reload the page and try again")
        }
        return form
    }

    /// A JSON request body decoded as `type`, refusing unknown shapes with 400.
    func readJSON<Body: Decodable>(_ type: Body.Type, _ request: Request, context: WebRequestContext) async throws -> Body {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        do {
            return try JSONOutput.decode(Body.self, from: String(buffer: body))
        } catch {
            throw PromptLabError(.usage, "the request body is not the expected JSON document", hint: "see /api/v1/openapi.json")
        }
    }

    /// A path parameter, percent-decoded (prompt names carry `/` as `%2F`).
    static func parameter(_ name: String, _ context: WebRequestContext) throws -> String {
        guard let raw = context.parameters.get(name), let decoded = raw.removingPercentEncoding, !decoded.isEmpty else {
            throw PromptLabError(.usage, "the address lacks its \(name)")
        }
        return decoded
    }

    /// The report of a run for the web: rebuilt only when the run's responses, grades or verdicts changed.
    func report(_ runID: String, options: ReportOptions = ReportOptions()) async throws -> Report {
        let state = try await withWorkspace { try await ResultsService(workspace: $0).stateToken(runID) }
        let key = "\(state)|\(options.grader ?? "")|\(options.alpha)|\(options.pairs.rawValue)"
        return try await reports.value(key: key) {
            try await withWorkspace { try await ReportService(workspace: $0).report(runID, options: options) }
        }
    }

    /// Runs newest first, each row's counts computed once per run state (counting a million
    /// responses takes a tenth of a second).
    func runList(experiment: String? = nil, limit: Int) async throws -> RunListOutput {
        let records = try await withWorkspace { try await ResultsService(workspace: $0).runRecords(experiment: experiment, limit: limit) }
        var rows = [RunListOutput.Run]()
        for record in records {
            let state = try await withWorkspace { try await ResultsService(workspace: $0).stateToken(record.id) }
            rows.append(
                try await runRows.value(key: state) { try await withWorkspace { try await ResultsService(workspace: $0).run(record.id) } })
        }
        return RunListOutput(runs: rows)
    }

    /// The run's case index, built once per run state.
    func caseIndex(_ runID: String) async throws -> CaseIndex {
        let state = try await withWorkspace { try await ResultsService(workspace: $0).stateToken(runID) }
        return try await caseIndexes.value(key: state) {
            try await withWorkspace { try await CaseService(workspace: $0).index(runID) }
        }
    }

    /// One page of a run's cases, from the run's case index (built once per run state).
    func casePage(_ runID: String, filter: CaseService.Filter, page: (number: Int, size: Int)) async throws -> CaseViewOutput {
        let index = try await caseIndex(runID)
        return try await withWorkspace { try await CaseService(workspace: $0).page(index, filter: filter, page: page) }
    }
}

/// Values computed from a run, kept while the run's state token is unchanged (the key includes it).
actor StateCache<Value: Sendable> {
    private var entries = [String: Value]()
    private var order = [String]()
    private let capacity: Int

    init(capacity: Int = 16) {
        self.capacity = capacity
    }

    /// The cached value for `key`, or `make()`'s, stored. Two requests for a missing key may both
    /// compute it; the values are equal, so either may be kept.
    func value(key: String, make: @Sendable () async throws -> Value) async throws -> Value {
        if let cached = entries[key] { return cached }
        let value = try await make()
        if entries[key] == nil { order.append(key) }
        entries[key] = value
        while order.count > capacity { entries[order.removeFirst()] = nil }
        return value
    }

    func cached(_ key: String) -> Value? { entries[key] }
}
