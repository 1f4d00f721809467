import Foundation
import PromptFormat
import PromptLabCore
import Testing

/// Dotprompt's language-independent conformance tests (the YAML files every official Dotprompt runtime
/// runs), read from `../shared/conformance/dotprompt/spec` beside the package. Each test renders its
/// template with its data and compares the messages, and every metadata field the test names, exactly.
///
/// Where the folder is absent (a plain clone), the tests are skipped with a message. Known differences
/// from Dotprompt would be listed in ``DotpromptSpec/knownDifferences`` and docs/dotprompt.md; there are none.
struct DotpromptSpecTests {
    @Test(
        "Dotprompt spec",
        .enabled(if: DotpromptSpec.folder != nil, "Dotprompt's spec folder (../shared/conformance/dotprompt/spec) is absent"),
        arguments: DotpromptSpec.cases)
    func specCase(_ specCase: DotpromptSpec.Case) throws {
        let outcome = specCase.run()
        if let reason = DotpromptSpec.knownDifferences[specCase.id] {
            withKnownIssue(Comment(rawValue: reason)) { try outcome.get() }
        } else {
            try outcome.get()
        }
    }

    /// Every case in the folder is run: none is skipped or lost when the files are read.
    @Test(.enabled(if: DotpromptSpec.folder != nil, "Dotprompt's spec folder is absent"))
    func everyCaseIsRun() {
        #expect(DotpromptSpec.cases.count == DotpromptSpec.declaredTestCount)
        #expect(DotpromptSpec.loadProblems.isEmpty, "\(DotpromptSpec.loadProblems)")
    }
}

/// Reads the spec files.
enum DotpromptSpec {
    /// Cases PromptLab renders differently on purpose, with the reason (also in docs/dotprompt.md).
    static let knownDifferences: [String: String] = [:]

    /// The spec folder, when it is present.
    static let folder: URL? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let folder = root.deletingLastPathComponent().appendingPathComponent("shared/conformance/dotprompt/spec")
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) && isDirectory.boolValue
            ? folder : nil
    }()

    /// One test of one suite.
    struct Case: Sendable, CustomTestStringConvertible {
        var id: String
        var template: String
        var partials: [String: String]
        var schemas: PromptValue?
        var data: PromptValue
        var options: PromptValue?
        var expect: PromptValue

        var testDescription: String { id }
    }

    struct Mismatch: Error, CustomStringConvertible {
        var description: String
    }

    nonisolated(unsafe) static var loadProblems = [String]()
    nonisolated(unsafe) static var declaredTestCount = 0

    static let cases: [Case] = {
        guard let folder else { return [] }
        var cases = [Case]()
        let files = (FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
        for file in files {
            do {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                guard case .array(let suites) = try PromptValue.parseYAML(text, displayPath: file) else {
                    loadProblems.append("\(file): not a list of suites")
                    continue
                }
                for suite in suites {
                    guard case .string(let name)? = suite["name"], case .array(let tests)? = suite["tests"] else {
                        loadProblems.append("\(file): a suite without name or tests")
                        continue
                    }
                    declaredTestCount += tests.count
                    var partials = [String: String]()
                    for key in ["partials", "resolverPartials"] {
                        if case .object(let pairs)? = suite[key] {
                            for (partial, source) in pairs { partials[partial] = source.templateText }
                        }
                    }
                    for test in tests {
                        let description = test["desc"]?.templateText ?? "?"
                        cases.append(
                            Case(
                                id: "\(file) › \(name) › \(description)",
                                template: suite["template"]?.templateText ?? "",
                                partials: partials, schemas: suite["schemas"],
                                data: merge(suite["data"] ?? .object([]), test["data"] ?? .object([])),
                                options: test["options"], expect: test["expect"] ?? .object([])))
                    }
                }
            } catch {
                loadProblems.append("\(file): \(error)")
            }
        }
        return cases
    }()

    private static func merge(_ base: PromptValue, _ overrides: PromptValue) -> PromptValue {
        guard case .object(var pairs) = base, case .object(let extra) = overrides else { return overrides }
        for (key, value) in extra {
            if let index = pairs.firstIndex(where: { $0.key == key }) { pairs[index].value = value } else { pairs.append((key, value)) }
        }
        return .object(pairs)
    }
}

extension DotpromptSpec.Case {
    /// Renders the case and compares it with its expectations.
    func run() -> Result<Void, DotpromptSpec.Mismatch> {
        do {
            let partialFiles = try partials.mapValues { source throws(PromptLabError) in
                try PromptFile.parse(Array(source.utf8), name: try PromptName("partial"), displayPath: "partial.prompt")
            }
            let named = schemas
            let file = try PromptFile.parse(
                Array(template.utf8), name: try PromptName("spec"), displayPath: "spec.prompt", schemas: { named?[$0] })
            let renderer = PromptRenderer(
                partials: { (name: PromptName) throws(PromptLabError) -> PromptFile? in
                    guard let source = partials[name.rawValue] else { return nil }
                    return try PromptFile.parse(Array(source.utf8), name: name, displayPath: name.relativePath)
                })
            _ = partialFiles
            var variables = [String: PromptValue]()
            if case .object(let pairs)? = data["input"] { for (key, value) in pairs { variables[key] = value } }
            var context = [String: PromptValue]()
            if case .object(let pairs)? = data["context"] { for (key, value) in pairs { context[key] = value } }
            let history = try DotpromptSpec.messages(data["messages"])
            var defaults = [String: PromptValue]()
            if case .object(let pairs)? = options?["input"]?["default"] { for (key, value) in pairs { defaults[key] = value } }
            let rendered = try renderer.render(
                file, variables: variables, options: RenderOptions(context: context, history: history, defaults: defaults))

            var problems = [String]()
            let actualMessages = PromptValue.array(rendered.messages.map(DotpromptSpec.specForm))
            if let expected = expect["messages"], !DotpromptSpec.same(actualMessages, expected) {
                problems.append(
                    "messages:\n  expected \(expected.jsonText(pretty: false))\n  got      \(actualMessages.jsonText(pretty: false))")
            }
            let metadata = rendered.dotpromptMetadata
            if case .object(let pairs) = expect {
                for (key, expected) in pairs where key != "messages" {
                    let actual = metadata[key] ?? .null
                    if !DotpromptSpec.same(actual, expected) {
                        problems.append(
                            "\(key):\n  expected \(expected.jsonText(pretty: false))\n  got      \(actual.jsonText(pretty: false))")
                    }
                }
            }
            return problems.isEmpty ? .success(()) : .failure(DotpromptSpec.Mismatch(description: problems.joined(separator: "\n")))
        } catch {
            return .failure(DotpromptSpec.Mismatch(description: "error: \(error)"))
        }
    }
}

extension DotpromptSpec {
    /// A rendered message in the spec's form: `{role, content: [{text} | {media: {url, contentType}} |
    /// {metadata: {purpose, pending: true}}], metadata?}`.
    static func specForm(_ message: PromptMessage) -> PromptValue {
        var pairs: [(key: String, value: PromptValue)] = [("role", .string(message.role.dotpromptName))]
        pairs.append(
            (
                "content",
                .array(
                    message.parts.map { part in
                        switch part {
                        case .text(let text): .object([("text", .string(text))])
                        case .media(let url, let type):
                            .object([("media", .object([("url", .string(url))] + (type.map { [("contentType", .string($0))] } ?? [])))])
                        case .section(let purpose):
                            .object([("metadata", .object([("purpose", .string(purpose)), ("pending", .bool(true))]))])
                        }
                    })
            ))
        if !message.metadata.isEmpty { pairs.append(("metadata", .object(message.metadata))) }
        return .object(pairs)
    }

    /// History messages from a test's `data.messages`.
    static func messages(_ value: PromptValue?) throws -> [PromptMessage] {
        guard case .array(let items)? = value else { return [] }
        return try items.map { item in
            guard case .string(let roleName)? = item["role"], let role = MessageRole(dotpromptName: roleName) else {
                throw Mismatch(description: "history message without a known role: \(item.jsonText(pretty: false))")
            }
            var parts = [MessagePart]()
            if case .array(let content)? = item["content"] {
                for part in content {
                    if case .string(let text)? = part["text"] {
                        parts.append(.text(text))
                    } else if case .string(let url)? = part["media"]?["url"] {
                        parts.append(.media(url: url, contentType: part["media"]?["contentType"]?.templateText))
                    }
                }
            }
            var metadata = [(key: String, value: PromptValue)]()
            if case .object(let pairs)? = item["metadata"] { metadata = pairs }
            return PromptMessage(role: role, parts: parts, metadata: metadata)
        }
    }

    /// Deep equality with object keys in any order and numbers compared as numbers.
    static func same(_ a: PromptValue, _ b: PromptValue) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            let lookup = Dictionary(y.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
            return x.allSatisfy { pair in lookup[pair.key].map { same(pair.value, $0) } ?? false }
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        default:
            return a == b
        }
    }
}
