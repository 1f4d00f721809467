import Foundation
import ProviderTestServer
import Testing

/// `promptlab run` as a process: interrupted by Ctrl-C or killed with
/// SIGKILL, then resumed, against a slow loopback provider.
@Suite struct RunCommandTests {
    static let key = "sk-cli-test-Zq8SECRETvalue-3j9"
    let cli: CLITests

    init() throws {
        cli = try CLITests()
        try cli.initialise()
        try cli.write("triage.prompt", CLITests.prompt)
        #expect(try cli.run(["commit", "-m", "v1"]).status == 0)
        try cli.write("triage.prompt", CLITests.prompt.replacingOccurrences(of: "Route.", with: "Route the ticket."))
        #expect(try cli.run(["commit", "-m", "v2"]).status == 0)
    }

    func writeExperiment(cases: Int) throws {
        var yaml = "name: slow\ncontrol: a\nmodel: openai/gpt-4o-mini\nconcurrency: 4\nvariants:\n  a: triage@v1\n  b: triage@v2\ncases:\n"
        for i in 0..<cases { yaml += "  - {id: c\(i), ticket: \"case \(i)\"}\n" }
        try cli.write("experiments/slow.yaml", yaml)
    }

    func environment(_ server: ProviderTestServer) -> [String: String] {
        ["OPENAI_API_KEY": Self.key, "OPENAI_BASE_URL": server.baseURL]
    }

    /// Starts `promptlab ARGS` without waiting for it.
    func launch(_ arguments: [String], environment extra: [String: String], stderr: String = "run.stderr") throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLITests.executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: cli.repo)
        var environment = ["HOME": cli.home, "PATH": "/usr/bin:/bin", "NO_COLOR": "1"]
        environment.merge(extra) { _, new in new }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        FileManager.default.createFile(atPath: cli.home + stderr, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: cli.home + stderr)
        try process.run()
        return process
    }

    func runs() throws -> [[String: Any]] {
        let result = try cli.run(["runs", "--format", "json"])
        guard result.status == 0 else {
            Issue.record("promptlab runs failed: \(result.stderr)")
            return []
        }
        return ((try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])?["runs"] as? [[String: Any]]) ?? []
    }

    func exportedCells(_ runID: String) throws -> [String] {
        let lines = try cli.run(["export", runID, "--format", "jsonl"]).stdout.split(separator: "\n")
        return try lines.map { line in
            let row = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            return "\(row["variant"] ?? "")|\(row["case_id"] ?? "")|\(row["repeat"] ?? "")"
        }
    }

    /// Waits until the run has recorded at least `rows` responses.
    func waitForRows(_ rows: Int, timeout: Double = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let run = try runs().first, (run["ok"] as? Int ?? 0) + (run["errors"] as? Int ?? 0) >= rows { return }
            usleep(50_000)
        }
        let stderr = (try? String(contentsOfFile: cli.home + "run.stderr", encoding: .utf8)) ?? ""
        Issue.record("the run never recorded \(rows) rows; its stderr: \(stderr)")
    }

    @Test func resumeAfterKillCompletesOnlyMissingCells() async throws {
        try writeExperiment(cases: 60)
        try await ProviderTestServer.withServer { server in
            server.setRandomFaults([(.delay(.milliseconds(40)), 1.0)], seed: 1)
            let process = try launch(["run", "experiments/slow.yaml"], environment: environment(server))
            try waitForRows(30)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let killedRun = try #require(try runs().first)
            let runID = try #require(killedRun["run"] as? String)
            #expect(killedRun["status"] as? String == "running", "a killed run cannot mark itself")
            let before = server.requestCount
            let recorded = (killedRun["ok"] as? Int ?? 0) + (killedRun["errors"] as? Int ?? 0)
            #expect(recorded < 120)

            let resumed = try cli.run(["run", "--resume", runID], environment: environment(server))
            #expect(resumed.status == 0, "\(resumed.stderr)")
            let cells = try exportedCells(runID)
            #expect(cells.count == 120)
            #expect(Set(cells).count == 120, "exactly one row per cell")
            // Only the missing cells were sent again.
            #expect(server.requestCount - before == 120 - recorded)
            #expect(try runs().first?["status"] as? String == "completed")
        }
    }

    /// Three `--resume` of the same run at once used to send every missing cell three times. The run
    /// lease lets one of them execute it; the others stop before sending anything, naming the holder
    /// (exit 8), or find the run already complete when they start after it finished.
    @Test func concurrentResumesSendEachMissingCellOnce() async throws {
        try writeExperiment(cases: 60)
        try await ProviderTestServer.withServer { server in
            server.setRandomFaults([(.delay(.milliseconds(40)), 1.0)], seed: 1)
            let first = try launch(["run", "experiments/slow.yaml"], environment: environment(server))
            try waitForRows(10)
            kill(first.processIdentifier, SIGKILL)
            first.waitUntilExit()
            let killedRun = try #require(try runs().first)
            let runID = try #require(killedRun["run"] as? String)
            let recorded = (killedRun["ok"] as? Int ?? 0) + (killedRun["errors"] as? Int ?? 0)
            let before = server.requestCount

            let resumes = try (0..<3).map { index in
                try launch(["run", "--resume", runID], environment: environment(server), stderr: "resume-\(index).stderr")
            }
            for process in resumes { process.waitUntilExit() }
            let statuses = resumes.map(\.terminationStatus)
            for (index, status) in statuses.enumerated() {
                let stderr = (try? String(contentsOfFile: cli.home + "resume-\(index).stderr", encoding: .utf8)) ?? ""
                #expect(status == 0 || status == 8, "resume \(index) exited \(status): \(stderr)")
                if status == 8 { #expect(stderr.contains("is being executed by process"), "\(stderr)") }
            }
            #expect(statuses.contains(0))
            #expect(server.requestCount - before == 120 - recorded, "each missing cell is sent once")
            #expect(Set(try exportedCells(runID)).count == 120)
            #expect(try runs().first?["status"] as? String == "completed")
        }
    }

    @Test func ctrlCMarksTheRunInterruptedAndExits130() async throws {
        try writeExperiment(cases: 60)
        try await ProviderTestServer.withServer { server in
            server.setRandomFaults([(.delay(.milliseconds(40)), 1.0)], seed: 1)
            let process = try launch(["run", "experiments/slow.yaml"], environment: environment(server))
            try waitForRows(20)
            kill(process.processIdentifier, SIGINT)
            process.waitUntilExit()
            #expect(process.terminationStatus == 130)
            let run = try #require(try runs().first)
            let runID = try #require(run["run"] as? String)
            #expect(run["status"] as? String == "interrupted")
            let recorded = (run["ok"] as? Int ?? 0) + (run["errors"] as? Int ?? 0)
            let before = server.requestCount
            #expect(before - recorded <= 4, "at most the in-flight requests were lost")
            let resumed = try cli.run(["run", "--resume", runID], environment: environment(server))
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(Set(try exportedCells(runID)).count == 120)
            #expect(server.requestCount - before == 120 - recorded)
        }
    }

    @Test func keyNeverReachesDatabaseOrExports() async throws {
        try writeExperiment(cases: 5)
        try await ProviderTestServer.withServer(configuration: .init(expectedAPIKey: "another-key")) { server in
            let result = try cli.run(
                ["run", "experiments/slow.yaml"], environment: environment(server).merging(["PROMPTLAB_LOG": "trace"]) { $1 })
            #expect(result.status == 12, "every cell was refused: the run failed")
            #expect(!result.stdout.contains(Self.key) && !result.stderr.contains(Self.key))
            let runID = try #require(try runs().first?["run"] as? String)
            for format in ["csv", "jsonl"] {
                let export = try cli.run(["export", runID, "--format", format])
                #expect(export.stdout.contains("http_401"), "the refused key is recorded as an error")
                let lines = export.stdout.split(separator: "\n", omittingEmptySubsequences: false)
                #expect(lines.count == (format == "csv" ? 12 : 11), "one line per response (plus a header for CSV), each ended")
                #expect(lines.last == "")
                #expect(!export.stdout.contains(Self.key))
            }
        }
        for suffix in ["", "-wal", "-shm"] {
            if let data = FileManager.default.contents(atPath: cli.repo + ".promptlab/results.sqlite" + suffix) {
                #expect(data.range(of: Data(Self.key.utf8)) == nil)
            }
        }
        #expect(try cli.run(["git", "grep", "-I", "SECRETvalue"]).status != 0, "nothing committed contains the key")
    }

    /// Limits that used to be accepted: a budget that is not a number, no attempts at all, and a
    /// results path whose folders did not exist yet.
    @Test func runLimitsAreCheckedAndResultFoldersCreated() async throws {
        try await ProviderTestServer.withServer { server in
            try writeExperiment(cases: 2)
            for budget in ["nan", "inf", "-1"] {
                let result = try cli.run(["run", "experiments/slow.yaml", "--budget", budget], environment: environment(server))
                #expect(result.status == 2, "--budget \(budget): \(result.stderr)")
                #expect(result.stderr.hasPrefix("error: "), "\(result.stderr)")
            }
            let yaml = try String(contentsOfFile: cli.repo + "experiments/slow.yaml", encoding: .utf8)
            try cli.write("experiments/zero.yaml", yaml + "providers:\n  openai: {max_attempts: 0}\n")
            let zero = try cli.run(["run", "experiments/zero.yaml", "--dry-run"], environment: environment(server))
            #expect(zero.status == 4, "\(zero.stderr)")
            #expect(zero.stderr.contains("max_attempts"), "\(zero.stderr)")
            #expect(server.requestCount == 0)

            let nested = cli.home + "results/by-team/ml/results.sqlite"
            let run = try cli.run(["run", "experiments/slow.yaml", "--db", nested], environment: environment(server))
            #expect(run.status == 0, "\(run.stderr)")
            #expect(FileManager.default.fileExists(atPath: nested))
        }
    }

    @Test func badRunInputsFailBeforeAnyRequest() async throws {
        try await ProviderTestServer.withServer { server in
            try writeExperiment(cases: 3)
            let noKey = try cli.run(["run", "experiments/slow.yaml"], environment: ["OPENAI_BASE_URL": server.baseURL])
            #expect(noKey.status == 4)
            #expect(noKey.stderr.contains("OPENAI_API_KEY"), "\(noKey.stderr)")
            try cli.write(
                "experiments/bad.yaml", "name: bad\ncontrol: a\nvariants:\n  a: triage@v9\ncases: [{ticket: x}]\nmodel: local/baseline\n")
            let unknownVersion = try cli.run(["run", "experiments/bad.yaml"])
            #expect(unknownVersion.status == 5)
            #expect(unknownVersion.stderr.contains("no version v9"))
            try cli.write(
                "experiments/missing.yaml",
                "name: m\ncontrol: a\nvariants:\n  a: triage@v1\ncases: [{ticket: x}, {other: y}]\nmodel: local/baseline\n")
            let missing = try cli.run(["run", "experiments/missing.yaml"])
            #expect(missing.status == 4)
            #expect(missing.stderr.contains("case 2") && missing.stderr.contains("lacks variable 'ticket'"), "\(missing.stderr)")
            let dry = try cli.run(["run", "experiments/slow.yaml", "--dry-run"], environment: environment(server))
            #expect(dry.status == 0)
            #expect(dry.stdout.contains("6 cells"), "the plan is the result of a dry run: \(dry.stdout)")
            #expect(server.requestCount == 0)
            let unreachable = try cli.run(
                ["run", "experiments/slow.yaml"], environment: ["OPENAI_API_KEY": Self.key, "OPENAI_BASE_URL": "http://127.0.0.1:9"])
            // An unreachable provider is recorded as errors, not a crash; a run in which every cell
            // failed is not "completed" with exit 0 but recorded as failed, with its commonest error.
            #expect(unreachable.status == 12, "\(unreachable.stdout)\(unreachable.stderr)")
            #expect(unreachable.stdout.contains("failed: every cell failed: 6 ×"), "\(unreachable.stdout)")
            let failedRun = try #require(try runs().first)
            #expect(failedRun["errors"] as? Int == 6)
            #expect(failedRun["status"] as? String == "failed")
        }
    }
}
