import HTTPTypes
import Hummingbird

/// The serving API's answers to any request under `/v1`: 405 with `Allow` for a method an address does
/// not take (as HTTP asks, rather than the router's 404), `nosniff` and `no-store` on every answer.
/// The serving API takes API keys, not cookies, so none of the web app's browser checks apply.
struct ServingMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/v1/") else { return try await next(request, context) }
        var response: Response
        if let allowed = Self.methods(for: path), !allowed.contains(request.method) {
            response = WebErrors.problem(
                .methodNotAllowed, title: "Method Not Allowed",
                detail: "\(path) takes \(allowed.map(\.rawValue).joined(separator: " and ")), not \(request.method.rawValue)")
            response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
        } else {
            response = try await next(request, context)
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }

    /// The methods a `/v1` address takes, from ``WebApp/servingOperations``; nil for no such address.
    static func methods(for path: String) -> [HTTPRequest.Method]? {
        let segments = path.dropFirst("/v1/".count).split(separator: "/", omittingEmptySubsequences: false)
        let template: String
        switch segments.first {
        case "prompts" where segments.count > 2 && segments.last == "resolve": template = "/v1/prompts/*/resolve"
        case "prompts" where segments.count > 1: template = "/v1/prompts/*"
        // A name with a slash is no rollout, but the address is still the readout's (405, then 404).
        case "rollouts" where segments.count >= 2: template = "/v1/rollouts/*"
        default: template = "/" + "v1/" + segments.joined(separator: "/")
        }
        let methods = WebApp.servingOperations.compactMap { operation -> HTTPRequest.Method? in
            let parts = operation.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[1] == template else { return nil }
            return HTTPRequest.Method(String(parts[0]))
        }
        return methods.isEmpty ? nil : methods.sorted { $0.rawValue < $1.rawValue }
    }
}
