import Foundation
import Testing

/// `promptlab review`: blind, resumable, verdicts stored per variant.
@Suite struct ReviewCommandTests {
    @Test func verdictsAreStoredBySideAndSessionsResume() throws {
        let cli = try CLITests()
        try cli.initialise()
        try cli.write("p.prompt", "---\nmodel: local/echo\n---\n{{ticket}}\n")
        #expect(try cli.run(["commit", "-m", "v1"]).status == 0)
        try cli.write("p.prompt", "---\nmodel: local/echo\n---\nTicket: {{ticket}}\n")
        #expect(try cli.run(["commit", "-m", "v2"]).status == 0)
        var yaml = "name: r\ncontrol: one\nvariants:\n  one: p@v1\n  two: p@v2\ncases:\n"
        for i in 0..<4 { yaml += "  - {id: c\(i), ticket: \"case \(i)\"}\n" }
        try cli.write("r.yaml", yaml)
        #expect(try cli.run(["run", "r.yaml"]).status == 0)
        let runs =
            (try JSONSerialization.jsonObject(with: Data(try cli.run(["runs", "--format", "json"]).stdout.utf8)) as? [String: Any])?["runs"]
            as? [[String: Any]]
        let runID = try #require(runs?.first?["run"] as? String)

        // Two verdicts, then quit.
        let first = try cli.run(["review", runID, "--reviewer", "ana"], input: "a\nb\nq\n")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("4 cases to go"))
        #expect(!first.stdout.contains("one") || !first.stdout.contains("LEFT one"), "variant names are hidden")
        // The second session starts at the third case.
        let second = try cli.run(["review", runID, "--reviewer", "ana"], input: "t\ns\n")
        #expect(second.stdout.contains("2 cases to go (2 already done)"), "\(second.stdout)")
        // Another reviewer starts from the beginning.
        let other = try cli.run(["review", runID, "--reviewer", "ben"], input: "q\n")
        #expect(other.stdout.contains("4 cases to go"))

        let db = cli.repo + ".promptlab/results.sqlite"
        let rows = try runSQLite(db, "select case_id, shown_left, verdict from review_verdicts where reviewer = 'ana' order by case_id")
        let lines = rows.split(separator: "\n").map { $0.split(separator: "|").map(String.init) }
        #expect(lines.count == 4)
        // Key a picks the left side, b the right; the stored verdict names the variant (A = control).
        #expect(lines[0][2] == (lines[0][1] == "one" ? "A" : "B"))
        #expect(lines[1][2] == (lines[1][1] == "one" ? "B" : "A"))
        #expect(lines[2][2] == "tie")
        #expect(lines[3][2] == "skip")
    }

    func runSQLite(_ path: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import sqlite3, sys; [print('|'.join(map(str, r))) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])]", path, sql,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
