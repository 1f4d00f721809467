import Foundation

/// A request the test server received, as it arrived.
public struct RecordedRequest: Sendable {
    /// The 1-based number of the request since the server started (or since ``ProviderTestServer/reset()``).
    public var number: Int
    /// `POST`, `GET`, ...
    public var method: String
    /// The request target with its query, for example `/v1beta/models/x:generateContent`.
    public var uri: String
    /// The path without the query.
    public var path: String
    /// The headers in arrival order (names as sent).
    public var headers: [(name: String, value: String)]
    /// The raw body.
    public var body: Data

    /// The first value of a header, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.count == wanted.count && $0.name.lowercased() == wanted }?.value
    }

    /// The body parsed as JSON, when it is JSON.
    public var json: JSONValue? { JSONValue.parse(body) }

    /// The body as UTF-8 text.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
