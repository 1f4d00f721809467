import Foundation
import PromptFormat
import PromptLab

/// The contexts of the prompt pages, made from the same documents the API returns.
enum PromptViews {
    static func list(_ prompts: PromptListOutput) -> [[String: Any]] {
        prompts.prompts.map { prompt in
            [
                "name": prompt.name, "href": "/prompts/" + Format.segment(prompt.name),
                "version": prompt.latest?.version.map { "v\($0)" } ?? "–",
                "date": prompt.latest?.date ?? "", "author": prompt.latest?.author ?? "",
                "message": Format.excerpt(prompt.latest?.message, limit: 80),
                "labels": prompt.labels.map { ["label": $0.label, "version": $0.version.map { "v\($0)" } ?? "?"] },
                "working": prompt.working as Any, "deleted": prompt.deleted,
            ]
        }
    }

    /// The prompt page: timeline, labels, render form, diff picker and the label and rollback forms.
    static func page(
        name: String, log: PromptLogOutput, labels: LabelListOutput, shown: ShowOutput?, variables: [InputVariable],
        rendered: RenderOutput?, renderError: String?, values: [String: String], csrf: String
    ) -> [String: Any] {
        let versions = log.versions.map { version -> [String: Any] in
            [
                "version": version.version.map { "v\($0)" } ?? "–", "number": version.version ?? 0,
                "commit": String(version.commit.prefix(10)), "full_commit": version.commit, "date": version.date,
                "author": version.author, "message": version.message,
                "labels": version.labels.map { ["label": $0] },
                "is_rollback": version.message.hasPrefix("Roll back "),
                "partials": version.changedPartials.joined(separator: ", ").nonEmpty as Any,
            ]
        }
        let numbers = log.versions.compactMap(\.version)
        return [
            "title": name, "name": name, "href": "/prompts/" + Format.segment(name), "versions": versions,
            "has_versions": !versions.isEmpty, "deleted": log.deleted,
            "labels": labels.labels.map { label -> [String: Any] in
                ["label": label.label, "version": label.version.map { "v\($0)" } ?? "?", "commit": String(label.commit.prefix(10))]
            },
            "version_options": numbers.map { number -> [String: Any] in ["value": "v\(number)", "text": "v\(number)"] },
            "diff_from": numbers.dropFirst().first.map { "v\($0)" } ?? "", "diff_to": numbers.first.map { "v\($0)" } ?? "",
            "content": shown?.content ?? "", "shown_version": shown?.version.map { "v\($0)" } ?? "working file",
            "variables": variables.map { variable -> [String: Any] in
                [
                    "name": variable.name, "field": "var." + variable.name, "type": variable.type,
                    "optional": variable.isOptional, "description": variable.description?.nonEmpty as Any,
                    "value": values[variable.name] ?? "",
                    "is_text": ["string", "any", "enum"].contains(variable.type),
                    "is_number": ["integer", "number"].contains(variable.type),
                    "is_boolean": variable.type == "boolean",
                    "is_json": ["array", "object"].contains(variable.type),
                    "checked": values[variable.name] == "true",
                ]
            },
            "rendered": rendered.map(rendering) as Any, "render_error": renderError as Any, "csrf": csrf,
        ]
    }

    static func rendering(_ output: RenderOutput) -> [String: Any] {
        [
            "model": output.model ?? "–", "format": output.output.format,
            "messages": output.messages.map { ["role": $0.role, "content": $0.content] },
        ]
    }

    /// The side-by-side diff: front-matter fields, then the body's words, then each partial's.
    static func diff(_ diff: DiffOutput, name: String) -> [String: Any] {
        [
            "title": "\(name): \(diff.old.label) → \(diff.new.label)", "name": name, "href": "/prompts/" + Format.segment(name),
            "old": diff.old.label, "new": diff.new.label, "identical": diff.identical,
            "fields": diff.frontMatter.map { ["path": $0.path, "change": $0.change] },
            "old_words": words(diff.words, side: .old), "new_words": words(diff.words, side: .new),
            "unified": diff.unified,
            "partials": diff.partials.map { partial -> [String: Any] in
                [
                    "name": partial.name, "old_present": partial.oldPresent, "new_present": partial.newPresent,
                    "old_words": words(partial.words, side: .old), "new_words": words(partial.words, side: .new),
                ]
            },
        ]
    }

    private enum Side { case old, new }

    /// One side of a word diff: unchanged words, and the removed (old) or added (new) ones marked.
    private static func words(_ words: [DiffOutput.WordOutput]?, side: Side) -> [[String: Any]] {
        (words ?? []).compactMap { word in
            switch (word.op, side) {
            case ("same", _): ["text": word.text, "same": true]
            case ("removed", .old): ["text": word.text, "removed": true]
            case ("added", .new): ["text": word.text, "added": true]
            default: nil
            }
        }
    }
}
