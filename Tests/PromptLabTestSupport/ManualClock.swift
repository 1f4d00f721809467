import Synchronization

/// A clock whose time moves only when something sleeps on it.
///
/// Code under test that waits (retry back-off, `retry-after`) returns at once, and the test reads
/// back exactly which delays were asked for, so no test depends on how fast or loaded the machine is.
public final class ManualClock: Clock, Sendable {
    public struct Instant: InstantProtocol {
        public var offset: Duration

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let state = Mutex<(now: Duration, sleeps: [Duration])>((.zero, []))
    private let blocksUntilCancelled: Bool

    /// - Parameter blocksUntilCancelled: Sleeps wait until their task is cancelled instead of returning
    ///   at once, for tests of what cancelling a waiting task does.
    public init(blocksUntilCancelled: Bool = false) {
        self.blocksUntilCancelled = blocksUntilCancelled
    }

    /// Waits (by yielding, not by time) until `count` sleeps have started.
    public func waitForSleeps(_ count: Int) async {
        while sleeps.count < count { await Task.yield() }
    }

    public var now: Instant { Instant(offset: state.withLock { $0.now }) }
    public var minimumResolution: Duration { .zero }

    /// Every delay slept for, in order.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
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
}
