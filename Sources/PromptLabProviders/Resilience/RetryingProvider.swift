import Logging

/// Wraps a provider with retries, back-off and an optional adaptive concurrency limit.
///
/// This is the only retry layer of PromptLab (the HTTP client is configured not to retry), so a request
/// is sent at most ``RetryPolicy/maxAttempts`` times. Each attempt holds a slot of the limiter only while
/// it runs, not while it waits to retry.
public struct RetryingProvider: ChatProvider {
    /// The provider that makes each attempt.
    public let base: any ChatProvider
    /// When and how long to wait.
    public let policy: RetryPolicy
    /// The concurrency limiter shared by all requests to the same provider, if any.
    public let limiter: AdaptiveConcurrencyLimiter?
    /// What back-off waits on; tests pass a manual clock so they never wait on wall time.
    public let clock: any Clock<Duration>
    private let logger: Logger

    /// Wraps `base`.
    ///
    /// - Parameters:
    ///   - base: The single-attempt provider.
    ///   - policy: Retry policy.
    ///   - limiter: Shared limiter for this provider; `nil` for no limit.
    ///   - clock: What back-off sleeps on (the continuous clock unless a test injects one).
    ///   - logger: Receives a line per retry.
    public init(
        _ base: any ChatProvider, policy: RetryPolicy = .default, limiter: AdaptiveConcurrencyLimiter? = nil,
        clock: any Clock<Duration> = ContinuousClock(), logger: Logger
    ) {
        self.base = base
        self.policy = policy
        self.limiter = limiter
        self.clock = clock
        self.logger = logger
    }

    public var name: String { base.name }

    /// Sends `request`, retrying retryable failures.
    ///
    /// - Returns: The first successful answer, with ``ChatResponse/attempts`` set to the attempts made.
    /// - Throws: The last attempt's ``ProviderError`` with ``ProviderError/attempts`` set, as soon as an
    ///   error is not retryable or the attempts are used up; `.cancelled` when the task is cancelled.
    public func send(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse {
        var generator = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            attempt += 1
            try await acquireSlot(attempt: attempt)
            let outcome: Result<ChatResponse, ProviderError>
            do {
                outcome = .success(try await base.send(request))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(var response):
                await limiter?.release(outcome: .success)
                response.attempts = attempt
                return response
            case .failure(let error):
                try await handle(error, afterAttempt: attempt, of: request, using: &generator)
            }
        }
    }

    /// Streams `request`, retrying retryable failures that happen before the first event.
    ///
    /// Once an event has reached the consumer, an attempt cannot be replaced by another without the
    /// consumer seeing text twice, so a later failure ends the stream with its error (not retried). A
    /// stream holds a slot of the limiter from its request to its last event.
    ///
    /// - Returns: The events of the attempt that got through; its summary's
    ///   ``ChatStreamSummary/attempts`` is the attempts made.
    public func stream(_ request: ChatRequest) -> ChatStream {
        ChatStream(provider: name) { continuation throws(ProviderError) in
            var generator = SystemRandomNumberGenerator()
            var attempt = 0
            while true {
                attempt += 1
                try await acquireSlot(attempt: attempt)
                var hasDelivered = false
                let failure: ProviderError?
                var events = base.stream(request).makeAsyncIterator()
                do throws(ProviderError) {
                    while let event = try await events.next() {
                        hasDelivered = true
                        switch event {
                        case .text:
                            continuation.yield(event)
                        case .finished(var summary):
                            summary.attempts = attempt
                            continuation.yield(.finished(summary))
                        }
                    }
                    failure = nil
                } catch {
                    failure = error
                }
                guard var error = failure else {
                    await limiter?.release(outcome: .success)
                    return
                }
                if hasDelivered {
                    await limiter?.release(outcome: error.isOverload ? .overloaded : .failure)
                    error.attempts = attempt
                    throw error
                }
                try await handle(error, afterAttempt: attempt, of: request, using: &generator)
            }
        }
    }

    // MARK: - Attempts

    /// Waits for a slot of the limiter, if there is one.
    private func acquireSlot(attempt: Int) async throws(ProviderError) {
        guard let limiter else { return }
        do {
            try await limiter.acquire()
        } catch {
            throw ProviderError(.cancelled, provider: name, attempts: attempt - 1)
        }
    }

    /// Releases the slot of a failed attempt, then throws the error when it is final, or waits out the
    /// back-off when another attempt follows.
    private func handle(
        _ failure: ProviderError, afterAttempt attempt: Int, of request: ChatRequest, using generator: inout some RandomNumberGenerator
    ) async throws(ProviderError) {
        var error = failure
        await limiter?.release(outcome: error.isOverload ? .overloaded : .failure)
        error.attempts = attempt
        if Task.isCancelled, error.isRetryable {
            // The caller gave up while this attempt failed: report that, not the failure it would retry.
            throw ProviderError(.cancelled, provider: name, attempts: attempt)
        }
        guard policy.shouldRetry(error, afterAttempt: attempt) else { throw error }
        let delay = policy.delay(afterAttempt: attempt, error: error, using: &generator)
        logger.info(
            "retrying provider request",
            metadata: [
                "provider": "\(name)", "model": "\(request.model)", "attempt": "\(attempt)",
                "delay_ms": "\(Int(delay.seconds * 1000))", "error": "\(error.description)",
            ]
        )
        do {
            try await clock.sleep(for: delay)
        } catch {
            throw ProviderError(.cancelled, provider: name, attempts: attempt)
        }
    }
}
