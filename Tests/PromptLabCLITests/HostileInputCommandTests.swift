import Foundation
import Testing

/// Hostile prompt, template and data files through the `promptlab` executable:
/// each ends with one `error:` line and its exit status, never a signal.
@Suite struct HostileInputCommandTests {
    let cli: CLITests

    init() throws {
        cli = try CLITests()
        try cli.initialise()
    }

    static let bomb: String = {
        var lines = ["bomb:", "  - &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            lines.append("  - &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    /// One `error:` line on stderr.
    func expectOneError(_ result: CLITests.Result, status: Int32, startingWith prefix: String) {
        #expect(result.status == status, "\(result.stderr)")
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1, "\(result.stderr)")
        #expect(errors.first?.hasPrefix("error: " + prefix) == true, "\(result.stderr)")
    }

    @Test func deeplyNestedTemplateIsRefusedByEveryCommand() throws {
        try cli.write("ok.prompt", "---\nmodel: local/echo\n---\nHi\n")
        #expect(try cli.run(["commit", "-m", "v1"]).status == 0)
        let deep = String(repeating: "{{#a}}", count: 3000) + "x" + String(repeating: "{{/a}}", count: 3000)
        try cli.write("ok.prompt", "---\nmodel: local/echo\n---\n" + deep + "\n")
        expectOneError(
            try cli.run(["render", "ok@working"]), status: 4,
            startingWith: "ok.prompt:4:601: template error: blocks and subexpressions are nested more than 100 deep")
        expectOneError(
            try cli.run(["commit", "-m", "deep"]), status: 4,
            startingWith: "ok.prompt:4:601: template error: blocks and subexpressions are nested more than 100 deep")
        // Committed past the checks with plain git: reading the version is refused the same way, and diff still works.
        #expect(try cli.run(["git", "commit", "-qam", "deep"]).status == 0)
        expectOneError(
            try cli.run(["render", "ok@v2"]), status: 4,
            startingWith: "ok.prompt@v2:4:601: template error: blocks and subexpressions are nested more than 100 deep")
        let diff = try cli.run(["diff", "ok@v1", "ok@v2"])
        #expect(diff.status == 0, "\(diff.stderr)")
        #expect(diff.stdout.hasPrefix("diff ok v1"))
    }

    /// Mustache's set-delimiter tags could hide a partial from the checks; they are refused where they stand.
    @Test func setDelimiterTagsAreRefusedByEveryCommand() throws {
        try cli.write("p.prompt", "---\nmodel: local/echo\n---\n{{=<% %>=}}Hi <%> shared/missing%>\n")
        let refusal = "p.prompt:4:1: template error: set-delimiter tags are Mustache-only"
        expectOneError(try cli.run(["render", "p@working"]), status: 4, startingWith: refusal)
        expectOneError(try cli.run(["commit", "-m", "v1"]), status: 4, startingWith: refusal)
    }

    @Test func partialCyclesAreRefusedByEveryCommand() throws {
        try cli.write("q.prompt", "Hi {{#if x}}{{> r}}{{/if}}\n")
        try cli.write("r.prompt", "{{> q}}\n")
        expectOneError(try cli.run(["render", "q@working"]), status: 6, startingWith: "r.prompt:1:1: partial 'q' includes itself")
        expectOneError(try cli.run(["commit", "-m", "v1"]), status: 4, startingWith: "r.prompt:1:1: partial 'q' includes itself")
    }

    @Test func aliasBombInVariablesFileIsRefused() throws {
        try cli.write("p.prompt", "---\nmodel: local/echo\n---\nHi {{bomb}}\n")
        try cli.write("vars.yaml", Self.bomb)
        expectOneError(try cli.run(["render", "p@working", "--vars", "vars.yaml"]), status: 4, startingWith: "vars.yaml:6:")
    }

    @Test func aliasBombInExperimentCasesIsRefused() throws {
        try cli.write("p.prompt", "---\nmodel: local/echo\n---\n{{ticket}}\n")
        #expect(try cli.run(["commit", "-m", "v1"]).status == 0)
        let experiment = "name: e\ncontrol: one\nvariants:\n  one: p@v1\n  two: p@working\ngraders:\n  - type: equals\n"
        let indented = Self.bomb.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        try cli.write("e.yaml", experiment + "cases:\n  - id: c0\n    ticket: hi\n" + indented + "\n")
        expectOneError(try cli.run(["run", "e.yaml", "--dry-run"]), status: 4, startingWith: "e.yaml:16:")
    }

    @Test func unterminatedCSVQuoteIsRefused() throws {
        try cli.write("p.prompt", "---\nmodel: local/echo\n---\n{{ticket}}\n")
        #expect(try cli.run(["commit", "-m", "v1"]).status == 0)
        try cli.write("cases.csv", "id,ticket\nc0,\"never closed\nc1,lost\n")
        try cli.write(
            "e.yaml", "name: e\ncontrol: one\nvariants:\n  one: p@v1\n  two: p@working\ngraders:\n  - type: equals\ndataset: cases.csv\n")
        expectOneError(try cli.run(["run", "e.yaml", "--dry-run"]), status: 4, startingWith: "")
        #expect(try cli.run(["run", "e.yaml", "--dry-run"]).stderr.contains("cases.csv:2: malformed CSV"))
    }
}
