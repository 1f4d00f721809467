import Handlebars
import Testing

@Suite struct WhitespaceTests {
    @Test func tildeStripsAllWhitespaceOnItsSide() throws {
        #expect(try render("a  \n {{~name~}} \n\t b", ["name": "N"]) == "aNb")
        #expect(try render("a {{~name}} b", ["name": "N"]) == "aN b")
        #expect(try render("a {{name~}} b", ["name": "N"]) == "a Nb")
        #expect(try render("a {{~{name}~}} b", ["name": "N"]) == "aNb")
        #expect(try render("{{#if a~}}\n  yes  \n{{~/if}}", ["a": true]) == "yes")
        #expect(try render("{{#if a}} x {{~else~}} y {{/if}}", ["a": false]) == "y ")
        #expect(try render("{{#if a}} x {{~^~}} y {{/if}}", ["a": true]) == " x")
        #expect(try render("a \n {{~! comment ~}} \n b") == "ab")
        #expect(try render("a \n {{~!-- comment --~}} \n b") == "ab")
        #expect(try render("{{#each list~}}\n  {{this}}\n{{~/each}}", ["list": [1, 2]]) == "12")
        #expect(try render("x {{~> p ~}} y", partials: ["p": "P"]) == "xPy")
        // Values are never stripped.
        #expect(try render("{{~name~}}", ["name": "  N  "]) == "  N  ")
    }

    @Test func standaloneBlockLinesDisappear() throws {
        let source = "Items:\n{{#each list}}\n  - {{this}}\n{{/each}}\nEnd\n"
        #expect(try render(source, ["list": ["a", "b"]]) == "Items:\n  - a\n  - b\nEnd\n")
        let ifElse = "A\n  {{#if flag}}\n  yes\n  {{else}}\n  no\n  {{/if}}\nB"
        #expect(try render(ifElse, ["flag": true]) == "A\n  yes\nB")
        #expect(try render(ifElse, ["flag": false]) == "A\n  no\nB")
        let chain = "{{#if a}}\nA\n{{else if b}}\nB\n{{else}}\nC\n{{/if}}\n"
        #expect(try render(chain, ["b": true]) == "B\n")
        #expect(try render(chain, [:]) == "C\n")
        #expect(try render("{{#if a}}\nA\n{{^}}\nnot A\n{{/if}}\n", ["a": false]) == "not A\n")
        #expect(try render("  {{^list}}\n  none\n  {{/list}}\n", ["list": []]) == "  none\n")
    }

    @Test func standaloneAtStartAndEndOfTemplate() throws {
        #expect(try render("{{#if a}}\nyes\n{{/if}}", ["a": true]) == "yes\n")
        #expect(try render("  {{#if a}}\nyes\n  {{/if}}  ", ["a": true]) == "yes\n")
        #expect(try render("{{! just a comment }}\nText") == "Text")
        #expect(try render("Text\n  {{! trailing comment }}") == "Text\n")
    }

    @Test func tagsSharingALineAreNotStandalone() throws {
        #expect(try render("{{#if a}}yes{{/if}}\n", ["a": true]) == "yes\n")
        #expect(try render("x {{#if a}}\ny\n{{/if}}", ["a": true]) == "x \ny\n")
        #expect(try render("  {{name}}\n", ["name": "N"]) == "  N\n")
        #expect(try render("{{#if a}}\n{{name}}\n{{/if}} after", ["a": true, "name": "N"]) == "N\n after")
    }

    @Test func crlfLinesAreLines() throws {
        let source = "A\r\n{{#if a}}\r\n  yes\r\n{{/if}}\r\nB\r\n"
        #expect(try render(source, ["a": true]) == "A\r\n  yes\r\nB\r\n")
        #expect(try render("A\r\n  {{! comment }}\r\nB") == "A\r\nB")
        #expect(try render("A\r\n  {{> p}}\r\nB", partials: ["p": "P1\r\nP2\r\n"]) == "A\r\n  P1\r\n  P2\r\nB")
    }

    @Test func commentsDisappear() throws {
        #expect(try render("a{{! simple }}b") == "ab")
        #expect(try render("a{{!-- has }} and {{x}} inside --}}b") == "ab")
        #expect(try render("a{{!}}b{{!----}}c") == "abc")
    }

    @Test func escapedMustachesPrintLiterally() throws {
        #expect(try render(#"\{{name}} {{name}}"#, ["name": "N"]) == "{{name}} N")
        #expect(try render(#"\\{{name}}"#, ["name": "N"]) == #"\N"#)
        #expect(try render(#"a \{{#if x}} b \{{/if}} c"#) == "a {{#if x}} b {{/if}} c")
        #expect(try render(#"\{{{name}}}"#, ["name": "N"]) == "{{{name}}}")
    }

    @Test func rawBlocksPrintVerbatim() throws {
        #expect(try render("{{{{raw}}}} {{name}} {{#if}} {{/each}} {{{{/raw}}}}", ["name": "N"]) == " {{name}} {{#if}} {{/each}} ")
        #expect(try render("{{{{raw}}}}{{{{inner}}}}x{{{{/inner}}}}{{{{/raw}}}}") == "{{{{inner}}}}x{{{{/inner}}}}")
        #expect(try render("{{{{raw}}}}\n{{x}}\n{{{{/raw}}}}\n") == "{{x}}\n")
        let shout = Helper { call in .value(.string(Rendering(pieces: try call.block(), missingNames: []).text.uppercased())) }
        #expect(try render("{{{{shout}}}}{{x}}{{{{/shout}}}}", helpers: ["shout": shout]) == "{{X}}")
    }
}

@Suite struct PartialTests {
    @Test func partialsRenderWithTheCurrentContext() throws {
        #expect(try render("Hi {{> name}}!", ["who": "Ada"], partials: ["name": "{{who}}"]) == "Hi Ada!")
        #expect(try render(#"{{> "name"}}"#, ["who": "Ada"], partials: ["name": "{{who}}"]) == "Ada")
        #expect(try render("{{> shared/tone-v2.x_y}}", partials: ["shared/tone-v2.x_y": "calm"]) == "calm")
        #expect(
            try render("{{#each list}}{{> item}}{{/each}}", ["list": [["n": 1], ["n": 2]]], partials: ["item": "<{{n}}@{{@index}}>"])
                == "<1@0><2@1>")
    }

    @Test func partialContextAndHash() throws {
        let context: TemplateValue = ["person": ["name": "Ada", "age": 36], "name": "root"]
        #expect(try render("{{> p person}}", context, partials: ["p": "{{name}} {{age}}"]) == "Ada 36")
        #expect(try render("{{> p age=40}}", context, partials: ["p": "{{name}} {{age}}"]) == "root 40")
        #expect(try render("{{> p person age=40 extra=name}}", context, partials: ["p": "{{name}} {{age}} {{extra}}"]) == "Ada 40 root")
        #expect(try render("{{> p person}}", context, partials: ["p": "{{../name}}|{{@root.name}}"]) == "|root")
        // A name the partial's context lacks is looked up in the includer's contexts (Mustache's rule).
        #expect(try render("{{> p missing}}", context, partials: ["p": "[{{name}}]"]) == "[root]")
        #expect(try render("{{> p missing}}", context, partials: ["p": "[{{nickname}}]"]) == "[]")
    }

    @Test func standalonePartialsIndentEveryLine() throws {
        let partials = ["list": "first\n{{#each items}}\n- {{this}}\n{{/each}}\n", "inner": "in1\nin2\n", "outer": "o\n  {{> inner}}\n"]
        #expect(
            try render("Start\n    {{> list}}\nEnd", ["items": ["a", "b"]], partials: partials)
                == "Start\n    first\n    - a\n    - b\nEnd")
        #expect(try render("\t{{> outer}}\n", partials: partials) == "\to\n\t  in1\n\t  in2\n")
        // Values with newlines inside an indented partial are indented too, as in Handlebars.
        #expect(try render("  {{> p}}\n", ["v": "x\ny"], partials: ["p": "{{v}}\n"]) == "  x\n  y\n")
        // Blank lines inside get the indentation; the trailing newline does not add a line.
        #expect(try render("  {{> p}}\n", partials: ["p": "a\n\nb"]) == "  a\n  \n  b")
        // A partial sharing its line is not standalone and not indented.
        #expect(try render("x {{> p}}\n", partials: ["p": "a\nb\n"]) == "x a\nb\n\n")
    }

    @Test func partialsKeepMarkers() throws {
        let role = Helper { call in .pieces([.marker(TemplateMarker(name: "role", arguments: call.parameters))]) }
        let rendering = try rendering(
            "  {{> p}}\n", partials: ["p": "a\n{{role \"user\"}}b\n"], helpers: ["role": role])
        #expect(rendering.pieces == [.text("  a\n"), .marker(TemplateMarker(name: "role", arguments: ["user"])), .text("  b\n")])
    }

    @Test func unknownPartial() throws {
        #expect(throws: TemplateRenderError(message: "unknown partial 'nope'", line: 2, column: 3)) {
            try render("x\n  {{> nope}}")
        }
    }

    @Test func partialsListedWithPositions() throws {
        let template = try Template("{{> a}}\n{{#if x}}\n  {{> shared/b ctx k=1}}\n{{/if}}{{> \"c d\"}}")
        #expect(
            template.partials == [
                PartialReference(name: "a", line: 1, column: 1), PartialReference(name: "shared/b", line: 3, column: 3),
                PartialReference(name: "c d", line: 4, column: 8),
            ])
    }

    @Test func partialBlockParametersDoNotLeakIn() throws {
        #expect(try render("{{#each list as |item|}}{{> p}}{{/each}}", ["list": [["item": "ctx"]]], partials: ["p": "{{item}}"]) == "ctx")
    }
}
