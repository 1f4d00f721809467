import ArgumentParser
import Foundation
import PromptFormat
import PromptLabCore

/// `promptlab-render-bench`: renders one few-shot prompt many times on one thread and prints renders/s,
/// next to a baseline measured in the same process: the same messages built by hand-written Swift string
/// code (what rendering would cost with no template engine at all).
///
/// The prompt is the runner benchmark's rendering workload: a system message from one partial, a
/// `{{#each examples}}` over 40 examples (user/model pairs), a closing partial, and the case's ticket.
@main
struct RenderBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promptlab-render-bench",
        abstract: "Render a 40-example prompt with two partials repeatedly and print renders/s against a hand-written baseline.")

    @Option(help: "Renders per measurement.")
    var renders = 200_000

    @Option(help: "Measurements of each (the median is reported).")
    var rounds = 5

    @Option(help: "Examples in the prompt.")
    var examples = 40

    func run() throws {
        let workload = try Workload(examples: examples)
        var engine = [Double]()
        var baseline = [Double]()
        for _ in 0..<max(1, rounds) {
            engine.append(try measure(renders) { index in try workload.render(index) })
            baseline.append(try measure(renders) { index in workload.handWritten(index) })
        }
        let engineRate = median(engine)
        let baselineRate = median(baseline)
        let parse = try measure(2_000) { _ in try workload.parseUncached() }
        let report: [String: Any] = [
            "renders_per_second": Int(engineRate),
            "microseconds_per_render": (1e6 / engineRate * 100).rounded() / 100,
            "baseline_renders_per_second": Int(baselineRate),
            "engine_over_baseline_time": (baselineRate / engineRate * 100).rounded() / 100,
            "uncached_parses_per_second": Int(parse),
            "rounds": engine.map { Int($0) },
            "examples": examples,
            "output_bytes": try workload.render(0),
        ]
        let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys, .prettyPrinted])
        print(String(decoding: data, as: UTF8.self))
    }

    /// Calls `body` `count` times and returns calls per second.
    private func measure(_ count: Int, _ body: (Int) throws -> Int) throws -> Double {
        var sink = 0
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            for index in 0..<count { sink &+= try body(index) }
        }
        if sink == 42 { print("") }  // keeps the work observable
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(count) / max(seconds, 1e-9)
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }
}

/// The prompt, its partials and the variables.
struct Workload {
    let compiled: CompiledPrompt
    let exampleValues: [(ticket: String, label: String)]
    let body: String

    static let system = "You route support tickets. Answer with one label: billing, technical, shipping or general."
    static let closing = "Answer with the label only, in lower case."

    init(examples: Int) throws {
        exampleValues = (0..<examples).map {
            (
                ticket: "Ticket \($0): the parcel for order \(7000 + $0) is late",
                label: ["billing", "technical", "shipping", "general"][$0 % 4]
            )
        }
        let exampleYAML = exampleValues.map { "  - input: {ticket: \"\($0.ticket)\"}\n    output: \($0.label)" }.joined(separator: "\n")
        body = """
            {{role "system"}}
            {{> bench/persona}}
            {{#each examples}}
            {{role "user"}}
            Ticket: {{input.ticket}}
            {{role "model"}}
            {{output}}
            {{/each}}
            {{role "user"}}
            Ticket: {{ticket}}
            {{> bench/closing}}
            """
        let text =
            "---\nmodel: local/echo\nconfig: {temperature: 0}\ninput:\n  schema:\n    ticket: string\nexamples:\n\(exampleYAML)\n---\n\(body)\n"
        let file = try PromptFile.parse(Array(text.utf8), name: try PromptName("bench/fewshot"), displayPath: "bench/fewshot.prompt")
        let partials: [String: String] = ["bench/persona": Self.system, "bench/closing": Self.closing]
        let lookup: PromptRenderer.PartialLookup = { (name: PromptName) throws(PromptLabError) -> PromptFile? in
            guard let source = partials[name.rawValue] else { return nil }
            return try PromptFile.parse(Array(source.utf8), name: name, displayPath: name.relativePath)
        }
        compiled = try PromptRenderer(partials: lookup).compile(file)
    }

    /// Renders case `index`; returns the bytes of text produced.
    func render(_ index: Int) throws -> Int {
        let rendered = try compiled.render(["ticket": .string("Case \(index): my invoice shows a double charge")])
        return rendered.messages.reduce(0) { $0 + $1.content.utf8.count }
    }

    /// The same messages built directly in Swift.
    func handWritten(_ index: Int) -> Int {
        var messages = [PromptMessage]()
        messages.reserveCapacity(exampleValues.count * 2 + 2)
        messages.append(PromptMessage(role: .system, content: "\n" + Self.system + "\n"))
        for example in exampleValues {
            messages.append(PromptMessage(role: .user, content: "\nTicket: " + example.ticket + "\n"))
            messages.append(PromptMessage(role: .assistant, content: "\n" + example.label + "\n"))
        }
        messages.append(PromptMessage(role: .user, content: "\nTicket: Case \(index): my invoice shows a double charge\n" + Self.closing))
        return messages.reduce(0) { $0 + $1.content.utf8.count }
    }

    /// Parses the body without the per-process cache (a fresh, distinct text each time).
    func parseUncached() throws -> Int {
        let file = try PromptFile.parse(
            Array((body + "\n{{! \(UUID().uuidString) }}").utf8), name: try PromptName("bench/uncached"), displayPath: "uncached.prompt")
        return file.template.partialNames.count
    }
}
