import Foundation
import Hummingbird
import Logging
import PromptLab
import PromptLabCore

/// Errors as the web app shows them: RFC 9457 problem details for the API, a short readable page
/// for people; never a stack trace or an internal type name.
enum WebErrors {
    /// The HTTP status for each PromptLab error kind.
    static func status(for kind: ExitStatus) -> HTTPResponse.Status {
        switch kind {
        case .usage: .badRequest
        case .notFound: .notFound
        case .invalidInput, .renderFailed, .noAuthor: .unprocessableContent
        case .conflict, .wouldLoseWork: .conflict
        default: .internalServerError
        }
    }

    /// A problem-details response, or the same as a page when `html`.
    static func problem(
        _ status: HTTPResponse.Status, title: String, detail: String, hint: String? = nil, html: Bool = false
    ) -> Response {
        if html {
            return Response(
                status: status, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: page(status: status, title: title, detail: detail, hint: hint))))
        }
        let problem = ProblemDetails(title: title, status: Int(status.code), detail: detail, hint: hint)
        let body = (try? JSONOutput.text(problem, pretty: false)) ?? #"{"title":"error"}"#
        return Response(
            status: status, headers: [.contentType: "application/problem+json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The response for an error a handler threw.
    static func response(for error: any Error, html: Bool) -> Response {
        if let refusal = error as? ServingRefusal { return refusal.problem }
        if let error = error as? any HTTPResponseError {
            let title = error.status.reasonPhrase
            let detail: String
            switch error.status {
            case .notFound: detail = "there is nothing at this address"
            case .contentTooLarge: detail = "the request body is larger than 1 MiB"
            case .methodNotAllowed: detail = "this address does not take that method"
            default: detail = (error as? HTTPError)?.body ?? title
            }
            return problem(error.status, title: title, detail: detail, html: html)
        }
        let mapped = (error as? PromptLabError) ?? ErrorCatalogue.map(error)
        let status = status(for: mapped.kind)
        if status == .internalServerError {
            // Internal failures keep their details in the server's log, not in the answer.
            return problem(status, title: "Internal Server Error", detail: "the server could not complete the request", html: html)
        }
        return problem(status, title: status.reasonPhrase, detail: mapped.message, hint: mapped.hint, html: html)
    }

    private static func page(status: HTTPResponse.Status, title: String, detail: String, hint: String?) -> String {
        let hintLine = hint.map { "<p class=\"hint\">\(SVGCharts.escape($0))</p>" } ?? ""
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>\(status.code) \(SVGCharts.escape(title)) · PromptLab</title>
            <link rel="stylesheet" href="/static/app.css"></head><body><header class="top"><a class="brand" href="/">PromptLab</a></header>
            <main id="content" class="error-page"><h1>\(status.code) \(SVGCharts.escape(title))</h1><p id="error-detail">\(SVGCharts.escape(detail))</p>\(hintLine)
            <p><a href="/">Back to the overview</a></p></main></body></html>
            """
    }
}

/// Turns thrown errors into responses: problem details under `/api/`, pages elsewhere.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let path = request.uri.path
            let response = WebErrors.response(for: error, html: !path.hasPrefix("/api/") && !path.hasPrefix("/v1/"))
            // A refused request is the client's business (debug); a failure on the server is an error.
            let level: Logger.Level = response.status.code >= 500 ? .error : .debug
            context.logger.log(
                level: level, "request failed",
                metadata: [
                    "path": "\(request.uri.path)", "status": "\(response.status.code)",
                    "error": "\(String(describing: error).prefix(500))",
                ])
            return response
        }
    }
}
