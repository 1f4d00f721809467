import Handlebars
import Testing

@Suite struct BuiltinHelperTests {
    @Test func ifTreatsJavaScriptFalsyValuesAndEmptyListsAsFalse() throws {
        let falsy: [TemplateValue] = [nil, false, 0, 0.0, "", [], .double(.nan)]
        for value in falsy {
            #expect(try render("{{#if v}}yes{{else}}no{{/if}}", ["v": value]) == "no", "\(value)")
        }
        let truthy: [TemplateValue] = [true, 1, "0", "false", [0], [:], -0.5]
        for value in truthy {
            #expect(try render("{{#if v}}yes{{else}}no{{/if}}", ["v": value]) == "yes", "\(value)")
        }
        #expect(try render("{{#if missing}}yes{{else}}no{{/if}}") == "no")
        #expect(try render("{{#if v}}yes{{/if}}", ["v": false]) == "")
    }

    @Test func ifIncludeZero() throws {
        #expect(try render("{{#if v includeZero=true}}yes{{else}}no{{/if}}", ["v": 0]) == "yes")
        #expect(try render("{{#if v includeZero=true}}yes{{else}}no{{/if}}", ["v": 0.0]) == "yes")
        #expect(try render("{{#if v includeZero=false}}yes{{else}}no{{/if}}", ["v": 0]) == "no")
        #expect(try render("{{#if v includeZero=true}}yes{{else}}no{{/if}}", ["v": nil]) == "no")
    }

    @Test func unless() throws {
        #expect(try render("{{#unless v}}none{{else}}some{{/unless}}", ["v": []]) == "none")
        #expect(try render("{{#unless v}}none{{else}}some{{/unless}}", ["v": [1]]) == "some")
        #expect(try render("{{^if v}}inverted{{/if}}", ["v": false]) == "inverted")
    }

    @Test func elseChains() throws {
        let source = "{{#if a}}A{{else if b}}B{{else unless c}}notC{{else}}other{{/if}}"
        #expect(try render(source, ["a": true]) == "A")
        #expect(try render(source, ["b": true]) == "B")
        #expect(try render(source, ["c": false]) == "notC")
        #expect(try render(source, ["c": true]) == "other")
        let each = "{{#if a}}A{{else each list}}{{this}}{{else}}empty{{/if}}"
        #expect(try render(each, ["list": [1, 2]]) == "12")
        #expect(try render(each, ["list": []]) == "empty")
        let with = "{{#each list}}{{this}}{{else with fallback}}{{name}}{{/each}}"
        #expect(try render(with, ["fallback": ["name": "F"]]) == "F")
        #expect(try render("{{#if a}}A{{^}}B{{/if}}", ["a": false]) == "B")
    }

    @Test func elseChainWithCustomHelper() throws {
        let isEven = Helper { call in
            guard case .int(let number) = call.parameters.first else { return .pieces(try call.inverse()) }
            return .pieces(number % 2 == 0 ? try call.block() : try call.inverse())
        }
        let source = "{{#if big}}big{{else isEven n}}even{{else}}odd{{/if}}"
        #expect(try render(source, ["n": 4], helpers: ["isEven": isEven]) == "even")
        #expect(try render(source, ["n": 3], helpers: ["isEven": isEven]) == "odd")
    }

    @Test func eachOverArraysAndObjects() throws {
        #expect(try render("{{#each list}}[{{this}}]{{/each}}", ["list": ["a", "b"]]) == "[a][b]")
        #expect(try render("{{#each obj}}{{@key}}:{{this}};{{/each}}", ["obj": ["z": 1, "a": 2]]) == "z:1;a:2;")
        #expect(try render("{{#each obj}}{{#if @last}}last={{@key}}{{/if}}{{/each}}", ["obj": ["z": 1, "a": 2]]) == "last=a")
        #expect(try render("{{#each list}}x{{else}}empty{{/each}}", ["list": []]) == "empty")
        #expect(try render("{{#each list}}x{{else}}empty{{/each}}", ["list": [:]]) == "empty")
        #expect(try render("{{#each list}}x{{else}}empty{{/each}}") == "empty")
        #expect(try render("{{#each list}}x{{else}}not a list{{/each}}", ["list": "abc"]) == "not a list")
        #expect(try render("{{#each list}}{{name}}{{/each}}", ["list": [["name": "n1"], 5, ["name": "n2"]]]) == "n1n2")
    }

    @Test func eachNeedsAnArgument() throws {
        #expect(throws: TemplateRenderError.self) { try render("{{#each}}x{{/each}}") }
    }

    @Test func withChangesContextAndHasElse() throws {
        #expect(try render("{{#with person}}{{name}}{{else}}nobody{{/with}}", ["person": ["name": "Ada"]]) == "Ada")
        #expect(try render("{{#with person}}{{name}}{{else}}nobody{{/with}}", ["person": nil]) == "nobody")
        #expect(try render("{{#with person}}{{name}}{{else}}nobody{{/with}}") == "nobody")
        #expect(try render("{{#with n}}[{{this}}]{{/with}}", ["n": 0]) == "[0]")
        #expect(try render("{{#with list}}[{{this}}]{{else}}empty{{/with}}", ["list": []]) == "empty")
    }

    @Test func ifAndWithTakeExactlyOneArgument() throws {
        for source in ["{{#if}}x{{/if}}", "{{#if a b}}x{{/if}}", "{{#with}}x{{/with}}", "{{#unless a b}}x{{/unless}}"] {
            #expect(throws: TemplateRenderError.self, "\(source)") { try render(source, ["a": 1, "b": 2]) }
        }
    }

    @Test func lookup() throws {
        let context: TemplateValue = ["list": ["a", "b"], "obj": ["k": "v", "1": "one"], "key": "k", "index": 1]
        #expect(try render("{{lookup list 1}} {{lookup list index}} {{lookup obj key}} {{lookup obj 1}}", context) == "b b v one")
        #expect(try render(#"{{lookup list "0"}}|{{lookup list 9}}|{{lookup missing "x"}}|{{lookup obj "nope"}}"#, context) == "a|||")
        #expect(try render("{{#with (lookup obj key)}}{{this}}{{/with}}", context) == "v")
        #expect(try render("{{#each list}}{{lookup ../obj @index}}{{/each}}", context) == "one")
    }

    @Test func mustacheSections() throws {
        #expect(try render("{{#list}}<{{name}}>{{/list}}", ["list": [["name": "a"], ["name": "b"]]]) == "<a><b>")
        #expect(try render("{{#flag}}on {{name}}{{/flag}}", ["flag": true, "name": "x"]) == "on x")
        #expect(try render("{{#person}}{{name}}{{/person}}", ["person": ["name": "Ada"]]) == "Ada")
        #expect(try render("{{#text}}[{{.}}]{{/text}}", ["text": "hi"]) == "[hi]")
        for value: TemplateValue in [false, nil, [], "", 0] {
            #expect(try render("{{#v}}yes{{else}}no{{/v}}", ["v": value]) == "no", "\(value)")
            #expect(try render("{{^v}}inverted{{/v}}", ["v": value]) == "inverted", "\(value)")
        }
        #expect(try render("{{^v}}inverted{{/v}}", ["v": 1]) == "")
        #expect(try render("{{^list}}none{{/list}}", ["list": [1]]) == "")
        #expect(try render("{{#list}}{{@index}}{{/list}}", ["list": ["a", "b"]]) == "01")
        #expect(try render("{{#a.b}}{{c}}{{/a.b}}", ["a": ["b": ["c": "deep"]]]) == "deep")
    }

    @Test func closingTagMustMatch() throws {
        #expect(throws: TemplateSyntaxError.self) { try Template("{{#if a}}x{{/each}}") }
        #expect(throws: TemplateSyntaxError.self) { try Template("{{#list}}x{{/lists}}") }
    }
}

@Suite struct CustomHelperTests {
    let role = Helper { call in
        .pieces([.marker(TemplateMarker(name: "role", arguments: call.parameters, hash: call.hash))])
    }

    @Test func helpersEmitMarkersBetweenText() throws {
        let rendering = try rendering(
            "{{role \"system\"}}\nBe brief.\n{{role \"user\" cache=true}}\n{{question}}", ["question": "Why?"],
            helpers: ["role": role])
        #expect(
            rendering.pieces == [
                .marker(TemplateMarker(name: "role", arguments: ["system"])),
                .text("\nBe brief.\n"),
                .marker(TemplateMarker(name: "role", arguments: ["user"], hash: ["cache": true])),
                .text("\nWhy?"),
            ])
        #expect(rendering.text == "\nBe brief.\n\nWhy?")
    }

    @Test func helperCallsAreNeverStandalone() throws {
        // `{{role "system"}}` on its own line keeps its newline, as in Handlebars.
        #expect(try rendering("{{role \"system\"}}\nA", helpers: ["role": role]).text == "\nA")
    }

    @Test func helpersReturningValues() throws {
        let upper = Helper { call in .value(.string(call.parameters.first?.templateText.uppercased() ?? "")) }
        let add = Helper { call in
            var sum = 0
            for case .int(let value) in call.parameters { sum += value }
            return .value(.int(sum))
        }
        let helpers = ["upper": upper, "add": add]
        #expect(try render("{{upper name}} {{add 1 2 (add 3 4)}}", ["name": "ada"], helpers: helpers) == "ADA 10")
        #expect(try render("{{#if (add 0 0)}}yes{{else}}no{{/if}}", helpers: helpers) == "no")
        #expect(try render("{{upper (upper (upper name))}}", ["name": "x"], helpers: helpers) == "X")
        #expect(try render("{{#each (add 1 1)}}x{{else}}not a list{{/each}}", helpers: helpers) == "not a list")
    }

    @Test func helperSeesContextDataHashAndPosition() throws {
        let inspect = Helper { call in
            .value(
                .string(
                    "\(call.name)|\(call.context.jsonText)|\(call.data["index"]?.jsonText ?? "-")|"
                        + "\(call.data["state"]?.jsonText ?? "-")|\(call.hash.keys)|\(call.line):\(call.column)|\(call.isBlock)"))
        }
        let text = try render(
            "{{#each list}}\n  {{inspect a=1}}{{/each}}", ["list": [["x": 1]]], helpers: ["inspect": inspect],
            data: ["state": "s"])
        #expect(text == #"  inspect|{"x":1}|0|"s"|["a"]|2:3|false"#)
    }

    @Test func blockHelpersRenderTheirBodies() throws {
        let twice = Helper { call in .pieces(try call.block() + call.block()) }
        let withValue = Helper { call in
            .pieces(try call.block(call.parameters.first, data: ["extra": "E"], blockParameters: ["P"]))
        }
        let negate = Helper { call in .pieces(try call.inverse()) }
        let helpers = ["twice": twice, "withValue": withValue, "negate": negate]
        #expect(try render("{{#twice}}[{{name}}]{{/twice}}", ["name": "n"], helpers: helpers) == "[n][n]")
        #expect(
            try render(
                "{{#withValue person as |p|}}{{name}}{{@extra}}{{p}}{{../top}}{{/withValue}}", ["person": ["name": "A"], "top": "T"],
                helpers: helpers)
                == "AEPT")
        #expect(try render("{{#negate}}yes{{else}}no{{/negate}}", helpers: helpers) == "no")
        #expect(try render("{{#negate}}yes{{/negate}}", helpers: helpers) == "")
    }

    @Test func blockHelperBodiesKeepMarkers() throws {
        let section = Helper { call in
            var pieces: [OutputPiece] = [.marker(TemplateMarker(name: "section", arguments: call.parameters))]
            pieces += try call.block()
            return .pieces(pieces)
        }
        let rendering = try rendering(
            "A{{#section \"s\"}}{{role \"user\"}}B{{/section}}C", helpers: ["section": section, "role": role])
        #expect(
            rendering.pieces == [
                .text("A"), .marker(TemplateMarker(name: "section", arguments: ["s"])),
                .marker(TemplateMarker(name: "role", arguments: ["user"])), .text("BC"),
            ])
    }

    @Test func helpersThrowTheirOwnErrors() throws {
        struct Other: Error {}
        let failing = Helper { call in
            throw TemplateRenderError(message: "bad input", line: call.line, column: call.column)
        }
        let other = Helper { _ in throw Other() }
        #expect(throws: TemplateRenderError(message: "bad input", line: 2, column: 4)) {
            try render("x\nab {{fail}}", helpers: ["fail": failing])
        }
        #expect(throws: TemplateRenderError(message: "helper 'other' failed: Other()", line: 1, column: 1)) {
            try render("{{#other}}{{/other}}", helpers: ["other": other])
        }
    }

    @Test func helpersWinOverContextValuesAndBuiltins() throws {
        let name = Helper { _ in .value("from helper") }
        let customIf = Helper { _ in .value("custom if") }
        #expect(try render("{{name}} {{this.name}}", ["name": "from context"], helpers: ["name": name]) == "from helper from context")
        #expect(try render("{{#if false}}{{/if}}", helpers: ["if": customIf]) == "custom if")
    }

    @Test func unknownHelpers() throws {
        #expect(throws: TemplateRenderError(message: "unknown helper 'foo'", line: 1, column: 3)) {
            try render("a {{foo bar}}")
        }
        #expect(throws: TemplateRenderError(message: "unknown helper 'foo'", line: 1, column: 1)) {
            try render("{{foo key=1}}")
        }
        #expect(throws: TemplateRenderError(message: "unknown helper 'nope'", line: 1, column: 7)) {
            try render("{{#if (nope 1)}}x{{/if}}")
        }
        #expect(throws: TemplateRenderError(message: "unknown helper 'foo'", line: 1, column: 1)) {
            try render("{{#foo bar}}x{{/foo}}")
        }
        #expect(throws: TemplateRenderError(message: "unknown helper 'a.b'", line: 1, column: 1)) {
            try render("{{a.b c}}")
        }
        // A bare name that is neither helper nor value is just missing.
        #expect(try render("[{{foo}}]") == "[]")
    }
}
