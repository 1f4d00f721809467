import Foundation
import HTTPTypes
import Hummingbird
import PromptFormat
import PromptLab
import PromptLabCore
import PromptLabProviders

extension WebApp {
    /// The serving API's operations, as the OpenAPI document names them (a test keeps the two equal).
    static let servingOperations: Set<String> = [
        "GET /v1/prompts/*", "POST /v1/prompts/*/resolve", "POST /v1/chat/completions", "POST /v1/feedback", "GET /v1/rollouts",
        "GET /v1/rollouts/*", "GET /v1/openapi.json",
    ]

    /// `/v1`: the serving API for applications — prompts by label, `resolve`, the OpenAI-compatible
    /// gateway and feedback — authenticated by API keys with scopes (see ``APIKeys``).
    func addServingAPI(to router: Router<WebRequestContext>) {
        let serving = self.serving
        let v1 = router.group("/v1")
        v1.get("/prompts/**") { request, context in
            try authorize(request, .resolve)
            let (name, endpoint) = try Self.promptAddress(context, endpoints: [])
            guard endpoint.isEmpty else { throw HTTPError(.notFound) }
            let query = FormFields(request.uri.query)
            let served = try await serving.prompt(name, label: query.text("label"), version: query.text("version"))
            let etag = "\"\(served.version.sha)\""
            if let match = request.headers[.ifNoneMatch],
                match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag })
            {
                return Response(status: .notModified, headers: [.eTag: etag])
            }
            var response = try json(served)
            response.headers[.eTag] = etag
            response.headers[.cacheControl] = "no-cache"
            return response
        }
        v1.post("/prompts/**") { request, context in
            try authorize(request, .resolve)
            let (name, endpoint) = try Self.promptAddress(context, endpoints: ["resolve"])
            guard endpoint == "resolve" else { throw HTTPError(.notFound) }
            let body = try await readServingJSON(ResolveBody.self, request, context: context)
            let output = try await serving.resolve(
                name, request: ResolveRequest(unit: body.unit, variables: body.variables, attributes: body.attributes, label: body.label))
            return try json(output)
        }
        v1.post("/feedback") { request, context in
            try authorize(request, .feedback)
            let body = try await readServingJSON(FeedbackBody.self, request, context: context)
            let events = body.events ?? body.single.map { [$0] } ?? []
            let output = try await serving.feedback(events)
            if body.single != nil, let result = output.results.first, output.refused == 1 {
                let status: HTTPResponse.Status =
                    switch result.status {
                    case "unknown_assignment": .notFound
                    case "conflicting_duplicate": .conflict
                    default: .unprocessableContent
                    }
                return WebErrors.problem(status, title: status.reasonPhrase, detail: result.error ?? result.status)
            }
            return try json(output, status: output.refused > 0 ? .unprocessableContent : .ok)
        }
        v1.post("/chat/completions") { request, context in
            do {
                try authorize(request, .resolve)
                guard let gateway else {
                    throw PromptLabError(.failure, "this server was started without model providers, so the gateway is off")
                }
                let body = try await readServingJSON(ChatCompletionBody.self, request, context: context)
                let headerUnit = request.headers[.promptLabUnit]
                let call = try await gateway.prepare(
                    GatewayRequest(
                        model: body.model, messages: try body.chatMessages(), unit: body.user ?? headerUnit ?? body.promptlab?.unit,
                        variables: body.promptlab?.variables, attributes: body.promptlab?.attributes, stream: body.stream ?? false))
                if body.stream ?? false {
                    return try await streamCompletion(call, gateway: gateway, includeUsage: body.streamOptions?.includeUsage ?? false)
                }
                switch await gateway.complete(call) {
                case .success(let completion, let assignment):
                    var response = try json(completion)
                    Self.addAssignmentHeaders(&response, call: call, assignment: assignment)
                    return response
                case .failure(let error, let assignment):
                    var response = Self.openAIError(error)
                    Self.addAssignmentHeaders(&response, call: call, assignment: assignment)
                    return response
                }
            } catch {
                return Self.openAIError(error)
            }
        }
        v1.get("/rollouts") { request, _ in
            try authorize(request, .admin)
            return try json(try await withWorkspace { try await RolloutService(workspace: $0).list() })
        }
        v1.get("/rollouts/:name") { request, context in
            try authorize(request, .admin)
            let name = try Self.parameter("name", context)
            return try json(try await withWorkspace { try await RolloutService(workspace: $0).status(name) })
        }
        v1.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: openAPIDocument)))
        }
    }

    /// Refuses a request without a key holding `scope` (`admin` holds every scope). With no keys
    /// configured, the serving API is open, which ``WebServerConfiguration/validate()`` allows only on loopback.
    func authorize(_ request: Request, _ scope: APIKeys.Scope) throws {
        let keys = configuration.apiKeys
        guard !keys.isEmpty || configuration.token != nil else { return }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw ServingRefusal.unauthorized
        }
        let presented = String(header.dropFirst("Bearer ".count))
        if let token = configuration.token, SecurityMiddleware.constantTimeEqual(presented, token) { return }
        guard let scopes = keys.scopes(of: presented) else { throw ServingRefusal.unauthorized }
        guard scopes.contains(scope) || scopes.contains(.admin) else { throw ServingRefusal.forbidden(scope) }
    }

    /// A JSON body decoded with the field names as written (no key conversion: prompt variables keep
    /// their names), refusing other content types and malformed documents with 400.
    func readServingJSON<Body: Decodable>(_ type: Body.Type, _ request: Request, context: WebRequestContext) async throws -> Body {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            throw PromptLabError(.usage, "the serving API takes JSON bodies", hint: "send 'Content-Type: application/json'")
        }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        do {
            return try JSONDecoder().decode(Body.self, from: Data(buffer: body))
        } catch let error as DecodingError {
            throw PromptLabError(
                .usage, "the request body is not the expected JSON document: \(Self.describe(error))", hint: "see /v1/openapi.json")
        } catch {
            throw PromptLabError(.usage, "the request body is not JSON", hint: "see /v1/openapi.json")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            return text.isEmpty ? "the document" : String(text.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context)) lacks '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(path(context)) has the wrong type"
        case .dataCorrupted(let context): return "\(path(context)) is malformed"
        @unknown default: return "it does not match the schema"
        }
    }

    static func addAssignmentHeaders(_ response: inout Response, call: GatewayService.Call, assignment: String?) {
        if let assignment { response.headers[.promptLabAssignment] = assignment }
        if let arm = call.assignmentArm { response.headers[.promptLabArm] = arm }
        if let rollout = call.rollout { response.headers[.promptLabRollout] = rollout }
        if let bucket = call.bucket { response.headers[.promptLabBucket] = String(format: "%.4f", bucket) }
        response.headers[.promptLabVersion] = call.version.number.map { "v\($0)" } ?? call.version.sha
    }

    /// An error as OpenAI's API reports it.
    static func openAIError(_ error: any Error) -> Response {
        let status: HTTPResponse.Status
        let type: String
        let message: String
        var code: String?
        switch error {
        case let refusal as ServingRefusal:
            status = refusal.status
            type = refusal.status == .unauthorized ? "authentication_error" : "permission_error"
            message = refusal.message
        case let error as ProviderError:
            code = error.kindName
            switch error.kind {
            case .http(let upstream, _, _, _) where upstream == 429: status = .tooManyRequests
            case .timeout: status = .gatewayTimeout
            case .missingAPIKey, .invalidConfiguration: status = .internalServerError
            case .unsupportedInput, .contentFiltered: status = .unprocessableContent
            default: status = .badGateway
            }
            type = status == .tooManyRequests ? "rate_limit_error" : "upstream_error"
            message = "the model provider failed: \(error.description)"
        case let error as PromptLabError where WebErrors.status(for: error.kind) != .internalServerError:
            status = WebErrors.status(for: error.kind)
            type = status == .notFound ? "not_found_error" : "invalid_request_error"
            message = error.message + (error.hint.map { " (\($0))" } ?? "")
        case let error as any HTTPResponseError:
            status = error.status
            type = "invalid_request_error"
            message = error.status == .contentTooLarge ? "the request body is larger than 1 MiB" : error.status.reasonPhrase
        default:
            status = .internalServerError
            type = "server_error"
            message = "the server could not complete the request"
        }
        let body = OpenAIErrorBody(error: .init(message: message, type: type, code: code, param: nil))
        let data = (try? JSONEncoder().encode(body)) ?? Data(#"{"error":{"message":"error","type":"server_error"}}"#.utf8)
        var headers: HTTPFields = [.contentType: "application/json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A serving request refused for its key.
enum ServingRefusal: Error, HTTPResponseError {
    case unauthorized
    case forbidden(APIKeys.Scope)

    var status: HTTPResponse.Status {
        switch self {
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        }
    }

    var message: String {
        switch self {
        case .unauthorized: "this server needs an API key: send 'Authorization: Bearer KEY'"
        case .forbidden(let scope): "this API key lacks the '\(scope.rawValue)' scope"
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response { problem }

    /// Problem details, with `WWW-Authenticate` on 401.
    var problem: Response {
        var response = WebErrors.problem(status, title: status.reasonPhrase, detail: message)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }
}

/// `POST /v1/prompts/{name}/resolve`.
struct ResolveBody: Decodable {
    var unit: String?
    var variables: [String: PromptValue]?
    var attributes: [String: PromptValue]?
    var label: String?
}

/// `POST /v1/feedback`: one event, or `{"events": [...]}`.
struct FeedbackBody: Decodable {
    var events: [FeedbackEvent]?
    var single: FeedbackEvent?

    enum CodingKeys: String, CodingKey { case events }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.events) {
            events = try container.decode([WireEvent].self, forKey: .events).map(\.event)
        } else {
            single = try WireEvent(from: decoder).event
        }
    }

    struct WireEvent: Decodable {
        var assignmentId: String
        var metric: String
        var value: PromptValue
        var eventId: String

        enum CodingKeys: String, CodingKey {
            case assignmentId = "assignment_id"
            case metric, value
            case eventId = "event_id"
        }

        var event: FeedbackEvent { FeedbackEvent(assignmentId: assignmentId, metric: metric, value: value, eventId: eventId) }
    }
}

extension HTTPField.Name {
    static let promptLabUnit = Self("X-PromptLab-Unit")!
    static let promptLabAssignment = Self("X-PromptLab-Assignment")!
    static let promptLabArm = Self("X-PromptLab-Arm")!
    static let promptLabRollout = Self("X-PromptLab-Rollout")!
    static let promptLabVersion = Self("X-PromptLab-Version")!
    static let promptLabBucket = Self("X-PromptLab-Bucket")!
}
