import ArgumentParser
import Foundation
import PromptLab
import PromptLabCore

extension PromptLabCommand {
    /// `promptlab rollout status NAME`
    struct RolloutStatus: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Read a rollout out: units per arm, metrics with always-valid intervals, guardrails and a verdict.",
            discussion: """
                Intervals and p-values are always-valid (mSPRT): they may be read after every request without \
                inflating false positives. A sample ratio mismatch (p < 0.001) stops the readout from claiming \
                anything. A breached guardrail pauses its arm (as the server's monitor does) unless --no-enforce.
                """)

        @Argument(help: "The rollout's name.")
        var name: String

        @Flag(name: .customLong("no-enforce"), help: "Only report breached guardrails; do not pause their arms.")
        var noEnforce = false

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let readout = try await RolloutService(workspace: try workspace.open()).status(name, enforceGuardrails: !noEnforce)
            if output.isJSON { return try Terminal.writeJSON(readout) }
            Terminal.write(Self.text(readout) + "\n")
        }

        static func text(_ readout: RolloutStatusOutput) -> String {
            var lines = [
                "rollout \(readout.rollout) · \(readout.prompt) · \(readout.status) · phase \(readout.phase) · unit '\(readout.unit)'"
            ]
            var rows = [["arm", "ref", "version", "weight", "units", "requests"]]
            for row in readout.arms {
                let arm = row.arm
                rows.append([
                    arm.name + (arm.paused ? " (paused)" : ""), arm.ref, arm.version.map { "v\($0)" } ?? String(arm.commit.prefix(7)),
                    RolloutText.percent(arm.weight), "\(row.units)", "\(row.requests)",
                ])
            }
            lines.append(Self.table(rows, rightAligned: [3, 4, 5]))
            let level = "\(Int(((1 - readout.alpha) * 100).rounded()))%"
            for metric in readout.metrics {
                let direction = metric.higherIsBetter ? "higher is better" : "lower is better"
                lines.append("")
                lines.append("\(metric.name)\(metric.isPrimary ? " (primary)" : "") · \(metric.kind), \(metric.source), \(direction)")
                var table = [["arm", "units", metric.kind == "binary" ? "rate" : "mean", "always-valid \(level) CI"]]
                for value in metric.arms {
                    table.append([
                        value.arm, "\(value.units)", value.mean.map { Self.value($0, metric.kind) } ?? "—",
                        Self.interval(value.lower, value.upper, metric.kind),
                    ])
                }
                lines.append(Self.table(table, rightAligned: [1, 2]))
                for comparison in metric.comparisons {
                    guard let difference = comparison.difference else {
                        lines.append("  \(comparison.arm) − \(readout.arms[0].arm.name): not enough data")
                        continue
                    }
                    var line =
                        "  \(comparison.arm) − \(readout.arms[0].arm.name): \(Self.signed(difference, metric.kind)) "
                        + "CI \(Self.interval(comparison.lower, comparison.upper, metric.kind, signed: true)), \(Self.p(comparison.pValue))"
                    if comparison.significant { line += "  significant" }
                    lines.append(line)
                }
            }
            lines.append("")
            let srm = readout.sampleRatio
            let srmStats = srm.chiSquare.map { "χ² = \(String(format: "%.2f", $0)), \(Self.p(srm.pValue ?? 1))" } ?? "no units yet"
            lines.append("sample ratio: \(srm.mismatch ? "MISMATCH" : "ok") (\(srmStats))")
            if !readout.guardrails.isEmpty {
                lines.append("guardrails:")
                for guardrail in readout.guardrails {
                    lines.append("  \(guardrail.state == "breached" ? "BREACHED" : "ok")  \(guardrail.description)")
                }
            }
            lines.append("")
            lines.append("verdict: \(readout.verdict.text)")
            if !readout.events.isEmpty {
                lines.append("")
                lines.append("history:")
                for event in readout.events {
                    let when = String(Timestamps.iso8601(event.at).prefix(16)).replacingOccurrences(of: "T", with: " ")
                    let weights = event.weights.map(RolloutText.percent).joined(separator: "/")
                    lines.append(
                        "  \(when)  \(event.action.padding(toLength: 10, withPad: " ", startingAt: 0)) \(weights)  \(event.actor)"
                            + (event.reason.map { ": \($0)" } ?? ""))
                }
            }
            return lines.joined(separator: "\n")
        }

        static func value(_ value: Double, _ kind: String) -> String {
            kind == "binary" ? String(format: "%.1f%%", value * 100) : String(format: "%.4g", value)
        }

        static func signed(_ value: Double, _ kind: String) -> String {
            let text = kind == "binary" ? String(format: "%+.1f points", value * 100) : String(format: "%+.4g", value)
            return text.replacingOccurrences(of: "-", with: "−")
        }

        static func interval(_ lower: Double?, _ upper: Double?, _ kind: String, signed: Bool = false) -> String {
            guard let lower, let upper else { return "— (not enough data yet)" }
            let format = { (value: Double) -> String in
                if signed { return Self.signed(value, kind).replacingOccurrences(of: " points", with: "") }
                return Self.value(value, kind)
            }
            return "\(format(lower)) to \(format(upper))"
        }

        /// `p = 0.003`, `p < 0.001`.
        static func p(_ value: Double) -> String {
            value < 0.001 ? "p < 0.001" : "p = " + String(format: value < 0.01 ? "%.3f" : "%.2f", value)
        }

        /// A text table without its trailing newline.
        static func table(_ rows: [[String]], rightAligned: Set<Int>) -> String {
            var text = TextTable.plain(rows, rightAligned: rightAligned)
            while text.hasSuffix("\n") { text.removeLast() }
            return text
        }
    }
}
