/// A misbehaviour the test server can show instead of (or before) a normal answer.
///
/// Faults that are a status (every HTTP error) come before a streamed answer, as they do at the vendors:
/// the stream never begins.
///
/// HTTP errors are written in the wire format of the vendor whose path was called: OpenAI's
/// `{"error":{"message","type","param","code"}}`, Anthropic's `{"type":"error","error":{"type","message"}}`
/// or Gemini's `{"error":{"code","message","status"}}`.
public enum Fault: Sendable, Hashable {
    /// 429 rate limit. `retryAfter` is sent verbatim as `retry-after` (seconds or an HTTP date) and
    /// `retryAfterMilliseconds` as `retry-after-ms`, when given.
    case rateLimited(retryAfter: String? = nil, retryAfterMilliseconds: Int? = nil)
    /// 429 with OpenAI's `insufficient_quota` code (out of credit; must not be retried).
    case insufficientQuota
    /// 400 invalid request.
    case badRequest
    /// 401 authentication error.
    case unauthorized
    /// 404 model not found.
    case notFound
    /// 500 internal error.
    case serverError
    /// 503 unavailable.
    case unavailable
    /// 529 `overloaded_error` (Anthropic's overload status).
    case overloaded
    /// Any status with a raw body (sent as is, `content-type: application/json`).
    case status(Int, body: String)
    /// Answer normally, but only after `delay`.
    case delay(Duration)
    /// Never answer; the connection stays open until the client gives up.
    case hang
    /// Status 200 with a body that is not JSON.
    case malformedJSON
    /// Status 200 with valid JSON of the wrong shape.
    case wrongShape
    /// Close the connection without writing any response.
    case dropConnection
    /// Cut the answer: a streamed answer is sent up to its first `afterDeltas` text deltas and the
    /// connection is then closed, without the finish reason, the usage or the terminator; any other answer
    /// is sent up to half of its body.
    case cutStream(afterDeltas: Int)
    /// Fail in the middle of the answer: a streamed answer is sent up to its first `afterDeltas` text
    /// deltas, then the vendor's in-stream error (Anthropic's `error` event with `overloaded_error`,
    /// OpenAI's `server_error` chunk, Gemini's 503 `UNAVAILABLE`) and the end of the stream. Any other
    /// answer is that error as its HTTP status (529, 500, 503).
    case streamError(afterDeltas: Int)
    /// Behave as a hostile server or proxy would (absurd numbers, echoed secrets, trickled bodies, ...).
    case hostile(HostileBehaviour)
}
