import Foundation
import Logging
import PromptLabStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Holds a run's lease (see ``RunLease``) while a process executes the run, so that a second
/// `run --resume` of the same run is refused instead of sending every missing cell again.
///
/// The lease lasts ``leaseDuration`` and is renewed every third of it. A holder that dies without
/// releasing it is replaced at once when it ran on this host (its process id is gone) and after the
/// lease lapses otherwise.
public struct RunLeaseKeeper<WaitClock: Clock<Duration>>: Sendable {
    /// How long a lease lasts without renewal.
    public static var leaseDuration: Duration { .seconds(60) }

    let store: any ResultsStore
    let now: @Sendable () -> Date
    let clock: WaitClock
    let processID: Int32
    let host: String
    let logger: Logger

    /// - Parameters:
    ///   - now: The wall-clock time written into the lease (tests inject a fixed one).
    ///   - clock: What the renewal waits on.
    public init(
        store: any ResultsStore, now: @escaping @Sendable () -> Date = { Date() }, clock: WaitClock,
        processID: Int32 = getpid(), host: String = RunLeaseKeeper.localHostName(), logger: Logger
    ) {
        self.store = store
        self.now = now
        self.clock = clock
        self.processID = processID
        self.host = host
        self.logger = logger
    }

    /// Takes the lease of `runID`, runs `body` while renewing it, and releases it afterwards,
    /// also when `body` throws.
    ///
    /// - Throws: ``StoreError/Kind/leaseHeld`` naming the holder when another live process holds it.
    public func withLease<Result>(
        runID: String, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Result
    ) async throws -> Result {
        let start = now()
        let lease = RunLease(
            runID: runID, token: UUID().uuidString, processID: processID, host: host, acquiredAt: start,
            expiresAt: start.addingTimeInterval(Self.leaseDuration.seconds))
        let localHost = host
        try await store.acquireLease(lease, now: start) { held in
            held.host == localHost && !Self.processIsAlive(held.processID)
        }
        let renewal = Task { [self] in await keepRenewing(lease) }
        defer { renewal.cancel() }
        let result: Result
        do {
            result = try await body()
        } catch {
            renewal.cancel()
            try? await Task { try await store.releaseLease(lease) }.value
            throw error
        }
        renewal.cancel()
        // Released outside the caller's task, so that Ctrl-C cannot leave the lease behind.
        try await Task { try await store.releaseLease(lease) }.value
        return result
    }

    /// Renews the lease every third of its duration until cancelled or lost.
    private func keepRenewing(_ lease: RunLease) async {
        let interval = Self.leaseDuration / 3
        while !Task.isCancelled {
            do {
                try await clock.sleep(for: interval)
                try await store.renewLease(lease, expiresAt: now().addingTimeInterval(Self.leaseDuration.seconds))
            } catch is CancellationError {
                return
            } catch {
                // Only a process suspended for longer than the lease can lose it. Responses are still
                // recorded once per cell (idempotency keys), but the successor may send some cells again.
                logger.warning("stopped renewing the lease of run '\(lease.runID)': \(error)")
                return
            }
        }
    }

    /// This machine's name, from `gethostname` (Foundation's `hostName` may wait on DNS).
    public static func localHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "unknown" : name
    }

    /// Whether a process with this id exists on this host (`kill(pid, 0)`; EPERM means it exists).
    static func processIsAlive(_ processID: Int32) -> Bool {
        guard processID > 0 else { return false }
        return kill(processID, 0) == 0 || errno == EPERM
    }
}

extension RunLeaseKeeper where WaitClock == ContinuousClock {
    public init(store: any ResultsStore, logger: Logger) {
        self.init(store: store, clock: ContinuousClock(), logger: logger)
    }
}
