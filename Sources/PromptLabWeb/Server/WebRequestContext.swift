import Hummingbird
import Logging

/// The per-request context of the web app: Hummingbird's core storage, a 1 MiB body limit, and
/// what the security middleware learned about the caller.
struct WebRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Whether the request carried the access token (always true when no token is configured).
    var isAuthenticated = false
    /// The CSRF token of this browser (the `promptlab_csrf` cookie), set on pages that contain forms.
    var csrfToken: String?
    /// A CSRF cookie to set on the response, when the browser had none.
    var newCSRFCookie: String?

    init(source: Source) {
        coreContext = .init(source: source)
    }

    /// Request bodies are forms and small JSON documents.
    var maxUploadSize: Int { 1 << 20 }
}
