import Foundation
import Testing

/// `promptlab cases` as a process: arguments, exit statuses, JSON, and the pager (only on a terminal).
@Suite struct CasesCommandTests {
    let cli: CLITests
    let runID: String

    init() throws {
        cli = try CLITests()
        try cli.initialise()
        try cli.write("p.prompt", "---\nmodel: local/echo\n---\n{{ticket}}\n")
        #expect(try cli.run(["commit", "-m", "v1"]).status == 0)
        try cli.write("p.prompt", "---\nmodel: local/echo\n---\nTicket: {{ticket}}\n")
        #expect(try cli.run(["commit", "-m", "v2"]).status == 0)
        try cli.write(
            "e.yaml",
            """
            name: e
            control: one
            variants:
              one: p@v1
              two: p@v2
            graders:
              - type: equals
                normalize_whitespace: true
            cases:
              - {id: c0, ticket: alpha, expected: alpha}
              - {id: c1, ticket: beta, expected: "Ticket: beta"}

            """)
        #expect(try cli.run(["run", "e.yaml"]).status == 0)
        let runs = try JSONSerialization.jsonObject(with: Data(try cli.run(["runs", "--format", "json"]).stdout.utf8)) as? [String: Any]
        runID = try #require((runs?["runs"] as? [[String: Any]])?.first?["run"] as? String)
    }

    /// A pager that leaves a mark when it runs, then shows its input.
    func markingPager() throws -> (command: String, marker: String) {
        let script = cli.home + "pager.sh"
        let marker = cli.home + "pager-ran"
        try "#!/bin/sh\ntouch '\(marker)'\ncat\n".write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        return (script, marker)
    }

    @Test func jsonTextFiltersAndExitStatuses() throws {
        let json = try cli.run(["cases", runID, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["schema_version"] as? Int == 1)
        let cases = try #require(object["cases"] as? [[String: Any]])
        #expect(cases.map { $0["case_id"] as? String } == ["c0", "c1"])
        let variants = try #require(cases.first?["variants"] as? [[String: Any]])
        #expect(variants.map { $0["failing_graders"] as? [String] } == [[], ["equals"]])

        // Piped: plain text, never through the pager, even with PAGER set.
        let pager = try markingPager()
        let text = try cli.run(["cases", "e", "--newly-failing-vs", "one"], environment: ["PAGER": pager.command])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("1 of 2 cases match --newly-failing-vs one"), "\(text.stdout)")
        #expect(text.stdout.contains("case c0") && !text.stdout.contains("case c1"))
        #expect(text.stdout.contains("Ticket: alpha"))
        #expect(text.stdout.contains("✗ equals 0"))
        #expect(!text.stdout.contains("\u{1B}["), "no colour when not a terminal")
        #expect(!FileManager.default.fileExists(atPath: pager.marker), "no pager when piped")

        // c1 fails with `one`, so nothing there is newly failing against it.
        let filtered = try cli.run(["cases", runID, "--case", "c1", "--newly-failing-vs", "one", "--format", "json"])
        #expect(filtered.status == 0)
        let none = try JSONSerialization.jsonObject(with: Data(filtered.stdout.utf8)) as? [String: Any]
        #expect((none?["cases"] as? [Any])?.count == 0)
        #expect(none?["total_cases"] as? Int == 2)

        let checks: [([String], Int32, String)] = [
            (["cases", runID, "--newly-failing-vs", "tow"], 4, "did you mean 'two'"),
            (["cases", "r-nope"], 5, "no run or experiment named 'r-nope'"),
            (["cases", runID, "--case", "c9"], 5, "has no case 'c9'"),
            (["cases", runID, "--grep", ""], 2, "--grep needs some text"),
            (["cases", runID, "--failling"], 2, "Unknown option '--failling'"),
            (["cases"], 2, "Missing expected argument"),
        ]
        for (arguments, status, message) in checks {
            let result = try cli.run(arguments)
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("\nhint: "), "\(arguments): \(result.stderr)")
        }
        #expect(try cli.run(["cases", runID, "--newly-failing-vs", "tow"]).stderr.contains("hint: its variants are: one, two"))
    }

    /// On a terminal (made with `script`), the text goes through $PAGER; a missing pager is not an error.
    @Test func pagesOnlyOnATerminal() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { return }
        let pager = try markingPager()
        let paged = try onTerminal("'\(CLITests.executable)' cases \(runID)", pager: pager.command)
        #expect(paged.status == 0)
        #expect(FileManager.default.fileExists(atPath: pager.marker), "the pager ran")
        #expect(paged.output.contains("case c1"))

        let missing = try onTerminal("'\(CLITests.executable)' cases \(runID)", pager: "/no/such/pager -R")
        #expect(missing.status == 0)
        #expect(missing.output.contains("case c1"), "without its pager the text is written directly")
        #expect(!missing.output.contains("error"))

        // The default, less -FRX, must own the terminal: a pager in a process group of its own is
        // stopped as soon as it sets the terminal up, and the command would hang (124 from timeout).
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/less") else { return }
        let less = try onTerminal("stty rows 50 cols 120; '\(CLITests.executable)' cases \(runID)", pager: nil, term: "xterm")
        #expect(less.status == 0, "\(less.output)")
        #expect(less.output.contains("case c1"))
    }

    /// Runs `command` under `script`, whose pseudo-terminal is the command's stdout, for at most 30 seconds.
    func onTerminal(_ command: String, pager: String?, term: String = "dumb") throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["30", "/usr/bin/script", "-qec", command, "/dev/null"]
        process.currentDirectoryURL = URL(fileURLWithPath: cli.repo)
        process.environment = [
            "HOME": cli.home, "PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1", "NO_COLOR": "1", "PROMPTLAB_DB": "",
            "TERM": term,
        ]
        if let pager { process.environment?["PAGER"] = pager }
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
