import Foundation
import PromptFormat
import PromptLabCore

/// Variables given on a command line or in a form: `key=value` assignments over a JSON or YAML file.
public enum VariablesInput {
    /// The variables of a `--vars` file, overridden by `--var key=value` assignments (as strings;
    /// rendering converts them to the types the prompt declares).
    ///
    /// - Throws: ``PromptLabError`` `invalidInput` for an unreadable or malformed file, or an assignment without `=`.
    public static func read(assignments: [String], file: String?) throws(PromptLabError) -> [String: PromptValue] {
        var values = [String: PromptValue]()
        if let file { values = try load(file) }
        for assignment in assignments {
            let parts = assignment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw PromptLabError(
                    .usage, "--var expects key=value, got '\(assignment)'", hint: "write --var ticket=\"Where is my parcel?\"")
            }
            values[String(parts[0])] = .string(String(parts[1]))
        }
        return values
    }

    /// Reads a JSON or YAML mapping of variable names to values.
    public static func load(_ path: String) throws(PromptLabError) -> [String: PromptValue] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PromptLabError(.invalidInput, "cannot read variables file '\(path)'", hint: "check the path")
        }
        return try parse(Array(data), path: path)
    }

    /// Reads a variables file's bytes: JSON when `path` ends in `.json`, YAML otherwise.
    ///
    /// - Throws: ``PromptLabError`` `invalidInput` for text that is not UTF-8, malformed, or not a mapping.
    public static func parse(_ data: [UInt8], path: String) throws(PromptLabError) -> [String: PromptValue] {
        guard let text = String(validating: data, as: UTF8.self) else {
            throw PromptLabError(.invalidInput, "variables file '\(path)' is not UTF-8")
        }
        let value: PromptValue
        do {
            value = path.hasSuffix(".json") ? try PromptValue.parseJSON(text) : try PromptValue.parseYAML(text, displayPath: path)
        } catch let error as PromptLabError {
            // YAML errors already start with `path:line:col:`.
            let message = error.message.hasPrefix(path) ? error.message : "variables file '\(path)': \(error.message)"
            throw PromptLabError(.invalidInput, message, hint: error.hint)
        } catch {
            throw PromptLabError(.invalidInput, "variables file '\(path)' is not valid JSON", hint: "check its syntax")
        }
        guard case .object(let pairs) = value else {
            throw PromptLabError(.invalidInput, "variables file '\(path)' must hold a mapping of names to values")
        }
        return Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }
}
