import ArgumentParser
import Foundation
import PromptLab
import Yams

extension PromptLabCommand {
    /// `promptlab render NAME[@REF] --var k=v --vars FILE`
    struct Render: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render",
            abstract: "Print a prompt's rendered messages and generation settings.",
            discussion: "Values are inserted as text, never parsed as template syntax. --var overrides --vars.")

        @Argument(help: "NAME, NAME@vN, NAME@LABEL, NAME@SHA or NAME@working.")
        var reference: String

        @Option(name: .customLong("var"), help: ArgumentHelp("A variable, as key=value (repeatable).", valueName: "key=value"))
        var variables: [String] = []

        @Option(name: .customLong("vars"), help: "A JSON or YAML file of variables.")
        var variablesFile: String?

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            for assignment in variables where !assignment.contains("=") {
                throw ValidationError("--var expects key=value, got '\(assignment)'")
            }
        }

        func run() throws {
            let repo = try repository.open()
            let version = try repo.resolve(try PromptReference(parsing: reference))
            var values = [String: PromptValue]()
            if let variablesFile { values = try VariablesFile.load(variablesFile) }
            for assignment in variables {
                let parts = assignment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                values[String(parts[0])] = .string(String(parts[1]))
            }
            let rendered = try repo.render(version, variables: values)
            if output.isJSON {
                let hash = try repo.templateClosure(of: version).hash
                print(Self.json(rendered, version: version, templateHash: hash).jsonText(pretty: true))
                return
            }
            var text = ""
            for message in rendered.messages {
                text += Terminal.paint("── \(message.role.rawValue) ──", .cyan) + "\n" + message.content + "\n\n"
            }
            text += Terminal.paint("── settings ──", .dim) + "\n"
            text += "model: \(rendered.model ?? "(none)")\n"
            for (key, value) in rendered.config.fields { text += "\(key): \(value.templateText)\n" }
            text += "output: \(rendered.outputFormat.rawValue)\n"
            Terminal.write(text)
        }

        static func json(_ rendered: RenderedPrompt, version: PromptVersion, templateHash: String) -> JSON {
            .object([
                ("prompt", .string(rendered.name.rawValue)), ("version", .number(version.number)),
                ("commit", .text(version.record?.commit.hex)), ("template_hash", .string(templateHash)),
                ("model", .text(rendered.model)),
                ("config", .object(rendered.config.fields)),
                ("output", .object([("format", .string(rendered.outputFormat.rawValue))] + (rendered.outputSchema.map { [("schema", $0)] } ?? []))),
                ("messages", .array(rendered.messages.map { .object([("role", .string($0.role.rawValue)), ("content", .string($0.content))]) })),
            ])
        }
    }
}

/// Reads `--vars` files: a JSON or YAML mapping of variable names to values.
enum VariablesFile {
    static func load(_ path: String) throws -> [String: PromptValue] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PromptLabError(.invalidInput, "cannot read variables file '\(path)'", hint: "check the path")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PromptLabError(.invalidInput, "variables file '\(path)' is not UTF-8")
        }
        let value: PromptValue
        do {
            if path.hasSuffix(".json") {
                value = try PromptValue.parseJSON(text)
            } else {
                value = try PromptValue.parseYAML(text)
            }
        } catch let error as PromptLabError {
            throw PromptLabError(.invalidInput, "variables file '\(path)': \(error.message)")
        } catch {
            throw PromptLabError(.invalidInput, "variables file '\(path)' is not valid JSON", hint: "check its syntax")
        }
        guard case .object(let pairs) = value else {
            throw PromptLabError(.invalidInput, "variables file '\(path)' must hold a mapping of names to values")
        }
        return Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
    }
}
