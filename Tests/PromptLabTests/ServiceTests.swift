import Foundation
import PromptFormat
import PromptLab
import PromptLabCore
import Testing

@testable import PromptExperiments

/// The application services, called directly as the web app and the serving API will call them.
@Suite struct ServiceTests {
    /// A repository with two versions of `support/triage` and a tiny experiment against local/echo.
    static func fixture() throws -> (TestRepository, Workspace) {
        let repo = try TestRepository()
        try repo.commit("support/triage", samplePrompt(line: "Route the ticket."), message: "first")
        try repo.commit("support/triage", samplePrompt(line: "Route the ticket to one queue."), message: "second")
        try repo.write(
            "experiments/echo.yaml",
            """
            name: echo-check
            model: local/echo
            control: old
            variants:
              old: support/triage@v1
              new: support/triage@v2
            cases:
              - {id: a, ticket: "I was charged twice", expected: billing}
              - {id: b, ticket: "The app crashes", expected: technical}
              - {id: c, ticket: "Where is my parcel", expected: shipping}
            graders:
              - type: contains
                value: ticket
            """)
        let workspace = try Workspace(at: repo.path, database: repo.path + ".promptlab/results.sqlite", environment: [:])
        return (repo, workspace)
    }

    @Test func versionControlOperationsReturnDocuments() throws {
        let (repo, workspace) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: repo.path) }
        let prompts = PromptService(workspace: workspace)

        let log = try prompts.log(prompt: "support/triage")
        #expect(log.versions.map(\.version) == [2, 1])
        #expect(log.versions.map(\.message) == ["second", "first"])
        // The commits the service names are the ones git has.
        #expect(log.versions[0].commit == (try repo.git("rev-parse", "HEAD")))

        let labelled = try prompts.setLabel("production", to: "support/triage@v1")
        #expect(labelled.action == "created")
        #expect(labelled.label.version == 1)
        #expect(try repo.git("rev-parse", labelled.label.ref) == log.versions[1].commit)
        #expect(try prompts.setLabel("production", to: "support/triage@v1").action == "unchanged")

        try repo.write("support/triage.prompt", samplePrompt(line: "Route it."))
        #expect(try prompts.status().changes.map(\.status) == ["modified"])
        let diff = try prompts.diff(old: "support/triage@v2", new: nil, wordLevel: true)
        #expect(!diff.identical)
        #expect(diff.words?.contains { $0.op == "added" } == true)

        let commit = try prompts.commit(names: [], message: "third\n\nlonger body")
        #expect(commit.summary == "third")
        #expect(commit.prompts.map(\.version) == [3])
        #expect(try prompts.commit(names: [], message: "again").commit == nil)

        let rolled = try prompts.rollback("support/triage", to: "production", label: "production")
        #expect(rolled.version == 4)
        #expect(rolled.label?.version == 4)
        #expect(try prompts.show("support/triage@v4").content == (try prompts.show("support/triage@v1").content))
    }

    @Test func outputsUseSnakeCaseKeysAndASchemaVersion() throws {
        let (repo, workspace) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: repo.path) }
        let text = try JSONOutput.text(
            try PromptService(workspace: workspace).render("support/triage", variables: ["ticket": .string("x")]))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["schema_version"] as? Int == 1)
        #expect(object["schemaVersion"] == nil)
        // User data keeps its keys: `config.temperature` is the prompt's own key.
        #expect((object["config"] as? [String: Any])?["temperature"] as? Double == 0.2)
    }

    @Test func dryRunPlansWithoutSendingOrRecording() async throws {
        let (repo, workspace) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: repo.path) }
        var request = RunService.Request(experimentPath: repo.path + "experiments/echo.yaml")
        request.dryRun = true
        var planned: RunPlanOutput?
        var events = RunService.Events()
        events.planned = { planned = $0 }
        let outcome = try await RunService(workspace: workspace).run(request, events: events)
        #expect(outcome.run == nil)
        #expect(outcome.exitStatus == .success)
        #expect(outcome.plan == planned)
        #expect(outcome.plan?.cells == 6)
        #expect(outcome.plan?.variants.map(\.version) == [1, 2])
        #expect(try await ResultsService(workspace: workspace).runs().runs.isEmpty)
    }

    @Test func runGradesAndExportsCasesWithGrades() async throws {
        let (repo, workspace) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: repo.path) }
        let outcome = try await RunService(workspace: workspace).run(
            RunService.Request(experimentPath: repo.path + "experiments/echo.yaml"))
        let run = try #require(outcome.run)
        #expect(run.status == "completed")
        #expect(run.variants.map(\.ok) == [3, 3])
        #expect(run.grading?.graders.first?.variants.map(\.judged) == [3, 3])
        #expect(outcome.exitStatus == .success)

        // Listing and exporting by experiment name reach the same run.
        #expect(try await ResultsService(workspace: workspace).runs().runs.map(\.run) == [run.run])
        var graders = [String]()
        var rows = [ExportRow]()
        try await ResultsService(workspace: workspace).export("echo-check") {
            graders = $0
        } row: {
            rows.append($0)
        }
        #expect(graders == ["contains"])
        #expect(rows.count == 6)
        let first = try #require(rows.first { $0.caseId == "a" })
        #expect(first.variables["ticket"] == .string("I was charged twice"))
        #expect(first.expected == "billing")
        #expect(first.grades.first?.passed != nil)
        let header = ExportRow.csvHeader(graders: graders)
        #expect(header.suffix(3) == ["contains.score", "contains.passed", "contains.reason"])
        #expect(first.csvCells(graders: graders).count == header.count)
    }

    @Test func unknownRunIsNotFound() async throws {
        let (repo, workspace) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: repo.path) }
        do {
            _ = try await ReportService(workspace: workspace).report("r-nope")
            Issue.record("expected an error")
        } catch {
            #expect(ErrorCatalogue.map(error).kind == .notFound)
        }
    }
}

/// The shared output rules: key casing, money, hashes, exit statuses.
@Suite struct OutputContractTests {
    @Test func snakeCaseConversion() {
        #expect(JSONOutput.snakeCase("costUSD") == "cost_usd")
        #expect(JSONOutput.snakeCase("costUsdTotal") == "cost_usd_total")
        #expect(JSONOutput.snakeCase("latencyMsP95") == "latency_ms_p95")
        #expect(JSONOutput.snakeCase("schemaVersion") == "schema_version")
        #expect(JSONOutput.snakeCase("runID") == "run_id")
        #expect(JSONOutput.snakeCase("plain") == "plain")
    }

    struct Sample: Codable {
        var costUSD: Double?
        var runID: String
        var when: Date
        var latencyMsP95: Double
        var variables: PromptValue
        var tags: [String]
    }

    @Test func unknownValuesAreNullAndUserKeysVerbatim() throws {
        let sample = Sample(
            costUSD: nil, runID: "r-1", when: Date(timeIntervalSince1970: 1.5), latencyMsP95: .infinity,
            variables: .object([("ticketText", .string("a \"quoted\"\nline")), ("n", .int(3))]), tags: [])
        let text = try JSONOutput.text(sample, pretty: false)
        #expect(
            text
                == #"{"cost_usd":null,"latency_ms_p95":"inf","run_id":"r-1","tags":[],"variables":{"n":3,"ticketText":"a \"quoted\"\nline"},"when":"1970-01-01T00:00:01.500Z"}"#
                + "\n")
        // Pretty output is the same document.
        let pretty = try JSONSerialization.jsonObject(with: Data(try JSONOutput.text(sample).utf8)) as? [String: Any]
        #expect(pretty?["cost_usd"] is NSNull)
        #expect((pretty?["variables"] as? [String: Any])?["ticketText"] as? String == "a \"quoted\"\nline")
    }

    @Test func moneyKeepsSmallAmountsTrue() {
        #expect(Money.usd(0.0004) == "$0.0004")
        #expect(Money.usd(0) == "$0.00")
        #expect(Money.usd(0.5) == "$0.50")
        #expect(Money.usd(12.345) == "$12.35")
        #expect(Money.usd(0.000123456) == "$0.0001235")
        #expect(Money.usd(-0.02) == "-$0.02")
        #expect(Money.usd(nil) == "unknown")
    }

    @Test func contentHashIsSHA256() {
        // FIPS 180-2 test vector.
        #expect(ContentHash.hex(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func timestampsSurviveAnyGitTime() {
        #expect(Timestamps.iso8601(seconds: 0, offsetMinutes: 60) == "1970-01-01T01:00:00+01:00")
        #expect(Timestamps.iso8601(seconds: 1_764_511_509, offsetMinutes: -300) == "2025-11-30T09:05:09-05:00")
        // Times from a remote can be anything; they clamp instead of trapping.
        #expect(Timestamps.iso8601(seconds: .min, offsetMinutes: .min).hasPrefix("0000-01-01"))
        #expect(Timestamps.iso8601(seconds: .max, offsetMinutes: .max).hasPrefix("9999-12-3"))
    }

    @Test func readmeExitCodeTableMatchesTheCatalogue() throws {
        let readme = try String(contentsOfFile: Self.packageRoot + "README.md", encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "## Exit codes").dropFirst().first)
        var rows = [Int32: String]()
        for line in section.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if let code = Int32(cells[0]) { rows[code] = cells[1] }
        }
        #expect(rows.count == ExitStatus.allCases.count)
        for status in ExitStatus.allCases {
            #expect(rows[status.code] == status.meaning, "README row for exit \(status.code)")
        }
    }

    static let packageRoot =
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path + "/"
}

/// Judges: built in when the repository has none, and checked before the first request.
@Suite struct JudgeCheckTests {
    static func experiment(_ repo: TestRepository, judge: String?) throws -> String {
        try repo.commit("support/triage", samplePrompt(line: "Route the ticket."), message: "first")
        let judgeLine = judge.map { ", judge: \($0)" } ?? ""
        try repo.write(
            "experiments/judged.yaml",
            """
            name: judged
            model: local/echo
            control: only
            variants:
              only: support/triage@v1
              again: support/triage@v1
            cases:
              - {id: a, ticket: "I was charged twice"}
              - {id: b, ticket: "The app crashes"}
            graders:
              - {type: llm-rubric, rubric: "Names a queue"\(judgeLine)}
            """)
        return repo.path + "experiments/judged.yaml"
    }

    @Test func aFreshRepositoryGradesWithTheBuiltInJudge() async throws {
        let repo = try TestRepository()
        defer { try? FileManager.default.removeItem(atPath: repo.path) }
        let path = try Self.experiment(repo, judge: nil)
        let workspace = try Workspace(at: repo.path, environment: [:])
        let outcome = try await RunService(workspace: workspace).run(RunService.Request(experimentPath: path))
        let grading = try #require(outcome.run?.grading)
        #expect(grading.failures.isEmpty, "\(grading.failures)")
        #expect(grading.graders.first?.variants.map(\.grades) == [2, 2])
    }

    @Test func aMissingJudgePromptStopsTheRunBeforeAnyRequest() async throws {
        let repo = try TestRepository()
        defer { try? FileManager.default.removeItem(atPath: repo.path) }
        let path = try Self.experiment(repo, judge: "judges/strict")
        let workspace = try Workspace(at: repo.path, environment: [:])
        await #expect(throws: PromptLabError.self) {
            try await RunService(workspace: workspace).run(RunService.Request(experimentPath: path))
        }
        // Nothing was sent or recorded.
        #expect(try await ResultsService(workspace: workspace).runs().runs.isEmpty)
    }

    @Test func builtInJudgesAreTheShippedOnes() throws {
        for (name, text) in BuiltInJudges.files {
            let shipped = try String(contentsOfFile: OutputContractTests.packageRoot + "prompt-repo/" + name + ".prompt", encoding: .utf8)
            #expect(shipped == text, "\(name) differs from prompt-repo/\(name).prompt")
        }
    }
}

/// Error and plan texts a new user reads.
@Suite struct RunMessageTests {
    @Test func anUnpricedModelIsNamedOnceAndSmallBudgetsStayTrue() async throws {
        let repo = try TestRepository()
        defer { try? FileManager.default.removeItem(atPath: repo.path) }
        try repo.commit("support/triage", samplePrompt(line: "Route the ticket."), message: "first")
        try repo.write(
            "experiments/unpriced.yaml",
            """
            name: unpriced
            model: openai/gpt-unpriced-test
            control: a
            variants:
              a: support/triage@v1
              b: support/triage@v1
            cases: [{ticket: x}]
            """)
        let environment = ["OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": "http://127.0.0.1:9"]
        let workspace = try Workspace(at: repo.path, environment: environment)
        var request = RunService.Request(experimentPath: repo.path + "experiments/unpriced.yaml")
        request.budgetUSD = 0.0004
        do {
            _ = try await RunService(workspace: workspace).run(request)
            Issue.record("a budget with an unpriced model must be refused")
        } catch let error as PromptLabError {
            #expect(error.kind == .invalidInput)
            #expect(error.message.components(separatedBy: "openai/gpt-unpriced-test").count == 2, "\(error.message)")
            #expect(error.message.contains("$0.0004"), "\(error.message)")
        }
        #expect(try await ResultsService(workspace: workspace).runs().runs.isEmpty)
    }
}
