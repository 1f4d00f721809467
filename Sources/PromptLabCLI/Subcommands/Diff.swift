import ArgumentParser
import PromptLab

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

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let repo = try repository.open()
            let oldReference = try PromptReference(parsing: old)
            let newReference: PromptReference
            if let new {
                if new.contains("@"), !new.hasPrefix("@") {
                    newReference = try PromptReference(parsing: new)
                } else {
                    let ref = new.hasPrefix("@") ? String(new.dropFirst()) : new
                    newReference = try PromptReference(parsing: "\(oldReference.name)@\(ref)")
                }
            } else {
                newReference = PromptReference(name: oldReference.name, selector: .working)
            }
            let diff = try repo.diff(try repo.resolve(oldReference), try repo.resolve(newReference), wordLevel: word)
            if output.isJSON {
                printJSON(diff)
            } else {
                printText(diff)
            }
        }

        private func printText(_ diff: PromptDiff) {
            var text = Terminal.paint("diff \(diff.old.name) \(diff.old.label) → \(diff.new.label)", .bold) + "\n"
            if diff.isEmpty {
                Terminal.write(text + "no differences\n")
                return
            }
            if !diff.fieldChanges.isEmpty {
                text += "front matter:\n"
                for change in diff.fieldChanges { text += "  \(change)\n" }
            }
            if let words = diff.words {
                if diff.old.bytes != diff.new.bytes {
                    text += "body (word diff):\n" + Self.wordText(words)
                }
            } else {
                text += Self.unifiedText(diff.unified)
            }
            for partial in diff.partialChanges {
                let state = partial.oldBytes == nil ? " (newly included)" : (partial.newBytes == nil ? " (no longer included, or missing)" : "")
                text += Terminal.paint("partial \(partial.name)\(state):", .bold) + "\n"
                if let words = partial.words {
                    text += Self.wordText(words)
                } else {
                    text += Self.unifiedText(partial.unified)
                }
            }
            Terminal.write(text)
        }

        private static func wordText(_ words: [WordDiff.Segment]) -> String {
            var text = ""
            for line in WordDiff.changedLines(words) {
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

        private static func unifiedText(_ unified: String) -> String {
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

        private static func wordsJSON(_ words: [WordDiff.Segment]) -> JSON {
            .array(words.map { segment in
                switch segment {
                case .same(let s): .object([("op", "same"), ("text", .string(s))])
                case .removed(let s): .object([("op", "removed"), ("text", .string(s))])
                case .added(let s): .object([("op", "added"), ("text", .string(s))])
                }
            })
        }

        private func printJSON(_ diff: PromptDiff) {
            var fields: [(key: String, value: JSON)] = [
                ("prompt", .string(diff.old.name.rawValue)),
                ("old", .object([
                    ("version", .number(diff.old.number)), ("commit", .text(diff.old.record?.commit.hex)),
                    ("template_hash", .text(diff.hashes?.old)),
                ])),
                ("new", .object([
                    ("version", .number(diff.new.number)), ("commit", .text(diff.new.record?.commit.hex)),
                    ("template_hash", .text(diff.hashes?.new)),
                ])),
                ("frontMatter", .array(diff.fieldChanges.map { .object([("path", .string($0.path)), ("change", .string($0.description))]) })),
                ("unified", .string(diff.unified)),
            ]
            if let words = diff.words { fields.append(("words", Self.wordsJSON(words))) }
            fields.append(("partials", .array(diff.partialChanges.map { partial in
                var item: [(key: String, value: JSON)] = [
                    ("name", .string(partial.name.rawValue)), ("old_present", .bool(partial.oldBytes != nil)),
                    ("new_present", .bool(partial.newBytes != nil)), ("unified", .string(partial.unified)),
                ]
                if let words = partial.words { item.append(("words", Self.wordsJSON(words))) }
                return .object(item)
            })))
            fields.append(("identical", .bool(diff.isEmpty)))
            print(JSON.object(fields).jsonText(pretty: true))
        }
    }
}

extension PromptValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

import Foundation
