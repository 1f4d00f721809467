import Foundation
import Testing

/// `promptlab rollout …` end to end: what people type, what they read, and the exit codes.
extension CLITests {
    static let rollout = """
        prompt: support/triage
        arms:
          - {name: control, ref: production, weight: 90}
          - {name: v2, ref: v2, weight: 10}
        metrics:
          - {name: thumbs_up, type: binary}
        primary: thumbs_up

        """

    /// A repository with two versions, `production` on v1 and a rollout file.
    func rolloutRepository() throws {
        try initialise()
        try write("support/triage.prompt", Self.prompt)
        #expect(try run(["commit", "-m", "v1"]).status == 0)
        try write("support/triage.prompt", Self.prompt.replacingOccurrences(of: "Route.", with: "Route with care."))
        #expect(try run(["commit", "-m", "v2"]).status == 0)
        #expect(try run(["label", "support/triage@v1", "production"]).status == 0)
        try write("rollouts/triage-v2.yaml", Self.rollout)
    }

    @Test func rolloutLifecycleFromTheCommandLine() throws {
        try rolloutRepository()
        let start = try run(["rollout", "start", "rollouts/triage-v2.yaml", "--reason", "won offline"])
        #expect(start.status == 0, "\(start.stderr)")
        #expect(start.stdout.hasPrefix("started rollout triage-v2: control 90% / v2 10%\n"))
        #expect(try run(["git", "log", "-1", "--format=%s"]).stdout == "Start rollout triage-v2\n")

        let status = try run(["rollout", "status", "triage-v2", "--format", "json"])
        #expect(status.status == 0, "\(status.stderr)")
        let readout = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect(readout["status"] as? String == "running")
        #expect((readout["verdict"] as? [String: Any])?["kind"] as? String == "no_data")
        #expect((readout["sample_ratio"] as? [String: Any])?["mismatch"] as? Bool == false)
        let text = try run(["rollout", "status", "triage-v2"])
        #expect(text.stdout.contains("verdict: no units have been exposed in phase 1 yet"))
        #expect(text.stdout.contains("start"))

        let ramp = try run(["rollout", "ramp", "triage-v2", "--weights", "50/50", "--actor", "ana"])
        #expect(ramp.status == 0, "\(ramp.stderr)")
        #expect(ramp.stdout.contains("44.4% of units change arm") || ramp.stdout.contains("40% of units change arm"))
        let list = try run(["rollout", "list"])
        #expect(list.stdout.contains("triage-v2") && list.stdout.contains("control 50% / v2 50%"))
        #expect(try run(["rollout", "pause", "triage-v2"]).status == 0)
        #expect(try run(["rollout", "resume", "triage-v2"]).status == 0)
        let promote = try run(["rollout", "promote", "triage-v2"])
        #expect(promote.status == 2)
        #expect(promote.stderr.hasPrefix("error: rollout triage-v2 has no winner yet"))
        #expect(promote.stderr.contains("hint: "))
        let forced = try run(["rollout", "promote", "triage-v2", "--arm", "v2", "--reason", "ship it"])
        #expect(forced.status == 0, "\(forced.stderr)")
        let label = try run(["git", "rev-parse", "refs/promptlab/labels/support/triage.prompt/production"])
        let v2 = try run(["git", "rev-parse", "HEAD~1"])
        #expect(label.stdout == v2.stdout)
    }

    @Test func badRolloutInputGetsOneErrorLineAndADocumentedCode() throws {
        try rolloutRepository()
        func expectRefusal(_ arguments: [String], status: Int32, _ message: String) throws {
            let result = try run(arguments)
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.first?.hasPrefix("error: ") == true, "\(result.stderr)")
            #expect(lines.count <= 2 && (lines.count == 1 || lines[1].hasPrefix("hint: ")), "\(result.stderr)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
        try write("rollouts/broken.yaml", "prompt: support/triage\narms: [{ref: production}]\nprimary: error_rate\n")
        try expectRefusal(
            ["rollout", "start", "broken"], status: 4, "rollouts/broken.yaml:2:7: 'arms' must be a list of at least two arms")
        try write("rollouts/ghost.yaml", Self.rollout.replacingOccurrences(of: "ref: v2", with: "ref: v9"))
        try expectRefusal(["rollout", "start", "ghost"], status: 5, "v9")
        try expectRefusal(["rollout", "start", "nothing-here"], status: 5, "no rollout file rollouts/nothing-here.yaml")
        try expectRefusal(["rollout", "start", "support/triage.prompt"], status: 2, "is not a rollout file")
        try expectRefusal(["rollout", "status", "nope"], status: 5, "no rollout named 'nope'")
        #expect(try run(["rollout", "start", "triage-v2"]).status == 0)
        try expectRefusal(["rollout", "start", "triage-v2"], status: 8, "already running")
        try expectRefusal(["rollout", "ramp", "triage-v2", "--weights", "50"], status: 2, "weight per arm")
        try expectRefusal(["rollout", "ramp", "triage-v2", "--weights", "50/50/0"], status: 2, "3 weights were given")
        try expectRefusal(["rollout", "ramp", "triage-v2", "--weights", "1e999/1"], status: 2, "is not a weight")
        try expectRefusal(["rollout", "resume", "triage-v2"], status: 8, "nothing to resume")
        // Nothing half-written: the refused commands left no commit, no file change and no event.
        #expect(try run(["git", "status", "--porcelain", "--untracked-files=no"]).stdout.isEmpty)
        let events = try run(["rollout", "status", "triage-v2", "--format", "json"])
        let readout = try #require(try JSONSerialization.jsonObject(with: Data(events.stdout.utf8)) as? [String: Any])
        #expect((readout["events"] as? [[String: Any]])?.count == 1)
    }
}
