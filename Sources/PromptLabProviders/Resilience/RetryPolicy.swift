import Foundation
import NIOHTTP1

/// When and how long to wait before trying a failed request again.
///
/// Waits follow the server when it says how long (`retry-after-ms`, then `retry-after` in seconds or as an
/// HTTP date), capped at ``maxServerDelay``; otherwise exponential back-off with full jitter: a random
/// wait between 0 and `min(maxDelay, baseDelay × 2^(attempt−1))`.
/// See <https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/>.
public struct RetryPolicy: Sendable, Hashable {
    /// The most attempts for one request, the first included. At least 1.
    public var maxAttempts: Int
    /// The first back-off ceiling.
    public var baseDelay: Duration
    /// The largest back-off ceiling.
    public var maxDelay: Duration
    /// The longest wait honoured from a server's `retry-after`.
    public var maxServerDelay: Duration

    /// Creates a policy. The defaults suit public APIs; tests use tiny delays.
    public init(
        maxAttempts: Int = 4,
        baseDelay: Duration = .milliseconds(500),
        maxDelay: Duration = .seconds(30),
        maxServerDelay: Duration = .seconds(120)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxServerDelay = maxServerDelay
    }

    /// The default policy: 4 attempts, 0.5 s base, 30 s cap, server waits up to 120 s.
    public static let `default` = RetryPolicy()

    /// A policy that never retries.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Whether to try again after `error` ended attempt number `attempt` (1-based).
    public func shouldRetry(_ error: ProviderError, afterAttempt attempt: Int) -> Bool {
        attempt < maxAttempts && error.isRetryable
    }

    /// How long to wait after `error` ended attempt number `attempt` (1-based).
    public func delay(
        afterAttempt attempt: Int,
        error: ProviderError,
        using generator: inout some RandomNumberGenerator
    ) -> Duration {
        if let serverDelay = error.retryAfter {
            return min(max(serverDelay, .zero), maxServerDelay)
        }
        return backoffDelay(afterAttempt: attempt, using: &generator)
    }

    /// Full-jitter exponential back-off for attempt number `attempt` (1-based).
    public func backoffDelay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = backoffCeiling(afterAttempt: attempt)
        guard ceiling > 0 else { return .zero }
        return .seconds(Double.random(in: 0...ceiling, using: &generator))
    }

    /// The upper bound, in seconds, of the back-off after attempt number `attempt`.
    func backoffCeiling(afterAttempt attempt: Int) -> Double {
        let exponent = Double(min(max(attempt - 1, 0), 62))
        return min(maxDelay.seconds, baseDelay.seconds * pow(2, exponent))
    }

    // MARK: - Reading server hints

    /// The wait a response asks for: `retry-after-ms` (milliseconds) first, then `retry-after` as
    /// seconds or as an HTTP date. `nil` when neither header is present or readable.
    public static func serverDelay(from headers: HTTPHeaders, now: Date = Date()) -> Duration? {
        if let text = headers.first(name: "retry-after-ms"),
            let milliseconds = Double(text.trimmingCharacters(in: .whitespaces)),
            milliseconds.isFinite, milliseconds >= 0
        {
            return .milliseconds(Int64(milliseconds.rounded()))
        }
        if let text = headers.first(name: "retry-after") {
            return parseRetryAfter(text, now: now)
        }
        return nil
    }

    /// Parses a `retry-after` value: delta seconds (`"2"`, `"1.5"`) or an IMF-fixdate
    /// (`"Wed, 21 Oct 2015 07:28:00 GMT"`). Dates in the past give zero.
    public static func parseRetryAfter(_ text: String, now: Date = Date()) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 {
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) {
                let seconds = max(0, date.timeIntervalSince(now))
                return .milliseconds(Int64((seconds * 1000).rounded()))
            }
        }
        return nil
    }
}
