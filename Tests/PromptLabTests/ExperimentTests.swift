import Foundation
import PromptLab
import PromptLabCore
import PromptLabTestSupport
import Testing

@testable import PromptExperiments
@testable import PromptFormat
@testable import PromptVersioning

@Suite struct ExperimentTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test(arguments: ["ticket-routing", "sentiment", "model-comparison", "word-problems"])
    func shippedExperimentsParse(_ name: String) throws {
        let experiment = try ExperimentDefinition.load(path: "\(Self.packageRoot)/experiments/\(name).yaml")
        #expect(experiment.name == name)
        #expect(experiment.variants.count >= 2)
        #expect(experiment.variants.contains { $0.name == experiment.control })
        #expect(!experiment.dataset.cases.isEmpty)
        #expect(!experiment.graders.isEmpty)
    }

    @Test func ticketDatasetIsLabelledAndStable() throws {
        let experiment = try ExperimentDefinition.load(path: "\(Self.packageRoot)/experiments/ticket-routing.yaml")
        let cases = experiment.dataset.cases
        #expect(cases.count >= 100)
        #expect(Set(cases.compactMap { $0.expected?.templateText }) == ["billing", "technical", "shipping", "general"])
        #expect(cases[0].id == "t001")
        #expect(cases[0].variableDictionary["ticket"] != nil)
        // Loading twice gives the same ids and dataset hash.
        let again = try ExperimentDefinition.load(path: "\(Self.packageRoot)/experiments/ticket-routing.yaml")
        #expect(again.dataset.hash == experiment.dataset.hash)
        #expect(again.variants.map(\.name) == ["zero-shot", "few-shot"])
    }

    @Test func csvDatasetWithQuotedCommas() throws {
        let experiment = try ExperimentDefinition.load(path: "\(Self.packageRoot)/experiments/sentiment.yaml")
        let second = experiment.dataset.cases[1]
        #expect(second.id == "r002")
        #expect(second.variableDictionary["review"]?.templateText.contains("Not sure about country roads, haven't") == true)
        #expect(second.expected == .string("neutral"))
    }

    @Test func casesWithoutIdsGetContentHashes() throws {
        let yaml = """
            name: t
            control: a
            variants: {a: p@v1, b: p@v2}
            model: local/baseline
            cases:
              - {ticket: "refund please", expected: billing}
              - {ticket: "app crashes", expected: technical}
            """
        let first = try ExperimentDefinition.parse(yaml, path: "/tmp/x.yaml")
        let second = try ExperimentDefinition.parse(yaml.replacingOccurrences(of: "name: t", with: "name: u"), path: "/tmp/x.yaml")
        #expect(first.dataset.cases.map(\.id) == second.dataset.cases.map(\.id))
        #expect(first.dataset.cases[0].id != first.dataset.cases[1].id)
        #expect(first.dataset.cases[0].id.hasPrefix("h"))
    }

    @Test func malformedExperimentsCiteLineAndColumn() {
        let unknownControl = thrownPromptLabError {
            try ExperimentDefinition.parse("name: t\ncontrol: c\nvariants: {a: p@v1}\ncases: [{x: 1}]\n", path: "e.yaml")
        }
        #expect(unknownControl?.message == "e.yaml:2:10: control 'c' is not one of the variants (a)")
        let badRepeat = thrownPromptLabError {
            try ExperimentDefinition.parse("name: t\ncontrol: a\nvariants: {a: p@v1}\ncases: [{x: 1}]\nrepeat: lots\n", path: "e.yaml")
        }
        #expect(badRepeat?.message == "e.yaml:5:9: 'repeat' must be a whole number")
        let key = thrownPromptLabError {
            try ExperimentDefinition.parse(
                "name: t\ncontrol: a\nvariants: {a: p@v1}\ncases: [{x: 1}]\nproviders:\n  openai: {api_key: sk-123}\n", path: "e.yaml")
        }
        #expect(key?.message.contains("API keys never go in experiment files") == true)
        let typo = thrownPromptLabError { try ExperimentDefinition.parse("name: t\ncontrl: a\n", path: "e.yaml") }
        #expect(typo?.message.hasPrefix("e.yaml:2:1: unknown field 'contrl'") == true)
        let yaml = thrownPromptLabError { try ExperimentDefinition.parse("name: [t\n", path: "e.yaml") }
        #expect(yaml?.message.hasPrefix("e.yaml:2:") == true, "\(yaml?.message ?? "")")
    }

    @Test func malformedDatasetLinesAreNamed() throws {
        let directory = TestFolders.root + "promptlab-ds-\(UUID().uuidString)/"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "{\"x\": 1}\n\n{\"x\": 2\n".write(toFile: directory + "d.jsonl", atomically: true, encoding: .utf8)
        let jsonl = thrownPromptLabError { try Dataset.load(path: directory + "d.jsonl", displayPath: "d.jsonl") }
        #expect(jsonl?.message == "d.jsonl:3: malformed JSON line")
        try "a,b\n1,2\n3\n".write(toFile: directory + "d.csv", atomically: true, encoding: .utf8)
        let csv = thrownPromptLabError { try Dataset.load(path: directory + "d.csv", displayPath: "d.csv") }
        #expect(csv?.message == "d.csv:3: row has 1 fields but the header has 2")
        try "{\"id\": 1, \"x\": 1}\n{\"id\": 1, \"x\": 2}\n".write(toFile: directory + "dup.jsonl", atomically: true, encoding: .utf8)
        let duplicate = thrownPromptLabError { try Dataset.load(path: directory + "dup.jsonl", displayPath: "dup.jsonl") }
        #expect(duplicate?.message.contains("duplicate case id '1'") == true)
    }

    /// Datasets saved by spreadsheets and Windows editors (byte order mark,
    /// CRLF) load exactly like LF files.
    @Test func datasetsWithCRLFAndByteOrderMarkLoadLikeLF() throws {
        let directory = TestFolders.root + "promptlab-ds-\(UUID().uuidString)/"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = [
            "d.jsonl": "{\"id\": \"a\", \"ticket\": \"refund\"}\n{\"id\": \"b\", \"ticket\": \"crash\"}\n",
            "d.csv": "id,ticket,expected\na,refund,billing\nb,\"crash, twice\",technical\n",
        ]
        for (name, text) in files {
            try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "lf-" + name))
            let windows = [UInt8]([0xEF, 0xBB, 0xBF]) + Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
            try Data(windows).write(to: URL(fileURLWithPath: directory + "crlf-" + name))
            let lf = try Dataset.load(path: directory + "lf-" + name, displayPath: name)
            let crlf = try Dataset.load(path: directory + "crlf-" + name, displayPath: name)
            #expect(crlf.cases.map(\.id) == ["a", "b"], "\(name)")
            #expect(crlf.hash == lf.hash, "\(name)")
            #expect(crlf.cases[1].variableDictionary["ticket"]?.templateText.hasPrefix("crash") == true)
        }
    }

    @Test func planChecksEveryCaseForVariables() throws {
        let t = try TestRepository()
        try t.commit("p", samplePrompt(line: "one"))
        try t.commit("p", samplePrompt(line: "two"))
        let yaml = """
            name: t
            control: one
            model: local/baseline
            variants:
              one: p@v1
              two: {prompt: p@v2, model: openai/gpt-4o-mini, config: {temperature: 0.9}}
            cases:
              - {ticket: "refund please"}
              - {other: "no ticket here"}
            """
        let experiment = try ExperimentDefinition.parse(yaml, path: t.path + "e.yaml")
        let failure = thrownPromptLabError { try ExperimentPlan.build(experiment, repository: try t.open()) }
        #expect(failure?.message.hasPrefix("case 2 (") == true, "\(failure?.message ?? "")")
        #expect(failure?.message.contains("lacks variable 'ticket'") == true)

        let plan = try ExperimentPlan.build(experiment, repository: try t.open(), limit: 1)
        #expect(plan.cellCount == 2)
        #expect(plan.variants.map(\.model) == ["local/baseline", "openai/gpt-4o-mini"])
        #expect(plan.variants[1].config.temperature == 0.9)
        #expect(plan.variants[0].version.number == 1)
        #expect(plan.variants[0].templateHash != plan.variants[1].templateHash)
        let rendered = try plan.render(plan.variants[0], plan.cases[0])
        #expect(rendered.messages.last?.content == "\nrefund please")
    }

    /// Every case's values are checked against the declared types before any
    /// request; CSV-like text is converted where the reading is unambiguous.
    @Test func planChecksEveryCaseForTypes() throws {
        let t = try TestRepository()
        defer { t.remove() }
        try t.commit("p", "---\ninput:\n  schema:\n    max_words: integer\n---\nIn {{max_words}} words.\n")
        let yaml = """
            name: t
            control: a
            model: local/baseline
            variants: {a: p@v1}
            cases:
              - {id: one, max_words: "12"}
              - {id: two, max_words: 7}
              - {id: three, max_words: abc}
            """
        let experiment = try ExperimentDefinition.parse(yaml, path: t.path + "e.yaml")
        let failure = thrownPromptLabError { try ExperimentPlan.build(experiment, repository: try t.open()) }
        #expect(failure?.kind == .invalidInput)
        #expect(failure?.message.hasPrefix("case 3 (") == true, "\(failure?.message ?? "")")
        #expect(
            failure?.message.hasSuffix("id three), variant 'a': variable 'max_words' must be an integer, got 'abc'") == true,
            "\(failure?.message ?? "")")
        let plan = try ExperimentPlan.build(experiment, repository: try t.open(), limit: 2)
        #expect(try plan.cases.map { try plan.render(plan.variants[0], $0).messages[0].content } == ["In 12 words.", "In 7 words."])
    }
}
