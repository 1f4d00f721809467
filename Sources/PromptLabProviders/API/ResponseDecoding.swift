import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// What the vendors' `interpretResponse(status:headers:body:provider:)` functions share: pure reading of
/// a response's bytes into an answer or a ``ProviderError``, with no I/O, no clock and no secrets.
///
/// Everything here must be total: any status, any headers and any bytes give a value or a thrown
/// ``ProviderError``, never a trap (a fuzzer calls these functions with random input). Vendor text in
/// the errors is not redacted here; the transport's ``Redactor`` does that where the key is known.
enum ResponseDecoding {
    /// The largest token count believed from a provider. No request comes near it (the largest
    /// context windows are a few million tokens); anything larger, negative or fractional is a broken
    /// or hostile server, and is recorded as *unknown* rather than clamped, so that it is never priced.
    static let maxTokenCount = Pricing.maxTokenCount

    /// Decodes a 2xx body, or throws `.malformedResponse` naming what was wrong.
    static func decode<T: Decodable>(
        _ type: T.Type, body: ByteBuffer, provider: String, requestID: String?
    ) throws(ProviderError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: body)
        } catch {
            throw ProviderError(
                .malformedResponse("\(HTTPTransport.describe(error)); body starts with \(preview(body))"),
                provider: provider, requestID: requestID)
        }
    }

    /// The error for a non-2xx response, from the vendor's error body and the `retry-after` headers.
    ///
    /// - Parameter bodyDelay: A wait the body asked for (Gemini's `RetryInfo`), used when no header did.
    static func httpError(
        status: Int, headers: HTTPHeaders, body: ByteBuffer, provider: String, requestID: String?,
        bodyDelay: Duration? = nil
    ) -> ProviderError {
        let details = try? JSONDecoder().decode(VendorErrorBody.self, from: body)
        var message = details?.error?.message
        if message == nil, details?.error == nil, body.readableBytes > 0 {
            message = preview(body)
        }
        return ProviderError(
            .http(
                status: status,
                type: details?.error?.type ?? details?.error?.status,
                code: details?.error?.code?.value,
                message: message.map { ProviderError.oneLine($0, limit: 300) }
            ),
            provider: provider,
            retryAfter: RetryPolicy.serverDelay(from: headers) ?? bodyDelay,
            requestID: requestID
        )
    }

    /// The error a vendor reports inside a stream, after its HTTP 200: Anthropic's `error` event, or an
    /// `{"error": …}` chunk from OpenAI, a compatible server or Gemini.
    ///
    /// Its ``ProviderError/Kind/http(status:type:code:message:)`` status is the one the vendor gives that
    /// error outside a stream (``streamedErrorStatus(type:code:)``), so that it is classified (retried, counted
    /// as overload) the same way.
    static func streamedError(_ details: VendorErrorBody.Details, provider: String, requestID: String?) -> ProviderError {
        let type = details.type ?? details.status
        return ProviderError(
            .http(
                status: streamedErrorStatus(type: type, code: details.code?.value),
                type: type,
                code: details.code?.value,
                message: details.message.map { ProviderError.oneLine($0, limit: 300) }
            ),
            provider: provider,
            requestID: requestID
        )
    }

    /// The HTTP status of an error reported inside a stream: its numeric `code` when that is an error
    /// status (Gemini, vLLM), else the status its type has in the vendors' documentation, else 500 (an
    /// error in the middle of an answer is the server's).
    /// See <https://docs.anthropic.com/en/api/errors> and <https://ai.google.dev/gemini-api/docs/troubleshooting>.
    static func streamedErrorStatus(type: String?, code: String?) -> Int {
        if let code, let status = Int(code), (400...599).contains(status) { return status }
        switch type ?? code {
        case "invalid_request_error", "INVALID_ARGUMENT", "FAILED_PRECONDITION": return 400
        case "authentication_error", "UNAUTHENTICATED": return 401
        case "permission_error", "PERMISSION_DENIED": return 403
        case "not_found_error", "NOT_FOUND": return 404
        case "request_too_large": return 413
        case "rate_limit_error", "rate_limit_exceeded", "insufficient_quota", "RESOURCE_EXHAUSTED": return 429
        case "UNAVAILABLE": return 503
        case "timeout_error", "DEADLINE_EXCEEDED": return 504
        case "overloaded_error": return 529
        default: return 500
        }
    }

    /// Decodes one event's data, or throws `.malformedResponse` naming what was wrong.
    static func decodeEvent<T: Decodable>(
        _ type: T.Type, _ event: ServerSentEvent, provider: String, requestID: String?
    ) throws(ProviderError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(event.data.utf8))
        } catch {
            let preview = ProviderError.oneLine(String(event.data.prefix(120)), limit: 130)
            throw ProviderError(
                .malformedResponse("\(HTTPTransport.describe(error)) in a streamed event; data starts with '\(preview)'"),
                provider: provider, requestID: requestID)
        }
    }

    /// The first bytes of a body, quoted, for error messages.
    static func preview(_ body: ByteBuffer) -> String {
        let length = min(body.readableBytes, 120)
        let bytes = body.getBytes(at: body.readerIndex, length: length) ?? []
        let text = String(decoding: bytes, as: UTF8.self)
        let suffix = body.readableBytes > 120 ? "…" : ""
        return "'\(ProviderError.oneLine(text, limit: 130))\(suffix)'"
    }

    /// `base` plus every present `extra`, or nil when `base` is missing or any present count is not
    /// believable (see ``TokenCount``) or the total exceeds ``maxTokenCount``.
    static func total(_ base: TokenCount?, adding extras: TokenCount?...) -> Int? {
        guard var sum = base?.value else { return nil }
        for extra in extras {
            guard let extra else { continue }
            guard let value = extra.value else { return nil }
            sum += value  // both ≤ maxTokenCount, and at most a handful of terms: no overflow
        }
        return sum <= maxTokenCount ? sum : nil
    }
}

// MARK: - Token counts

/// A token count as a provider sent it, believed only when it is a whole number from 0 to
/// ``ResponseDecoding/maxTokenCount``. Decoding never fails: a count that is negative, fractional,
/// huge, a string or any other JSON value has a nil ``value`` (unknown), so a broken `usage` block
/// never turns a good answer into a malformed response, and never reaches pricing or the run totals.
struct TokenCount: Decodable, Sendable, Hashable {
    /// The count, when believable.
    var value: Int?

    init(_ value: Int?) {
        self.value = value
    }

    init(from decoder: any Decoder) {
        guard let container = try? decoder.singleValueContainer() else {
            value = nil
            return
        }
        if let integer = try? container.decode(Int.self) {
            value = (0...ResponseDecoding.maxTokenCount).contains(integer) ? integer : nil
        } else if let number = try? container.decode(Double.self), number.isFinite, number == number.rounded(),
            number >= 0, number <= Double(ResponseDecoding.maxTokenCount)
        {
            value = Int(exactly: number)
        } else {
            value = nil
        }
    }
}

// MARK: - Optional parts

/// A part of a response that is decoded when it has the expected shape and ignored (nil) otherwise,
/// for parts an answer does not depend on (`usage`, `id`): a server that garbles them still delivers
/// its answer, with the usage unknown.
struct Lenient<Value: Decodable>: Decodable {
    var value: Value?

    init(from decoder: any Decoder) {
        value = try? Value(from: decoder)
    }
}
