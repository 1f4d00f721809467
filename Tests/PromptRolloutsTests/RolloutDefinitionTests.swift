import PromptFormat
import PromptLabCore
import Testing

@testable import PromptRollouts

@Suite struct RolloutDefinitionTests {
    static let full = """
        name: triage-v5
        prompt: support/triage
        unit: session
        seed: s-42
        coverage: 80%
        arms:
          - name: control
            ref: production
            weight: 90
          - ref: v5
            weight: 10
        metrics:
          - name: thumbs_up
            type: binary
          - name: rating
            type: numeric
            min: 1
            max: 5
          - name: complaints
            type: binary
            higher_is_better: false
        primary: thumbs_up
        guardrails:
          - metric: latency_ms
            statistic: p95
            tolerance: 10%
          - metric: error_rate
          - metric: complaints
            tolerance: 0.01
        graders:
          - is-json
          - {type: regex, pattern: "^\\\\{", name: starts_with_brace}
        alpha: 0.01
        expected_units: 20000
        """

    @Test func aFullFileIsRead() throws {
        let definition = try RolloutDefinition.parse(Self.full, displayPath: "rollouts/x.yaml", defaultName: "x")
        #expect(definition.name == "triage-v5")
        #expect(definition.prompt == "support/triage")
        #expect(definition.unit == "session" && definition.seed == "s-42")
        #expect(definition.coverage == 0.8)
        #expect(
            definition.arms == [RolloutArm(name: "control", ref: "production", weight: 90), RolloutArm(name: "v5", ref: "v5", weight: 10)])
        #expect(definition.metrics.map(\.name) == ["thumbs_up", "rating", "complaints", "is-json", "starts_with_brace"])
        #expect(definition.metrics.map(\.source) == [.feedback, .feedback, .feedback, .grader, .grader])
        #expect(definition.metric(named: "rating")?.bound == 4)
        #expect(definition.metric(named: "complaints")?.higherIsBetter == false)
        #expect(definition.metric(named: "latency_ms")?.source == .request)
        #expect(
            definition.guardrails == [
                RolloutGuardrail(metric: "latency_ms", statistic: .p95, tolerance: 0.1, isRelative: true),
                RolloutGuardrail(metric: "error_rate", statistic: .mean, tolerance: 0, isRelative: false),
                RolloutGuardrail(metric: "complaints", statistic: .mean, tolerance: 0.01, isRelative: false),
            ])
        #expect(definition.alpha == 0.01 && definition.expectedUnits == 20_000)
    }

    @Test func defaultsAreTheFileNameAUserUnitAndFullCoverage() throws {
        let definition = try RolloutDefinition.parse(
            "prompt: a/b\narms:\n  - ref: production\n  - ref: v2\nprimary: error_rate\n", displayPath: "rollouts/ab.yaml",
            defaultName: "ab")
        #expect(definition.name == "ab" && definition.seed == "ab" && definition.unit == "user")
        #expect(definition.coverage == 1 && definition.alpha == 0.05 && definition.expectedUnits == 10_000)
        #expect(definition.arms.map(\.name) == ["production", "v2"])
        #expect(definition.weights == [1, 1])
    }

    @Test(arguments: [
        ("prompt: a\narms: [{ref: p}, {ref: v2}]\nprimary: error_rate\ncolour: red\n", "4:1: unknown field 'colour'"),
        ("arms: [{ref: p}, {ref: v2}]\nprimary: error_rate\n", "'prompt' is missing"),
        ("prompt: a\narms: [{ref: p}]\nprimary: error_rate\n", "at least two arms"),
        ("prompt: a\narms: [{ref: p}, {ref: p}]\nprimary: error_rate\n", "used twice"),
        ("prompt: a\narms: [{ref: p, weight: -1}, {ref: v2}]\nprimary: error_rate\n", "'weight' must be between"),
        ("prompt: a\narms: [{ref: p, weight: 0}, {ref: v2, weight: 0}]\nprimary: error_rate\n", "weights are all 0"),
        ("prompt: a\ncoverage: 120%\narms: [{ref: p}, {ref: v2}]\nprimary: error_rate\n", "'coverage' must be above 0"),
        ("prompt: a\ncoverage: .nan\narms: [{ref: p}, {ref: v2}]\nprimary: error_rate\n", "coverage"),
        ("prompt: a\narms: [{ref: p}, {ref: v2}]\n", "'primary' is missing"),
        ("prompt: a\narms: [{ref: p}, {ref: v2}]\nprimary: stars\n", "primary metric 'stars' is not declared"),
        ("prompt: a\narms: [{ref: p}, {ref: v2}]\nmetrics: [{name: Bad Name}]\n", "not a valid metric name"),
        ("prompt: a\narms: [{ref: p}, {ref: v2}]\nmetrics: [{name: x, type: binary, min: 0}]\n", "binary metric"),
        ("prompt: a\narms: [{ref: p}, {ref: v2}]\nmetrics: [{name: x}]\nguardrails: [{metric: x, statistic: p95}]\n", "p95 guardrail"),
        ("prompt: a\narms: [{ref: p}, {ref: v2}]\nmetrics: [{name: x}]\nguardrails: [{metric: y}]\n", "guardrail's 'metric'"),
        ("prompt: a\narms: [{ref: p}, {ref: v2}]\nmetrics: [{name: x}]\ngraders: [{type: llm-rubric, rubric: ok}]\n", "cannot grade live"),
        ("prompt: a\narms: [{ref: p}, {ref: v2}]\nmetrics: [{name: x}]\ngraders: [{type: equals}]\n", "cannot grade live"),
        ("prompt: a\narms: [{ref: p}, {ref: v2}]\nmetrics: [{name: x}]\nalpha: 0.7\n", "'alpha'"),
        ("prompt: a\narms: [{ref: p}, {ref: v2}]\nmetrics: [{name: x}]\nexpected_units: 99999999999999999999\n", "expected_units"),
        ("prompt: ../a\narms: [{ref: p}, {ref: v2}]\nmetrics: [{name: x}]\n", "prompt"),
        ("name: ../../etc\nprompt: a\narms: [{ref: p}, {ref: v2}]\nmetrics: [{name: x}]\n", "not a valid rollout name"),
        ("- just\n- a list\n", "must be a mapping"),
        ("", "is empty"),
    ])
    func badFilesAreRefusedWithTheirPlace(text: String, message: String) {
        do {
            _ = try RolloutDefinition.parse(text, displayPath: "rollouts/x.yaml", defaultName: "x")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.kind == .invalidInput)
            #expect(error.message.hasPrefix("rollouts/x.yaml"))
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test func aliasBombsAndHugeFilesAreRefusedBeforeParsing() {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1..<9 {
            bomb +=
                "l\(level): &l\(level) [" + Array(repeating: "*\(level == 1 ? "a" : "l\(level - 1)")", count: 10).joined(separator: ", ")
                + "]\n"
        }
        #expect(throws: PromptLabError.self) { try RolloutDefinition.parse(bomb, displayPath: "r.yaml", defaultName: "r") }
        let huge = "prompt: a\n# " + String(repeating: "x", count: RolloutDefinition.maximumFileSize) + "\n"
        #expect(throws: PromptLabError.self) { try RolloutDefinition.parse(huge, displayPath: "r.yaml", defaultName: "r") }
    }
}
