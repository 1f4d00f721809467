import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Access control and browser hardening for every request.
///
/// - With a token configured, a request must carry it as `Authorization: Bearer TOKEN` or hold the
///   session cookie set by the login form; pages redirect to `/login`, the API answers 401.
/// - Writes (any method but GET and HEAD) must come from this app's own pages: a cross-site
///   `Origin` or `Sec-Fetch-Site` is refused, API writes must be JSON (which a cross-site form cannot
///   send without a preflight), and forms must echo the CSRF cookie (checked by ``FormFields``
///   readers, see `WebApp.readForm`).
/// - Every response gets a Content-Security-Policy allowing only the app's own script and styles,
///   so text from a model that slipped through escaping could still not run.
struct SecurityMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext

    let token: String?

    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static let sessionCookie = "promptlab_session"
    static let csrfCookie = "promptlab_csrf"

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let path = request.uri.path
        // The serving API is for applications, authenticated by API keys (see `authorize`): no
        // cookies, sessions or browser checks; ``ServingMiddleware`` sets its headers.
        if path.hasPrefix("/v1/") { return try await next(request, context) }
        let isAPI = path.hasPrefix("/api/")
        if let existing = request.cookies[Self.csrfCookie]?.value, Self.isWellFormedSecret(existing) {
            context.csrfToken = existing
        } else {
            let fresh = Self.randomSecret()
            context.csrfToken = fresh
            context.newCSRFCookie = fresh
        }
        context.isAuthenticated = token.map { Self.carriesToken(request, token: $0) } ?? true
        var response: Response
        if !context.isAuthenticated && !(path == "/login" || path.hasPrefix("/static/")) {
            if isAPI {
                response = WebErrors.problem(
                    .unauthorized, title: "Unauthorized", detail: "this server needs its access token",
                    hint: "send 'Authorization: Bearer $PROMPTLAB_TOKEN'")
                response.headers[.wwwAuthenticate] = "Bearer"
            } else {
                let target = path + (request.uri.query.map { "?" + $0 } ?? "")
                response = Response(
                    status: .seeOther,
                    headers: [.location: "/login?next=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")])
            }
        } else if request.method != .get, request.method != .head, let refusal = Self.refuseWrite(request, isAPI: isAPI) {
            response = refusal
        } else if let allowed = APIRoutes.methods(for: path), !allowed.contains(request.method) {
            response = WebErrors.problem(
                .methodNotAllowed, title: "Method Not Allowed",
                detail: "\(path) takes \(allowed.map(\.rawValue).joined(separator: " and ")), not \(request.method.rawValue)")
            response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
        } else {
            response = try await next(request, context)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        // same-origin, not no-referrer: with no-referrer, browsers send `Origin: null` on the app's
        // own form posts, and the origin check below could not tell them from a sandboxed page's.
        response.headers[.referrerPolicy] = "same-origin"
        response.headers[.xFrameOptions] = "DENY"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        if let fresh = context.newCSRFCookie {
            response.headers.append(HTTPField(name: .setCookie, value: "\(Self.csrfCookie)=\(fresh); Path=/; HttpOnly; SameSite=Strict"))
        }
        return response
    }

    /// Refuses a write that a page of another site could have sent.
    private static func refuseWrite(_ request: Request, isAPI: Bool) -> Response? {
        if let site = request.headers[.secFetchSite], site == "cross-site" {
            return WebErrors.problem(.forbidden, title: "Forbidden", detail: "cross-site writes are refused", html: !isAPI)
        }
        // A browser that hides the origin (`null`) but says the request is same-origin is believed:
        // forms still need the CSRF token, and API writes a JSON body.
        let hiddenSameOrigin = request.headers[.origin] == "null" && request.headers[.secFetchSite] == "same-origin"
        if let origin = request.headers[.origin], !hiddenSameOrigin {
            let host = request.head.authority ?? ""
            let originHost = URL(string: origin).flatMap { url in url.host.map { $0 + (url.port.map { ":\($0)" } ?? "") } }
            if originHost == nil || originHost != host {
                return WebErrors.problem(
                    .forbidden, title: "Forbidden", detail: "the request's origin does not match this server", html: !isAPI)
            }
        }
        // Only POST carries a body, and only where POST is routed; other methods get 405 after these checks.
        if isAPI, request.method == .post, APIRoutes.methods(for: request.uri.path)?.contains(.post) ?? true {
            let type = request.headers[.contentType]?.lowercased() ?? ""
            guard type.hasPrefix("application/json") else {
                return WebErrors.problem(
                    .unsupportedMediaType, title: "Unsupported Media Type", detail: "API writes take a JSON body",
                    hint: "send 'Content-Type: application/json'")
            }
        }
        return nil
    }

    /// Whether the request has the token as a bearer header or a valid session cookie.
    static func carriesToken(_ request: Request, token: String) -> Bool {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            return constantTimeEqual(String(header.dropFirst("Bearer ".count)), token)
        }
        if let session = request.cookies[sessionCookie]?.value {
            return constantTimeEqual(session, sessionValue(token: token))
        }
        return false
    }

    /// The session cookie's value: derived from the token, so the token itself never sits in a cookie.
    static func sessionValue(token: String) -> String {
        let key = SymmetricKey(data: Data(token.utf8))
        return Data(HMAC<SHA256>.authenticationCode(for: Data("promptlab-session-v1".utf8), using: key)).map {
            String(format: "%02x", $0)
        }.joined()
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            difference |= (index < left.count ? left[index] : 0) ^ (index < right.count ? right[index] : 0)
        }
        return difference == 0
    }

    static func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func isWellFormedSecret(_ value: String) -> Bool {
        value.utf8.count == 64 && value.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

extension HTTPField.Name {
    static let secFetchSite = Self("Sec-Fetch-Site")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
