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

    /// The longest wait a server hint is read as, whatever it says. Far above any ``maxServerDelay``, and
    /// small enough that converting it never overflows `Duration` or `Int64` nanoseconds.
    public static let longestServerDelay: Duration = .seconds(86_400)

    /// The wait a response asks for: `retry-after-ms` (milliseconds) first, then `retry-after` as
    /// seconds or as an HTTP date. `nil` when neither header is present or readable.
    ///
    /// The headers come from the server or any proxy on the way, so they are read as untrusted text: only
    /// digits with an optional fraction count (no sign, exponent, `nan` or `inf`), and any value above
    /// ``longestServerDelay`` reads as ``longestServerDelay``.
    public static func serverDelay(from headers: HTTPHeaders, now: Date = Date()) -> Duration? {
        if let text = headers.first(name: "retry-after-ms"), let milliseconds = decimalNumber(text) {
            return clampedDelay(seconds: milliseconds / 1000)
        }
        if let text = headers.first(name: "retry-after") {
            return parseRetryAfter(text, now: now)
        }
        return nil
    }

    /// Parses a `retry-after` value: delta seconds (`"2"`, `"1.5"`) or an IMF-fixdate
    /// (`"Wed, 21 Oct 2015 07:28:00 GMT"`). Dates in the past give zero; waits are clamped to
    /// ``longestServerDelay``.
    public static func parseRetryAfter(_ text: String, now: Date = Date()) -> Duration? {
        if let seconds = decimalNumber(text) {
            return clampedDelay(seconds: seconds)
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) {
                return clampedDelay(seconds: date.timeIntervalSince(now))
            }
        }
        return nil
    }

    /// `text` as a non-negative decimal number written with digits and at most one inner point
    /// (`"2"`, `"1.5"`), else `nil`. Values too large for a `Double` read as infinity, which
    /// ``clampedDelay(seconds:)`` caps.
    static func decimalNumber(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }) else { return nil }
        return Double(trimmed) ?? .infinity
    }

    /// A wait of `seconds`, at least zero and at most ``longestServerDelay`` (also for infinity).
    static func clampedDelay(seconds: Double) -> Duration {
        guard !seconds.isNaN else { return .zero }
        let bounded = min(max(seconds, 0), longestServerDelay.seconds)
        return .milliseconds(Int64((bounded * 1000).rounded()))
    }
}
