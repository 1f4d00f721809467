import Handlebars
import Testing

// Cases from the Handlebars.js 4 specification (spec/basic.js, blocks.js, builtins.js,
// whitespace-control.js, partials.js), restated here for `noEscape: true`.

private let goodbyes: TemplateValue = [["text": "goodbye"], ["text": "Goodbye"], ["text": "GOODBYE"]]
private let dudes: TemplateValue = [["name": "Yehuda", "url": "http://yehuda"], ["name": "Alan", "url": "http://alan"]]

@Suite struct HandlebarsBasicSpecTests {
    @Test func basicContextAndComments() throws {
        let context: TemplateValue = ["cruel": "cruel", "world": "world"]
        #expect(try render("Goodbye\n{{cruel}}\n{{world}}!", context) == "Goodbye\ncruel\nworld!")
        #expect(try render("{{! Goodbye}}Goodbye\n{{cruel}}\n{{world}}!", context) == "Goodbye\ncruel\nworld!")
        #expect(try render("    {{~! comment ~}}      blah") == "blah")
        #expect(try render("    {{~!-- long-comment --~}}      blah") == "blah")
        #expect(try render("    {{! comment ~}}      blah") == "    blah")
        #expect(try render("    {{~! comment}}      blah") == "      blah")
    }

    @Test func booleansZerosAndFalse() throws {
        let source = "{{#goodbye}}GOODBYE {{/goodbye}}cruel {{world}}!"
        #expect(try render(source, ["goodbye": true, "world": "world"]) == "GOODBYE cruel world!")
        #expect(try render(source, ["goodbye": false, "world": "world"]) == "cruel world!")
        #expect(try render("num1: {{num1}}, num2: {{num2}}", ["num1": 42, "num2": 0]) == "num1: 42, num2: 0")
        #expect(try render("num: {{.}}", 0) == "num: 0")
        #expect(try render("num: {{num1/num2}}", ["num1": ["num2": 0]]) == "num: 0")
        #expect(try render("val1: {{val1}}, val2: {{val2}}", ["val1": false, "val2": false]) == "val1: false, val2: false")
        #expect(try render("val: {{.}}", false) == "val: false")
        #expect(try render("val1: {{{val1}}}, val2: {{{val2}}}", ["val1": false, "val2": false]) == "val1: false, val2: false")
    }

    @Test func textAndValuesAreNotEscaped() throws {
        #expect(try render("Awesome's") == "Awesome's")
        #expect(try render(#"Awesome\"#) == #"Awesome\"#)
        #expect(try render(#"Awesome\\ foo"#) == #"Awesome\\ foo"#)
        #expect(try render("Awesome {{foo}}", ["foo": #"\"#]) == #"Awesome \"#)
        #expect(try render(" ' ' ") == " ' ' ")
        #expect(try render("{{awesome}}", ["awesome": "&'\\<>"]) == "&'\\<>")
    }

    @Test func pathsWithHyphensAndNesting() throws {
        #expect(try render("{{foo-bar}}", ["foo-bar": "baz"]) == "baz")
        #expect(try render("{{foo.foo-bar}}", ["foo": ["foo-bar": "baz"]]) == "baz")
        #expect(try render("{{foo/foo-bar}}", ["foo": ["foo-bar": "baz"]]) == "baz")
        #expect(try render("Goodbye {{alan/expression}} world!", ["alan": ["expression": "beautiful"]]) == "Goodbye beautiful world!")
        #expect(try render("Goodbye {{alan/expression}} world!", ["alan": ["expression": ""]]) == "Goodbye  world!")
        #expect(try render("Goodbye {{[@alan]/expression}} world!", ["@alan": ["expression": "beautiful"]]) == "Goodbye beautiful world!")
        #expect(
            try render("Goodbye {{[foo bar]/expression}} world!", ["foo bar": ["expression": "beautiful"]]) == "Goodbye beautiful world!")
        #expect(try render("{{person/name}}", ["person": ["name": nil]]) == "")
        #expect(try render("{{person/name}}", ["person": [:]]) == "")
    }

    @Test func literalReferences() throws {
        let context: TemplateValue = ["foo bar": "beautiful", "foo[bar": "beautiful", "foo'bar": "beautiful", "foo\"bar": "beautiful"]
        for source in [
            "{{[foo bar]}}", #"{{"foo bar"}}"#, "{{'foo bar'}}", #"{{"foo[bar"}}"#, #"{{"foo'bar"}}"#, #"{{'foo"bar'}}"#,
        ] {
            #expect(try render("Goodbye \(source) world!", context) == "Goodbye beautiful world!", "\(source)")
        }
    }

    @Test func thisKeyword() throws {
        #expect(
            try render("{{#goodbyes}}{{this}}{{/goodbyes}}", ["goodbyes": ["goodbye", "Goodbye", "GOODBYE"]]) == "goodbyeGoodbyeGOODBYE")
        #expect(try render("{{#hellos}}{{this/text}}{{/hellos}}", ["hellos": [["text": "hello"], ["text": "Hello"]]]) == "helloHello")
        #expect(syntaxError("{{#hellos}}{{text/this/foo}}{{/hellos}}")?.message.contains("invalid path 'text/this/foo'") == true)
        #expect(try render("{{[this]}}", ["this": "bar"]) == "bar")
        #expect(try render("{{text/[this]}}", ["text": ["this": "bar"]]) == "bar")
        // `{{.}}` never calls a helper.
        #expect(try render("test: {{.}}", .null, helpers: ["helper": Helper { _ in .value("awesome") }]) == "test: ")
    }

    @Test func literalsAsNames() throws {
        #expect(try render(#"{{"foo"}}"#) == "")
        #expect(try render(#"{{"foo"}}"#, ["foo": "bar"]) == "bar")
        #expect(try render(#"{{#"foo"}}{{.}}{{/"foo"}}"#, ["foo": ["bar", "baz"]]) == "barbaz")
        #expect(try render("{{12}}") == "")
        #expect(try render("{{12}}", ["12": "bar"]) == "bar")
        #expect(try render("{{12.34}}", ["12.34": "bar"]) == "bar")
        let helper = Helper { call in .value(.string("bar" + (call.parameters.first?.templateText ?? ""))) }
        #expect(try render("{{12.34 1}}", helpers: ["12.34": helper]) == "bar1")
        #expect(try render("{{true}}") == "")
        #expect(try render("{{true}}", ["": "foo"]) == "")
        #expect(try render("{{false}}", ["false": "foo"]) == "foo")
        let echo = Helper { call in .value(call.parameters.first ?? .null) }
        #expect(try render("{{foo (false)}}", helpers: ["foo": echo, "false": Helper { _ in .value("bar") }]) == "bar")
    }
}

@Suite struct HandlebarsBlockSpecTests {
    @Test func arraySections() throws {
        let source = "{{#goodbyes}}{{text}}! {{/goodbyes}}cruel {{world}}!"
        #expect(try render(source, ["goodbyes": goodbyes, "world": "world"]) == "goodbye! Goodbye! GOODBYE! cruel world!")
        #expect(try render(source, ["goodbyes": [], "world": "world"]) == "cruel world!")
        let indexed = "{{#goodbyes}}{{@index}}. {{text}}! {{/goodbyes}}cruel {{world}}!"
        #expect(try render(indexed, ["goodbyes": goodbyes, "world": "world"]) == "0. goodbye! 1. Goodbye! 2. GOODBYE! cruel world!")
        #expect(try render("{{#goodbyes}}{{/goodbyes}}cruel {{world}}!", ["goodbyes": goodbyes, "world": "world"]) == "cruel world!")
    }

    @Test func complexLookups() throws {
        let context: TemplateValue = ["name": "Alan", "goodbyes": goodbyes]
        #expect(
            try render("{{#goodbyes}}{{text}} cruel {{../name}}! {{/goodbyes}}", context)
                == "goodbye cruel Alan! Goodbye cruel Alan! GOODBYE cruel Alan! ")
        #expect(try render("{{#goodbyes}}{{../name}}{{../name}}{{/goodbyes}}", context) == "AlanAlanAlanAlanAlanAlan")
        let deep: TemplateValue = ["omg": "OMG!", "outer": [["sibling": "sad", "inner": [["text": "goodbye"]]]]]
        #expect(
            try render("{{#outer}}Goodbye {{#inner}}cruel {{../sibling}} {{../../omg}}{{/inner}}{{/outer}}", deep)
                == "Goodbye cruel sad OMG!")
    }

    @Test func invertedSections() throws {
        let source = "{{#goodbyes}}{{this}}{{/goodbyes}}{{^goodbyes}}Right On!{{/goodbyes}}"
        #expect(try render(source) == "Right On!")
        #expect(try render(source, ["goodbyes": false]) == "Right On!")
        #expect(try render(source, ["goodbyes": []]) == "Right On!")
        #expect(try render("{{#people}}{{name}}{{^}}{{none}}{{/people}}", ["none": "No people"]) == "No people")
        #expect(try render("{{#people}}{{name}}{{^}}{{none}}{{/people}}", ["none": "No people", "people": []]) == "No people")
    }

    @Test func chainedInvertedSections() throws {
        let context: TemplateValue = ["none": "No people"]
        #expect(try render("{{#people}}{{name}}{{else if none}}{{none}}{{/people}}", context) == "No people")
        #expect(
            try render("{{#people}}{{name}}{{else if nothere}}fail{{else unless nothere}}{{none}}{{/people}}", context) == "No people")
        #expect(try render("{{#people}}{{name}}{{else if none}}{{none}}{{else}}fail{{/people}}", context) == "No people")
        #expect(syntaxError("{{#people}}{{name}}{{else if none}}{{none}}{{/if}}") != nil)
    }

    @Test func standaloneSections() throws {
        #expect(try render("{{#people}}\n{{name}}\n{{^}}\n{{none}}\n{{/people}}\n", ["none": "No people"]) == "No people\n")
        #expect(try render("{{#none}}\n{{.}}\n{{^}}\n{{none}}\n{{/none}}\n", ["none": "No people"]) == "No people\n")
        #expect(try render("{{#people}}\n{{name}}\n{{^}}\n{{none}}\n{{/people}}\n", ["people": [["name": "p"]]]) == "p\n")
        #expect(try render("{{#data}}\n{{#if true}}\n{{.}}\n{{/if}}\n{{/data}}\nOK.", ["data": [1, 3, 5]]) == "1\n3\n5\nOK.")
    }
}

@Suite struct HandlebarsBuiltinSpecTests {
    @Test func ifHelper() throws {
        let source = "{{#if goodbye}}GOODBYE {{/if}}cruel {{world}}!"
        let cases: [(TemplateValue?, String)] = [
            (true, "GOODBYE cruel world!"), ("dummy", "GOODBYE cruel world!"), (false, "cruel world!"), (nil, "cruel world!"),
            (["foo"], "GOODBYE cruel world!"), ([], "cruel world!"), (0, "cruel world!"),
        ]
        for (value, expected) in cases {
            var pairs: [(String, TemplateValue)] = [("world", "world")]
            if let value { pairs.append(("goodbye", value)) }
            #expect(try render(source, .object(TemplateObject(pairs))) == expected, "\(String(describing: value))")
        }
        #expect(
            try render("{{#if goodbye includeZero=true}}GOODBYE {{/if}}cruel {{world}}!", ["goodbye": 0, "world": "world"])
                == "GOODBYE cruel world!")
    }

    @Test func withHelper() throws {
        let person: TemplateValue = ["person": ["first": "Alan", "last": "Johnson"]]
        #expect(try render("{{#with person}}{{first}} {{last}}{{/with}}", person) == "Alan Johnson")
        #expect(try render("{{#with person}}Person is present{{else}}Person is not present{{/with}}") == "Person is not present")
        #expect(try render("{{#with person as |foo|}}{{foo.first}} {{last}}{{/with}}", person) == "Alan Johnson")
    }

    @Test func eachHelper() throws {
        let context: TemplateValue = ["goodbyes": goodbyes, "world": "world"]
        #expect(try render("{{#each goodbyes}}{{text}}! {{/each}}cruel {{world}}!", context) == "goodbye! Goodbye! GOODBYE! cruel world!")
        #expect(
            try render("{{#each goodbyes}}{{@index}}. {{text}}! {{/each}}cruel {{world}}!", context)
                == "0. goodbye! 1. Goodbye! 2. GOODBYE! cruel world!")
        let keyed: TemplateValue = ["goodbyes": ["<b>#1</b>": ["text": "goodbye"], "2": ["text": "GOODBYE"]], "world": "world"]
        #expect(
            try render("{{#each goodbyes}}{{@key}}. {{text}}! {{/each}}cruel {{world}}!", keyed)
                == "<b>#1</b>. goodbye! 2. GOODBYE! cruel world!")
        let nested =
            "{{#each goodbyes}}{{@index}}. {{text}}! {{#each ../goodbyes}}{{@index}} {{/each}}After {{@index}} {{/each}}{{@index}}cruel {{world}}!"
        #expect(
            try render(nested, context)
                == "0. goodbye! 0 1 2 After 0 1. Goodbye! 0 1 2 After 1 2. GOODBYE! 0 1 2 After 2 cruel world!")
        let objects: TemplateValue = [
            "goodbyes": ["a": ["text": "goodbye"], "b": ["text": "Goodbye"], "c": ["text": "GOODBYE"]], "world": "world",
        ]
        #expect(
            try render("{{#each goodbyes}}{{@index}}. {{text}}! {{/each}}cruel {{world}}!", objects)
                == "0. goodbye! 1. Goodbye! 2. GOODBYE! cruel world!")
    }

    @Test func eachBlockParameters() throws {
        let source =
            "{{#each goodbyes as |value index|}}{{index}}. {{value.text}}! {{#each ../goodbyes as |childValue childIndex|}} {{index}} {{childIndex}}{{/each}} After {{index}} {{/each}}{{index}}cruel {{world}}!"
        let context: TemplateValue = ["goodbyes": [["text": "goodbye"], ["text": "Goodbye"]], "world": "world"]
        #expect(try render(source, context) == "0. goodbye!  0 0 0 1 After 0 1. Goodbye!  1 0 1 1 After 1 cruel world!")
    }

    @Test func eachFirstAndLast() throws {
        let context: TemplateValue = ["goodbyes": goodbyes, "world": "world"]
        #expect(
            try render("{{#each goodbyes}}{{#if @first}}{{text}}! {{/if}}{{/each}}cruel {{world}}!", context) == "goodbye! cruel world!")
        let nested =
            "{{#each goodbyes}}({{#if @first}}{{text}}! {{/if}}{{#each ../goodbyes}}{{#if @first}}{{text}}!{{/if}}{{/each}}{{#if @first}} {{text}}!{{/if}}) {{/each}}cruel {{world}}!"
        #expect(try render(nested, context) == "(goodbye! goodbye! goodbye!) (goodbye!) (goodbye!) cruel world!")
        #expect(try render("{{#each goodbyes}}{{#if @last}}{{text}}! {{/if}}{{/each}}cruel {{world}}!", context) == "GOODBYE! cruel world!")
    }

    @Test func eachWithoutAnIteratorFails() throws {
        #expect {
            try render("{{#each}}{{text}}! {{/each}}cruel world!", ["goodbyes": goodbyes])
        } throws: { error in
            (error as? TemplateRenderError)?.message.contains("'#each' needs a list") == true
        }
    }

    @Test func lookupHelper() throws {
        #expect(
            try render("{{#each goodbyes}}{{lookup ../data @index}}{{/each}}", ["goodbyes": [0, 1], "data": ["foo", "bar"]]) == "foobar")
        #expect(try render("{{#each goodbyes}}{{lookup foo @index}}{{/each}}", ["goodbyes": [0, 1], "data": ["foo", "bar"]]) == "")
        #expect(try render("{{lookup foo.bar 'baz'}}", ["foo": [:]]) == "")
    }
}

@Suite struct HandlebarsWhitespaceSpecTests {
    @Test func mustaches() throws {
        let context: TemplateValue = ["foo": "bar<"]
        #expect(try render(" {{~foo~}} ", context) == "bar<")
        #expect(try render(" {{~foo}} ", context) == "bar< ")
        #expect(try render(" {{foo~}} ", context) == " bar<")
        #expect(try render(" {{~&foo~}} ", context) == "bar<")
        #expect(try render(" {{~{foo}~}} ", context) == "bar<")
        #expect(try render("1\n{{foo~}} \n\n 23\n{{bar}}4") == "1\n23\n4")
        #expect(try render("{{~foo~}} {{foo}} {{foo}}", ["foo": "bar"]) == "barbar bar")
    }

    @Test func blocks() throws {
        let context: TemplateValue = ["foo": "bar<"]
        #expect(try render(" {{~#if foo~}} bar {{~/if~}} ", context) == "bar")
        #expect(try render(" {{#if foo~}} bar {{/if~}} ", context) == " bar ")
        #expect(try render(" {{~#if foo}} bar {{~/if}} ", context) == " bar ")
        #expect(try render(" {{#if foo}} bar {{/if}} ", context) == "  bar  ")
        #expect(try render(" \n\n{{~#if foo~}} \n\nbar \n\n{{~/if~}}\n\n ", context) == "bar")
        #expect(try render(" a\n\n{{~#if foo~}} \n\nbar \n\n{{~/if~}}\n\na ", context) == " abara ")
    }

    @Test func inverses() throws {
        #expect(try render(" {{~#if foo~}} bar {{~^~}} baz {{~/if~}} ") == "baz")
        let hash: TemplateValue = ["foo": "bar<"]
        #expect(try render("{{#if foo~}} bar {{~^~}} baz {{~/if}}", hash) == "bar")
        #expect(try render("{{#if foo~}} bar {{^~}} baz {{/if}}", hash) == "bar ")
        #expect(try render("{{#if foo}} bar {{~^~}} baz {{~/if}}", hash) == " bar")
        #expect(try render("{{#if foo}} bar {{^~}} baz {{/if}}", hash) == " bar ")
        #expect(try render("{{#if foo~}} bar {{~else~}} baz {{~/if}}", hash) == "bar")
        #expect(try render(" {{#if foo~}} bar {{~^~}} baz {{/if}} ") == " baz  ")
        #expect(try render(" {{#if foo}} bar {{~^~}} baz {{~/if}} ") == " baz ")
        #expect(try render(" {{~#if foo~}} bar {{~else~}} baz {{~/if~}} ") == "baz")
        #expect(try render("\n\n{{~#if foo~}} \n\nbar \n\n{{~^~}} \n\nbaz \n\n{{~/if~}}\n\n") == "baz")
    }

    @Test func partials() throws {
        let partials = ["dude": "bar"]
        #expect(try render("foo {{~> dude~}} ", partials: partials) == "foobar")
        #expect(try render("foo {{> dude~}} ", partials: partials) == "foo bar")
        #expect(try render("foo {{> dude}} ", partials: partials) == "foo bar ")
        #expect(try render("foo\n {{~> dude}} ", partials: partials) == "foobar")
        #expect(try render("foo\n {{> dude}} ", partials: partials) == "foo\n bar")
    }

    @Test func comments() throws {
        #expect(try render("foo {{~!-- dude --~}} ") == "foo")
        #expect(try render("foo\n {{~!-- dude --~}} ") == "foo")
        #expect(try render("foo {{~!-- dude --}} ") == "foo ")
    }
}

@Suite struct HandlebarsPartialSpecTests {
    @Test func basicPartials() throws {
        let context: TemplateValue = ["dudes": dudes]
        let dude = "{{name}} ({{url}}) "
        #expect(
            try render("Dudes: {{#dudes}}{{> dude}}{{/dudes}}", context, partials: ["dude": dude])
                == "Dudes: Yehuda (http://yehuda) Alan (http://alan) ")
        #expect(
            try render("Dudes: {{>dude dudes}}", context, partials: ["dude": "{{#this}}{{name}} ({{url}}) {{/this}}"])
                == "Dudes: Yehuda (http://yehuda) Alan (http://alan) ")
        #expect(try render("Dudes: {{>dude \"dudes\"}}", partials: ["dude": "{{.}}"]) == "Dudes: dudes")
        #expect(
            try render(
                "Dudes: {{#dudes}}{{> dude others=..}}{{/dudes}}", ["foo": "bar", "dudes": dudes],
                partials: ["dude": "{{others.foo}}{{name}} ({{url}}) "])
                == "Dudes: barYehuda (http://yehuda) barAlan (http://alan) ")
    }

    @Test func partialsInPartials() throws {
        let partials = ["dude": "{{name}} {{> url}} ", "url": "<a href='{{url}}'>{{url}}</a>"]
        #expect(
            try render("Dudes: {{#dudes}}{{>dude}}{{/dudes}}", ["dudes": dudes], partials: partials)
                == "Dudes: Yehuda <a href='http://yehuda'>http://yehuda</a> Alan <a href='http://alan'>http://alan</a> ")
    }

    @Test func partialNames() throws {
        let context: TemplateValue = ["name": "Jeepers", "anotherDude": "Creepers"]
        #expect(try render("Dudes: {{>dude}} {{anotherDude}}", context, partials: ["dude": "{{name}}"]) == "Dudes: Jeepers Creepers")
        #expect(try render("Dudes: {{> shared/dude}}", context, partials: ["shared/dude": "{{name}}"]) == "Dudes: Jeepers")
        #expect(try render("Dudes: {{> shared/dude.thing}}", context, partials: ["shared/dude.thing": "{{name}}"]) == "Dudes: Jeepers")
        #expect(try render("Dudes: {{> [dude]}}", context, partials: ["dude": "{{name}}"]) == "Dudes: Jeepers")
        #expect(try render("Dudes: {{> \"dude\"}}", context, partials: ["dude": "{{name}}"]) == "Dudes: Jeepers")
        #expect(try render("Dudes: {{#dudes}}{{> dude}}{{/dudes}}", ["dudes": dudes], partials: ["dude": ""]) == "Dudes: ")
        #expect(throws: TemplateRenderError.self) { try render("{{> whatever}}") }
    }

    @Test func standalonePartialIndentation() throws {
        #expect(
            try render("Dudes:\n{{#dudes}}\n  {{>dude}}\n{{/dudes}}", ["dudes": dudes], partials: ["dude": "{{name}}\n"])
                == "Dudes:\n  Yehuda\n  Alan\n")
        #expect(
            try render(
                "Dudes:\n{{#dudes}}\n  {{>dude}}\n{{/dudes}}", ["dudes": dudes],
                partials: ["dude": "{{name}}\n {{> url}}", "url": "{{url}}!\n"])
                == "Dudes:\n  Yehuda\n   http://yehuda!\n  Alan\n   http://alan!\n")
    }

    @Test func partialsSeeLoopData() throws {
        #expect(
            try render("{{#each dudes}}{{> dude}}{{/each}}", ["dudes": dudes], partials: ["dude": "{{@index}}{{name}} "])
                == "0Yehuda 1Alan ")
    }
}
