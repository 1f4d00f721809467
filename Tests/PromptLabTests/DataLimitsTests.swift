import Foundation
import PromptLab
import PromptLabCore
import PromptLabTestSupport
import Testing

@testable import PromptExperiments
@testable import PromptFormat

/// YAML bombs and malformed CSV/JSONL, read through every entry point that
/// reads them: front matter, `--vars` files, datasets, experiment files and
/// inline `cases:`.
@Suite struct DataLimitsTests {
    let directory: String

    init() throws {
        directory = TestFolders.root + "promptlab-data-\(UUID().uuidString)/"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: directory + name, atomically: true, encoding: .utf8)
        return directory + name
    }

    /// "Billion laughs": nine levels of ten aliases each, 10⁹ strings from about 500 bytes,
    /// as the value of `key` at `indent`.
    static func bomb(key: String = "bomb", indent: String = "") -> String {
        var lines = ["\(indent)\(key):", "\(indent)  - &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            lines.append("\(indent)  - &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - YAML

    /// Found by the `vars` fuzzer: YAML 1.1's base-60 numbers (`1:30`) overflowed in Yams after twelve
    /// groups and trapped. A plain scalar with a colon is text, as YAML 1.2 and Dotprompt read it.
    @Test func colonSeparatedNumbersAreTextNotATrap() throws {
        let value = try PromptValue.parseYAML("long: 1:1:1:1:1:1:1:1:1:1:1:1:1\nshort: 1:30\ntime: 12:30:00\nplain: 90\n")
        #expect(value["long"] == .string("1:1:1:1:1:1:1:1:1:1:1:1:1"))
        #expect(value["short"] == .string("1:30"))
        #expect(value["time"] == .string("12:30:00"))
        #expect(value["plain"] == .int(90))
        let front = try PromptFile.parse(
            Array("---\nmodel: m\ninput:\n  default:\n    at: 9:9:9:9:9:9:9:9:9:9:9:9\n---\n{{at}}\n".utf8), name: try PromptName("t"),
            displayPath: "t.prompt")
        #expect(front.frontMatter.inputDefaults.first?.value == .string("9:9:9:9:9:9:9:9:9:9:9:9"))
    }

    @Test func bombIsSmall() {
        #expect(Self.bomb().utf8.count < 600)
    }

    @Test func bombInFrontMatterIsRefused() {
        let text = "---\nmodel: m\ninput:\n  default:\n" + Self.bomb(indent: "    ") + "---\nHi {{bomb}}\n"
        let failure = thrownPromptLabError { try PromptFile.parse(Array(text.utf8), name: try PromptName("t"), displayPath: "t.prompt") }
        #expect(failure?.kind == .invalidInput)
        // Line 10 holds the `&e` list, whose aliases cross the limit (each `*d` stands for 11,111 values).
        #expect(failure?.message.hasPrefix("t.prompt:10:") == true, "\(failure?.message ?? "")")
        #expect(failure?.message.contains("aliases stand for more than 100000 values") == true)
    }

    @Test func bombInVariablesFileIsRefused() throws {
        let path = try write("vars.yaml", Self.bomb())
        let failure = thrownPromptLabError { try VariablesInput.read(assignments: [], file: path) }
        #expect(failure?.kind == .invalidInput)
        #expect(failure?.message.hasPrefix("\(path):6:") == true, "\(failure?.message ?? "")")
    }

    @Test func bombInYAMLDatasetIsRefused() throws {
        let path = try write("cases.yaml", "- id: one\n  x: 1\n- id: two\n" + Self.bomb(indent: "  "))
        let failure = thrownPromptLabError { try Dataset.load(path: path, displayPath: "cases.yaml") }
        #expect(failure?.kind == .invalidInput)
        #expect(failure?.message.hasPrefix("cases.yaml:9:") == true, "\(failure?.message ?? "")")
    }

    @Test func bombInExperimentFileAndInlineCasesIsRefused() {
        let experiment = "name: e\ncontrol: a\nvariants: {a: p}\n" + Self.bomb(key: "seed")
        let failure = thrownPromptLabError { try ExperimentFile.parse(experiment, path: "e.yaml") }
        #expect(failure?.kind == .invalidInput)
        #expect(failure?.message.hasPrefix("e.yaml:9:") == true, "\(failure?.message ?? "")")
        let inline = "name: e\ncontrol: a\nvariants: {a: p}\ncases:\n  - id: one\n" + Self.bomb(indent: "    ")
        let cases = thrownPromptLabError { try ExperimentFile.parse(inline, path: "e.yaml").loadDataset() }
        #expect(cases?.kind == .invalidInput)
        #expect(cases?.message.hasPrefix("e.yaml:11:") == true, "\(cases?.message ?? "")")
    }

    @Test func aliasAsMappingKeyIsRefusedBeforeHashing() {
        // Yams hashes mapping keys to find duplicates: a bomb as a key would be walked in full.
        let text = Self.bomb() + "? *i\n: x\n"
        #expect(thrownPromptLabError { try PromptValue.parseYAML(text, displayPath: "k.yaml") }?.message.hasPrefix("k.yaml:6:") == true)
    }

    @Test func modestAliasesStillWork() throws {
        let value = try PromptValue.parseYAML("base: &b {tone: calm, n: 1}\ncopy: *b\nlist: [*b, *b]\n")
        #expect(value["copy"] == value["base"])
        #expect(value["list"] == .array([value["base"]!, value["base"]!]))
    }

    @Test func deepYAMLIsRefusedWithItsLine() {
        let deep = String(repeating: "[", count: 150) + String(repeating: "]", count: 150)
        let failure = thrownPromptLabError { try PromptValue.parseYAML("ok: 1\nx: " + deep, displayPath: "d.yaml") }
        #expect(failure?.message == "d.yaml:2:103: lists and mappings nest more than 100 deep", "\(failure?.message ?? "")")
    }

    @Test func deepJSONIsRefusedBeforeDecoding() throws {
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        let path = try write("vars.json", "{\"x\": \(deep)}")
        let failure = thrownPromptLabError { try VariablesInput.load(path) }
        #expect(failure?.kind == .invalidInput)
        #expect(failure?.message.contains("nest more than 100 deep") == true, "\(failure?.message ?? "")")
        // Brackets inside strings do not count.
        #expect(try PromptValue.parseJSON(#"{"x": "\#(deep)\\\"["}"#)["x"] != nil)
    }

    // MARK: - CSV and JSONL

    func csvError(_ text: String) throws -> String? {
        let path = try write("d-\(UUID().uuidString).csv", text)
        return thrownPromptLabError { try Dataset.load(path: path, displayPath: "d.csv") }?.message
    }

    @Test func unterminatedQuoteIsAnErrorNotSwallowedRows() throws {
        let message = try csvError("id,text\n1,fine\n2,\"never closed\n3,lost\n4,lost too\n")
        #expect(message == "d.csv:3: malformed CSV: a quoted field is never closed (missing '\"')")
    }

    @Test func strayQuotesAreErrors() throws {
        #expect(try csvError("id,text\n1,say \"hi\"\n")?.hasPrefix("d.csv:2: malformed CSV: a quote inside an unquoted field") == true)
        #expect(try csvError("id,text\n1,\"hi\" there\n")?.hasPrefix("d.csv:2: malformed CSV: text after a closing quote") == true)
    }

    @Test func raggedRowsNameTheirLineAfterMultilineFields() throws {
        #expect(try csvError("id,text\n1,\"two\nlines\"\n2,a,b\n") == "d.csv:4: row has 3 fields but the header has 2")
    }

    @Test func wellFormedCSVStillReads() throws {
        let path = try write("ok.csv", "id,text,expected\n1,\"a \"\"quoted\"\", word\",x\n\n2,\"multi\nline\",y\n3,,\n")
        let dataset = try Dataset.load(path: path, displayPath: "ok.csv")
        #expect(dataset.cases.map(\.id) == ["1", "2", "3"])
        #expect(dataset.cases[0].variableDictionary["text"] == .string("a \"quoted\", word"))
        #expect(dataset.cases[1].variableDictionary["text"] == .string("multi\nline"))
    }

    @Test func badJSONLineNamesItsLine() throws {
        let path = try write("d.jsonl", "{\"id\": \"a\"}\n\n{\"id\": \"b\", \"x\": " + String(repeating: "[", count: 200) + "\n")
        let failure = thrownPromptLabError { try Dataset.load(path: path, displayPath: "d.jsonl") }
        #expect(
            failure?.message.hasPrefix("d.jsonl:3: JSON arrays and objects nest more than 100 deep") == true, "\(failure?.message ?? "")")
    }
}
