import Foundation
import PromptLabCore
import Testing

@testable import PromptExperiments
@testable import PromptFormat

/// The grader registry: every type is registered once, parses from a minimal declaration, and
/// carries what the engine and the reports rely on. A grader added without its registry line, or
/// registered twice, fails here.
@Suite struct GradingRegistryTests {
    /// A minimal declaration of every grader type PromptLab ships, in registry order.
    /// Adding a grader means adding it here too.
    static let examples: [(type: GraderType, yaml: String)] = [
        (.equals, "{type: equals}"),
        (.contains, "{type: contains}"),
        (.icontains, "{type: icontains}"),
        (.containsAny, "{type: contains-any, values: [a]}"),
        (.containsAll, "{type: contains-all, values: [a]}"),
        (.startsWith, "{type: starts-with}"),
        (.regex, "{type: regex, pattern: a}"),
        (.isJSON, "{type: is-json}"),
        (.numeric, "{type: numeric}"),
        (.similarity, "{type: similarity}"),
        (.classification, "{type: classification, labels: [a, b]}"),
        (.maxTokens, "{type: max-tokens, max: 1}"),
        (.maxLatency, "{type: max-latency, max: 1}"),
        (.maxCost, "{type: max-cost, max: 1}"),
        (.exec, "{type: exec, command: ./check.sh}"),
        (.llmRubric, "{type: llm-rubric, rubric: polite}"),
        (.pairwise, "{type: pairwise}"),
    ]

    @Test func everyTypeIsRegisteredOnceInOrder() {
        let registered = GraderRegistry.registrations.flatMap(\.types)
        #expect(Set(registered).count == registered.count, "a type is registered twice")
        #expect(registered == Self.examples.map(\.type))
        #expect(GraderType.allCases == registered)
        for (type, _) in Self.examples {
            #expect(type.registration != nil, "\(type) is declared but not registered")
        }
    }

    @Test func everyRegisteredTypeParses() throws {
        for (type, yaml) in Self.examples {
            let definition = try GraderDefinition.parseList([try PromptValue.parseYAML(yaml)])[0]
            #expect(definition.type == type)
            #expect(definition.name == type.rawValue)
            #expect(definition.registration.types.contains(type))
        }
    }

    @Test func unknownTypesListTheRegisteredOnes() {
        do {
            _ = try GraderDefinition.parseList([try PromptValue.parseYAML("{type: regx}")])
            Issue.record("expected an error")
        } catch {
            let known = GraderType.allCases.map(\.rawValue).joined(separator: ", ")
            #expect(error.message == "grader 1: unknown type 'regx' (known: \(known))")
        }
    }

    @Test func registrationsDescribeTheirGraders() throws {
        func definition(_ yaml: String) throws -> GraderDefinition {
            try GraderDefinition.parseList([try PromptValue.parseYAML(yaml)])[0]
        }
        let judges = GraderType.allCases.filter(\.isJudge)
        #expect(judges == [.llmRubric, .pairwise])
        #expect(GraderType.allCases.filter(\.isPairwise) == [.pairwise])
        #expect(
            Set(GraderType.allCases.filter(\.usesExpected))
                == [.equals, .contains, .icontains, .startsWith, .numeric, .similarity, .classification])
        #expect(GraderType(rawValue: "nope").isJudge == false)

        for (type, yaml) in Self.examples {
            let grader = try definition(yaml)
            #expect(grader.isJudge == type.isJudge, "\(type)")
            #expect(grader.isPairwise == type.isPairwise, "\(type)")
            #expect((grader.implementation is any AsynchronousGrader) == [.exec, .llmRubric, .pairwise].contains(type), "\(type)")
            #expect((grader.implementation is any DeterministicGrader) != (grader.implementation is any AsynchronousGrader), "\(type)")
        }
        #expect(try definition("{type: similarity}").effectiveThreshold == 0.8)
        #expect(try definition("{type: similarity, threshold: 0.5}").effectiveThreshold == 0.5)
        #expect(try definition("{type: llm-rubric, rubric: r, scale: 1-10}").effectiveThreshold == 7)
        #expect(try definition("{type: llm-rubric, rubric: r}").effectiveThreshold == nil)
        #expect(try definition("{type: pairwise}").effectiveThreshold == nil)
        #expect(try definition("{type: equals}").effectiveThreshold == nil)
        #expect(try definition("{type: equals, threshold: 1}").effectiveThreshold == 1)
        #expect(try definition("{type: pairwise, judge: judges/p@v2, model: local/echo}").judgeReference == "judges/p@v2")
        #expect(try definition("{type: llm-rubric, rubric: r, model: local/echo}").judgeModel == "local/echo")
        #expect(try definition("{type: exec, command: ./x}").judgeReference == nil)
    }
}
