import Handlebars
import Testing

@Suite struct LimitTests {
    @Test func deepBlockNestingIsASyntaxErrorNotACrash() {
        let depth = 3000
        let source = String(repeating: "{{#if a}}", count: depth) + String(repeating: "{{/if}}", count: depth)
        let error = syntaxError(source)
        #expect(error?.message.contains("nested more than 100 deep") == true)
        #expect(error?.line == 1)
        #expect(error?.column == 1 + 100 * 9)
        let sections = String(repeating: "{{#a}}", count: depth)
        #expect(syntaxError(sections)?.message.contains("nested more than 100 deep") == true)
        let chain = "{{#if a}}" + String(repeating: "{{else if a}}", count: depth) + "{{/if}}"
        #expect(syntaxError(chain)?.message.contains("nested more than 100 deep") == true)
    }

    @Test func deepSubexpressionsAreASyntaxErrorNotACrash() {
        let depth = 3000
        let source = "{{x " + String(repeating: "(f ", count: depth) + String(repeating: ")", count: depth) + "}}"
        #expect(syntaxError(source)?.message.contains("nested more than 100 deep") == true)
        let unbalanced = "{{x " + String(repeating: "(", count: 100_000)
        #expect(syntaxError(unbalanced) != nil)
    }

    @Test func nestingUpToTheLimitWorks() throws {
        let depth = 100
        let source = String(repeating: "{{#with a}}", count: depth) + "{{v}}" + String(repeating: "{{/with}}", count: depth)
        var context: TemplateValue = ["v": "deep"]
        for _ in 0..<depth { context = ["a": context] }
        let template = try Template(source)
        #expect(template.nestingDepth == 100)
        #expect(try Renderer().render(template, context: context).text == "deep")
        var lower = TemplateLimits()
        lower.maximumNesting = 10
        #expect(syntaxError(source, limits: lower)?.message.contains("nested more than 10 deep") == true)
    }

    @Test func nestingDepthCountsBlocksAndSubexpressions() throws {
        #expect(try Template("plain {{x}}").nestingDepth == 0)
        #expect(try Template("{{#if a}}{{/if}}{{#if b}}{{#each c}}{{/each}}{{/if}}").nestingDepth == 2)
        #expect(try Template("{{#if (f (g x))}}{{/if}}").nestingDepth == 3)
        #expect(try Template("{{x (f y)}}").nestingDepth == 1)
    }

    @Test func largeTemplatesParseAndRender() throws {
        let line = "Line {{value}} with {{#if flag}}a block{{/if}} and text.\n"
        var source = ""
        while source.utf8.count < 1 << 20 { source += line }
        let template = try Template(source)
        let text = try Renderer().render(template, context: ["value": "v", "flag": true]).text
        #expect(text.hasPrefix("Line v with a block and text.\n"))
        // One megabyte on one line: positions stay linear.
        let oneLine = String(repeating: "{{x}} ", count: 200_000) + "{{#if}"
        #expect(syntaxError(oneLine)?.column == 1_200_006)
    }

    @Test func iterationBudget() throws {
        var limits = TemplateLimits()
        limits.maximumIterations = 1000
        let list = TemplateValue.array((0..<40).map { .int($0) })
        let source = "{{#each list}}{{#each ../list}}x{{/each}}{{/each}}"
        #expect {
            try render(source, ["list": list], limits: limits)
        } throws: { error in
            (error as? TemplateRenderError)?.message.contains("renders more than 1000 block bodies") == true
        }
        limits.maximumIterations = 40 * 40 + 40
        #expect(try render(source, ["list": list], limits: limits).count == 1600)
    }

    @Test func exponentialPartialFanOutIsBounded() throws {
        // Each level includes the next twice: 2^30 renders without the budget.
        var partials: [String: String] = [:]
        for level in 0..<30 { partials["p\(level)"] = "{{> p\(level + 1)}}{{> p\(level + 1)}}" }
        partials["p30"] = "x"
        #expect {
            try render("{{> p0}}", partials: partials)
        } throws: { error in
            (error as? TemplateRenderError)?.message.contains("block bodies") == true
        }
    }

    @Test func partialCyclesStopAtTheDepthLimit() throws {
        #expect {
            try render("{{> a}}", partials: ["a": "a{{> b}}", "b": "b{{> a}}"])
        } throws: { error in
            guard let error = error as? TemplateRenderError else { return false }
            return error.message.contains("partials are nested more than 32 deep") && error.line == 1 && error.column == 2
        }
        var limits = TemplateLimits()
        limits.maximumPartialDepth = 3
        #expect(throws: TemplateRenderError.self) { try render("{{> a}}", partials: ["a": "{{> a}}"], limits: limits) }
        let chain = ["a": "A{{> b}}", "b": "B{{> c}}", "c": "C"]
        #expect(try render("{{> a}}", partials: chain, limits: limits) == "ABC")
    }

    @Test func outputSizeLimit() throws {
        var limits = TemplateLimits()
        limits.maximumOutputBytes = 1000
        let list = TemplateValue.array((0..<200).map { .int($0) })
        #expect {
            try render("{{#each list}}0123456789{{/each}}", ["list": list], limits: limits)
        } throws: { error in
            (error as? TemplateRenderError)?.message.contains("larger than 1000 bytes") == true
        }
        #expect {
            try render("{{big}}", ["big": .string(String(repeating: "x", count: 2000))], limits: limits)
        } throws: { error in
            (error as? TemplateRenderError)?.message.contains("larger than 1000 bytes") == true
        }
        #expect(try render("{{#each list}}01234{{/each}}", ["list": list], limits: limits).count == 1000)
    }

    @Test func blocksNestedThroughPartialsCountTogether() async throws {
        // 99 nested blocks in a partial that includes itself: without a shared count the stack
        // would grow by 99 blocks for each of the 32 partial levels. Rendering runs on a
        // concurrency thread, whose stack is smaller than the main one.
        let partial = String(repeating: "{{#if a}}", count: 99) + "{{> self}}" + String(repeating: "{{/if}}", count: 99)
        let result = await Task.detached {
            try render("{{> self}}", ["a": true], partials: ["self": partial])
        }.result
        #expect {
            try result.get()
        } throws: { error in
            (error as? TemplateRenderError)?.message.contains("blocks are nested more than 100 deep while rendering") == true
        }
        // Within the limit, partials and blocks nest freely.
        let shallow = "{{#if a}}{{#if a}}x{{/if}}{{/if}}"
        var partials = ["p0": shallow]
        for level in 1...20 { partials["p\(level)"] = "{{#if a}}{{> p\(level - 1)}}{{/if}}" }
        #expect(try render("{{> p20}}", ["a": true], partials: partials) == "x")
    }

    @Test func worstCaseRecursionStaysOnTheStack() async throws {
        // Every limit at its default, reached at once: 100 blocks across partials, 32 partials.
        var partials: [String: String] = [:]
        for level in 0..<40 { partials["p\(level)"] = "{{#each @root.list}}{{#if a}}{{#if a}}{{> p\(level + 1)}}{{/if}}{{/if}}{{/each}}" }
        partials["p40"] = String(repeating: "{{#if a}}", count: 99) + "x" + String(repeating: "{{/if}}", count: 99)
        let result = await Task.detached {
            try render("{{> p0}}", ["list": [["a": true]]], partials: partials)
        }.result
        #expect(throws: TemplateRenderError.self) { try result.get() }
    }

    @Test func oddCharactersAreJustText() throws {
        #expect(try render("a\0b\rc{{x}}\r", ["x": "\0"]) == "a\0b\rc\0\r")
        #expect(try render("{ {{x}} }", ["x": 1]) == "{ 1 }")
        #expect(try render("{", [:]) == "{")
        #expect(try render("}}", [:]) == "}}")
    }
}

@Suite struct MissingNameTests {
    @Test func recordsTopLevelOutputsAndSectionsThatAreAbsent() throws {
        let result = try rendering(
            "{{a}} {{b.c}} {{{d}}} {{a}} {{present}} {{nullValue}} {{#section}}x{{/section}} {{present.absent}}",
            ["present": ["x": 1], "nullValue": nil])
        #expect(result.missingNames == ["a", "b", "d", "section"])
    }

    @Test func ignoresHelperParametersDataAndThis() throws {
        let helpers = ["h": Helper { _ in .value("") }]
        let result = try rendering(
            "{{#if cond}}{{/if}}{{h arg}}{{@state}}{{this.x}}{{./y}}{{#each list}}{{other}}{{/each}}{{#with obj}}{{q}}{{/with}}{{h}}",
            ["list": [["other": 1]], "obj": ["q": 1]], helpers: helpers)
        #expect(result.missingNames == [])
    }

    /// Names resolve through enclosing contexts (Mustache's rule), so a name no context has, even inside a
    /// block, is one the root lacks.
    @Test func namesNoContextHasAreMissingEvenInsideBlocks() throws {
        let result = try rendering(
            "{{#each list}}{{inner}}{{top}}{{/each}}{{#with obj}}{{z}}{{/with}}", ["list": [["other": 1]], "obj": ["q": 1], "top": 1])
        #expect(result.missingNames == ["inner", "z"])
    }

    @Test func blocksThatKeepTheRootContextStillRecord() throws {
        let result = try rendering("{{#if flag}}{{inside}}{{/if}}{{#each list}}{{../parent}}{{/each}}", ["flag": true, "list": [1]])
        #expect(result.missingNames == ["inside"])
    }

    @Test func partialsWithTheRootContextRecord() throws {
        let result = try rendering(
            "{{> p}}{{> p other}}{{> p k=1}}", ["other": ["x": 1]], partials: ["p": "{{fromPartial}}"])
        #expect(result.missingNames == ["fromPartial"])
    }

    @Test func aNonObjectRootMissesEverything() throws {
        #expect(try Renderer().render(try Template("{{a}}{{b}}"), context: .null).missingNames == ["a", "b"])
    }

    @Test func blockParametersAreNotMissing() throws {
        #expect(try rendering("{{#each list as |item|}}{{item}}{{/each}}", ["list": [1]]).missingNames == [])
    }
}
