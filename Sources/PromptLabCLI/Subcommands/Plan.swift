import ArgumentParser
import Foundation
import PromptLab

extension PromptLabCommand {
    /// `promptlab plan`
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plan",
            abstract: "How many cases an experiment needs to detect a given difference.",
            discussion: """
                Give one design: pass/fail as --pass-rates CONTROL,VARIANT (assumes independence given the case) \
                or --discordant P10,P01 (McNemar, Connor 1987); scores as --effect D --sd S (S: sd of the per-case \
                differences); a judge as --win-rate P (optionally --tie-rate T). Examples:

                  promptlab plan --pass-rates 0.6,0.75
                  promptlab plan --discordant 0.30,0.15 --alpha 0.05 --power 0.8
                  promptlab plan --effect 0.5 --sd 2
                  promptlab plan --win-rate 0.6 --comparisons 3
                """)

        @Option(help: ArgumentHelp("Pass rates of control and variant.", valueName: "control,variant"))
        var passRates: String?

        @Option(help: ArgumentHelp("Discordant shares: control-only passes, variant-only passes.", valueName: "p10,p01"))
        var discordant: String?

        @Option(help: "Mean score difference to detect.")
        var effect: Double?

        @Option(help: "Standard deviation of the per-case score differences.")
        var sd: Double?

        @Option(help: "Judge win rate to detect against 50%, among non-tied cases.")
        var winRate: Double?

        @Option(help: "Expected share of ties for --win-rate.")
        var tieRate = 0.0

        @Option(help: "Significance level (two-sided).")
        var alpha = 0.05

        @Option(help: "Power: the chance of detecting the effect when it is real.")
        var power = 0.8

        @Option(help: "Variants compared with the control (α is divided by this).")
        var comparisons = 1

        @OptionGroup var output: OutputOptions

        func validate() throws {
            let designs = [passRates != nil, discordant != nil, effect != nil || sd != nil, winRate != nil].filter { $0 }.count
            guard designs == 1 else {
                throw ValidationError("give exactly one of --pass-rates, --discordant, --effect with --sd, or --win-rate")
            }
            if (effect == nil) != (sd == nil) { throw ValidationError("--effect and --sd go together") }
        }

        func run() async throws {
            let design: SampleSizeService.Design
            if let passRates {
                let (a, b) = try Self.pair(passRates, "--pass-rates")
                design = .passRates(control: a, variant: b)
            } else if let discordant {
                let (p10, p01) = try Self.pair(discordant, "--discordant")
                design = .discordant(p10: p10, p01: p01)
            } else if let effect, let sd {
                design = .scores(effect: effect, sd: sd)
            } else {
                design = .winRate(winRate ?? 0.5, tieRate: tieRate)
            }
            let plan = try SampleSizeService.plan(design, alpha: alpha, power: power, comparisons: comparisons)
            if output.isJSON { return try Terminal.writeJSON(plan) }
            var text = "\(plan.cases) cases (\(String(format: "%.1f", plan.exactCases))) for \(plan.design)\n"
            text += "  \(plan.inputs); α = \(String(format: "%.4g", plan.alpha)), power \(String(format: "%.4g", plan.power))\n"
            if let assumptions = plan.assumptions { text += "  assumes \(assumptions)\n" }
            Terminal.write(text)
        }

        /// Parses `a,b` as two numbers.
        static func pair(_ text: String, _ option: String) throws -> (Double, Double) {
            let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let a = parts[0], let b = parts[1] else {
                throw ValidationError("\(option) takes two numbers separated by a comma, such as 0.6,0.75")
            }
            return (a, b)
        }
    }
}
