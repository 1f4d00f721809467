import Foundation
import PromptLabCore
import PromptLabStore

/// Writes live traffic with group commit: whatever arrives while one transaction is being written goes
/// into the next, so thousands of requests a second cost a few transactions a second, and no timer is
/// involved.
///
/// - Exposures and assignments are queued without waiting (`resolve` and the gateway answer at once);
///   they are written within one transaction's time.
/// - Metric values (feedback) wait for the transaction that holds them: a 2xx acknowledgement means the
///   event is in the database (WAL with `synchronous = NORMAL`, so it survives the process being killed).
/// - Values are written after the assignments queued before them, in the same or an earlier
///   transaction, so feedback may refer to an assignment served a moment ago.
/// - When more than ``maximumBacklog`` items wait, new traffic waits too, so memory stays bounded
///   if the disk cannot keep up.
public actor TrafficRecorder {
    public static let maximumBacklog = 200_000

    private let store: any RolloutStore
    private let validate: @Sendable (String, String, Double, Bool) -> String?
    private var pending = TrafficBatch()
    private var waiters: [(count: Int, continuation: CheckedContinuation<[MetricValueOutcome], any Error>?)] = []
    private var backlogWaiters: [CheckedContinuation<Void, Never>] = []
    private var isWriting = false
    private var writtenBatches = 0

    /// - Parameter validate: Checks a metric value against its rollout (rollout, metric, value, sent as a
    ///   boolean); returns the reason to refuse it.
    public init(store: any RolloutStore, validate: @escaping @Sendable (String, String, Double, Bool) -> String?) {
        self.store = store
        self.validate = validate
    }

    private var backlog: Int { pending.exposures.count + pending.assignments.count + pending.metricValues.count }

    /// Queues an assignment (and the unit's exposure, when this is its first in the phase as far as the
    /// caller knows; the store keeps only the first anyway).
    public func record(assignment: AssignmentRecord, exposure: ExposureRecord?) async {
        await waitForRoom()
        pending.assignments.append(assignment)
        if let exposure { pending.exposures.append(exposure) }
        startWriting()
    }

    /// Queues metric values without waiting (online grades).
    public func record(values: [MetricValueRecord]) async {
        guard !values.isEmpty else { return }
        await waitForRoom()
        pending.metricValues.append(contentsOf: values)
        waiters.append((values.count, nil))
        startWriting()
    }

    /// Records metric values and returns once they are committed, one outcome per value.
    public func submit(_ values: [MetricValueRecord]) async throws -> [MetricValueOutcome] {
        guard !values.isEmpty else { return [] }
        await waitForRoom()
        return try await withCheckedThrowingContinuation { continuation in
            pending.metricValues.append(contentsOf: values)
            waiters.append((values.count, continuation))
            startWriting()
        }
    }

    /// Returns once everything queued so far is written (tests and shutdown).
    public func flush() async throws {
        _ = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[MetricValueOutcome], any Error>) in
            waiters.append((0, continuation))
            startWriting()
        }
    }

    /// How many transactions were written (for the benchmark's report).
    public var transactions: Int { writtenBatches }

    private func waitForRoom() async {
        while backlog >= Self.maximumBacklog {
            await withCheckedContinuation { backlogWaiters.append($0) }
        }
    }

    private func startWriting() {
        guard !isWriting else { return }
        isWriting = true
        Task { await self.writeLoop() }
    }

    private func writeLoop() async {
        while !pending.isEmpty || !waiters.isEmpty {
            let batch = pending
            let batchWaiters = waiters
            pending = TrafficBatch()
            waiters = []
            for waiter in backlogWaiters { waiter.resume() }
            backlogWaiters = []
            do {
                let outcomes = try await store.recordTraffic(batch, validate: validate)
                writtenBatches += 1
                var offset = 0
                for waiter in batchWaiters {
                    let slice = Array(outcomes[min(offset, outcomes.count)..<min(offset + waiter.count, outcomes.count)])
                    offset += waiter.count
                    waiter.continuation?.resume(returning: slice)
                }
            } catch {
                for waiter in batchWaiters { waiter.continuation?.resume(throwing: error) }
            }
        }
        isWriting = false
    }
}
