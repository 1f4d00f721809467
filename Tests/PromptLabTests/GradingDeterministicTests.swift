import Foundation
import PromptLab
import PromptLabCore
import Testing

@testable import PromptExperiments
@testable import PromptFormat
@testable import PromptVersioning

/// The deterministic graders, each on passing and failing inputs, and the
/// parsing of grader declarations.
@Suite struct GradingDeterministicTests {
    /// Parses one grader written as a YAML flow mapping, such as `{type: equals}`.
    func grader(_ yaml: String) throws -> GraderDefinition {
        try GraderDefinition.parseList([try PromptValue.parseYAML(yaml)])[0]
    }

    func outcome(_ yaml: String, _ output: String, expected: String? = nil) throws -> GradeOutcome {
        let sample = GradingSample(output: output, expected: expected, caseID: "c1")
        return try #require(try grader(yaml).grade(sample))
    }

    func passes(_ yaml: String, _ output: String, expected: String? = nil) throws -> Bool? {
        try outcome(yaml, output, expected: expected).passed
    }

    func parseError(_ yaml: String) -> String? {
        do {
            _ = try GraderDefinition.parseList(try PromptValue.parseYAML(yaml).arrayItems)
            return nil
        } catch {
            return error.message
        }
    }

    // MARK: - Text

    @Test func equalsTrimsAndOptionallyIgnoresCaseAndWhitespace() throws {
        #expect(try passes("{type: equals}", "  billing\n", expected: "billing") == true)
        #expect(try passes("{type: equals}", "Billing", expected: "billing") == false)
        #expect(try passes("{type: equals, ignore_case: true}", "Billing", expected: "billing") == true)
        #expect(try passes("{type: equals}", "two  words", expected: "two words") == false)
        #expect(try passes("{type: equals, normalize_whitespace: true}", "two \n words", expected: "two words") == true)
        #expect(try passes("{type: equals, value: 42}", "42") == true)
        let failed = try outcome("{type: equals}", "technical", expected: "billing")
        #expect(failed.score == 0)
        #expect(failed.reason == "expected 'billing', got 'technical'")
    }

    @Test func equalsWithoutExpectedIsAFailureNotAGrade() throws {
        let definition = try grader("{type: equals}")
        #expect(throws: GradingFailure.self) { try definition.grade(GradingSample(output: "x", expected: nil)) }
    }

    @Test func containsFamily() throws {
        #expect(try passes("{type: contains, value: refund}", "I want a refund now") == true)
        #expect(try passes("{type: contains, value: refund}", "I want a REFUND now") == false)
        #expect(try passes("{type: icontains, value: refund}", "I want a REFUND now") == true)
        #expect(try passes("{type: contains}", "route to billing please", expected: "billing") == true)
        #expect(try passes("{type: contains-any, values: [refund, invoice]}", "send the invoice") == true)
        #expect(try passes("{type: contains-any, values: [refund, invoice]}", "send the receipt") == false)
        #expect(try passes("{type: contains-all, values: [refund, invoice]}", "refund the invoice") == true)
        let partial = try outcome("{type: contains-all, values: [refund, invoice]}", "refund only")
        #expect(partial.passed == false)
        #expect(partial.reason == "lacks 'invoice'")
        #expect(try passes("{type: contains-all, values: [Refund, Invoice], ignore_case: true}", "refund the invoice") == true)
        #expect(try passes("{type: starts-with, value: \"Answer:\"}", "  Answer: 42") == true)
        #expect(try passes("{type: starts-with, value: \"Answer:\"}", "The Answer: 42") == false)
    }

    @Test func regexSearchesWithOptions() throws {
        #expect(try passes(#"{type: regex, pattern: "Answer:\\s*-?[0-9.]+"}"#, "work...\nAnswer: 42") == true)
        #expect(try passes(#"{type: regex, pattern: "Answer:\\s*-?[0-9.]+"}"#, "I think 42") == false)
        #expect(try passes(#"{type: regex, pattern: "^answer: \\d+$"}"#, "steps\nAnswer: 42") == false)
        #expect(try passes(#"{type: regex, pattern: "^answer: \\d+$", ignore_case: true, multiline: true}"#, "steps\nAnswer: 42") == true)
        let matched = try outcome(#"{type: regex, pattern: "\\d+"}"#, "abc 123 def")
        #expect(matched.reason == "matched '123'")
    }

    // MARK: - JSON

    @Test func isJSONAcceptsJSONAndRejectsProse() throws {
        #expect(try passes("{type: is-json}", #"{"a": 1}"#) == true)
        #expect(try passes("{type: is-json}", "[1, 2]") == true)
        #expect(try passes("{type: is-json}", "Sure! {\"a\": 1}") == false)
        #expect(try passes("{type: is-json}", "```json\n{\"a\": 1}\n```") == false)
        #expect(try passes("{type: is-json, allow_fences: true}", "```json\n{\"a\": 1}\n```") == true)
    }

    @Test func isJSONChecksFieldsAndExpectedFields() throws {
        let yaml = #"{type: is-json, fields: {currency: EUR, "lines[1].qty": 2, "meta.ok": true}}"#
        let good = #"{"currency": "EUR", "lines": [{"qty": 1}, {"qty": 2.0}], "meta": {"ok": true}}"#
        #expect(try passes(yaml, good) == true)
        let bad = try outcome(yaml, #"{"currency": "USD", "lines": [{"qty": 1}], "meta": {"ok": true}}"#)
        #expect(bad.passed == false)
        #expect(bad.reason == #"field 'currency' is "USD", expected "EUR"; field 'lines[1].qty' is missing"#)

        let expectedFields = "{type: is-json, expected_fields: [vendor, total]}"
        let expected = #"{"vendor": "Acme", "total": 12.5, "date": "2024-01-01"}"#
        #expect(try passes(expectedFields, #"{"vendor": "Acme", "total": 12.50, "date": null}"#, expected: expected) == true)
        #expect(try passes(expectedFields, #"{"vendor": "Acme Inc", "total": 12.5}"#, expected: expected) == false)
    }

    // MARK: - JSON Schema

    func violations(_ schemaJSON: String, _ valueJSON: String) throws -> [String] {
        let validator = try JSONSchemaValidator(schema: try PromptValue.parseJSON(schemaJSON))
        return validator.validate(try PromptValue.parseJSON(valueJSON)).map(\.description)
    }

    @Test func schemaTypesPropertiesRequiredAdditional() throws {
        let schema = #"""
            {"type": "object", "required": ["vendor", "total"], "additionalProperties": false,
             "properties": {"vendor": {"type": "string", "minLength": 2, "maxLength": 10},
                            "total": {"type": "number", "minimum": 0, "exclusiveMaximum": 1000},
                            "count": {"type": "integer"},
                            "currency": {"enum": ["USD", "EUR"]},
                            "kind": {"const": "invoice"},
                            "code": {"type": "string", "pattern": "^[A-Z]{3}-\\d+$"}}}
            """#
        #expect(
            try violations(schema, #"{"vendor": "Acme", "total": 10, "count": 3.0, "currency": "EUR", "kind": "invoice", "code": "INV-7"}"#)
                == [])
        // Members are checked in key order (JSON objects are read with sorted keys).
        #expect(
            try violations(schema, #"{"vendor": "A", "total": -1}"#) == [
                "$.total: -1 is less than the minimum 0", "$.vendor: text of 1 characters is shorter than 2",
            ])
        #expect(
            try violations(schema, #"{"total": 1000}"#) == [
                "$: required property 'vendor' is missing", "$.total: 1000 must be less than 1000",
            ])
        #expect(try violations(schema, #"{"vendor": "Acme", "total": 1, "extra": 1}"#) == ["$: property 'extra' is not allowed"])
        #expect(try violations(schema, #"{"vendor": "Acme", "total": "12"}"#) == ["$.total: expected number, got string"])
        #expect(try violations(schema, #"{"vendor": "Acme", "total": 1, "count": 1.5}"#) == ["$.count: expected integer, got number"])
        #expect(
            try violations(schema, #"{"vendor": "Acme", "total": 1, "currency": "GBP"}"#) == [
                #"$.currency: "GBP" is not one of "USD", "EUR""#
            ])
        #expect(try violations(schema, #"{"vendor": "Acme", "total": 1, "kind": "memo"}"#) == [#"$.kind: must be "invoice", got "memo""#])
        #expect(
            try violations(schema, #"{"vendor": "Acme", "total": 1, "code": "inv-7"}"#) == [
                #"$.code: "inv-7" does not match the pattern /^[A-Z]{3}-\d+$/"#
            ])
        #expect(try violations(#"{"type": "array"}"#, "{}") == ["$: expected array, got object"])
    }

    /// Bounds from a schema are numbers from outside: printing `minLength: 1e300` as an Int trapped.
    @Test func schemaBoundsBeyondIntegersAreReportedNotTrapped() throws {
        #expect(try violations(#"{"minLength": 1e300}"#, #""abc""#) == ["$: text of 3 characters is shorter than 1e+300"])
        #expect(try violations(#"{"minItems": 1e300}"#, "[1]") == ["$: 1 items, fewer than 1e+300"])
        #expect(try violations(#"{"minProperties": 1e300}"#, #"{"a": 1}"#) == ["$: 1 properties, fewer than 1e+300"])
        #expect(throws: (any Error).self) { try violations(#"{"maxLength": -1e300}"#, #""abc""#) }
    }

    @Test func schemaItemsAnyOfOneOfAllOfNotAndRefs() throws {
        let schema = #"""
            {"$defs": {"line": {"type": "object", "required": ["sku"], "properties": {"sku": {"type": "string"}}}},
             "type": "array", "minItems": 1, "maxItems": 3, "items": {"$ref": "#/$defs/line"}}
            """#
        #expect(try violations(schema, #"[{"sku": "a"}, {"sku": "b"}]"#) == [])
        #expect(
            try violations(schema, #"[{"sku": 1}, {}]"#) == [
                "$[0].sku: expected string, got integer", "$[1]: required property 'sku' is missing",
            ])
        #expect(try violations(schema, "[]") == ["$: 0 items, fewer than 1"])

        let anyOf = #"{"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 10}]}"#
        #expect(try violations(anyOf, #""x""#) == [])
        #expect(try violations(anyOf, "12") == [])
        #expect(try violations(anyOf, "3").count == 1)
        #expect(try violations(anyOf, "3")[0].hasPrefix("$: matches none of the anyOf schemas"))

        let oneOf = #"{"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 5}]}"#
        #expect(try violations(oneOf, "2") == [])  // integer only
        #expect(try violations(oneOf, "7.5") == [])  // number ≥ 5 only
        #expect(try violations(oneOf, "7") == ["$: matches 2 of the oneOf schemas, not exactly one"])
        #expect(try violations(oneOf, "1.5").count == 1)

        #expect(try violations(#"{"allOf": [{"minimum": 1}, {"maximum": 3}]}"#, "5") == ["$: 5 is more than the maximum 3"])
        #expect(try violations(#"{"not": {"type": "null"}}"#, "null") == ["$: matches the schema under 'not'"])
        #expect(try violations(#"{"type": ["string", "null"]}"#, "null") == [])
        #expect(
            try violations(#"{"type": "array", "uniqueItems": true}"#, #"[{"a": 1, "b": 2}, {"b": 2, "a": 1}]"#) == [
                "$: items 0 and 1 are equal, but items must be unique"
            ])
        #expect(try violations("false", "1") == ["$: no value is allowed here"])
    }

    @Test func malformedSchemasAreRejectedWhenTheGraderIsParsed() throws {
        #expect(
            parseError("[{type: is-json, schema: {type: text}}]")?.hasPrefix("grader 1 (is-json): schema at $: 'type' must be one of")
                == true)
        #expect(
            parseError("[{type: is-json, schema: {properties: {a: {minimum: low}}}}]")
                == "grader 1 (is-json): schema at $.properties.a: 'minimum' must be a number")
        #expect(
            parseError(##"[{type: is-json, schema: {"$ref": "#/$defs/missing"}}]"##)?.contains("'$ref' must point inside this schema")
                == true)
    }

    @Test func isJSONWithSchemaReportsViolations() throws {
        let yaml = "{type: is-json, schema: {type: object, required: [total], properties: {total: {type: number}}}}"
        #expect(try passes(yaml, #"{"total": 3}"#) == true)
        let failed = try outcome(yaml, #"{"total": "3"}"#)
        #expect(failed.passed == false)
        #expect(failed.reason == "$.total: expected number, got string")
    }

    // MARK: - Numeric

    @Test func numbersInText() {
        #expect(NumericGrader.numbers(in: "It costs $1,234.50, or -3 with 2.5e2 and .5") == [1234.5, -3, 250, 0.5])
        #expect(NumericGrader.numbers(in: "dated 2024-01-05, v2 of the 3rd") == [2024, 1, 5, 3])
        #expect(NumericGrader.numbers(in: "−7 degrees") == [-7])
        #expect(NumericGrader.numbers(in: "no digits") == [])
    }

    @Test func numericUsesTheLastNumberAndTolerance() throws {
        #expect(try passes("{type: numeric}", "First 3, then 5, so 12", expected: "12") == true)
        #expect(try passes("{type: numeric}", "12.5", expected: "12") == false)
        #expect(try passes("{type: numeric, tolerance: 0.5}", "12.5", expected: "12") == true)
        #expect(try passes("{type: numeric, relative_tolerance: 0.01}", "1009", expected: "1000") == true)
        #expect(try passes("{type: numeric, relative_tolerance: 0.01}", "1011", expected: "1000") == false)
        #expect(try passes("{type: numeric}", "0.30000000000000004", expected: "0.3") == true)
        #expect(try passes("{type: numeric}", "The total is $1,200.", expected: "1200") == true)
        let none = try outcome("{type: numeric}", "I do not know", expected: "4")
        #expect(none.passed == false && none.reason == "no number in the output")
        let definition = try grader("{type: numeric}")
        #expect(throws: GradingFailure.self) { try definition.grade(GradingSample(output: "4", expected: "four")) }
    }

    @Test func numericBorrowsTheExperimentsCapturingRegex() throws {
        let graders = try GraderDefinition.parseList(
            try PromptValue.parseYAML(#"[{type: regex, pattern: "Answer:\\s*(-?[0-9.,]+)"}, {type: numeric, tolerance: 0.01}]"#).arrayItems)
        let numeric = graders[1]
        // The answer line wins over the last number in the text.
        let sample = GradingSample(output: "Answer: 42\nCheck: 6 * 7 = 42, plus 1 is 43", expected: "42")
        #expect(try numeric.grade(sample)?.passed == true)
        let wrong = GradingSample(output: "Answer: 41\n(not 42)", expected: "42")
        #expect(try numeric.grade(wrong)?.passed == false)
        // Without an answer line, the last number is used.
        let fallback = try #require(try numeric.grade(GradingSample(output: "so it is 42", expected: "42")))
        #expect(fallback.passed == true)
        #expect(fallback.reason?.contains("no match for the pattern") == true)
        // The borrowed pattern is part of the configuration.
        let alone = try GraderDefinition.parseList([try PromptValue.parseYAML("{type: numeric, tolerance: 0.01}")])[0]
        #expect(alone.canonicalJSON != numeric.canonicalJSON)
    }

    // MARK: - Similarity

    @Test func similarityMeasures() {
        #expect(SimilarityGrader.levenshteinDistance("kitten", "sitting") == 3)
        #expect(SimilarityGrader.levenshteinDistance("", "abc") == 3)
        #expect(abs(SimilarityGrader.levenshteinSimilarity("kitten", "sitting") - (1 - 3.0 / 7)) < 1e-12)
        #expect(SimilarityGrader.levenshteinSimilarity("", "") == 1)
        #expect(SimilarityGrader.jaccardSimilarity("the cat sat", "the cat ran") == 0.5)
        #expect(SimilarityGrader.jaccardSimilarity("a b", "c d") == 0)
    }

    @Test func similarityPassesAtTheThreshold() throws {
        let close = try outcome("{type: similarity}", "The Cat sat on the mat", expected: "the cat sat on the mat.")
        #expect(close.passed == true)
        #expect(try #require(close.score) > 0.95)
        #expect(try passes("{type: similarity}", "a dog barked", expected: "the cat sat on the mat") == false)
        // Jaccard over words: 3 shared of 5 distinct = 0.6.
        let jaccard = try outcome(
            "{type: similarity, method: jaccard, threshold: 0.6}", "red green blue", expected: "green blue red yellow white")
        #expect(jaccard.score == 0.6)
        #expect(jaccard.passed == true)
        #expect(
            try passes("{type: similarity, method: jaccard, threshold: 0.61}", "red green blue", expected: "green blue red yellow white")
                == false)
    }

    // MARK: - Classification

    @Test func classificationNormalisesToTheFirstLabel() throws {
        let yaml = "{type: classification, labels: [billing, technical, shipping, general]}"
        #expect(try passes(yaml, "Billing.", expected: "billing") == true)
        #expect(try passes(yaml, "  **technical**\n", expected: "technical") == true)
        #expect(try passes(yaml, "This is a shipping issue, not billing.", expected: "shipping") == true)
        #expect(try passes(yaml, "This is a shipping issue, not billing.", expected: "billing") == false)
        #expect(try passes(yaml, "Technically general", expected: "general") == true, "'technically' is not the word 'technical'")
        let none = try outcome(yaml, "I cannot tell", expected: "billing")
        #expect(none.passed == false)
        #expect(none.reason?.hasPrefix("names no label") == true)
        let definition = try grader(yaml)
        #expect(definition.labels == ["billing", "technical", "shipping", "general"])
        #expect(throws: GradingFailure.self) { try definition.grade(GradingSample(output: "billing", expected: "refunds")) }

        let longer = try grader("{type: classification, labels: [negative, very negative, positive]}")
        #expect(longer.predictedLabel(for: "Very negative overall") == "very negative")
        #expect(longer.predictedLabel(for: "negative, very negative") == "negative")
    }

    @Test func confusionMatrixCountsExpectedAgainstPredicted() {
        var matrix = ConfusionMatrix(labels: ["billing", "technical"])
        matrix.add(output: "billing", expected: "billing")
        matrix.add(output: "Billing!", expected: "billing")
        matrix.add(output: "technical", expected: "billing")
        matrix.add(output: "technical", expected: "technical")
        matrix.add(output: "no idea", expected: "technical")
        matrix.add(output: "billing", expected: "refunds")
        #expect(matrix.count(expected: "billing", predicted: "billing") == 2)
        #expect(matrix.count(expected: "billing", predicted: "technical") == 1)
        #expect(matrix.count(expected: "technical", predicted: nil) == 1)
        #expect(matrix.counts == [[2, 1, 0], [0, 1, 1]])
        #expect(matrix.skipped == 1)
        #expect(matrix.total == 5 && matrix.correct == 3)
        #expect(matrix.accuracy == 0.6)
        #expect(matrix.recall("billing") == 2.0 / 3)
        #expect(matrix.precision("technical") == 0.5)
    }

    // MARK: - Limits

    @Test func limitGraders() throws {
        func grade(_ yaml: String, _ sample: GradingSample) throws -> GradeOutcome {
            try #require(try grader(yaml).grade(sample))
        }
        #expect(try grade("{type: max-tokens, max: 10}", GradingSample(output: "x", outputTokens: 10)).passed == true)
        #expect(try grade("{type: max-tokens, max: 10}", GradingSample(output: "x", outputTokens: 11)).passed == false)
        #expect(try grade("{type: max-latency, max: 500}", GradingSample(output: "x", latencyMs: 499.5)).passed == true)
        #expect(try grade("{type: max-latency, max: 500}", GradingSample(output: "x", latencyMs: 900)).reason == "900 ms > max 500")
        #expect(try grade("{type: max-cost, max: 0.001}", GradingSample(output: "x", costUSD: 0.002)).passed == false)
        #expect(try grade("{type: max-cost, max: 0.001}", GradingSample(output: "x", costUSD: 0.0005)).passed == true)
        // Unknown measures give no verdict rather than a wrong one.
        let cached = try grade("{type: max-latency, max: 500}", GradingSample(output: "x", latencyMs: 0, fromCache: true))
        #expect(cached.passed == nil && cached.score == nil)
        #expect(try grade("{type: max-cost, max: 1}", GradingSample(output: "x", costUSD: nil)).passed == nil)
        #expect(try grade("{type: max-tokens, max: 1}", GradingSample(output: "x", outputTokens: nil)).passed == nil)
    }

    // MARK: - Declarations

    @Test func declarationErrorsAreOneLineAndNameTheGrader() {
        #expect(
            parseError("[{type: equals}, {type: regex}]")
                == "grader 2 (regex): 'pattern' is missing (for example pattern: \"Answer:\\\\s*(\\\\d+)\")")
        #expect(parseError("[{type: regx, pattern: a}]")?.hasPrefix("grader 1: unknown type 'regx' (known: equals, contains,") == true)
        #expect(parseError("[{type: regex, pattern: \"(\"}]") == "grader 1 (regex): 'pattern' is not a valid regular expression: (")
        #expect(
            parseError("[{type: equals, ignorecase: true}]")?.hasPrefix("grader 1 (equals): unknown option 'ignorecase' (known:") == true)
        #expect(parseError("[{type: classification}]")?.hasPrefix("grader 1 (classification): 'labels' is missing") == true)
        #expect(parseError("[{type: classification, labels: [a, A]}]") == "grader 1 (classification): label 'A' is listed twice")
        #expect(
            parseError("[{type: similarity, method: cosine}]")
                == "grader 1 (similarity): unknown method 'cosine' (known: levenshtein, jaccard)")
        #expect(parseError("[{type: max-tokens}]")?.hasPrefix("grader 1 (max-tokens): 'max' is missing") == true)
        #expect(parseError("[{type: llm-rubric}]")?.hasPrefix("grader 1 (llm-rubric): 'rubric' is missing") == true)
        #expect(
            parseError("[{type: llm-rubric, rubric: x, threshold: 5}]")
                == "grader 1 (llm-rubric): 'threshold' applies only with scale: 1-10")
        #expect(parseError("[{type: pairwise, threshold: 0.5}]")?.hasPrefix("grader 1 (pairwise): 'threshold' does not apply") == true)
        #expect(parseError("[{type: exec}]")?.hasPrefix("grader 1 (exec): 'command' is missing") == true)
        #expect(
            parseError("[{type: equals, name: a}, {type: contains, name: a, value: x}]")
                == "grader 2 (contains): name 'a' is already used by grader 1")
        for message in ["[{type: regex}]", "[{type: regx}]", "[{type: equals, weight: -1}]"].compactMap(parseError) {
            #expect(!message.contains("\n"))
        }
    }

    @Test func namesDefaultToTheTypeNumberedWhenRepeated() throws {
        let graders = try GraderDefinition.parseList(
            try PromptValue.parseYAML(
                "[{type: regex, pattern: a}, {type: regex, pattern: b}, {type: equals, name: regex-3}, {type: regex, pattern: c}]"
            ).arrayItems)
        #expect(graders.map(\.name) == ["regex", "regex-2", "regex-3", "regex-4"])
    }

    @Test func configHashIgnoresNameWeightAndKeyOrderButNotSettings() throws {
        let a = try grader("{type: similarity, threshold: 0.7, method: jaccard}")
        let b = try grader("{method: jaccard, name: sim, weight: 3, threshold: 0.70, type: similarity}")
        let c = try grader("{type: similarity, threshold: 0.75, method: jaccard}")
        #expect(try a.configHash(repository: nil) == b.configHash(repository: nil))
        #expect(try a.configHash(repository: nil) != c.configHash(repository: nil))
        #expect(try a.configHash(repository: nil) == ContentHash.hex(of: a.canonicalJSON))
        #expect(a.canonicalJSON == #"{"method":"jaccard","threshold":0.7,"type":"similarity"}"#)
        #expect(b.weight == 3 && b.name == "sim")
    }

    @Test func gradingConfigurationReadsGradersAndProvidersWithoutTheDataset() throws {
        // The whole experiment is checked as a run checks it; only the dataset is not read.
        let yaml = """
            name: x
            control: a
            variants: {a: p@v1}
            dataset: does/not/exist.jsonl
            graders:
              - {type: classification, labels: [a, b]}
              - {type: regex, pattern: "b$"}
            providers:
              openai: {base_url: "http://127.0.0.1:9", max_attempts: 2}
            """
        let configuration = try GradingConfiguration.parse(experimentYAML: yaml, displayPath: "exp.yaml")
        #expect(configuration.graders.map(\.name) == ["classification", "regex"])
        #expect(configuration.providers["openai"]?.baseURL == "http://127.0.0.1:9")
        #expect(try configuration.selecting(["regex"]).map(\.name) == ["regex"])
        #expect(throws: PromptLabError.self) { try configuration.selecting(["nope"]) }
        do {
            _ = try GradingConfiguration.parse(
                experimentYAML: "name: x\ncontrol: a\nvariants: {a: p@v1}\ncases: []\ngraders:\n  - {type: regex}\n",
                displayPath: "exp.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("exp.yaml: grader 1 (regex): 'pattern' is missing"))
        }
    }
}

extension PromptValue {
    /// The items of an array value (empty otherwise), for tests.
    var arrayItems: [PromptValue] {
        if case .array(let items) = self { return items }
        return []
    }
}
