import Handlebars
import Testing

@Suite struct ValueTextTests {
    @Test func scalarsPrintAsJavaScriptDoes() throws {
        let context: TemplateValue = [
            "int": 42, "negative": -7, "one": 1.0, "half": 0.5, "big": .double(1e21), "bigInteger": .double(1e20),
            "small": .double(1e-7), "tiny": .double(0.000001), "nan": .double(.nan), "infinity": .double(.infinity),
            "negativeZero": .double(-0.0), "yes": true, "no": false, "nothing": nil, "third": .double(1.0 / 3.0),
            "precise": .double(123.456), "huge": .double(1.7976931348623157e308), "negativeSmall": .double(-2.5e-10),
        ]
        let cases: [(String, String)] = [
            ("int", "42"), ("negative", "-7"), ("one", "1"), ("half", "0.5"), ("big", "1e+21"),
            ("bigInteger", "100000000000000000000"), ("small", "1e-7"), ("tiny", "0.000001"), ("nan", "NaN"),
            ("infinity", "Infinity"), ("negativeZero", "0"), ("yes", "true"), ("no", "false"), ("nothing", ""),
            ("third", "0.3333333333333333"), ("precise", "123.456"), ("huge", "1.7976931348623157e+308"),
            ("negativeSmall", "-2.5e-10"),
        ]
        for (name, expected) in cases {
            #expect(try render("{{\(name)}}", context) == expected, "\(name)")
        }
    }

    @Test func arraysAndObjectsPrintAsCompactJSONInKeyOrder() throws {
        let context: TemplateValue = [
            "list": [1, "two", nil, true, 2.5],
            "object": ["zeta": 1, "alpha": ["nested": "a\"b\\c\nd\u{1}"], "empty": [], "none": [:]],
            "nan": [.double(.nan)],
        ]
        #expect(try render("{{list}}", context) == #"[1,"two",null,true,2.5]"#)
        #expect(
            try render("{{object}}", context) == #"{"zeta":1,"alpha":{"nested":"a\"b\\c\nd\u0001"},"empty":[],"none":{}}"#)
        #expect(try render("{{nan}}", context) == "[null]")
    }

    @Test func valuesAreDataAndNeverReparsed() throws {
        let context: TemplateValue = ["text": "{{secret}} {{> partial}} {{#if x}}", "secret": "no"]
        #expect(try render("{{text}}", context) == "{{secret}} {{> partial}} {{#if x}}")
        #expect(try rendering("{{text}}", context).pieces == [.text("{{secret}} {{> partial}} {{#if x}}")])
    }

    @Test func objectsKeepOrderAndTheLastDuplicateWins() {
        let object = TemplateObject([("b", 1), ("a", 2), ("b", 3)])
        #expect(object.keys == ["b", "a"])
        #expect(object["b"] == 3)
        #expect(object.count == 2)
        #expect(object["c"] == nil)
        let large = TemplateObject((0..<50).map { ("key\($0)", TemplateValue.int($0)) } + [("key7", 700)])
        #expect(large.count == 50)
        #expect(large["key7"] == 700)
        #expect(large["key49"] == 49)
        #expect(large.keys.first == "key0")
        #expect(Array(large.map(\.key).prefix(2)) == ["key0", "key1"])
        #expect(TemplateObject([("a", 1)]) == ["a": 1])
        #expect(TemplateObject([("a", 1), ("b", 2)]) != ["b": 2, "a": 1])
    }

    @Test func truthiness() {
        let falsy: [TemplateValue] = [nil, false, 0, 0.0, .double(.nan), "", []]
        let truthy: [TemplateValue] = [true, 1, -1, 0.1, "0", " ", [0], [:], ["a": nil]]
        for value in falsy { #expect(!value.isTruthy, "\(value)") }
        for value in truthy { #expect(value.isTruthy, "\(value)") }
    }

    @Test func templateTextMatchesRendering() {
        #expect(TemplateValue.double(2.0).templateText == "2")
        #expect(TemplateValue.array(["a"]).templateText == #"["a"]"#)
        #expect(TemplateValue.object(["k": nil]).jsonText == #"{"k":null}"#)
        #expect(TemplateValue.null.templateText == "")
        #expect(TemplateValue.null.jsonText == "null")
    }
}
