import Foundation
import PromptLab
import PromptLabCore
import PromptLabStore
import PromptLabTestSupport
import PromptRollouts
import Testing

@Suite struct RolloutServiceTests {
    @Test func startCommitsTheFilePinsTheArmsAndRecordsTheStart() async throws {
        let fixture = try RolloutFixture.make()
        defer { fixture.remove() }
        let workspace = try fixture.workspace()
        defer { workspace.close() }
        let started = try await fixture.service(workspace).start("rollouts/triage-v2.yaml", actor: "ana", reason: "v2 won offline")
        #expect(started.status == "running" && started.phase == 1)
        #expect(started.arms.map(\.name) == ["control", "v2"])
        #expect(started.arms.map(\.version) == [1, 2])
        #expect(started.arms.map(\.weight) == [0.5, 0.5])
        // Stock git reads the committed rollout file.
        #expect(try GitCLI.run(["log", "-1", "--format=%s"], in: fixture.path) == "Start rollout triage-v2")
        #expect(try GitCLI.run(["show", "HEAD:rollouts/triage-v2.yaml"], in: fixture.path).contains("prompt: support/triage"))
        #expect(try GitCLI.run(["status", "--porcelain"], in: fixture.path).isEmpty)
        #expect(started.fileCommit == (try GitCLI.run(["rev-parse", "HEAD"], in: fixture.path)))

        // A second start of the same rollout, and another rollout of the same prompt, are refused.
        await #expect(throws: PromptLabError.self) { try await fixture.service(workspace).start("triage-v2") }
        try RolloutFixture.rolloutYAML.write(toFile: fixture.path + "rollouts/other.yaml", atomically: true, encoding: .utf8)
        do {
            _ = try await fixture.service(workspace).start("other")
            Issue.record("a second rollout of the same prompt started")
        } catch let error as PromptLabError {
            #expect(error.kind == .conflict)
            #expect(error.message.contains("already splits"))
        }
    }

    @Test func rampPauseResumeStopAndRestartMoveThePhase() async throws {
        let fixture = try RolloutFixture.make()
        defer { fixture.remove() }
        let workspace = try fixture.workspace()
        defer { workspace.close() }
        let service = fixture.service(workspace)
        _ = try await service.start("triage-v2", actor: "ana")
        let ramped = try await service.ramp("triage-v2", weights: [90, 10], actor: "ana", reason: "less risk")
        #expect(ramped.phase == 2)
        #expect(ramped.arms.map(\.weight) == [0.9, 0.1])
        #expect(ramped.message.contains("40% of units change arm"))
        let paused = try await service.pause("triage-v2")
        #expect(paused.status == "paused" && paused.phase == 2)
        #expect(try await service.state("triage-v2").decide(unit: "u-1").isRecorded == false)
        let resumed = try await service.resume("triage-v2")
        #expect(resumed.status == "running" && resumed.phase == 3)
        let stopped = try await service.stop("triage-v2", reason: "done")
        #expect(stopped.status == "stopped")
        await #expect(throws: PromptLabError.self) { try await service.ramp("triage-v2", weights: [50, 50]) }
        // Started again, it begins a phase of its own, so old traffic never mixes in.
        let again = try await service.start("triage-v2")
        #expect(again.phase == 4)
        let events = try await workspace.rollouts().rolloutEvents(rollout: "triage-v2")
        #expect(events.map(\.action) == ["start", "ramp", "pause", "resume", "stop", "start"])
        #expect(events[1].actor == "ana" && events[1].reason == "less risk")
        #expect(events.map(\.createdAt) == events.map(\.createdAt).sorted())
    }

    @Test func wrongWeightsAndUnknownRolloutsAreRefused() async throws {
        let fixture = try RolloutFixture.make()
        defer { fixture.remove() }
        let workspace = try fixture.workspace()
        defer { workspace.close() }
        let service = fixture.service(workspace)
        _ = try await service.start("triage-v2")
        for weights in [[1.0], [1, 1, 1], [0, 0], [-1, 2], [Double.nan, 1]] {
            await #expect(throws: PromptLabError.self) { try await service.ramp("triage-v2", weights: weights) }
        }
        for text in ["", "90", "a/b", "90/-10", "1e400/1", "nan/1"] {
            #expect(throws: PromptLabError.self) { try RolloutService.parseWeights(text) }
        }
        #expect(try RolloutService.parseWeights("90/10") == [90, 10])
        #expect(try RolloutService.parseWeights("50%, 25%, 25%") == [50, 25, 25])
        do {
            _ = try await service.status("nope")
            Issue.record("an unknown rollout was read out")
        } catch let error as PromptLabError {
            #expect(error.kind == .notFound)
        }
        for file in ["../escape.yaml", "/etc/passwd", "support/triage.prompt"] {
            await #expect(throws: PromptLabError.self) { try await service.start(file) }
        }
    }

    @Test func aChangeBasedOnAStaleStateIsAConflict() async throws {
        let fixture = try RolloutFixture.make()
        defer { fixture.remove() }
        let workspace = try fixture.workspace()
        defer { workspace.close() }
        _ = try await fixture.service(workspace).start("triage-v2")
        let store = try workspace.rollouts()
        let stale = try await fixture.service(workspace).state("triage-v2")
        _ = try await fixture.service(workspace).pause("triage-v2")
        let event = RolloutEventRecord(
            rollout: "triage-v2", action: "stop", status: "stopped", phase: 1, weightsJSON: "[0.5,0.5]", actor: "bob", reason: nil,
            createdAt: RolloutFixture.start)
        await #expect(throws: StoreError.self) { try await store.appendRolloutEvent(event, expectedLatest: stale.latestEventID) }
        #expect(try await store.rolloutEvents(rollout: "triage-v2").count == 2)
    }

    @Test func aClearWinnerIsPromotedByMovingTheLabelWithTheReadoutInTheReflog() async throws {
        let (fixture, workspace, service, store) = try await RolloutFixture.started()
        defer { fixture.remove(workspace) }
        try await RolloutFixture.record(RolloutFixture.traffic(phase: 1, arm: "control", units: 0..<3000, thumbsUp: 900), in: store)
        try await RolloutFixture.record(RolloutFixture.traffic(phase: 1, arm: "v2", units: 0..<3000, thumbsUp: 1200), in: store)
        let readout = try await service.status("triage-v2")
        #expect(readout.sampleRatio.mismatch == false)
        #expect(readout.verdict.kind == "winner")
        #expect(readout.verdict.arm == "v2")
        #expect(readout.verdict.text.hasPrefix("v2 beats control on thumbs_up: +10 points (always-valid 95% CI +"))
        #expect(readout.verdict.text.hasSuffix("promote with `promptlab rollout promote triage-v2`"))
        let primary = try #require(readout.metrics.first { $0.isPrimary })
        #expect(primary.arms.map(\.mean) == [0.3, 0.4])
        #expect(primary.comparisons[0].significant)

        let promoted = try await service.promote("triage-v2", actor: "ana")
        #expect(promoted.status == "promoted")
        #expect(promoted.label?.label.version == 2)
        let v2 = try GitCLI.run(["rev-parse", "refs/promptlab/labels/support/triage.prompt/production"], in: fixture.path)
        #expect(v2 == readout.arms[1].arm.commit)
        let reflog = try GitCLI.run(
            ["reflog", "show", "--format=%gs", "refs/promptlab/labels/support/triage.prompt/production"], in: fixture.path)
        #expect(reflog.split(separator: "\n").first?.contains("rollout triage-v2: v2 beats control on thumbs_up") == true)
        await #expect(throws: PromptLabError.self) { try await service.promote("triage-v2") }
    }

    @Test func noWinnerMeansNoPromotionWithoutAnArm() async throws {
        let (fixture, workspace, service, store) = try await RolloutFixture.started()
        defer { fixture.remove(workspace) }
        try await RolloutFixture.record(RolloutFixture.traffic(phase: 1, arm: "control", units: 0..<300, thumbsUp: 90), in: store)
        try await RolloutFixture.record(RolloutFixture.traffic(phase: 1, arm: "v2", units: 0..<300, thumbsUp: 95), in: store)
        let readout = try await service.status("triage-v2")
        #expect(readout.verdict.kind == "inconclusive")
        #expect(readout.verdict.text.contains("more units per arm"))
        do {
            _ = try await service.promote("triage-v2")
            Issue.record("promoted without a winner")
        } catch let error as PromptLabError {
            #expect(error.kind == .usage)
            #expect(error.hint?.contains("--arm") == true)
        }
        let forced = try await service.promote("triage-v2", arm: "v2", reason: "product decision")
        #expect(forced.label?.label.version == 2)
    }

    /// STATS.md: an injected 52/48 split on a 50/50 rollout with 20,000 units must be flagged,
    /// and then the readout claims nothing, whatever the metric says.
    @Test func aSampleRatioMismatchIsFlaggedAndSilencesTheVerdict() async throws {
        let (fixture, workspace, service, store) = try await RolloutFixture.started()
        defer { fixture.remove(workspace) }
        try await RolloutFixture.record(RolloutFixture.traffic(phase: 1, arm: "control", units: 0..<10_400, thumbsUp: 3120), in: store)
        try await RolloutFixture.record(RolloutFixture.traffic(phase: 1, arm: "v2", units: 0..<9_600, thumbsUp: 4800), in: store)
        let readout = try await service.status("triage-v2")
        #expect(readout.sampleRatio.units == [10_400, 9_600])
        #expect(abs((readout.sampleRatio.chiSquare ?? 0) - 32.0) < 1e-9)
        #expect((readout.sampleRatio.pValue ?? 1) < 1e-7)
        #expect(readout.sampleRatio.mismatch)
        #expect(readout.verdict.kind == "sample_ratio_mismatch")
        #expect(readout.verdict.arm == nil)
    }

    @Test func aBreachedGuardrailPausesTheTreatmentAndSaysSo() async throws {
        let (fixture, workspace, service, store) = try await RolloutFixture.started()
        defer { fixture.remove(workspace) }
        try await RolloutFixture.record(
            RolloutFixture.traffic(phase: 1, arm: "control", units: 0..<2000, thumbsUp: 600, latency: 100), in: store)
        try await RolloutFixture.record(
            RolloutFixture.traffic(phase: 1, arm: "v2", units: 0..<2000, thumbsUp: 600, latency: 150), in: store)
        let report = try await service.status("triage-v2", enforceGuardrails: false)
        let latency = try #require(report.guardrails.first { $0.metric == "latency_ms" })
        #expect(latency.state == "breached")
        #expect(report.guardrails.first { $0.metric == "error_rate" }?.state == "ok")
        #expect(try await service.state("triage-v2").pausedArms.isEmpty)

        let enforced = try await service.status("triage-v2", enforceGuardrails: true)
        #expect(enforced.verdict.kind == "guardrail_breached")
        #expect(enforced.verdict.text.contains("v2 is paused"))
        #expect(enforced.arms[1].arm.paused)
        let state = try await service.state("triage-v2")
        #expect(state.pausedArms == ["v2"])
        #expect(state.status == .running)
        let pause = try #require(enforced.events.last)
        #expect(pause.action == "auto_pause" && pause.actor == "auto")
        #expect(pause.reason?.contains("latency_ms") == true)
        // Units of the paused arm now get the control, unrecorded; the control's units are unaffected.
        for index in 0..<200 {
            let decision = state.decide(unit: "u-\(index)")
            #expect(decision.armIndex == 0)
            let original = try TrafficSplit(weights: [0.5, 0.5]).arm(forBucket: decision.bucket)
            #expect(decision.isRecorded == (original == 0))
        }
    }
}
