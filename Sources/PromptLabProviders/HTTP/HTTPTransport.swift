import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// The shared HTTP plumbing of the vendor providers: one POST of a JSON body with a time limit, and the
/// translation of every failure into a ``ProviderError``.
struct HTTPTransport: Sendable {
    /// A complete HTTP response.
    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
        var latencySeconds: Double
    }

    let client: HTTPClient
    let providerName: String
    let timeout: Duration
    let redactor: Redactor
    let logger: Logger
    /// What the time limit of an exchange is measured on; tests inject a clock they move themselves.
    var clock: any Clock<Duration> = ContinuousClock()

    /// What a provider sends: the URL, the headers (with the key) and the JSON body.
    struct Exchange: Sendable {
        var url: String
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    /// `value` encoded as a request body (``JSONEncoder/requestBodyEncoder()``).
    ///
    /// - Throws: ``ProviderError/Kind/invalidConfiguration(_:)`` when it cannot be encoded.
    static func encode(_ value: some Encodable, provider: String) throws(ProviderError) -> ByteBuffer {
        do {
            return try JSONEncoder.encodeToBuffer(value)
        } catch {
            throw ProviderError(.invalidConfiguration("cannot encode the request: \(error)"), provider: provider)
        }
    }

    /// Responses larger than this are refused (a runaway or hostile server).
    static let maxResponseBytes = 32 * 1024 * 1024

    /// POSTs `body` as JSON and collects the whole response, whatever its status.
    ///
    /// The time limit covers the whole exchange: connecting, sending, the response head *and* the body.
    /// AsyncHTTPClient's own deadline stops counting once the head has arrived, so a server that
    /// trickles its body would otherwise keep the request (and its cell) alive for as long as it likes;
    /// ``Clock/withTimeLimit(_:_:)`` cancels the request when the limit passes, wherever it is.
    ///
    /// - Throws: ``ProviderError`` `.timeout`, `.transport`, `.malformedResponse` (oversized body) or
    ///   `.cancelled`. A non-2xx status is *not* thrown here; the caller reads the vendor's error body.
    func post(url: String, headers: HTTPHeaders, body: ByteBuffer, model: String) async throws(ProviderError) -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers = headers
        request.headers.replaceOrAdd(name: "content-type", value: "application/json")
        request.headers.replaceOrAdd(name: "accept", value: "application/json")
        request.headers.replaceOrAdd(name: "user-agent", value: "promptlab")
        request.body = .bytes(body)

        let stopwatch = ContinuousClock()
        let start = stopwatch.now
        let deadline = NIODeadline.now() + TimeAmount.nanoseconds(timeout.nanoseconds)
        let (client, logger, prepared) = (self.client, self.logger, request)
        do {
            // A late finish counts only with the whole body (as long as its content-length says).
            let complete: @Sendable ((HTTPClientResponse, ByteBuffer)) -> Bool = { exchange in
                exchange.0.headers.first(name: "content-length").flatMap { Int($0) } == exchange.1.readableBytes
            }
            let (response, bytes) = try await clock.withTimeLimit(timeout, keepingFinished: complete) {
                let response = try await client.execute(prepared, deadline: deadline, logger: logger)
                return (response, try await response.body.collect(upTo: HTTPTransport.maxResponseBytes))
            }
            let latency = (stopwatch.now - start).seconds
            logger.debug(
                "provider response",
                metadata: [
                    "provider": "\(providerName)",
                    "model": "\(model)",
                    "status": "\(response.status.code)",
                    "latency_ms": "\(Int(latency * 1000))",
                ]
            )
            return Response(status: Int(response.status.code), headers: response.headers, body: bytes, latencySeconds: latency)
        } catch {
            let mapped = mapError(error)
            logger.debug(
                "provider request failed",
                metadata: ["provider": "\(providerName)", "model": "\(model)", "error": "\(mapped.description)"]
            )
            throw mapped
        }
    }

    /// Thrown by ``Clock/withTimeLimit(_:_:)`` when the limit passes first.
    struct TimeLimitExceeded: Error {}

    /// Translates an AsyncHTTPClient / NIO error into a ``ProviderError``.
    func mapError(_ error: any Error) -> ProviderError {
        if let error = error as? ProviderError { return error }
        if error is TimeLimitExceeded {
            return ProviderError(.timeout(seconds: timeout.seconds), provider: providerName)
        }
        if error is CancellationError || Task.isCancelled {
            return ProviderError(.cancelled, provider: providerName)
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return ProviderError(.timeout(seconds: timeout.seconds), provider: providerName)
            case .connectTimeout, .getConnectionFromPoolTimeout:
                return ProviderError(.transport("could not connect in time (\(error))"), provider: providerName)
            case .remoteConnectionClosed:
                return ProviderError(
                    .transport("the server closed the connection before a complete response"), provider: providerName)
            case .cancelled:
                return ProviderError(.cancelled, provider: providerName)
            case .alreadyShutdown:
                return ProviderError(
                    .invalidConfiguration("the HTTP client was already shut down"), provider: providerName)
            case .invalidURL, .emptyHost, .emptyScheme:
                return ProviderError(.invalidConfiguration("invalid URL (\(error))"), provider: providerName)
            default:
                return ProviderError(.transport(redactor("\(error)")), provider: providerName)
            }
        }
        if error is NIOTooManyBytesError {
            return ProviderError(
                .malformedResponse("response body larger than \(HTTPTransport.maxResponseBytes) bytes"), provider: providerName)
        }
        return ProviderError(.transport(redactor(String(describing: error))), provider: providerName)
    }

    // MARK: - Decoding helpers

    // Reading a response is the providers' pure `interpretResponse` (see `ResponseDecoding`).

    /// A short, one-line account of a `DecodingError`.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "invalid JSON" }
        func path(_ context: DecodingError.Context) -> String {
            let components = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }
            let joined = components.joined()
            return joined.isEmpty ? "the top level" : String(joined.drop(while: { $0 == "." }))
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing field '\(key.stringValue)' in \(parent)"
        case .valueNotFound(_, let context):
            return "null at \(path(context))"
        case .typeMismatch(_, let context):
            return "unexpected type at \(path(context))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "invalid JSON" : "invalid value at \(path(context))"
        @unknown default:
            return "invalid JSON"
        }
    }
}

// MARK: - Vendor error bodies

/// The error envelope shared, with small variations, by OpenAI (`{"error":{"message","type","param","code"}}`),
/// Anthropic (`{"type":"error","error":{"type","message"}}`) and Gemini (`{"error":{"code","message","status"}}`).
/// Ollama and some compatible servers send a plain string instead: `{"error": "model 'x' not found"}`.
struct VendorErrorBody: Decodable {
    struct Details: Decodable {
        var message: String?
        var type: String?
        var code: LenientString?
        var status: String?
    }
    var error: Details?

    enum CodingKeys: String, CodingKey { case error }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let message = try? container.decode(String.self, forKey: .error) {
            error = Details(message: message)
        } else {
            error = try container.decodeIfPresent(Details.self, forKey: .error)
        }
    }
}

/// A JSON value read as a string whether it was sent as a string or a number (OpenAI's `code` is either).
struct LenientString: Decodable, Sendable, Hashable {
    var value: String?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = nil
        } else if let string = try? container.decode(String.self) {
            value = string
        } else if let int = try? container.decode(Int.self) {
            value = String(int)
        } else if let double = try? container.decode(Double.self) {
            value = String(double)
        } else if let bool = try? container.decode(Bool.self) {
            value = String(bool)
        } else {
            value = nil
        }
    }
}

extension Clock where Duration == Swift.Duration {
    /// Runs `operation`, cancelling it when `limit` has passed on this clock.
    ///
    /// The deadline is fixed before anything starts, so a test that moves a manual clock past it
    /// stops the operation wherever it is.
    /// - Throws: ``HTTPTransport/TimeLimitExceeded`` when the limit passed first; otherwise what
    ///   `operation` throws.
    ///
    /// When the limit passes first, the operation is cancelled and awaited: if it had in fact finished
    /// (its task was only waiting for a thread, as on a busy machine) and `isComplete` accepts its
    /// result, that result is kept rather than thrown away as a timeout.
    func withTimeLimit<T: Sendable>(
        _ limit: Duration, keepingFinished isComplete: @escaping @Sendable (T) -> Bool = { _ in false },
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let deadline = now.advanced(by: limit)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await self.sleep(until: deadline, tolerance: nil)
                return nil
            }
            defer { group.cancelAll() }
            if let value = try await group.next() ?? nil { return value }
            group.cancelAll()
            while let result = await group.nextResult() {
                if case .success(let value?) = result, isComplete(value) { return value }
            }
            throw HTTPTransport.TimeLimitExceeded()
        }
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let parts = components
        let (product, overflow) = parts.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return parts.seconds < 0 ? .min : .max }
        return product &+ parts.attoseconds / 1_000_000_000
    }
}

extension JSONEncoder {
    /// The encoder of every request body: keys sorted, so the bytes of a request depend on its
    /// content alone. Foundation's default key order can differ between encodes of the same value,
    /// and a retry or a resumed run must send exactly the bytes the first attempt sent (servers and
    /// proxies that cache or sign bodies see one request, and captures can be compared).
    static func requestBodyEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Encodes `value` straight into a `ByteBuffer`, with ``requestBodyEncoder()``.
    static func encodeToBuffer<T: Encodable>(_ value: T) throws -> ByteBuffer {
        ByteBuffer(data: try requestBodyEncoder().encode(value))
    }
}
