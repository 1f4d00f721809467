import Foundation
import PromptLabCore
import Testing

@testable import PromptFormat

/// Front matter read against Dotprompt's own conformance files
/// (`../shared/conformance/dotprompt/spec` beside the package): every Picoschema
/// case compiled as the spec expects, and ``FrontMatter/dotpromptMetadata``
/// equal to every `expect` (less `messages` and `raw`) as Dotprompt's runner compares it.
///
/// Objects compare regardless of key order (``PromptValue/jsonEquals(_:)``), as
/// the spec's runner does; the spec's own examples list keys in several orders.
struct DotpromptSpecTests {
    static let specFolder: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/conformance/dotprompt/spec").standardized
    static let specAvailable = FileManager.default.fileExists(atPath: specFolder.appendingPathComponent("picoschema.yaml").path)

    /// One suite of a spec file: its name, template, named schemas and tests.
    struct Suite {
        var file: String
        var name: String
        var template: String
        var schemas: PromptValue?
        var tests: [PromptValue]
    }

    static func suites(in file: String) throws -> [Suite] {
        let text = try String(contentsOf: specFolder.appendingPathComponent(file), encoding: .utf8)
        guard case .array(let suites) = try PromptValue.parseYAML(text, displayPath: file) else { return [] }
        return suites.compactMap { suite in
            guard case .string(let name)? = suite["name"], case .string(let template)? = suite["template"],
                case .array(let tests)? = suite["tests"]
            else { return nil }
            return Suite(file: file, name: name, template: template, schemas: suite["schemas"], tests: tests)
        }
    }

    /// The front matter of a spec template, read as a prompt file's, with the suite's named schemas.
    static func frontMatter(of suite: Suite) throws -> FrontMatter {
        let bytes = PromptFile.normalizedLineEndings(Array(suite.template.utf8))
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---",
            let closing = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" })
        else { return FrontMatter() }
        let schemas = suite.schemas
        return try FrontMatter.parse(
            lines[1..<closing].joined(separator: "\n"), displayPath: "\(suite.name).prompt",
            schemas: { name in schemas?[name] })
    }

    @Test(.enabled(if: specAvailable, "Dotprompt's spec files are not beside the package (../shared/conformance/dotprompt/spec)"))
    func everyPicoschemaCaseCompilesAsTheSpecExpects() throws {
        let suites = try Self.suites(in: "picoschema.yaml")
        #expect(suites.count >= 19)
        var compared = 0
        for suite in suites {
            let front = try Self.frontMatter(of: suite)
            for test in suite.tests {
                guard let expect = test["expect"] else { continue }
                for (field, actual) in [("input", front.inputSchema), ("output", front.outputSchema)] {
                    guard let expected = expect[field]?["schema"] else { continue }
                    compared += 1
                    #expect(
                        actual?.jsonEquals(expected) == true,
                        "\(suite.name) \(field).schema: got \(actual?.jsonText(pretty: false) ?? "nil"), expected \(expected.jsonText(pretty: false))"
                    )
                }
            }
        }
        #expect(compared >= 21)
    }

    /// Every spec test without per-call options: the metadata Dotprompt's
    /// `renderMetadata` returns, compared as its runner compares it.
    @Test(
        .enabled(if: specAvailable, "Dotprompt's spec files are not beside the package (../shared/conformance/dotprompt/spec)"),
        arguments: [
            "picoschema.yaml", "metadata.yaml", "variables.yaml", "partials.yaml", "unicode.yaml", "whitespace.yaml",
            "helpers/history.yaml", "helpers/ifEquals.yaml", "helpers/json.yaml", "helpers/media.yaml", "helpers/role.yaml",
            "helpers/section.yaml", "helpers/unlessEquals.yaml",
        ])
    func metadataMatchesEverySpecExpectation(_ file: String) throws {
        for suite in try Self.suites(in: file) {
            let front = try Self.frontMatter(of: suite)
            for test in suite.tests where test["options"] == nil {
                guard case .object(let pairs)? = test["expect"] else { continue }
                var expected = pairs.filter { $0.key != "messages" && $0.key != "raw" }
                for key in ["ext", "config", "metadata"] where !expected.contains(where: { $0.key == key }) {
                    expected.append((key, .object([])))
                }
                guard case .object(var actual) = front.dotpromptMetadata else {
                    Issue.record("metadata is not an object")
                    continue
                }
                actual.removeAll { $0.key == "raw" }
                #expect(
                    PromptValue.object(actual).jsonEquals(.object(expected)),
                    "\(file) \(suite.name): got \(PromptValue.object(actual).jsonText(pretty: false)), expected \(PromptValue.object(expected).jsonText(pretty: false))"
                )
                if let raw = test["expect"]?["raw"] {
                    #expect(front.raw.jsonEquals(raw), "\(file) \(suite.name): raw")
                }
            }
        }
    }
}
