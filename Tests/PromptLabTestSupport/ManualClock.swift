import Synchronization

/// A clock whose time moves only when something sleeps on it, or when a test moves it.
///
/// Code under test that waits (retry back-off, `retry-after`) returns at once, and the test reads
/// back exactly which delays were asked for, so no test depends on how fast or loaded the machine is.
/// With `waitsForAdvance`, sleeps instead wait until the test calls ``advance(by:)`` past their
/// deadline, for tests of a time limit racing other work (a deadline fires exactly when the test says).
public final class ManualClock: Clock, Sendable {
    public struct Instant: InstantProtocol {
        public var offset: Duration

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        var id: Int
        var deadline: Duration
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Duration = .zero
        var sleeps: [Duration] = []
        var sleepers: [Sleeper] = []
        var nextID = 0
    }

    private let state = Mutex<State>(State())
    private let blocksUntilCancelled: Bool
    private let waitsForAdvance: Bool

    /// - Parameters:
    ///   - blocksUntilCancelled: Sleeps wait until their task is cancelled instead of returning
    ///     at once, for tests of what cancelling a waiting task does.
    ///   - waitsForAdvance: Sleeps wait until ``advance(by:)`` reaches their deadline (or their task is
    ///     cancelled) instead of moving the time themselves.
    public init(blocksUntilCancelled: Bool = false, waitsForAdvance: Bool = false) {
        self.blocksUntilCancelled = blocksUntilCancelled
        self.waitsForAdvance = waitsForAdvance
    }

    /// Waits (by yielding, not by time) until `count` sleeps have started.
    public func waitForSleeps(_ count: Int) async {
        while sleeps.count < count { await Task.yield() }
    }

    public var now: Instant { Instant(offset: state.withLock { $0.now }) }
    public var minimumResolution: Duration { .zero }

    /// Every delay slept for, in order.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    /// Moves the time forward by `duration` and wakes the sleeps whose deadline it reaches.
    public func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now += duration
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        if waitsForAdvance {
            try await sleepUntilAdvanced(to: deadline.offset)
            return
        }
        state.withLock { state in
            state.sleeps.append(deadline.offset - state.now)
            if deadline.offset > state.now { state.now = deadline.offset }
        }
        if blocksUntilCancelled {
            while !Task.isCancelled { await Task.yield() }
        } else {
            await Task.yield()
        }
        try Task.checkCancellation()
    }

    private func sleepUntilAdvanced(to deadline: Duration) async throws {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Under the lock, so that a cancellation either sees this sleeper or is seen here.
                let outcome = state.withLock { state -> Result<Bool, CancellationError> in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.sleeps.append(deadline - state.now)
                    if deadline <= state.now { return .success(true) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return .success(false)
                }
                switch outcome {
                case .failure(let error): continuation.resume(throwing: error)
                case .success(true): continuation.resume()
                case .success(false): break
                }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }
}
