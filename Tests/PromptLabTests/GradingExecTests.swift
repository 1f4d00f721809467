import Foundation
import PromptLab
import PromptLabCore
import PromptLabStore
import PromptLabTestSupport
import Testing

@testable import PromptExperiments
@testable import PromptFormat
@testable import PromptVersioning

/// The `exec` grader with real shell scripts: the JSON it sends, the JSON it
/// reads, and clear errors for crashes, time-outs and junk.
@Suite struct GradingExecTests {
    /// Writes an executable script into a fresh folder and returns its path.
    func script(_ body: String) throws -> String {
        let folder = TestFolders.root + "promptlab-exec-grader-\(UUID().uuidString)/"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "grade.sh"
        try ("#!/bin/sh\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    static let dispatcher = """
        input=$(cat)
        case "$input" in
          *'"output":"good'*) echo '{"score": 0.9, "pass": true, "reason": "looks good"}' ;;
          *'"output":"score only'*) echo '{"score": 0.4}' ;;
          *'"output":"crash'*) echo "boom: cannot grade this" >&2; exit 3 ;;
          *'"output":"slow'*) sleep 5; echo '{"pass": true}' ;;
          *'"output":"junk'*) echo 'not json at all' ;;
          *'"output":"empty'*) echo '{"reason": "no verdict"}' ;;
          *) echo '{"score": 0.1, "pass": false, "reason": "not good"}' ;;
        esac
        """

    @Test func sendsTheDocumentedJSONOnStdin() async throws {
        let folder = TestFolders.root + "promptlab-exec-input-\(UUID().uuidString)"
        let path = try script("cat > '\(folder).json'\necho '{\"pass\": true}'\n")
        let fixture = try await GradingFixture(
            cases: [.init(id: "c1", expected: "billing", variables: #"{"ticket":"refund me"}"#)],
            responses: [.init(variant: "challenger", caseID: "c1", output: "billing\n")],
            graders: "  - {type: exec, command: \"\(path)\"}")
        let result = try await fixture.grade()
        #expect(result.stored == 1)
        let sent = try PromptValue.parseJSON(try String(contentsOfFile: folder + ".json", encoding: .utf8))
        #expect(sent["output"] == .string("billing\n"))
        #expect(sent["expected"] == .string("billing"))
        #expect(sent["variables"]?["ticket"] == .string("refund me"))
        #expect(sent["metadata"] == .null)
        #expect(sent["variant"] == .string("challenger"))
        #expect(sent["case_id"] == .string("c1"))
        #expect(try await fixture.grades("exec").first?.passed == true)
    }

    /// An `exec` grader inherits PromptLab's environment, so it can print an API key in its reason or
    /// on stderr; both reach the results only with every configured key masked.
    @Test func keysInAGradersWordsAreRedacted() async throws {
        let key = "sk-grading-test-key"
        let path = try script(
            """
            input=$(cat)
            case "$input" in
              *'"output":"leak reason'*) echo '{"pass": true, "reason": "used \(key) to check"}' ;;
              *) echo "cannot reach the API with \(key)" >&2; exit 3 ;;
            esac
            """)
        let fixture = try await GradingFixture(
            cases: [.init(id: "c1", expected: "x"), .init(id: "c2", expected: "x")],
            responses: [
                .init(variant: "control", caseID: "c1", output: "leak reason"), .init(variant: "control", caseID: "c2", output: "fail"),
            ],
            graders: "  - {type: exec, command: \"\(path)\"}")
        let result = try await GradingFixture.withRegistry { registry in try await fixture.grade(registry: registry) }
        let reasons = try await fixture.grades("exec").compactMap(\.reason)
        #expect(reasons == ["used <redacted> to check"], "\(reasons)")
        #expect(result.failures.map(\.message) == ["grade.sh exited with status 3: cannot reach the API with <redacted>"])
    }

    @Test func readsScorePassAndReasonAndReportsClearErrors() async throws {
        let path = try script(Self.dispatcher)
        let outputs = ["good answer", "bad answer", "score only", "crash now", "slow one", "junk please", "empty verdict"]
        let fixture = try await GradingFixture(
            cases: outputs.indices.map { .init(id: "c\($0)", expected: nil) },
            responses: outputs.enumerated().map { .init(variant: "control", caseID: "c\($0.offset)", output: $0.element) },
            graders: "  - {type: exec, name: script, command: \"\(path)\", timeout: 0.5}")
        let result = try await fixture.grade(options: GradingOptions(concurrency: 7))
        #expect(result.stored == 3)
        let grades = Dictionary(uniqueKeysWithValues: try await fixture.grades("script").map { ($0.responseKey, $0) })
        #expect(grades[fixture.key("control", "c0")]?.score == 0.9)
        #expect(grades[fixture.key("control", "c0")]?.passed == true)
        #expect(grades[fixture.key("control", "c0")]?.reason == "looks good")
        #expect(grades[fixture.key("control", "c1")]?.passed == false)
        #expect(grades[fixture.key("control", "c2")]?.score == 0.4)
        #expect(grades[fixture.key("control", "c2")]?.passed == nil)

        let failures = Dictionary(uniqueKeysWithValues: result.failures.map { ($0.responseKey ?? "", $0.message) })
        #expect(failures[fixture.key("control", "c3")] == "grade.sh exited with status 3: boom: cannot grade this")
        #expect(failures[fixture.key("control", "c4")] == "grade.sh did not finish within 0.5 s and was killed")
        #expect(failures[fixture.key("control", "c5")]?.hasPrefix("grade.sh did not print a JSON object") == true)
        #expect(failures[fixture.key("control", "c6")] == #"grade.sh printed neither "score" nor "pass""#)
        #expect(result.failures.allSatisfy { $0.grader == "script" && !$0.message.contains("\n") })
    }

    @Test func thresholdDecidesPassFromTheScore() async throws {
        let path = try script(Self.dispatcher)
        let fixture = try await GradingFixture(
            cases: [.init(id: "c1", expected: nil)], responses: [.init(variant: "control", caseID: "c1", output: "score only")],
            graders: "  - {type: exec, command: \"\(path)\", threshold: 0.3}")
        _ = try await fixture.grade()
        let grade = try #require(try await fixture.grades("exec").first)
        #expect(grade.score == 0.4 && grade.passed == true)
    }

    @Test func cancellingStopsNewWorkAndKeepsWhatFinished() async throws {
        // Cancel from the progress callback once five grades are done: no clock is involved, so the
        // outcome does not depend on how loaded the machine is.
        let path = try script("cat > /dev/null\necho '{\"pass\": true}'\n")
        let fixture = try await GradingFixture(
            cases: (0..<30).map { .init(id: "c\($0)", expected: nil) },
            responses: (0..<30).map { .init(variant: "control", caseID: "c\($0)", output: "x") },
            graders: "  - {type: exec, command: \"\(path)\"}")
        let task = Task {
            try await fixture.grade(options: GradingOptions(concurrency: 2)) { progress in
                if progress.done >= 5 { withUnsafeCurrentTask { $0?.cancel() } }
            }
        }
        let result = try await task.value
        #expect(result.interrupted)
        #expect(result.failures.isEmpty, "work stopped by cancelling is not a grader failure")
        #expect(result.stored > 0 && result.stored < 30, "\(result.stored)")
        #expect(try await fixture.grades("exec").count == result.stored)
        // The next pass completes the rest.
        let rest = try await fixture.grade(options: GradingOptions(concurrency: 8))
        #expect(rest.stored == 30 - result.stored)
        #expect(!rest.interrupted)
    }

    @Test func missingProgramIsAClearFailure() async throws {
        let fixture = try await GradingFixture(
            cases: [.init(id: "c1", expected: nil)], responses: [.init(variant: "control", caseID: "c1", output: "x")],
            graders: "  - {type: exec, command: /nonexistent/grader --flag}")
        let result = try await fixture.grade()
        #expect(result.stored == 0)
        #expect(result.failures.first?.message == "cannot start '/nonexistent/grader': No such file or directory")
    }

    @Test func editingTheScriptChangesTheConfigurationHash() throws {
        let path = try script("echo '{\"pass\": true}'\n")
        let grader = try GraderDefinition.parseList([try PromptValue.parseYAML("{type: exec, command: \"\(path)\"}")])[0]
        let before = try grader.configHash(repository: nil)
        #expect(try grader.configHash(repository: nil) == before)
        try "#!/bin/sh\necho '{\"pass\": false}'\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try grader.configHash(repository: nil) != before)
    }
}
