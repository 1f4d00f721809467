import Foundation

/// The media a provider takes in messages, checked before a request is sent so that a prompt with an
/// image sent to a text-only model fails once, naming the provider and what it accepts, instead of
/// spending a request on a 400 (or, worse, being answered without the image).
public struct MediaSupport: Sendable, Hashable {
    /// What the provider takes, as messages say it: `images (image/png, image/jpeg, image/gif, image/webp)`.
    public var summary: String
    /// Content types accepted exactly (`application/pdf`).
    public var contentTypes: Set<String>
    /// Content-type prefixes accepted (`image/`).
    public var contentTypePrefixes: [String]
    /// The roles whose messages may hold media.
    public var roles: Set<ChatMessage.Role>
    /// Whether every media part needs a known content type (Gemini's `mimeType` is required); otherwise
    /// an `https://` URL whose type cannot be told is sent as the vendor's default kind (an image).
    public var needsContentType: Bool
    /// Whether parts are checked at all; `exec/` programs get them as given (any URL, any type).
    public var checksParts: Bool
    /// Models of the provider known to take text only: an exact name, or a prefix ending in `*`
    /// (`gpt-3.5-*`). Media sent to one is refused before the request.
    public var textOnlyModels: [String] = []

    /// Declares what a provider takes.
    public init(
        summary: String, contentTypes: Set<String> = [], contentTypePrefixes: [String] = [],
        roles: Set<ChatMessage.Role> = [.user], needsContentType: Bool = false, checksParts: Bool = true
    ) {
        self.summary = summary
        self.contentTypes = contentTypes
        self.contentTypePrefixes = contentTypePrefixes
        self.roles = roles
        self.needsContentType = needsContentType
        self.checksParts = checksParts
    }

    /// No media at all (`local/baseline`, `local/echo`).
    public static let textOnly = MediaSupport(summary: "text only", roles: [])

    /// Any part, unchecked, for programs that decide for themselves (`exec/`).
    public static let anything = MediaSupport(
        summary: "any media (the program decides)", roles: Set(ChatMessage.Role.allCases), checksParts: false)

    /// The web image types the OpenAI and Anthropic vision models take.
    public static let webImageTypes: Set<String> = ["image/png", "image/jpeg", "image/gif", "image/webp"]

    /// Whether a content type (lowercase, without parameters) is accepted.
    public func accepts(contentType: String) -> Bool {
        contentTypes.contains(contentType) || contentTypePrefixes.contains { contentType.hasPrefix($0) }
    }

    // MARK: - Checking

    /// Every media part of `messages`, read and checked, in message order; empty for text-only messages.
    ///
    /// - Throws: ``ProviderError/Kind/unsupportedInput(_:)`` (with no attempt made) for the first part the
    ///   provider cannot take: a content type it does not accept, media in a role it does not allow, an
    ///   invalid `data:` URI, or a URL that is neither `http(s)` nor `data:`.
    public func check(_ messages: [ChatMessage], provider: String) throws(ProviderError) {
        try check(messages, at: 0, provider: provider)
    }

    /// Refuses media for a model known to take text only (``textOnlyModels``).
    ///
    /// - Throws: ``ProviderError/Kind/unsupportedInput(_:)``, with no attempt made.
    public func check(model: String, _ messages: [ChatMessage], provider: String) throws(ProviderError) {
        guard checksParts, isTextOnly(model: model), messages.contains(where: \.hasMedia) else { return }
        throw ProviderError(
            .unsupportedInput("\(provider) model '\(model)' takes text only, not media; use a model of \(provider) that takes \(summary)"),
            provider: provider, attempts: 0)
    }

    /// Whether `model` is one of ``textOnlyModels``.
    public func isTextOnly(model: String) -> Bool {
        textOnlyModels.contains { entry in
            entry.hasSuffix("*") ? model.hasPrefix(entry.dropLast()) : model == entry
        }
    }

    /// ``check(_:provider:)`` for messages that start at index `firstIndex` of the conversation.
    func check(_ messages: [ChatMessage], at firstIndex: Int, provider: String) throws(ProviderError) {
        guard checksParts else { return }
        for (offset, message) in messages.enumerated() where message.hasMedia {
            let index = firstIndex + offset
            for part in message.parts {
                guard case .media(let url, let contentType) = part else { continue }
                _ = try resolve(url: url, contentType: contentType, role: message.role, place: "messages[\(index)]", provider: provider)
            }
        }
    }

    /// One media part read and checked (see ``check(_:provider:)``).
    func resolve(url: String, contentType: String?, role: ChatMessage.Role, place: String, provider: String)
        throws(ProviderError) -> MediaSource
    {
        func refuse(_ detail: String) -> ProviderError {
            ProviderError(.unsupportedInput("\(place): \(detail)"), provider: provider, attempts: 0)
        }
        guard roles.contains(role) else {
            if roles.isEmpty { throw refuse("\(provider) takes text only, not media (\(contentType ?? "a media part"))") }
            let allowed = roles.map(\.rawValue).sorted().joined(separator: " and ")
            throw refuse("\(provider) takes media only in \(allowed) messages, not in a \(role.rawValue) message")
        }
        let source: MediaSource
        do throws(MediaSource.Problem) {
            source = try MediaSource(url: url, contentType: contentType)
        } catch {
            throw refuse(error.detail)
        }
        if let type = source.contentType {
            guard accepts(contentType: type) else {
                throw refuse("\(provider) cannot take \(type); it accepts \(summary)")
            }
        } else if needsContentType {
            throw refuse(
                "\(provider) needs the content type of \(source.shortURL): add contentType=\"…\" to the media part; it accepts \(summary)")
        }
        return source
    }
}

// MARK: - Media sources

/// A media part's URL, read: inline data (a `data:…;base64,` URI) or an `http(s)` URL, with its
/// content type from the part, the `data:` URI or a common file extension.
struct MediaSource: Sendable, Hashable {
    enum Location: Sendable, Hashable {
        /// Base64 data, checked to decode.
        case inline(base64: String)
        /// An `http` or `https` URL.
        case remote
    }

    /// The URL as the part gave it.
    var url: String
    var location: Location
    /// Lowercase, without parameters; nil when nothing tells it.
    var contentType: String?
    /// Whether a `data:` URI names its own type (so it can be sent unchanged).
    var dataURIHasType = false

    struct Problem: Error {
        var detail: String
    }

    init(url: String, contentType: String?) throws(Problem) {
        self.url = url
        let declared = contentType.flatMap(Self.normalisedContentType)
        let scheme = url.prefix { $0 != ":" }.lowercased()
        if scheme == "data", url.contains(":") {
            let rest = url.dropFirst("data:".count)
            guard let comma = rest.firstIndex(of: ",") else {
                throw Problem(detail: "the data: URI has no comma before its data")
            }
            let parameters = rest[..<comma].split(separator: ";", omittingEmptySubsequences: false)
            guard parameters.dropFirst().contains(where: { $0.lowercased() == "base64" }) else {
                throw Problem(detail: "the data: URI is not base64-encoded; write data:TYPE;base64,…")
            }
            let payload = String(rest[rest.index(after: comma)...])
            guard !payload.isEmpty, Data(base64Encoded: payload) != nil else {
                throw Problem(detail: "the data: URI's data is not valid base64")
            }
            let ownType = parameters.first.flatMap { Self.normalisedContentType(String($0)) }
            guard let type = declared ?? ownType else {
                throw Problem(detail: "the data: URI names no content type; write data:image/png;base64,… or add contentType")
            }
            location = .inline(base64: payload)
            self.contentType = type
            dataURIHasType = ownType != nil
        } else if scheme == "http" || scheme == "https" {
            guard let parsed = URL(string: url), let host = parsed.host, !host.isEmpty else {
                throw Problem(detail: "\(Self.shorten(url)) is not a valid URL")
            }
            location = .remote
            self.contentType = declared ?? Self.contentType(forExtension: parsed.pathExtension)
        } else {
            let shown = scheme.isEmpty || scheme.count > 20 || scheme == url.lowercased() ? "a URL without a scheme" : "a '\(scheme):' URL"
            throw Problem(detail: "\(shown) cannot be sent; media must be an http(s) URL or a data: URI")
        }
    }

    /// The base64 data of an inline source; nil for a URL.
    var base64Data: String? {
        if case .inline(let data) = location { return data }
        return nil
    }

    /// The URL for messages: a `data:` URI is shown by its type only.
    var shortURL: String {
        base64Data == nil ? Self.shorten(url) : "a data: URI"
    }

    /// A `data:` URI with the resolved type: the original when it named its own type.
    var dataURI: String {
        guard let data = base64Data, !dataURIHasType, let contentType else { return url }
        return "data:\(contentType);base64,\(data)"
    }

    static func shorten(_ text: String) -> String {
        text.count > 80 ? "'\(text.prefix(77))…'" : "'\(text)'"
    }

    /// `image/PNG; charset=x` → `image/png`; nil for an empty or malformed type.
    static func normalisedContentType(_ text: String) -> String? {
        let base = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let type = base.trimmingCharacters(in: .whitespaces).lowercased()
        let halves = type.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2, !halves[0].isEmpty, !halves[1].isEmpty else { return nil }
        return type
    }

    /// The content types of common media file extensions (the ones the vendors take).
    static let typesByExtension: [String: String] = [
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
        "heic": "image/heic", "heif": "image/heif", "pdf": "application/pdf",
        "mp3": "audio/mpeg", "wav": "audio/wav", "ogg": "audio/ogg", "flac": "audio/flac", "aac": "audio/aac",
        "aiff": "audio/aiff", "mp4": "video/mp4", "mpeg": "video/mpeg", "mpg": "video/mpeg", "mov": "video/quicktime",
        "webm": "video/webm", "avi": "video/x-msvideo", "txt": "text/plain", "md": "text/markdown", "csv": "text/csv",
        "html": "text/html", "htm": "text/html", "xml": "text/xml",
    ]

    static func contentType(forExtension fileExtension: String) -> String? {
        typesByExtension[fileExtension.lowercased()]
    }
}
