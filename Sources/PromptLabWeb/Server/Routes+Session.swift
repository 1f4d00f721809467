import Foundation
import HTTPTypes
import Hummingbird

extension WebApp {
    /// The login form (when a token is configured), the static files and the API description.
    func addSessionRoutes(to router: Router<WebRequestContext>) {
        router.get("/login") { request, context in
            let next = FormFields(request.uri.query)["next"] ?? "/"
            return try page("login", ["title": "Sign in", "next": Self.safeNext(next), "failed": false], request: context)
        }
        router.post("/login") { request, context in
            let form = try await readForm(request, context: context)
            let next = Self.safeNext(form["next"] ?? "/")
            guard let token = configuration.token else { return redirect(next) }
            guard let sent = form["token"], SecurityMiddleware.constantTimeEqual(sent, token) else {
                return try page(
                    "login", ["title": "Sign in", "next": next, "failed": true], request: context, status: .unauthorized)
            }
            var response = redirect(next)
            response.headers.append(
                HTTPField(
                    name: .setCookie,
                    value:
                        "\(SecurityMiddleware.sessionCookie)=\(SecurityMiddleware.sessionValue(token: token)); Path=/; HttpOnly; SameSite=Strict"
                ))
            return response
        }
        router.get("/static/:file") { _, context in
            guard let name = context.parameters.get("file"), let file = assets.files[name] else {
                throw HTTPError(.notFound)
            }
            return Response(
                status: .ok, headers: [.contentType: file.type, .cacheControl: "max-age=300"],
                body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
        }
        router.get("/api/v1/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: openAPIDocument)))
        }
    }

    /// A redirect target from a form: only a path on this server, never another site.
    static func safeNext(_ next: String) -> String {
        guard next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), !next.contains("\n") else { return "/" }
        return next
    }
}
