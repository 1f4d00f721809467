import ArgumentParser
import PromptLab
import PromptVersioning

extension PromptLabCommand {
    /// `promptlab diff NAME@A [NAME@B]`
    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            abstract: "Compare two versions of a prompt.",
            discussion: """
                Shows front matter changes field by field (temperature: 0.2 → 0.7, examples: +2), then a \
                unified diff. B defaults to the working file. B may also be written as @REF or REF alone.
                """)

        @Argument(help: "The old version, such as support/triage@v1.")
        var old: String

        @Argument(help: "The new version (default: NAME@working).")
        var new: String?

        @Flag(help: "Show a word-level diff of the body instead of a line diff.")
        var word = false

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let diff = try PromptService(workspace: try workspace.open()).diff(old: old, new: new, wordLevel: word)
            if output.isJSON { return try Terminal.writeJSON(diff) }
            var text = Terminal.paint("diff \(diff.prompt) \(diff.old.label) → \(diff.new.label)", .bold) + "\n"
            if diff.identical {
                Terminal.write(text + "no differences\n")
                return
            }
            if !diff.frontMatter.isEmpty {
                text += "front matter:\n"
                for change in diff.frontMatter { text += "  \(change.change)\n" }
            }
            if let words = diff.words {
                if words.contains(where: { $0.op != "same" }) { text += "body (word diff):\n" + Self.wordText(words) }
            } else {
                text += Self.unifiedText(diff.unified)
            }
            for partial in diff.partials {
                let state = !partial.oldPresent ? " (newly included)" : (!partial.newPresent ? " (no longer included, or missing)" : "")
                text += Terminal.paint("partial \(partial.name)\(state):", .bold) + "\n"
                text += partial.words.map(Self.wordText) ?? Self.unifiedText(partial.unified)
            }
            Terminal.write(text)
        }

        /// Changed lines of a word diff with a line of context, `[-removed-]{+added+}` without colour,
        /// and `…` where unchanged lines are left out.
        static func wordText(_ words: [DiffOutput.WordOutput]) -> String {
            let segments = words.map { word -> WordDiff.Segment in
                switch word.op {
                case "removed": .removed(word.text)
                case "added": .added(word.text)
                default: .same(word.text)
                }
            }
            var text = ""
            for line in WordDiff.changedLines(segments) {
                guard let line else {
                    text += Terminal.paint("…", .dim) + "\n"
                    continue
                }
                for segment in line {
                    switch segment {
                    case .same(let s): text += s
                    case .removed(let s): text += Terminal.colorsStdout ? Terminal.paint(s, .red) : "[-\(s)-]"
                    case .added(let s): text += Terminal.colorsStdout ? Terminal.paint(s, .green) : "{+\(s)+}"
                    }
                }
                text += "\n"
            }
            return text
        }

        static func unifiedText(_ unified: String) -> String {
            var text = ""
            for line in unified.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("+++") || line.hasPrefix("---") {
                    text += Terminal.paint(String(line), .bold) + "\n"
                } else if line.hasPrefix("+") {
                    text += Terminal.paint(String(line), .green) + "\n"
                } else if line.hasPrefix("-") {
                    text += Terminal.paint(String(line), .red) + "\n"
                } else if line.hasPrefix("@@") {
                    text += Terminal.paint(String(line), .cyan) + "\n"
                } else if !line.isEmpty {
                    text += line + "\n"
                }
            }
            return text
        }
    }
}
