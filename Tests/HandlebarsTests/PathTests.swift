import Handlebars
import Testing

@Suite struct PathTests {
    let context: TemplateValue = [
        "name": "Ada",
        "person": ["name": "Grace", "address": ["city": "Arlington"], "tags": ["a", "b", "c"]],
        "list": [["name": "first"], ["name": "second"]],
        "odd key": "spaced",
        "a.b": "dotted",
        "empty": nil,
    ]

    @Test func dottedAndSlashedPaths() throws {
        #expect(try render("{{person.name}} {{person/address/city}} {{person.address.city}}", context) == "Grace Arlington Arlington")
        #expect(try render("{{person.missing.deeper}}|{{name.first}}|{{empty.x}}", context) == "||")
    }

    @Test func thisAndDotPaths() throws {
        #expect(try render("{{#with person}}{{this.name}} {{./name}} {{name}}{{/with}}", context) == "Grace Grace Grace")
        #expect(try render("{{#each person.tags}}{{this}}{{.}}{{/each}}", context) == "aabbcc")
        #expect(try render("{{this.name}}", context) == "Ada")
    }

    @Test func parentPaths() throws {
        #expect(try render("{{#with person}}{{../name}}/{{name}}{{/with}}", context) == "Ada/Grace")
        #expect(
            try render("{{#with person}}{{#with address}}{{../../name}}{{../name}}{{city}}{{/with}}{{/with}}", context)
                == "AdaGraceArlington")
        // `../` climbs context changes, not blocks: `if` keeps the context.
        #expect(try render("{{#if name}}{{../name}}{{/if}}", context) == "")
        #expect(try render("{{#with person}}{{#if name}}{{../name}}{{/if}}{{/with}}", context) == "Ada")
        // Past the root is missing.
        #expect(try render("{{../name}}{{../../x}}", context) == "")
        #expect(try render("{{#each list}}{{name}}-{{../name}} {{/each}}", context) == "first-Ada second-Ada ")
        #expect(try render("{{#with person}}{{..}}{{/with}}", ["person": ["x": 1], "y": 2]) == #"{"person":{"x":1},"y":2}"#)
    }

    @Test func literalSegments() throws {
        #expect(try render("{{[odd key]}} {{[a.b]}} {{person.[address].city}}", context) == "spaced dotted Arlington")
        #expect(try render(#"{{[with \] bracket]}}"#, ["with ] bracket": "ok"]) == "ok")
        #expect(try render("{{[this]}}", ["this": "key named this"]) == "key named this")
        #expect(try render(#"{{"odd key"}}"#, context) == "spaced")
    }

    @Test func arrayIndexes() throws {
        #expect(try render("{{list.[0].name}} {{list.1.name}} {{person.tags.[2]}} {{person.tags.2}}", context) == "first second c c")
        #expect(try render("{{list.[5].name}}|{{list.5}}|{{person.tags.[-1]}}|{{list.99999999999999999999999}}", context) == "|||")
        #expect(try render("{{person.tags.length}} {{name.length}} {{#if list.length}}some{{/if}}", context) == "3 3 some")
    }

    @Test func lookupsOnScalarsAreMissing() throws {
        #expect(try render("{{name.x}}|{{person.name.first}}|{{list.name}}", context) == "||")
    }

    @Test func dataVariables() throws {
        let data: [String: TemplateValue] = ["state": ["step": 2], "auth": ["uid": "u1"]]
        #expect(try render("{{@state.step}} {{@auth.uid}} {{@missing}}", context, data: data) == "2 u1 ")
        #expect(try render("{{#with person}}{{@root.name}}{{/with}}", context) == "Ada")
        #expect(try render("{{#each list}}{{@root.person.name}}{{/each}}", context) == "GraceGrace")
        #expect(try render("{{#each list}}{{@state.step}}{{/each}}", context, data: data) == "22")
    }

    @Test func loopDataVariables() throws {
        let source = "{{#each list}}{{@index}}{{@first}}{{@last}}{{@key}} {{/each}}"
        #expect(try render(source, context) == "0truefalse0 1falsetrue1 ")
        let objects = "{{#each person.address}}{{@key}}={{this}}@{{@index}}{{/each}}"
        #expect(try render(objects, context) == "city=Arlington@0")
        let nested = "{{#each outer}}{{#each inner}}{{@../index}}.{{@index}} {{/each}}{{/each}}"
        #expect(try render(nested, ["outer": [["inner": [1, 2]], ["inner": [3]]]]) == "0.0 0.1 1.0 ")
    }

    @Test func blockParameters() throws {
        #expect(try render("{{#each list as |item i|}}{{i}}:{{item.name}} {{/each}}", context) == "0:first 1:second ")
        #expect(try render("{{#each person.address as |value key|}}{{key}}={{value}}{{/each}}", context) == "city=Arlington")
        #expect(try render("{{#with person as |p|}}{{p.name}}{{name}}{{/with}}", context) == "GraceGrace")
        let nested = "{{#each list as |outer|}}{{#each ../person.tags as |tag|}}{{outer.name}}{{tag}} {{/each}}{{/each}}"
        #expect(try render(nested, context) == "firsta firstb firstc seconda secondb secondc ")
        // A block parameter shadows a context key, only inside its block.
        #expect(try render("{{#with person as |name|}}{{name.name}}{{/with}}{{name}}", context) == "GraceAda")
        // `this.x` always reads the context.
        #expect(try render("{{#each list as |name|}}{{this.name}}{{/each}}", context) == "firstsecond")
    }

    @Test func literalsAsParameters() throws {
        let echo = Helper { call in
            .value(.string(call.parameters.map(\.jsonText).joined(separator: ",") + "|" + call.hash.keys.joined(separator: ",")))
        }
        let source = #"{{echo "a b" 'c\'d' "e\"f" 12 -3 2.5 true false null undefined key=1 other="x"}}"#
        #expect(
            try render(source, helpers: ["echo": echo])
                == #""a b","c'd","e\"f",12,-3,2.5,true,false,null,null|key,other"#)
        let huge = #"{{echo 99999999999999999999999 -99999999999999999999999}}"#
        #expect(try render(huge, helpers: ["echo": echo]) == "1e+23,-1e+23|")
    }
}
