import ArgumentParser
import Foundation
import PromptFormat
import PromptLab
import PromptLabCore

extension PromptLabCommand {
    /// `promptlab cases RUN|EXPERIMENT`
    struct Cases: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cases",
            abstract: "Show each case's variables, expected value and every variant's output with its grades, side by side.",
            discussion: """
                RUN is a run id; an experiment name means its latest run. Each case shows its variables, \
                its expected value, then one column per variant (one below the other when the terminal is \
                too narrow): the output, then each grader's verdict, score and reason (the latest grade). \
                Repeats with the same output and the same grades are shown once and labelled with their \
                repeat numbers; repeats that differ are each shown. JSON lists every repeat.

                A variant fails a grader on a case when any of its repeats fails it. Error responses are \
                not graded, and pairwise judges (which compare a variant with the control) are shown but \
                take no part in the filters. Filters combine: a case is shown when all of them hold.

                On a terminal the text goes through $PAGER (default: less -FRX; PAGER= or --no-pager \
                turns it off); never when the output is piped.
                """)

        @Argument(help: ArgumentHelp("A run id, or an experiment name for its latest run.", valueName: "run-or-experiment"))
        var target: String

        @Flag(help: "Only cases where some variant fails some grader.")
        var failing = false

        @Option(
            name: .customLong("newly-failing-vs"),
            help: ArgumentHelp("Only cases that pass a grader with this variant and fail it with another.", valueName: "variant"))
        var newlyFailingVs: String?

        @Flag(help: "Only cases where the variants' pass/fail verdicts on some grader differ.")
        var disagree = false

        @Option(name: .customLong("case"), help: ArgumentHelp("Only this case (repeatable).", valueName: "id"))
        var caseIDs: [String] = []

        @Option(
            help: ArgumentHelp(
                "Only cases with this text (ignoring case) in a variable, the expected value or an output.", valueName: "text"))
        var grep: String?

        @Option(
            name: .customLong("grader"),
            help: ArgumentHelp("Only this grader's grades are shown and count for the filters (repeatable).", valueName: "name"))
        var graders: [String] = []

        @Flag(help: "Write straight to stdout, even on a terminal.")
        var noPager = false

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let grep, grep.isEmpty { throw ValidationError("--grep needs some text to look for") }
        }

        func run() async throws {
            let filter = CaseService.Filter(
                failing: failing, newlyFailingVs: newlyFailingVs, disagree: disagree, caseIDs: caseIDs, grep: grep,
                graders: graders)
            let view = try await CaseService(workspace: try workspace.open()).cases(target, filter: filter)
            if output.isJSON { return try Terminal.writeJSON(view) }
            let text = Self.text(view, width: Self.width())
            if noPager { Terminal.write(text) } else { Pager.write(text) }
        }

        /// The terminal's width; `COLUMNS` or 100 when stdout is not a terminal.
        static func width() -> Int {
            var size = winsize()
            if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 40 {
                return Int(size.ws_col)
            }
            if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns >= 40 {
                return min(columns, 1000)
            }
            return 100
        }

        // MARK: - Text

        /// One line of a column, painted only after it is padded so colours never skew the widths.
        struct Line {
            var text: String
            var style: Terminal.Style?

            init(_ text: String, _ style: Terminal.Style? = nil) {
                self.text = text
                self.style = style
            }

            var painted: String { style.map { Terminal.paint(text, $0) } ?? text }
        }

        static func text(_ view: CaseViewOutput, width: Int) -> String {
            var text = header(view)
            if view.cases.isEmpty { return text }
            for (index, item) in view.cases.enumerated() {
                text += "\n" + render(item, number: index + 1, of: view.cases.count, width: width)
            }
            return text
        }

        static func header(_ view: CaseViewOutput) -> String {
            var filters = [String]()
            if view.filters.failing { filters.append("--failing") }
            if let variant = view.filters.newlyFailingVs { filters.append("--newly-failing-vs \(variant)") }
            if view.filters.disagree { filters.append("--disagree") }
            for id in view.filters.caseIds { filters.append("--case \(id)") }
            if let grep = view.filters.grep { filters.append("--grep \(PromptValue.jsonQuoted(grep))") }
            for grader in view.filters.graders { filters.append("--grader \(grader)") }
            let variants = view.variants.map { $0 == view.control ? "\($0) (control)" : $0 }.joined(separator: ", ")
            var text = "run \(view.run) of \(view.experiment): "
            if view.cases.isEmpty && !filters.isEmpty {
                text += "none of \(view.totalCases) cases matches \(filters.joined(separator: " "))\n"
            } else {
                text +=
                    filters.isEmpty
                    ? "\(view.totalCases) cases\n"
                    : "\(view.cases.count) of \(view.totalCases) cases match \(filters.joined(separator: " "))\n"
            }
            text += "variants: \(variants)\n"
            text += "graders: \(view.graders.isEmpty ? "none (the run is not graded)" : view.graders.joined(separator: ", "))\n"
            return text
        }

        /// A case: a title with each variant's verdict, the variables and expected value, then the variants' columns.
        static func render(_ item: CaseViewOutput.Case, number: Int, of total: Int, width: Int) -> String {
            let verdicts = item.variants.map { variant -> String in
                let name = Terminal.paint(variant.variant, .cyan)
                switch variant.passed {
                case true?: return "\(name) " + Terminal.paint("pass", .green)
                case false?: return "\(name) " + Terminal.paint("FAIL", .red) + " (\(variant.failingGraders.joined(separator: ", ")))"
                case nil: return "\(name) " + Terminal.paint(variant.responses.isEmpty ? "not sent" : "no verdict", .dim)
                }
            }
            var text =
                Terminal.paint("━━ case \(sanitize(item.caseId)) (\(number)/\(total))", .bold) + "  " + verdicts.joined(separator: "  ")
                + "\n"
            let fieldWidth = max(20, width - 4)
            if case .object(let pairs) = item.variables {
                for (key, value) in pairs {
                    let shown: String = if case .string(let string) = value { string } else { value.jsonText(pretty: false) }
                    text += field(key, shown, width: fieldWidth)
                }
            } else {
                text += field("variables", item.variables.jsonText(pretty: false), width: fieldWidth)
            }
            if let expected = item.expected { text += field("expected", expected, width: fieldWidth, style: .bold) }

            let gap = " │ "
            let count = max(1, item.variants.count)
            let sideBySide = (width - 2 - gap.count * (count - 1)) / count
            if sideBySide >= 30 {
                let columns = item.variants.map { column($0, width: sideBySide) }
                let rows = columns.map(\.count).max() ?? 0
                text += "  " + String(repeating: "─", count: max(0, width - 2)) + "\n"
                for row in 0..<rows {
                    let cells = columns.map { lines -> String in
                        let line = row < lines.count ? lines[row] : Line("")
                        return line.painted + String(repeating: " ", count: max(0, sideBySide - line.text.count))
                    }
                    text += ("  " + cells.joined(separator: gap)).trimmingTrailingSpaces() + "\n"
                }
            } else {
                for variant in item.variants {
                    text += "  " + String(repeating: "─", count: max(0, width - 2)) + "\n"
                    for line in column(variant, width: width - 2) { text += ("  " + line.painted).trimmingTrailingSpaces() + "\n" }
                }
            }
            return text
        }

        /// `  key: value`, continuation lines indented under the value.
        static func field(_ key: String, _ value: String, width: Int, style: Terminal.Style? = nil) -> String {
            let label = sanitize(key) + ": "
            let lines = ReviewTerminal.wrap(sanitize(value), width: max(10, width - label.count))
            let indent = String(repeating: " ", count: label.count)
            var text = ""
            for (index, line) in lines.enumerated() {
                let body = style.map { Terminal.paint(line, $0) } ?? line
                text += "  " + (index == 0 ? Terminal.paint(label, .dim) : indent) + body + "\n"
            }
            return text
        }

        /// One variant's column: its name and verdict, then each distinct repeat's output and grades.
        static func column(_ variant: CaseViewOutput.Variant, width: Int) -> [Line] {
            var lines = [Line]()
            let name = variant.control ? "\(variant.variant) (control)" : variant.variant
            let verdict = variant.passed.map { $0 ? "pass" : "FAIL" } ?? ""
            let title = sanitize(name) + (verdict.isEmpty ? "" : "  " + verdict)
            lines += ReviewTerminal.wrap(title, width: width).map { Line($0, variant.passed == false ? .red : .cyan) }
            if variant.responses.isEmpty {
                lines.append(Line("(not sent)", .dim))
                return lines
            }
            for (index, group) in groups(variant.responses).enumerated() {
                if index > 0 { lines.append(Line("")) }
                let response = group[0]
                if variant.responses.count > 1 {
                    let repeats = group.map { String($0.repeat) }.joined(separator: ", ")
                    let label =
                        group.count == 1
                        ? "repeat \(repeats)"
                        : group.count == variant.responses.count
                            ? "all \(group.count) repeats identical" : "repeats \(repeats): same output and grades"
                    lines.append(Line(label, .dim))
                }
                if response.status == "ok" {
                    let output = response.output ?? ""
                    if output.isEmpty {
                        lines.append(Line("(empty output)", .dim))
                    } else {
                        lines += ReviewTerminal.wrap(sanitize(output), width: width).map { Line($0) }
                    }
                } else {
                    let message = "error: \(response.errorKind ?? "error"): \(response.errorMessage ?? "")"
                    lines += ReviewTerminal.wrap(sanitize(message), width: width).map { Line($0, .red) }
                }
                if response.grades.isEmpty, response.status == "ok" { lines.append(Line("(not graded)", .dim)) }
                for grade in response.grades {
                    // A pairwise judge's pass is a win against the control, not a correct answer:
                    // it gets no tick or cross, and its reason says who won.
                    let verdict = grade.order == nil ? grade.passed : nil
                    let mark = verdict.map { $0 ? "✓" : "✗" } ?? "·"
                    var title = "\(mark) \(grade.grader)"
                    if let order = grade.order { title += " [\(order)]" }
                    if let score = grade.score { title += " \(PromptValue.format(score))" }
                    if let reason = grade.reason, !reason.isEmpty { title += ": " + reason }
                    let style: Terminal.Style? = verdict.map { $0 ? .green : .red }
                    let wrapped = ReviewTerminal.wrap(sanitize(title), width: max(10, width - 2))
                    for (row, line) in wrapped.enumerated() { lines.append(Line(row == 0 ? line : "  " + line, row == 0 ? style : .dim)) }
                }
            }
            return lines
        }

        /// Repeats grouped by identical output, error and grades, in order of first appearance.
        static func groups(_ responses: [CaseViewOutput.Response]) -> [[CaseViewOutput.Response]] {
            func content(_ response: CaseViewOutput.Response) -> CaseViewOutput.Response {
                var copy = response
                copy.repeat = 0
                copy.latencyMs = nil
                copy.fromCache = false
                return copy
            }
            var groups = [[CaseViewOutput.Response]]()
            for response in responses {
                if let index = groups.firstIndex(where: { content($0[0]) == content(response) }) {
                    groups[index].append(response)
                } else {
                    groups.append([response])
                }
            }
            return groups
        }

        /// Model output and dataset text made safe for a terminal: tabs become spaces, line breaks
        /// become `\n`, and other control characters (such as an escape sequence a model wrote) become `�`.
        static func sanitize(_ text: String) -> String {
            var result = ""
            result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
            var previousCR = false
            for scalar in text.unicodeScalars {
                defer { previousCR = scalar == "\r" }
                switch scalar.value {
                case 0x0A: if !previousCR { result.unicodeScalars.append("\n") }
                case 0x0D: result.unicodeScalars.append("\n")
                case 0x09: result += "    "
                case 0x00..<0x20, 0x7F..<0xA0: result.unicodeScalars.append("\u{FFFD}")
                default: result.unicodeScalars.append(scalar)
                }
            }
            return result
        }
    }
}
