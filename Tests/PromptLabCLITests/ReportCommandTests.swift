import Foundation
import Testing

/// `promptlab report`, `compare` and `plan` end to end, on runs of the
/// built-in offline model.
@Suite struct ReportCommandTests {
    let cli: CLITests

    init() throws {
        cli = try CLITests()
        try cli.initialise()
        // v1 names the labels only; v2 also gives examples, so the baseline does better.
        try cli.write(
            "route.prompt",
            """
            ---
            model: local/baseline
            ---
            {{role "system"}}
            Answer with one of: billing, shipping.
            {{role "user"}}
            {{ticket}}
            """)
        #expect(try cli.run(["commit", "-m", "v1"]).status == 0)
        try cli.write(
            "route.prompt",
            """
            ---
            model: local/baseline
            examples:
              - {input: {ticket: "refund my card charge invoice"}, output: billing}
              - {input: {ticket: "parcel courier delivery tracking late"}, output: shipping}
            ---
            {{role "system"}}
            Answer with one of: billing, shipping.
            {{#examples}}
            {{role "user"}}
            {{input.ticket}}
            {{role "assistant"}}
            {{output}}
            {{/examples}}
            {{role "user"}}
            {{ticket}}
            """)
        #expect(try cli.run(["commit", "-m", "v2"]).status == 0)
        var yaml = "name: route\ncontrol: old\nvariants:\n  old: route@v1\n  new: route@v2\ngraders:\n  - {type: equals}\ncases:\n"
        let words = [("billing", "refund for the invoice charge"), ("shipping", "where is my parcel delivery")]
        for i in 0..<40 {
            let (label, text) = words[i % 2]
            yaml += "  - {id: c\(i), ticket: \"\(text) \(i)\", expected: \(label)}\n"
        }
        try cli.write("route.yaml", yaml)
    }

    @Test func reportGivesVerdictJSONAndGate() throws {
        let run = try cli.run(["run", "route.yaml"])
        #expect(run.status == 0, "\(run.stderr)")
        let text = try cli.run(["report", "route"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("McNemar exact"), "\(text.stdout)")
        #expect(text.stdout.contains("new beats old") || text.stdout.contains("not significant"), "\(text.stdout)")

        let json = try cli.run(["report", "route", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object != nil, "report JSON parses")
        let markdown = try cli.run(["report", "route", "--format", "markdown"])
        #expect(markdown.stdout.contains("|"))
        let allPairs = try cli.run(["report", "route", "--pairs", "all", "--format", "json"])
        let pairsObject = try JSONSerialization.jsonObject(with: Data(allPairs.stdout.utf8)) as? [String: Any]
        #expect(pairsObject?["pairs"] as? String == "all", "\(allPairs.stderr)")
        #expect(try cli.run(["report", "route", "--pairs", "some"]).status == 2)

        // Old against new: 'old' as a candidate is worse than 'new' as control, so the gate trips.
        let swapped = try String(contentsOfFile: cli.repo + "route.yaml", encoding: .utf8)
            .replacingOccurrences(of: "control: old", with: "control: new")
        try cli.write("swapped.yaml", swapped.replacingOccurrences(of: "name: route", with: "name: swapped"))
        let gate = try cli.run(["run", "swapped.yaml", "--fail-on-regression"])
        #expect(gate.status == 10, "\(gate.stdout)\n\(gate.stderr)")
        #expect(gate.stderr.contains("regression: old significantly worse than new"))
        let reportGate = try cli.run(["report", "swapped", "--fail-on-regression"])
        #expect(reportGate.status == 10)
        let unknown = try cli.run(["report", "r-nonexistent"])
        #expect(unknown.status == 5, "\(unknown.stderr)")
    }

    @Test func compareListsChangedCases() throws {
        #expect(try cli.run(["run", "route.yaml"]).status == 0)
        #expect(try cli.run(["run", "route.yaml", "--no-cache"]).status == 0)
        let runs =
            (try JSONSerialization.jsonObject(with: Data(try cli.run(["runs", "--format", "json"]).stdout.utf8)) as? [String: Any])?["runs"]
            as? [[String: Any]]
        let ids = (runs ?? []).compactMap { $0["run"] as? String }
        #expect(ids.count == 2)
        let compare = try cli.run(["compare", ids[1], ids[0]])
        #expect(compare.status == 0, "\(compare.stderr)")
        #expect(compare.stdout.contains("newly") || compare.stdout.contains("no case changed"), "\(compare.stdout)")
    }

    /// A results database this user may not write (shared read-only, or on a read-only mount) used
    /// to fail every command. Reading commands now work; a writing command says the file is read-only.
    @Test func readOnlyResultsCanStillBeRead() throws {
        #expect(try cli.run(["run", "route.yaml"]).status == 0)
        let folder = cli.repo + ".promptlab"
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: folder + "/results.sqlite")
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
            try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder + "/results.sqlite")
        }
        // Permissions do not bind root, so as root the commands run as the unprivileged `nobody`
        // (the repository is root's, which git accepts only when marked safe).
        let asUser: [String]
        if getuid() == 0 {
            asUser = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", CLITests.executable]
            let repository = String(cli.repo.dropLast())
            try "[user]\n\tname = Cli Tester\n\temail = cli@example.com\n[safe]\n\tdirectory = \(repository)\n".write(
                toFile: cli.home + ".gitconfig", atomically: true, encoding: .utf8)
        } else {
            asUser = [CLITests.executable]
        }
        func run(_ arguments: [String]) throws -> CLITests.Result {
            try cli.run(asUser + arguments)
        }
        let report = try run(["report", "route"])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("McNemar exact"), "\(report.stdout)")
        let runs = try run(["runs"])
        #expect(runs.status == 0, "\(runs.stderr)")
        #expect(runs.stdout.contains("route"), "\(runs.stdout)")

        let write = try run(["run", "route.yaml"])
        #expect(write.status == 1, "\(write.stderr)")
        #expect(write.stderr.hasPrefix("error: ") && write.stderr.contains("read-only"), "\(write.stderr)")
        #expect(write.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }.count == 1)
    }

    @Test func planMatchesPublishedSampleSizes() throws {
        let connor = try cli.run(["plan", "--discordant", "0.05,0.45"])
        #expect(connor.status == 0, "\(connor.stderr)")
        #expect(connor.stdout.contains("23"), "\(connor.stdout)")
        let winRate = try cli.run(["plan", "--win-rate", "0.6"])
        #expect(winRate.stdout.contains("194"), "\(winRate.stdout)")
    }

    /// Vanishing effects made the planned size infinite or astronomically large, and converting it
    /// to a whole number of cases trapped. They are now refused with one error line.
    @Test(arguments: [
        ["--sd", "1", "--effect", "1e-10"], ["--pass-rates", "0.5,0.5000000001"], ["--win-rate", "0.5000000001"],
        ["--sd", "inf", "--effect", "1"], ["--sd", "1", "--effect", "1e-300"], ["--sd", "nan", "--effect", "1"],
        ["--discordant", "0.1,0.1000000001"],
    ])
    func planRefusesEffectsTooSmallToDetect(arguments: [String]) throws {
        let result = try cli.run(["plan"] + arguments)
        #expect(result.status == 4, "\(arguments): \(result.status) \(result.stderr)")
        let errorLines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errorLines.count == 1, "\(result.stderr)")
    }
}
