import Foundation
import PromptFormat
import PromptLab
import PromptLabCore
import PromptLabStore
import PromptLabTestSupport
import PromptRollouts
import Testing

@Suite struct ServingServiceTests {
    /// A serving process of its own: its own workspaces, store connection and caches.
    static func server(_ fixture: RolloutFixture) throws -> ServingService {
        let path = fixture.path
        let pool = WorkspacePool { () throws(PromptLabError) -> Workspace in try Workspace(at: path, environment: [:]) }
        let store = try SQLiteResultsStore(path: path + ".promptlab/results.sqlite")
        return ServingService(
            pool: pool, store: store,
            configuration: ServingConfiguration(referenceLifetime: .zero, rolloutRefreshInterval: .zero, now: { RolloutFixture.start }))
    }

    @Test func everyServerProcessAssignsEveryUnitTheSameArmAndRecordsOneExposure() async throws {
        let (fixture, workspace, _, _) = try await RolloutFixture.started()
        defer { fixture.remove(workspace) }
        let first = try Self.server(fixture)
        let second = try Self.server(fixture)
        let split = try TrafficSplit(weights: [0.5, 0.5])
        var arms = [String: Int]()
        for index in 0..<300 {
            let request = ResolveRequest(unit: "user-\(index)", variables: ["text": .string("hello")])
            let a = try await first.resolve("support/triage", request: request)
            let b = try await second.resolve("support/triage", request: request)
            let again = try await first.resolve("support/triage", request: request)
            #expect(a.arm == b.arm && a.arm == again.arm)
            #expect(a.bucket == b.bucket && a.version == b.version)
            #expect(a.assignmentId != b.assignmentId)
            // The arm is GrowthBook's: the v2 hash of seed + unit, in the file's ranges, control first.
            let expected = RolloutAssigner.assign(unit: "user-\(index)", seed: "triage-v2", split: split)
            #expect(a.arm == ["control", "v2"][expected.arm ?? 0])
            #expect(abs((a.bucket ?? -1) - expected.bucket) < 0.00005)
            #expect(a.version.number == (a.arm == "control" ? 1 : 2))
            #expect(a.messages.first?.content == (a.arm == "control" ? "Answer: hello" : "Answer briefly: hello"))
            arms[a.arm ?? "", default: 0] += 1
        }
        try await first.recorder.flush()
        try await second.recorder.flush()
        let exposed = try await workspace.rollouts().exposedUnits(rollout: "triage-v2", phase: 1, before: nil)
        #expect(exposed.values.reduce(0, +) == 300)
        #expect(exposed == arms)
        let requests = try await workspace.rollouts().assignmentCounts(rollout: "triage-v2", phase: 1)
        #expect(requests.values.map(\.assignments).reduce(0, +) == 900)
    }

    @Test func withoutARolloutTheDefaultLabelIsServedAndNothingIsRecorded() async throws {
        let fixture = try RolloutFixture.make()
        defer { fixture.remove() }
        let server = try Self.server(fixture)
        let output = try await server.resolve("support/triage", request: ResolveRequest(variables: ["text": .string("x")]))
        #expect(output.assignmentId == nil && output.rollout == nil && output.bucket == nil)
        #expect(output.version.number == 1)
        let labelled = try await server.resolve(
            "support/triage", request: ResolveRequest(variables: ["text": .string("x")], label: "production"))
        #expect(labelled.version.number == 1)
        let prompt = try await server.prompt("support/triage", label: nil, version: "3")
        #expect(prompt.version.number == 3)
        #expect(prompt.template == "Answer kindly: {{text}}\n")
        #expect(prompt.model == "local/echo")
        #expect(try await server.prompt("support/triage", label: "production", version: nil).labels == ["production"])
        for (label, version) in [("staging", nil), (nil, "9")] as [(String?, String?)] {
            do {
                _ = try await server.prompt("support/triage", label: label, version: version)
                Issue.record("served a missing version")
            } catch let error as PromptLabError {
                #expect(error.kind == .notFound)
            }
        }
        await #expect(throws: PromptLabError.self) { try await server.prompt("../etc/passwd", label: nil, version: nil) }
    }

    @Test func anActiveRolloutNeedsAUnitAndRenderingErrorsAreTheCallers() async throws {
        let (fixture, workspace, _, _) = try await RolloutFixture.started()
        defer { fixture.remove(workspace) }
        let server = try Self.server(fixture)
        do {
            _ = try await server.resolve("support/triage", request: ResolveRequest(variables: ["text": .string("x")]))
            Issue.record("resolved without a unit")
        } catch let error as PromptLabError {
            #expect(error.kind == .usage)
            #expect(error.message.contains("'user'"))
        }
        // The unit may come from the attribute the rollout names.
        let viaAttribute = try await server.resolve(
            "support/triage", request: ResolveRequest(variables: ["text": .string("x")], attributes: ["user": .string("user-7")]))
        let direct = try await server.resolve("support/triage", request: ResolveRequest(unit: "user-7", variables: ["text": .string("x")]))
        #expect(viaAttribute.arm == direct.arm)
        await #expect(throws: PromptLabError.self) {
            try await server.resolve("support/triage", request: ResolveRequest(unit: String(repeating: "u", count: 300)))
        }
        do {
            _ = try await server.resolve("support/triage", request: ResolveRequest(unit: "user-7"))
            Issue.record("rendered without its variable")
        } catch let error as PromptLabError {
            #expect(error.kind == .renderFailed)
        }
    }

    @Test func feedbackIsIdempotentAndCheckedAgainstTheRollout() async throws {
        let rollout = RolloutFixture.rolloutYAML.replacingOccurrences(
            of: "    type: binary\n", with: "    type: binary\n  - name: rating\n    type: numeric\n    min: 1\n    max: 5\n")
        let (fixture, workspace, _, _) = try await RolloutFixture.started(rollout: rollout)
        defer { fixture.remove(workspace) }
        let server = try Self.server(fixture)
        let served = try await server.resolve("support/triage", request: ResolveRequest(unit: "user-1", variables: ["text": .string("x")]))
        let assignment = try #require(served.assignmentId)
        #expect(assignment.hasPrefix("asg_") && assignment.count == 36)
        let events = [
            FeedbackEvent(assignmentId: assignment, metric: "thumbs_up", value: .bool(true), eventId: "e1"),
            FeedbackEvent(assignmentId: assignment, metric: "rating", value: .int(4), eventId: "e2"),
            FeedbackEvent(assignmentId: assignment, metric: "thumbs_up", value: .bool(true), eventId: "e1"),
            FeedbackEvent(assignmentId: assignment, metric: "thumbs_up", value: .bool(false), eventId: "e1"),
            FeedbackEvent(assignmentId: "asg_missing", metric: "thumbs_up", value: .int(1), eventId: "e3"),
            FeedbackEvent(assignmentId: assignment, metric: "stars", value: .int(1), eventId: "e4"),
            FeedbackEvent(assignmentId: assignment, metric: "thumbs_up", value: .int(5), eventId: "e5"),
            FeedbackEvent(assignmentId: assignment, metric: "rating", value: .double(9), eventId: "e6"),
            FeedbackEvent(assignmentId: assignment, metric: "rating", value: .string("4"), eventId: "e7"),
            FeedbackEvent(assignmentId: assignment, metric: "latency_ms", value: .int(4), eventId: "e8"),
            FeedbackEvent(assignmentId: assignment, metric: "thumbs_up", value: .int(1), eventId: ""),
            FeedbackEvent(assignmentId: assignment, metric: "rating", value: .bool(true), eventId: "e9"),
        ]
        let output = try await server.feedback(events)
        #expect(
            output.results.map(\.status) == [
                "recorded", "recorded", "duplicate", "conflicting_duplicate", "unknown_assignment", "invalid", "invalid", "invalid",
                "invalid", "invalid", "invalid", "invalid",
            ])
        #expect(output.accepted == 3 && output.refused == 9)
        #expect(output.results[11].error?.contains("numeric") == true)
        #expect(output.results[5].error?.contains("no feedback metric 'stars'") == true)
        #expect(output.results[6].error?.contains("binary") == true)
        #expect(output.results[7].error?.contains("at most 5") == true)
        let sums = try await workspace.rollouts().unitSums(rollout: "triage-v2", phase: 1, metric: "thumbs_up")
        #expect(sums.values.map(\.sumCount).reduce(0, +) == 1)
        await #expect(throws: PromptLabError.self) { try await server.feedback([]) }
        let tooMany = (0...ServingService.maximumFeedbackBatch).map {
            FeedbackEvent(assignmentId: assignment, metric: "thumbs_up", value: .int(1), eventId: "x\($0)")
        }
        await #expect(throws: PromptLabError.self) { try await server.feedback(tooMany) }
    }

    @Test func concurrentFeedbackIsAllRecordedThroughGroupCommit() async throws {
        let (fixture, workspace, _, _) = try await RolloutFixture.started()
        defer { fixture.remove(workspace) }
        let server = try Self.server(fixture)
        let served = try await server.resolve("support/triage", request: ResolveRequest(unit: "user-1", variables: ["text": .string("x")]))
        let assignment = try #require(served.assignmentId)
        let statuses = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<2_000 {
                group.addTask {
                    try await server.feedback([
                        FeedbackEvent(assignmentId: assignment, metric: "thumbs_up", value: .int(index % 2), eventId: "event-\(index)")
                    ]).results[0].status
                }
            }
            var all = [String]()
            for try await status in group { all.append(status) }
            return all
        }
        #expect(statuses.count == 2_000 && statuses.allSatisfy { $0 == "recorded" })
        let sums = try await workspace.rollouts().unitSums(rollout: "triage-v2", phase: 1, metric: "thumbs_up")
        #expect(sums.values.map(\.sumCount).reduce(0, +) == 2_000)
        #expect(sums.values.map(\.sumValue).reduce(0, +) == 1_000)
        #expect(await server.recorder.transactions <= 2_001)
    }
}
