import Foundation
import PromptLabCore
import Testing

@testable import PromptFormat

/// Templates that once crashed or hid their partials (deep nesting, partials behind Mustache's
/// set-delimiter tags and parents, `{{.}}` printing a Swift type name), held to the Handlebars engine's
/// limits.
@Suite struct TemplateLimitsTests {
    func parse(_ text: String, name: String = "t") throws -> PromptFile {
        try PromptFile.parse(Array(text.utf8), name: try PromptName(name), displayPath: "\(name).prompt")
    }

    func renderer(_ partials: [String: String]) -> PromptRenderer {
        PromptRenderer { (name: PromptName) throws(PromptLabError) -> PromptFile? in
            guard let source = partials[name.rawValue] else { return nil }
            return try PromptFile.parse(Array(source.utf8), name: name, displayPath: name.relativePath)
        }
    }

    func render(_ text: String, _ variables: [String: PromptValue] = [:], partials: [String: String] = [:]) throws
        -> RenderedPrompt
    {
        try renderer(partials).render(try parse(text), variables: variables)
    }

    /// Runs the commit-time checks with `partials` as the committed prompts.
    func check(_ text: String, partials: [String: String] = [:]) throws {
        let lookup = { (name: PromptName) throws(PromptLabError) -> PromptFile? in
            guard let source = partials[name.rawValue] else { return nil }
            return try PromptFile.parse(Array(source.utf8), name: name, displayPath: name.relativePath)
        }
        try TemplateCheck(partials: lookup, knownNames: Array(partials.keys)).check(try parse(text))
    }

    static func nested(_ depth: Int) -> String {
        String(repeating: "{{#a}}", count: depth) + "x" + String(repeating: "{{/a}}", count: depth)
    }

    // MARK: - Nesting

    @Test func deepNestingIsRefusedBeforeParsing() {
        // 3,000 sections (36 KB) once overflowed the stack of a recursive parser.
        let failure = thrownPromptLabError { try parse("---\nmodel: m\n---\nHello\n" + Self.nested(3000)) }
        #expect(failure?.kind == .invalidInput)
        #expect(
            failure?.message == "t.prompt:5:601: template error: blocks and subexpressions are nested more than 100 deep",
            "\(failure?.message ?? "")")
    }

    @Test func nestingUpToTheLimitRenders() throws {
        let rendered = try render(Self.nested(PromptTemplate.maximumNesting), ["a": .bool(true)])
        #expect(rendered.messages.map(\.content) == ["x"])
    }

    @Test func subexpressionsCountAsNesting() {
        let text = "{{lookup " + String(repeating: "(lookup ", count: 101) + "a" + String(repeating: " 'b')", count: 101) + " 'c'}}"
        #expect(thrownPromptLabError { try parse(text) }?.message.contains("nested more than 100 deep") == true)
    }

    @Test func nestingCountsThroughPartials() {
        let partials = ["p": Self.nested(60)]
        let text = String(repeating: "{{#a}}", count: 50) + "{{> p}}" + String(repeating: "{{/a}}", count: 50)
        let rendering = thrownPromptLabError { try render(text, ["a": .bool(true)], partials: partials) }
        #expect(rendering?.kind == .invalidInput)
        #expect(rendering?.message == "t.prompt: blocks nest more than 100 deep counting through partials", "\(rendering?.message ?? "")")
        let commit = thrownPromptLabError { try check(text, partials: partials) }
        #expect(commit?.kind == .invalidInput)
        #expect(
            commit?.message == "p.prompt:1:1: blocks nest more than 100 deep counting through partials (included by t)",
            "\(commit?.message ?? "")")
    }

    // MARK: - Partials

    @Test func unknownPartialsAreNamedWithTheirPlace() {
        let failure = thrownPromptLabError { try render("Hi\n  {{> shared/missing}}") }
        #expect(failure?.kind == .renderFailed)
        #expect(failure?.message == "t.prompt:2:3: prompt 't' includes unknown partial 'shared/missing'", "\(failure?.message ?? "")")
        let commit = thrownPromptLabError { try check("Hi {{> shared/missing}}") }
        #expect(commit?.kind == .invalidInput)
        #expect(commit?.message.hasPrefix("t.prompt:1:4: unknown partial 'shared/missing'") == true, "\(commit?.message ?? "")")
    }

    @Test func partialCyclesAreRefusedWhereverTheyClose() {
        let partials = ["p": "{{#if a}}{{> q}}{{/if}}", "q": "x {{> p}}"]
        let failure = thrownPromptLabError { try render("{{> p}}", ["a": .bool(true)], partials: partials) }
        #expect(failure?.kind == .renderFailed)
        #expect(failure?.message == "q.prompt:1:3: partial 'p' includes itself (t → p → q → p)", "\(failure?.message ?? "")")
        #expect(thrownPromptLabError { try check("{{> p}}", partials: partials) }?.message.contains("partial 'p' includes itself") == true)
    }

    @Test func dotpromptPartialFilesAreFound() throws {
        // Dotprompt keeps partials in `_name.prompt`; `{{> name}}` finds them, in rendering and at commit.
        let partials = ["shared/_tone": "Be {{mood}}."]
        let rendered = try render("{{> shared/tone mood=\"kind\"}}", partials: partials)
        #expect(rendered.messages.map(\.content) == ["Be kind."])
        try check("{{> shared/tone}}", partials: partials)
    }

    /// Handlebars has no set delimiters, parents or blocks: they are refused with their place and the reason,
    /// never read as text, so nothing can hide a partial from the checks.
    @Test func mustacheOnlyTagsAreRefusedWithTheReason() {
        let delimiters = thrownPromptLabError { try parse("Hi {{=<% %>=}}<%> shared/missing%>") }
        #expect(delimiters?.kind == .invalidInput)
        #expect(
            delimiters?.message == "t.prompt:1:4: template error: set-delimiter tags are Mustache-only; PromptLab bodies follow Handlebars",
            "\(delimiters?.message ?? "")")
        let parent = thrownPromptLabError { try parse("{{<q}}{{/q}}") }
        #expect(parent?.message.hasPrefix("t.prompt:1:1: template error: parent tags ({{<name}}) are Mustache-only") == true)
        let block = thrownPromptLabError { try parse("{{$title}}x{{/title}}") }
        #expect(block?.kind == .invalidInput)
        #expect(block?.message.hasPrefix("t.prompt:1:1: template error:") == true, "\(block?.message ?? "")")
    }

    @Test func dynamicPartialsAreRefused() {
        let failure = thrownPromptLabError { try parse("Hi {{> (which)}}") }
        #expect(failure?.kind == .invalidInput)
        #expect(failure?.message.hasPrefix("t.prompt:1:4: template error:") == true, "\(failure?.message ?? "")")
        #expect(failure?.message.contains("not supported") == true, "\(failure?.message ?? "")")
        let block = thrownPromptLabError { try parse("{{#> layout}}x{{/layout}}") }
        #expect(block?.message.contains("not supported") == true, "\(block?.message ?? "")")
    }

    @Test func partialNamesAreReadWithTheParser() {
        let body = "---\nmodel: m\n---\n{{role \"user\"}}{{> a}} {{~> b name=x~}} {{! {{> not-a-partial}} }}"
        #expect(PromptFile.partialNames(in: Array(body.utf8)).map(\.rawValue) == ["a", "b"])
    }

    // MARK: - {{.}}

    @Test func dotAtTheTopRendersTheVariablesAsJSON() throws {
        let text = "---\ninput:\n  default:\n    tone: calm\n---\n{{.}}"
        let rendered = try render(text, ["b": .int(2), "a": .array([.string("x")])])
        #expect(rendered.messages.map(\.content) == [#"{"a":["x"],"b":2,"tone":"calm"}"#])
    }

    @Test func objectsAndListsRenderAsJSON() throws {
        let customer = PromptValue.object([("name", .string("Ann")), ("tags", .array([.string("a"), .int(1)]))])
        let rendered = try render(
            "{{customer}}|{{#customer}}{{.}}{{/customer}}|{{customer.tags}}|{{#customer.tags}}[{{.}}]{{/customer.tags}}|{{customer.name}}",
            ["customer": customer])
        #expect(
            rendered.messages.map(\.content) == [
                #"{"name":"Ann","tags":["a",1]}|{"name":"Ann","tags":["a",1]}|["a",1]|[a][1]|Ann"#
            ])
    }
}

extension TemplateLimitsTests {
    @Test func nestedListSectionsStopAtTheirBudget() {
        // Twenty sections over a three-item list would render 3²⁰ (3.5 billion) times.
        let text = String(repeating: "{{#l}}", count: 20) + "x" + String(repeating: "{{/l}}", count: 20)
        let failure = thrownPromptLabError { try render(text, ["l": .array([.int(1), .int(2), .int(3)])]) }
        #expect(failure?.kind == .renderFailed)
        #expect(
            failure?.message.hasPrefix("t.prompt:1:115: the template renders more than 100000 block bodies") == true,
            "\(failure?.message ?? "")")
    }

    @Test func listsWithinTheBudgetRender() throws {
        let items = PromptValue.array((1...300).map { .int($0) })
        let rendered = try render("{{#l}}{{#l}}.{{/l}}{{/l}}", ["l": items])
        #expect(rendered.messages.first?.content.count == 90_000)
    }
}

extension TemplateLimitsTests {
    /// An opening delimiter at the end of a line once hid the partial on the next line from the checks.
    @Test func anUnclosedTagIsAnErrorNotText() {
        let failure = thrownPromptLabError { try render("{{\n{{> gone}}") }
        #expect(failure?.kind == .invalidInput)
        #expect(failure?.message.hasPrefix("t.prompt:2:1: template error:") == true, "\(failure?.message ?? "")")
    }
}
