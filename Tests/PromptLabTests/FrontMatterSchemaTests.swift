import Foundation
import PromptLabCore
import Testing

@testable import PromptExperiments
@testable import PromptFormat

/// Picoschema errors, variable checks against the compiled input schema,
/// Genkit's keys, provider ranges and the `is-json` default schema.
@Suite struct FrontMatterSchemaTests {
    func parse(_ text: String) throws -> PromptFile {
        try PromptFile.parse(Array(text.utf8), name: try PromptName("t"), displayPath: "t.prompt")
    }

    // MARK: - Picoschema

    @Test func compilesNestedPicoschemaWithDescriptionsEverywhere() throws {
        let schema = try Picoschema.compile(
            try PromptValue.parseYAML(
                """
                title: string, the headline
                author?(object, who wrote it):
                  name: string
                  (*): string
                tags(array, labels): string, one label
                """))
        let expected = try PromptValue.parseJSON(
            """
            {"type": "object", "properties": {
              "title": {"type": "string", "description": "the headline"},
              "author": {"type": ["object", "null"], "description": "who wrote it",
                         "properties": {"name": {"type": "string"}}, "required": ["name"],
                         "additionalProperties": {"type": "string"}},
              "tags": {"type": "array", "description": "labels", "items": {"type": "string", "description": "one label"}}},
             "required": ["title", "tags"], "additionalProperties": false}
            """)
        #expect(schema.jsonEquals(expected), "\(schema.jsonText(pretty: false))")
        // Keys come out in one fixed order: type, description, then the rest.
        guard case .object(let author)? = schema["properties"]?["author"] else {
            Issue.record("no author")
            return
        }
        #expect(author.map(\.key) == ["type", "description", "properties", "required", "additionalProperties"])
    }

    @Test func jsonSchemaPassesThroughAndNamedSchemasResolve() throws {
        let json = PromptValue.object([("type", "object"), ("properties", .object([("a", .object([("type", "string")]))]))])
        #expect(try Picoschema.compile(json) == json)
        let named = try Picoschema.compile("Foo, mine", resolver: { $0 == "Foo" ? .object([("type", "number")]) : nil })
        #expect(named == .object([("type", "number"), ("description", "mine")]))
    }

    @Test func picoschemaErrorsCiteTheKeyAndSayWhatWasExpected() {
        let unknown = thrownPromptLabError { try parse("---\ninput:\n  schema:\n    address(object):\n      zip: strin\n---\nx\n") }
        #expect(unknown?.kind == .invalidInput)
        #expect(
            unknown?.message.hasPrefix(
                "t.prompt:5:12: unknown type 'strin'; did you mean 'string'? for 'input.schema.address(object).zip'; expected one of")
                == true, "\(unknown?.message ?? "")")
        let parenthetical = thrownPromptLabError { try parse("---\noutput:\n  schema:\n    tags(aray): string\n---\nx\n") }
        #expect(
            parenthetical?.message
                == "t.prompt:4:5: unknown type '(aray)'; did you mean 'array'? in 'tags(aray)'; expected (array), (object) or (enum)")
        let badJSONSchema = thrownPromptLabError { try parse("---\noutput:\n  schema:\n    type: object\n    minProperties: -1\n---\nx\n") }
        #expect(badJSONSchema?.message.hasPrefix("t.prompt:4:5: output.schema: schema at $: 'minProperties'") == true)
    }

    // MARK: - Variables

    static let typed = """
        ---
        input:
          schema:
            count: integer
            ratio?: number
            level(enum): [low, high]
            tags?(array): string
            address?(object):
              street: string
              zip?: string
          default:
            level: low
        ---
        {{count}}
        """

    @Test func checkVariablesConvertsTextWhereUnambiguous() throws {
        let front = try parse(Self.typed).frontMatter
        let checked = try front.checkVariables([
            "count": "3", "ratio": "0.5", "level": "high", "tags": "[\"a\", 2]", "address": "{\"street\": \"Main\"}",
            "note": "not declared",
        ])
        #expect(checked["count"] == .int(3))
        #expect(checked["ratio"] == .double(0.5))
        #expect(checked["tags"] == .array(["a", "2"]))
        #expect(checked["address"]?["street"] == "Main")
        #expect(checked["note"] == "not declared")
        #expect(front.optionalVariableNames == ["ratio", "tags", "address"])
        #expect(try front.checkVariables(["count": .int(1), "ratio": .null])["ratio"] == .null)
    }

    @Test func checkVariablesNamesPathTypeAndValue() throws {
        let front = try parse(Self.typed).frontMatter
        let failures: [([String: PromptValue], String)] = [
            (["count": "three"], "variable 'count' must be an integer, got 'three'"),
            (["count": .int(1), "tags": .array(["a", .array([])])], "variable 'tags[1]' must be text, got []"),
            (["count": .int(1), "level": "medium"], "variable 'level' must be one of low, high, got 'medium'"),
            (["count": .int(1), "address": .object([("zip", "1")])], "variable 'address.street' (text) is missing"),
            (
                ["count": .int(1), "address": .object([("street", "s"), ("city", "c")])],
                "variable 'address': property 'city' is not allowed"
            ),
        ]
        for (variables, message) in failures {
            let error = thrownPromptLabError { try front.checkVariables(variables) }
            #expect(error?.kind == .invalidInput)
            #expect(error?.message == message)
        }
        // Numbers where text is declared render as they read.
        #expect(try front.checkVariables(["count": .int(1), "address": .object([("street", .int(5))])])["address"]?["street"] == "5")
        let missing = thrownPromptLabError { try front.checkVariables(["ratio": .int(1)]) }
        #expect(missing?.kind == .renderFailed)
        #expect(missing?.subject == "count")
        #expect(missing?.message.hasPrefix("needs variable 'count'") == true)
    }

    @Test func jsonSchemaInputIsReadIntoInputVariables() throws {
        let file = try parse(
            """
            ---
            input:
              schema:
                type: object
                properties:
                  n: {type: integer, minimum: 1}
                  words: {type: array, items: {type: string}}
                required: [n]
            ---
            {{n}}
            """)
        #expect(file.frontMatter.inputVariables.map(\.name) == ["n", "words"])
        #expect(file.frontMatter.inputVariables[1].schema == .array(.string))
        #expect(file.frontMatter.requiredVariables == ["n"])
        #expect(try file.frontMatter.checkVariables(["n": "4"])["n"] == .int(4))
        #expect(
            thrownPromptLabError { try file.frontMatter.checkVariables(["n": "0"]) }?.message
                == "variable 'n': 0 is less than the minimum 1")
    }

    // MARK: - Genkit keys

    @Test func keepsGenkitKeys() throws {
        let file = try parse(
            """
            ---
            name: greet
            variant: short
            version: "2"
            model: gemini/gemini-2.0-flash
            tools: [lookup]
            metadata: {owner: team-a}
            myext.foo: bar
            myext.sub.baz: 1
            custom: kept in raw
            config:
              temperature: 3
              topK: 40
              stopSequences: [END]
              safetySettings:
                - {category: HARM_CATEGORY_HATE_SPEECH, threshold: BLOCK_NONE}
              responseModalities: [TEXT]
              thinkingConfig: {thinkingBudget: 0}
            output:
              format: jsonl
            ---
            x
            """)
        let front = file.frontMatter
        #expect(front.name == "greet")
        #expect(front.variant == "short")
        #expect(front.version == "2")
        #expect(front.tools == ["lookup"])
        #expect(front.metadata?["owner"] == "team-a")
        #expect(front.outputFormat == .jsonl)
        #expect(front.config.temperature == 3)
        #expect(front.config.topK == 40)
        #expect(front.config.stopSequences == ["END"])
        #expect(front.config.additional.map(\.key) == ["safetySettings", "responseModalities", "thinkingConfig"])
        #expect(
            front.config.fields.map(\.key) == [
                "temperature", "stopSequences", "topK", "safetySettings", "responseModalities", "thinkingConfig",
            ])
        #expect(front.ext == .object([("myext", .object([("foo", "bar")])), ("myext.sub", .object([("baz", .int(1))]))]))
        #expect(front.raw["custom"] == "kept in raw")
        let metadata = front.dotpromptMetadata
        #expect(metadata["ext"] == front.ext)
        #expect(metadata["metadata"]?["owner"] == "team-a")
        #expect(metadata["tools"] == .array(["lookup"]))
        #expect(metadata["toolDefs"] == .array([]))
        #expect(metadata["custom"] == nil)
        #expect(metadata["raw"] == front.raw)
        #expect(metadata["config"]?["topK"] == .int(40))
    }

    @Test func generationSettingsRoundTripAndMerge() throws {
        let settings = GenerationSettings(
            temperature: 0.5, topK: 3, additional: [("safetySettings", .array([])), ("candidateCount", .int(2))])
        let decoded = try JSONDecoder().decode(GenerationSettings.self, from: try JSONEncoder().encode(settings))
        // JSONDecoder does not keep object key order: the additional entries come back sorted.
        #expect(decoded.additional.map(\.key) == ["candidateCount", "safetySettings"])
        #expect(PromptValue.object(decoded.additional).jsonEquals(.object(settings.additional)))
        #expect(decoded.topK == 3 && decoded.temperature == 0.5)
        let merged = settings.merged(with: GenerationSettings(topK: 5, additional: [("candidateCount", .int(1)), ("x", .bool(true))]))
        #expect(merged.topK == 5)
        #expect(merged.temperature == 0.5)
        #expect(
            PromptValue.object(merged.additional)
                == .object([("safetySettings", .array([])), ("candidateCount", .int(1)), ("x", .bool(true))]))
    }

    @Test(arguments: [
        ("---\nconfig:\n  temprature: 1\n---\nx\n", "t.prompt:3:3: unknown config field 'temprature'; did you mean 'temperature'?"),
        (
            "---\nconfig:\n  maxOutputToken: 9\n---\nx\n",
            "t.prompt:3:3: unknown config field 'maxOutputToken'; did you mean 'maxOutputTokens'?"
        ),
        ("---\nmodle: openai/gpt-4o\n---\nx\n", "t.prompt:2:1: unknown front matter field 'modle'; did you mean 'model'?"),
        (
            "---\noutput:\n  fromat: json\n---\nx\n",
            "t.prompt:3:3: unknown output field 'fromat'; did you mean 'format'? (known: format, schema)"
        ),
        ("---\nconfig:\n  topK: 0\n---\nx\n", "t.prompt:3:9: config.topK must be a whole number ≥ 1"),
        ("---\nconfig:\n  temperature: -1\n---\nx\n", "t.prompt:3:16: config.temperature must be a number ≥ 0"),
    ])
    func misspeltAndInsaneKeysAreErrors(_ text: String, _ message: String) {
        #expect(thrownPromptLabError { try parse(text) }?.message == message)
    }

    // MARK: - Provider ranges

    @Test func providerRangesFollowTheModel() throws {
        let hot = GenerationSettings(temperature: 1.5)
        #expect(
            ProviderRangeCheck.problem(with: hot, model: "anthropic/claude-3-5-haiku")
                == "temperature 1.5 is out of range; Anthropic accepts 0 to 1")
        #expect(ProviderRangeCheck.problem(with: hot, model: "openai/gpt-4o-mini") == nil)
        #expect(ProviderRangeCheck.problem(with: GenerationSettings(temperature: 3), model: "cool-model") == nil)
        #expect(
            ProviderRangeCheck.problem(with: GenerationSettings(topK: 40), model: "openai/gpt-4o-mini")
                == "OpenAI has no topK setting; remove topK from the prompt's config")
        #expect(ProviderRangeCheck.problem(with: GenerationSettings(topK: 40), model: "gemini/gemini-2.0-flash") == nil)
        let file = try parse("---\nmodel: anthropic/claude-3-5-haiku\nconfig:\n  temperature: 1.2\n---\nx\n")
        let error = thrownPromptLabError { try ProviderRangeCheck.check(file) }
        #expect(
            error?.message
                == "t.prompt: config: temperature 1.2 is out of range; Anthropic accepts 0 to 1 (model anthropic/claude-3-5-haiku)")
    }

    // MARK: - is-json

    @Test func isJSONDefaultsToThePromptsOutputSchema() throws {
        let file = try parse("---\noutput:\n  format: json\n  schema:\n    label: string\n    score?: number\n---\nx\n")
        let schema = try #require(file.frontMatter.outputSchema)
        let grader = try GraderDefinition.parseList([try PromptValue.parseYAML("{type: is-json}")])[0]
        func passed(_ output: String, schema: PromptValue?) throws -> Bool? {
            try grader.grade(GradingSample(output: output, caseID: "c", outputSchema: schema))?.passed
        }
        #expect(try passed(#"{"label": "a", "score": null}"#, schema: schema) == true)
        #expect(try passed(#"{"score": 1}"#, schema: schema) == false)
        #expect(try passed(#"{"label": "a", "extra": 1}"#, schema: schema) == false)
        #expect(try passed(#"{"score": 1}"#, schema: nil) == true)
        // A grader's own schema wins.
        let own = try GraderDefinition.parseList([try PromptValue.parseYAML("{type: is-json, schema: {type: object}}")])[0]
        #expect(try own.grade(GradingSample(output: #"{"score": 1}"#, caseID: "c", outputSchema: schema))?.passed == true)
    }
}
