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

    @Test func planMatchesPublishedSampleSizes() throws {
        let connor = try cli.run(["plan", "--discordant", "0.05,0.45"])
        #expect(connor.status == 0, "\(connor.stderr)")
        #expect(connor.stdout.contains("23"), "\(connor.stdout)")
        let winRate = try cli.run(["plan", "--win-rate", "0.6"])
        #expect(winRate.stdout.contains("194"), "\(winRate.stdout)")
    }
}
