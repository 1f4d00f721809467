import Foundation
import PromptLabCore
import Testing

@testable import PromptFormat

/// Templates that once crashed or hid their partials: nesting that overflowed
/// swift-mustache's recursive parser, partials behind set-delimiter tags and
/// parents, and `{{.}}` printing a Swift type name.
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
        // 3,000 sections (36 KB) overflowed the stack in swift-mustache's parser.
        let failure = thrownPromptLabError { try parse("---\nmodel: m\n---\nHello\n" + Self.nested(3000)) }
        #expect(failure?.kind == .invalidInput)
        #expect(failure?.message == "t.prompt:5:601: sections nest more than 100 deep", "\(failure?.message ?? "")")
    }

    @Test func nestingUpToTheLimitRenders() throws {
        let rendered = try render(Self.nested(PromptTemplate.maximumNesting), ["a": .bool(true)])
        #expect(rendered.messages.map(\.content) == ["x"])
    }

    @Test func parentsAndBlocksCountAsNesting() {
        let text = String(repeating: "{{$b}}", count: 101) + String(repeating: "{{/b}}", count: 101)
        #expect(thrownPromptLabError { try parse(text) }?.message.hasPrefix("t.prompt:1:601: sections nest more than 100 deep") == true)
    }

    @Test func nestingCountsThroughPartials() {
        let partials = ["p": Self.nested(60)]
        let text = String(repeating: "{{#a}}", count: 50) + "{{> p}}" + String(repeating: "{{/a}}", count: 50)
        let rendering = thrownPromptLabError { try render(text, ["a": .bool(true)], partials: partials) }
        #expect(rendering?.kind == .invalidInput)
        #expect(rendering?.message.contains("nest more than 100 deep counting through partials") == true)
        let commit = thrownPromptLabError { try check(text, partials: partials) }
        #expect(commit?.kind == .invalidInput)
        #expect(commit?.message.hasPrefix("p.prompt:1:295: sections nest more than 100 deep") == true, "\(commit?.message ?? "")")
    }

    // MARK: - Partials hidden from the old scan

    @Test func unknownPartialBehindSetDelimiterFailsToRender() {
        let failure = thrownPromptLabError { try render("{{=<% %>=}}Hi <%> shared/missing%>") }
        #expect(failure?.kind == .renderFailed)
        #expect(failure?.message == "prompt 't' includes unknown partial 'shared/missing'")
        let commit = thrownPromptLabError { try check("{{=<% %>=}}Hi <%> shared/missing%>") }
        #expect(commit?.kind == .invalidInput)
        #expect(commit?.message.hasPrefix("t.prompt:1:15: unknown partial 'shared/missing'") == true, "\(commit?.message ?? "")")
    }

    @Test func cycleBehindSetDelimiterIsRefused() {
        let partials = ["p": "{{=<% %>=}}<%> p%>"]
        let failure = thrownPromptLabError { try render("{{> p}}", partials: partials) }
        #expect(failure?.kind == .renderFailed)
        #expect(failure?.message == "partial 'p' includes itself (t → p → p)")
        #expect(thrownPromptLabError { try check("{{> p}}", partials: partials) }?.message.contains("partial 'p' includes itself") == true)
    }

    @Test func setDelimitersEndWithTheirSection() {
        // A set-delimiter tag inside a section lasts until the section closes, as in swift-mustache.
        let failure = thrownPromptLabError { try render("{{#a}}{{=<% %>=}}<%/a%>{{> gone}}", ["a": .bool(true)]) }
        #expect(failure?.message == "prompt 't' includes unknown partial 'gone'")
    }

    @Test func cycleThroughAParentIsRefused() {
        let partials = ["q": "{{<q}}{{/q}}"]
        let failure = thrownPromptLabError { try render("{{<q}}{{/q}}", partials: partials) }
        #expect(failure?.kind == .renderFailed)
        #expect(failure?.message.contains("includes itself") == true)
        #expect(thrownPromptLabError { try render("{{<q}}{{/q}}") }?.message == "prompt 't' includes unknown partial 'q'")
        #expect(thrownPromptLabError { try check("{{<q}}{{/q}}") }?.message.hasPrefix("t.prompt:1:1: unknown partial 'q'") == true)
    }

    @Test func blocksOverrideTheirParent() throws {
        let partials = ["layout": "<{{$title}}default{{/title}}>"]
        let rendered = try render("{{<layout}}{{$title}}Hi {{a}}{{/title}}{{/layout}}", ["a": .string("Ann")], partials: partials)
        #expect(rendered.messages.map(\.content) == ["<Hi Ann>"])
    }

    @Test func dynamicPartialsAreRefused() {
        let failure = thrownPromptLabError { try parse("Hi {{>*which}}") }
        #expect(failure?.kind == .invalidInput)
        #expect(failure?.message.hasPrefix("t.prompt:1:4: dynamic partials") == true, "\(failure?.message ?? "")")
        #expect(thrownPromptLabError { try parse("{{<*which}}{{/*which}}") }?.message.hasPrefix("t.prompt:1:1: dynamic partials") == true)
    }

    @Test func partialNamesFollowSetDelimitersAndParents() {
        let body = "---\nmodel: m\n---\n{{role \"user\"}}{{=<% %>=}}<%> a%><%<b%><%/b%>"
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
        #expect(failure?.message == "prompt 't' renders more than 100000 list items (sections over lists nest too deeply)")
    }

    @Test func listsWithinTheBudgetRender() throws {
        let items = PromptValue.array((1...300).map { .int($0) })
        let rendered = try render("{{#l}}{{#l}}.{{/l}}{{/l}}", ["l": items])
        #expect(rendered.messages.first?.content.count == 90_000)
    }
}

extension TemplateLimitsTests {
    /// Found by the template fuzzer: swift-mustache drops an opening delimiter
    /// followed by a line break and reads on, so the partial on the next line
    /// was invisible to the checks and the cycle recursed until the stack overflowed.
    @Test func partialAfterADelimiterAndLineBreakIsSeen() {
        let partials = ["p": "{{=<% %>=}} <%\n<%> p%>"]
        let failure = thrownPromptLabError { try render("{{> p}}", partials: partials) }
        #expect(failure?.kind == .renderFailed)
        #expect(failure?.message == "partial 'p' includes itself (t → p → p)")
        #expect(thrownPromptLabError { try render("{{\n{{> gone}}") }?.message == "prompt 't' includes unknown partial 'gone'")
    }
}
