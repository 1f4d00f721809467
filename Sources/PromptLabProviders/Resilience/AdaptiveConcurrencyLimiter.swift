/// Limits how many requests one provider has in flight, and adapts the limit to the provider's pushback
/// (additive increase, multiplicative decrease).
///
/// - The limit starts at the maximum and stays between 1 and the maximum.
/// - An ``Outcome/overloaded`` release (HTTP 429 or 529) halves it, at most once per in-flight window:
///   the releases of requests that were already in flight when it was halved cannot halve it again.
/// - After ``successesPerIncrease`` successes in a row it grows by 1.
/// - Waiters are admitted first come, first served. A waiting task that is cancelled leaves the queue and
///   throws `CancellationError`; it never holds a slot.
public actor AdaptiveConcurrencyLimiter {
    /// How a request that held a slot ended.
    public enum Outcome: Sendable, Hashable {
        /// It succeeded: counts towards growing the limit.
        case success
        /// The provider pushed back (429, 529): halves the limit.
        case overloaded
        /// Any other failure: neither grows nor shrinks the limit.
        case failure
    }

    /// The highest the limit can be.
    public let maxLimit: Int
    /// Successes in a row needed to raise the limit by one.
    public let successesPerIncrease: Int
    /// The current limit.
    public private(set) var limit: Int
    /// Requests holding a slot now.
    public private(set) var inFlight = 0
    /// How often the limit was halved, for reports.
    public private(set) var decreases = 0

    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiterID: UInt64 = 0
    private var consecutiveSuccesses = 0
    /// Releases still to come from requests admitted before the last decrease.
    private var releasesFromOldWindow = 0

    /// Creates a limiter.
    ///
    /// - Parameters:
    ///   - maxConcurrency: The highest limit (at least 1).
    ///   - initialLimit: The starting limit; the maximum when `nil`.
    ///   - successesPerIncrease: Successes in a row that raise the limit by one (at least 1).
    public init(maxConcurrency: Int, initialLimit: Int? = nil, successesPerIncrease: Int = 10) {
        let maximum = max(1, maxConcurrency)
        self.maxLimit = maximum
        self.limit = min(maximum, max(1, initialLimit ?? maximum))
        self.successesPerIncrease = max(1, successesPerIncrease)
    }

    /// Requests waiting for a slot.
    public var waiting: Int { waiters.count }

    /// Waits for a slot. Every successful `acquire()` must be matched by one ``release(outcome:)``.
    ///
    /// - Throws: `CancellationError` when the task is cancelled while waiting (it then holds no slot).
    public func acquire() async throws(CancellationError) {
        if Task.isCancelled { throw CancellationError() }
        if inFlight < limit && waiters.isEmpty {
            inFlight += 1
            return
        }
        let id = nextWaiterID
        nextWaiterID &+= 1
        do {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    if Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                    } else {
                        waiters.append((id, continuation))
                    }
                }
            } onCancel: {
                Task { await self.cancelWaiter(id) }
            }
        } catch {
            throw CancellationError()
        }
    }

    /// Gives a slot back and adapts the limit to how the request ended.
    public func release(outcome: Outcome) {
        assert(inFlight > 0, "release(outcome:) without a matching acquire()")
        guard inFlight > 0 else { return }
        inFlight -= 1
        let fromOldWindow = releasesFromOldWindow > 0
        if fromOldWindow { releasesFromOldWindow -= 1 }
        switch outcome {
        case .success:
            consecutiveSuccesses += 1
            if consecutiveSuccesses >= successesPerIncrease {
                consecutiveSuccesses = 0
                if limit < maxLimit { limit += 1 }
            }
        case .overloaded:
            consecutiveSuccesses = 0
            if !fromOldWindow {
                let halved = max(1, limit / 2)
                if halved < limit { decreases += 1 }
                limit = halved
                releasesFromOldWindow = inFlight
            }
        case .failure:
            break
        }
        admitWaiters()
    }

    /// Runs `body` while holding a slot; the outcome is read from the result.
    public func withPermit<T: Sendable, Failure: Error>(
        classify: @Sendable (Result<T, Failure>) -> Outcome,
        _ body: @Sendable () async throws(Failure) -> T
    ) async throws -> T {
        try await acquire()
        let result: Result<T, Failure>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        release(outcome: classify(result))
        return try result.get()
    }

    private func admitWaiters() {
        while inFlight < limit, !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            inFlight += 1
            waiter.continuation.resume()
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.continuation.resume(throwing: CancellationError())
    }
}
