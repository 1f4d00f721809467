import Foundation
import PromptLabTestSupport
import Testing

/// End-to-end tests of the `promptlab` executable: exit codes, one-line
/// errors, and interplay with stock git, in repositories isolated from the
/// machine's git configuration.
@Suite struct CLITests {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The built `promptlab` next to the test bundle.
    static let executable: String = {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [besideTests, besideTests.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("promptlab").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return packageRoot.appendingPathComponent(".build/debug/promptlab").path
    }()

    let home: String
    let repo: String

    init() throws {
        home = TestFolders.root + "promptlab-cli-\(UUID().uuidString)/"
        repo = home + "repo/"
        try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
    }

    @discardableResult
    func run(
        _ arguments: [String], in directory: String? = nil, environment extra: [String: String] = [:], input: String? = nil
    ) throws -> Result {
        let process = Process()
        // `git …` and absolute program paths run as given; anything else is a promptlab subcommand.
        let runsAsGiven = arguments[0] == "git" || arguments[0].hasPrefix("/")
        process.executableURL = URL(fileURLWithPath: runsAsGiven ? "/usr/bin/env" : Self.executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? repo)
        var environment = ["HOME": home, "PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1", "NO_COLOR": "1", "PROMPTLAB_DB": ""]
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    func write(_ path: String, _ text: String) throws {
        let full = repo + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
    }

    /// An initialised repository with an author configured globally (in the fake HOME).
    func initialise() throws {
        try "[user]\n\tname = Cli Tester\n\temail = cli@example.com\n".write(toFile: home + ".gitconfig", atomically: true, encoding: .utf8)
        #expect(try run(["init"]).status == 0)
    }

    static let prompt =
        "---\nmodel: local/baseline\nconfig:\n  temperature: 0.2\n---\n{{role \"system\"}}\nRoute.\n{{role \"user\"}}\n{{ticket}}\n"

    @Test func everydayWorkflowAndExitCodes() throws {
        try initialise()
        try write("support/triage.prompt", Self.prompt)
        let commit = try run(["commit", "-m", "v1"])
        #expect(commit.status == 0, "\(commit.stderr)")
        #expect(commit.stdout.contains("support/triage v1"))
        try write("support/triage.prompt", Self.prompt.replacingOccurrences(of: "0.2", with: "0.7"))
        #expect(try run(["commit", "support/triage", "-m", "v2"]).status == 0)

        let diff = try run(["diff", "support/triage@v1", "support/triage@v2"])
        #expect(diff.stdout.contains("config.temperature: 0.2 → 0.7"))
        #expect(!diff.stdout.contains("\u{1B}["), "no colour when not a TTY")

        let log = try run(["log", "support/triage", "--format", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [String: Any]
        let versions = json?["versions"] as? [[String: Any]]
        #expect(versions?.map { $0["version"] as? Int } == [2, 1])
        #expect(versions?.first?["author"] as? String == "Cli Tester")

        #expect(try run(["label", "support/triage@v1", "production"]).status == 0)
        #expect(
            try run(["git", "for-each-ref", "--format=%(refname)"]).stdout.contains(
                "refs/promptlab/labels/support/triage.prompt/production"))
        let rollback = try run(["rollback", "support/triage", "--to", "production", "--label", "production"])
        #expect(rollback.status == 0, "\(rollback.stderr)")
        let history = try run(["label", "--history", "support/triage@production", "--format", "json"])
        #expect(history.status == 0, "\(history.stderr)")
        let moves = (try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [String: Any])?["moves"] as? [[String: Any]]
        #expect(moves?.map { $0["version"] as? Int } == [3, 1])
        #expect(moves?.first?["previous_version"] as? Int == 1)
        #expect(moves?.first?["name"] as? String == "Cli Tester")
        #expect(try run(["label", "support/triage@v2", "Production"]).status == 4)
        #expect(try run(["show", "support/triage@production"]).stdout.contains("temperature: 0.2"))
        #expect(try run(["git", "fsck", "--strict"]).status == 0)
        #expect(try run(["git", "status", "--porcelain"]).stdout.isEmpty)

        let render = try run(["render", "support/triage", "--var", "ticket=parcel lost", "--format", "json"])
        #expect(render.status == 0)
        let rendered = try JSONSerialization.jsonObject(with: Data(render.stdout.utf8)) as? [String: Any]
        #expect(rendered?["schema_version"] as? Int == 1)
        #expect((rendered?["messages"] as? [[String: Any]])?.last?["content"] as? String == "\nparcel lost")
    }

    /// `--verbose`, anywhere on the line, adds the lower layer's own words as a `detail:` line.
    @Test func verboseShowsTheUnderlyingDetail() throws {
        try initialise()
        try write(".promptlab/results.sqlite", "not a database, just text\n")
        let plain = try run(["runs"])
        #expect(plain.status == 4, "\(plain.stderr)")
        #expect(plain.stderr.split(separator: "\n").count == 2)
        #expect(!plain.stderr.contains("detail:"))
        let verbose = try run(["runs", "--verbose"])
        #expect(verbose.status == 4)
        #expect(verbose.stderr.contains("detail: SQLite error 26"), "\(verbose.stderr)")
        #expect(try run(["--verbose", "runs"]).stderr.contains("detail:"))
    }

    /// Every failure is one `error:` line plus at most one `hint:` line, with its documented code.
    @Test func errorsAreOneLineWithDocumentedExitCodes() throws {
        let outside = try run(["log"], in: home)
        #expect(outside.status == 3)
        #expect(outside.stderr.hasPrefix("error: "))

        try initialise()
        try write("p.prompt", Self.prompt)
        #expect(try run(["commit", "-m", "one"]).status == 0)
        let cases: [([String], Int32, String)] = [
            (["show", "../etc/passwd"], 4, "invalid prompt name"),
            (["show", "/etc/passwd"], 4, "absolute paths"),
            (["show", ".git/config"], 4, "inside .git"),
            (["show", "p@v7"], 5, "no version v7 (latest is v1)"),
            (["show", "p@deadbeef"], 5, "no commit matches"),
            (["show", "p@nolabel"], 5, "no label 'nolabel'"),
            (["render", "p"], 6, "needs variable 'ticket'"),
            (["label", "p@v1", "v2"], 4, "invalid label name"),
            (["label", "p@v1", "bad/name"], 4, "invalid label name"),
            (["commit", "-m", ""], 2, "must not be empty"),
            (["log", "--no-such-option"], 2, "Unknown option '--no-such-option'"),
            (["run"], 2, "give an experiment file, or --resume RUN"),
            (["plan", "--pass-rates", "0.5"], 2, "two numbers separated by a comma"),
        ]
        for (arguments, status, text) in cases {
            let result = try run(arguments)
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(text), "\(arguments): \(result.stderr)")
            // Usage errors too: one error line, one hint line, no usage dump.
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count <= 2 && lines.first?.hasPrefix("error: ") == true, "\(arguments): \(result.stderr)")
            if status == 2 { #expect(lines.last?.hasPrefix("hint: see 'promptlab") == true, "\(arguments): \(result.stderr)") }
        }

        try write("bad.prompt", "---\nmodel: [unclosed\n---\nbody\n")
        let head = try run(["git", "rev-parse", "HEAD"]).stdout
        let malformed = try run(["commit", "-m", "bad"])
        #expect(malformed.status == 4)
        #expect(malformed.stderr.hasPrefix("error: bad.prompt:3:"), "\(malformed.stderr)")
        #expect(try run(["git", "rev-parse", "HEAD"]).stdout == head)

        try FileManager.default.removeItem(atPath: repo + "bad.prompt")
        try Data(Array("---\nmodel: a\n---\ncaf".utf8) + [0xE9]).write(to: URL(fileURLWithPath: repo + "latin1.prompt"))
        let latin = try run(["commit", "-m", "latin"])
        #expect(latin.status == 4)
        #expect(latin.stderr.contains("latin1.prompt:4:4: file is not valid UTF-8"), "\(latin.stderr)")
        try FileManager.default.removeItem(atPath: repo + "latin1.prompt")

        try Data(repeating: UInt8(ascii: "a"), count: (1 << 20) + 1).write(to: URL(fileURLWithPath: repo + "huge.prompt"))
        let huge = try run(["commit", "-m", "huge"])
        #expect(huge.status == 4)
        #expect(huge.stderr.contains("limited to 1 MiB"))
    }

    /// The README's experiment commands work from the top of a repository whose
    /// prompts live in a subfolder, and names mean the same from every folder.
    @Test func experimentFromTheRepositoryTopFindsThePromptRoot() throws {
        defer { try? FileManager.default.removeItem(atPath: home) }
        try "[user]\n\tname = Cli Tester\n\temail = cli@example.com\n".write(toFile: home + ".gitconfig", atomically: true, encoding: .utf8)
        #expect(try run(["git", "init", "-q", "-b", "main"]).status == 0)
        #expect(try run(["init", "prompts"]).status == 0)
        try write("prompts/support/triage.prompt", Self.prompt)
        try write(
            "experiments/e.yaml",
            """
            name: e
            control: a
            variants: {a: support/triage@v1, b: support/triage}
            cases:
              - {id: c1, ticket: "parcel lost"}
            """)
        try FileManager.default.createDirectory(atPath: repo + "src", withIntermediateDirectories: true)
        let commit = try run(["commit", "-m", "v1"])
        #expect(commit.status == 0, "\(commit.stderr)")
        #expect(commit.stdout.contains("support/triage v1"), "\(commit.stdout)")
        for (folder, path) in [
            (repo, "experiments/e.yaml"), (repo + "src", "../experiments/e.yaml"), (repo + "prompts", "../experiments/e.yaml"),
        ] {
            let dryRun = try run(["run", path, "--dry-run"], in: folder)
            #expect(dryRun.status == 0, "from \(folder): \(dryRun.stderr)")
            #expect(dryRun.stdout.contains("support/triage@v1"), "\(dryRun.stderr)")
            #expect(try run(["log", "support/triage"], in: folder).status == 0)
        }
    }

    /// A body that would fail at run time is refused at commit with one error
    /// and one hint line, exit 4, and nothing written; --no-verify commits it.
    @Test func commitChecksTheBody() throws {
        defer { try? FileManager.default.removeItem(atPath: home) }
        try initialise()
        try write("q.prompt", "---\ninput:\n  schema:\n    email: string\n---\nWrite to {{emial}}.\n")
        let head = try run(["git", "rev-parse", "HEAD"]).stdout
        let refused = try run(["commit", "-m", "typo"])
        #expect(refused.status == 4, "\(refused.stderr)")
        let lines = refused.stderr.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first == "error: q.prompt:6:10: variable 'emial' is not declared in input.schema; did you mean 'email'?")
        #expect(lines.last?.hasPrefix("hint: ") == true)
        #expect(try run(["git", "rev-parse", "HEAD"]).stdout == head)
        let unknown = try run(["show", "qq"])
        #expect(unknown.status == 5)
        #expect(unknown.stderr.hasPrefix("error: no prompt 'qq'; did you mean 'q'?\n"), "\(unknown.stderr)")
        #expect(try run(["commit", "-m", "typo", "--no-verify"]).status == 0)
    }

    @Test func missingAuthorIsExplained() throws {
        #expect(try run(["init", "--author", "Init <init@example.com>"]).status == 0)
        try write("p.prompt", Self.prompt)
        let result = try run(["commit", "-m", "x"])
        #expect(result.status == 7, "\(result.stderr)")
        #expect(result.stderr.contains("user.name"))
        let explicit = try run(["commit", "-m", "x", "--author", "Someone <s@example.com>"])
        #expect(explicit.status == 0, "\(explicit.stderr)")
    }

    /// Two `promptlab commit` processes at once: both land, or one fails with
    /// the retryable exit code 8; never a lost commit or a broken ref.
    @Test func concurrentCommitProcesses() async throws {
        try initialise()
        for round in 0..<5 {
            try write("a.prompt", Self.prompt + "round \(round) a\n")
            try write("b.prompt", Self.prompt + "round \(round) b\n")
            async let first = run(["commit", "a", "-m", "a \(round)"])
            async let second = run(["commit", "b", "-m", "b \(round)"])
            let results = try await [first, second]
            let subjects = try run(["git", "log", "--format=%s"]).stdout
            for (result, subject) in zip(results, ["a \(round)", "b \(round)"]) {
                #expect(result.status == 0 || result.status == 8, "\(result.stderr)")
                #expect((result.status == 0) == subjects.contains(subject))
            }
            #expect(try run(["git", "fsck", "--strict"]).status == 0)
        }
    }
}
