import Foundation
import GitKit
import PromptFormat
import PromptLab
import PromptLabCore
import PromptLabStore
import PromptLabTestSupport
import PromptVersioning

/// A prompt repository with three versions of `support/triage` (the echo model), `production` on v1,
/// and a rollout file; traffic is written straight into the store, as the serving API records it.
struct RolloutFixture {
    let path: String
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static let rolloutYAML = """
        prompt: support/triage
        unit: user
        arms:
          - name: control
            ref: production
            weight: 50
          - name: v2
            ref: v2
            weight: 50
        metrics:
          - name: thumbs_up
            type: binary
        primary: thumbs_up
        guardrails:
          - metric: latency_ms
            statistic: p95
            tolerance: 10%
          - metric: error_rate
            tolerance: 0
        expected_units: 5000

        """

    static func make(rollout: String = rolloutYAML) throws -> RolloutFixture {
        let path = TestFolders.root + "rollout-\(UUID().uuidString)/"
        _ = try PromptRepository.initialize(at: path, author: Signature(name: "Ada Tester", email: "ada@example.com", time: 0))
        let git = try Repository.open(at: path)
        try git.setConfigString("user.name", "Ada Tester")
        try git.setConfigString("user.email", "ada@example.com")
        let repository = try PromptRepository.open(at: path)
        try FileManager.default.createDirectory(atPath: path + "support", withIntermediateDirectories: true)
        for (index, body) in ["Answer: {{text}}", "Answer briefly: {{text}}", "Answer kindly: {{text}}"].enumerated() {
            try "---\nmodel: local/echo\n---\n\(body)\n".write(toFile: path + "support/triage.prompt", atomically: true, encoding: .utf8)
            _ = try repository.commit(names: [try PromptName("support/triage")], message: "version \(index + 1)", author: nil)
        }
        _ = try repository.setLabel("production", to: try PromptReference(parsing: "support/triage@v1"))
        try FileManager.default.createDirectory(atPath: path + "rollouts", withIntermediateDirectories: true)
        try rollout.write(toFile: path + "rollouts/triage-v2.yaml", atomically: true, encoding: .utf8)
        return RolloutFixture(path: path)
    }

    func workspace() throws -> Workspace { try Workspace(at: path, environment: [:]) }

    /// A service whose clock starts at ``start`` and moves a second per event.
    func service(_ workspace: Workspace) -> RolloutService {
        let ticks = Ticker()
        return RolloutService(workspace: workspace, now: { RolloutFixture.start.addingTimeInterval(ticks.next()) })
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// Closes the workspace, then removes the repository.
    func remove(_ workspace: Workspace) {
        workspace.close()
        remove()
    }

    /// A fixture with the rollout started: its workspace, a service and the rollout store.
    static func started(rollout: String = rolloutYAML) async throws -> (RolloutFixture, Workspace, RolloutService, any RolloutStore) {
        let fixture = try make(rollout: rollout)
        let workspace = try fixture.workspace()
        let service = fixture.service(workspace)
        _ = try await service.start("triage-v2")
        return (fixture, workspace, service, try workspace.rollouts())
    }

    /// Writes traffic as the serving API would, without checks (the values are the test's own).
    static func record(_ batch: TrafficBatch, in store: any RolloutStore) async throws {
        _ = try await store.recordTraffic(batch) { _, _, _, _ in nil }
    }

    /// Writes `count` units' exposures and one resolve assignment each to `arm`, with `thumbs` of them
    /// sending a thumbs-up (1) and the others a thumbs-down (0).
    static func traffic(
        rollout: String = "triage-v2", phase: Int, arm: String, units range: Range<Int>, thumbsUp: Int, latency: Double? = nil
    ) -> TrafficBatch {
        var batch = TrafficBatch()
        for (offset, index) in range.enumerated() {
            let unit = "\(arm)-user-\(index)"
            let id = "asg-\(arm)-\(phase)-\(index)"
            batch.exposures.append(ExposureRecord(rollout: rollout, phase: phase, unit: unit, arm: arm, bucket: 0.5, at: start))
            batch.assignments.append(
                AssignmentRecord(
                    id: id, rollout: rollout, phase: phase, unit: unit, arm: arm, version: nil, commit: "c",
                    kind: latency == nil ? .resolve : .gateway,
                    at: start, succeeded: latency == nil ? nil : true, latencyMs: latency.map { $0 + Double(index % 10) }))
            batch.metricValues.append(
                MetricValueRecord(
                    eventID: "e-\(id)", assignmentID: id, metric: "thumbs_up", value: offset < thumbsUp ? 1 : 0, source: .feedback,
                    at: start))
        }
        return batch
    }
}

/// Seconds 0, 1, 2, … for successive events.
final class Ticker: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0.0

    func next() -> Double {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
