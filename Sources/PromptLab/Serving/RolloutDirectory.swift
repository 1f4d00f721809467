import Foundation
import PromptLabCore
import PromptLabStore
import PromptRollouts
import Synchronization

/// The rollouts a serving process knows: the active one of each prompt, and every plan (feedback may
/// arrive after a rollout ended). Read on every request without touching the database; refreshed when
/// the store's state version changes, looked at no more often than ``refreshInterval``, so a ramp,
/// pause or stop made by another process takes effect within that interval on every server.
public final class RolloutDirectory: Sendable {
    /// How long a snapshot is trusted before the store's state version is read again.
    public let refreshInterval: Duration
    private let store: any RolloutStore
    private let snapshot = Mutex(Snapshot())
    private let refreshing = Mutex(false)

    struct Snapshot: Sendable {
        var version: Int64 = -1
        var checkedAt: ContinuousClock.Instant?
        var activeByPrompt: [String: RolloutState] = [:]
        var plansByName: [String: RolloutPlan] = [:]
    }

    public init(store: any RolloutStore, refreshInterval: Duration = .milliseconds(500)) {
        self.store = store
        self.refreshInterval = refreshInterval
    }

    /// The active rollout of `prompt`, after refreshing when the snapshot is older than the interval.
    public func active(prompt: String) async throws -> RolloutState? {
        try await refreshIfStale()
        return snapshot.withLock { $0.activeByPrompt[prompt] }
    }

    /// The plan of any rollout ever started under `name`.
    public func plan(named name: String) -> RolloutPlan? {
        snapshot.withLock { $0.plansByName[name] }
    }

    /// Every active rollout.
    public func activeRollouts() async throws -> [RolloutState] {
        try await refreshIfStale()
        return snapshot.withLock { Array($0.activeByPrompt.values) }.sorted { $0.name < $1.name }
    }

    /// Reads the store when its state version changed since the last look.
    public func refresh() async throws {
        let version = try await store.rolloutStateVersion()
        let now = ContinuousClock.now
        if snapshot.withLock({ $0.version }) == version {
            snapshot.withLock { $0.checkedAt = now }
            return
        }
        var next = Snapshot(version: version, checkedAt: now)
        for pair in try await store.currentRollouts() {
            guard let state = try? RolloutService.state(start: pair.start, latest: pair.latest) else { continue }
            next.plansByName[state.name] = state.plan
            if state.status.isActive { next.activeByPrompt[state.plan.definition.prompt] = state }
        }
        snapshot.withLock { $0 = next }
    }

    private func refreshIfStale() async throws {
        let checkedAt = snapshot.withLock { $0.checkedAt }
        if let checkedAt, checkedAt.duration(to: ContinuousClock.now) < refreshInterval { return }
        // One request refreshes; the others use the snapshot they have meanwhile.
        let mine = refreshing.withLock { busy -> Bool in
            if busy { return false }
            busy = true
            return true
        }
        guard mine || checkedAt == nil else { return }
        defer { if mine { refreshing.withLock { $0 = false } } }
        try await refresh()
    }

    /// The end of the refusal of a value whose rollout this snapshot does not know yet (started by
    /// another process since the last refresh): ``ServingService`` refreshes and tries once more.
    static let unknownRollout = "is unknown to this server"

    /// Checks a metric value against the plan of its rollout: the metric must be declared, and a
    /// binary metric takes 0 or 1, a numeric one a finite number within its bounds.
    public func validate(rollout: String, metric: String, value: Double, isBoolean: Bool = false) -> String? {
        guard let plan = plan(named: rollout) else { return "rollout '\(rollout)' " + Self.unknownRollout }
        guard let definition = plan.definition.metric(named: metric), definition.source == .feedback else {
            let names = plan.definition.metrics.filter { $0.source == .feedback }.map(\.name)
            return "rollout '\(rollout)' has no feedback metric '\(metric)'"
                + (names.isEmpty ? "" : "; its metrics: \(names.joined(separator: ", "))")
        }
        guard value.isFinite else { return "metric '\(metric)' takes a finite number" }
        switch definition.kind {
        case .binary:
            guard value == 0 || value == 1 else { return "metric '\(metric)' is binary: send 0, 1, true or false" }
        case .numeric:
            if isBoolean { return "metric '\(metric)' is numeric: send a number, not true or false" }
            if let minimum = definition.minimum, value < minimum { return "metric '\(metric)' is at least \(minimum)" }
            if let maximum = definition.maximum, value > maximum { return "metric '\(metric)' is at most \(maximum)" }
        }
        return nil
    }
}
