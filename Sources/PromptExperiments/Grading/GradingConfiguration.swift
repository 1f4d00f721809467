import Foundation
import PromptFormat
import PromptLabCore
import PromptLabProviders
import PromptVersioning
import Yams

/// What grading needs from an experiment file: its graders and its provider
/// settings (judges use the same providers), read without loading the
/// dataset, so a run can be re-graded from its stored experiment text even
/// when the dataset file has moved.
public struct GradingConfiguration: Sendable {
    /// The experiment's graders, in file order.
    public var graders: [GraderDefinition]
    /// The experiment's `providers:` settings, by provider name.
    public var providers: [String: ProviderOverrides]

    public init(graders: [GraderDefinition], providers: [String: ProviderOverrides] = [:]) {
        self.graders = graders
        self.providers = providers
    }

    /// The grading configuration of a parsed experiment.
    public init(experiment: ExperimentDefinition) {
        graders = experiment.graderDefinitions
        providers = experiment.providers
    }

    /// Reads an experiment file's graders and providers.
    ///
    /// - Throws: ``PromptLabError`` (`invalidInput`) for an unreadable file or malformed graders.
    public static func load(path: String) throws(PromptLabError) -> GradingConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PromptLabError(.invalidInput, "cannot read experiment file '\(path)'", hint: "check the path")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PromptLabError(.invalidInput, "experiment file '\(path)' is not UTF-8 text")
        }
        return try parse(experimentYAML: text, displayPath: path)
    }

    /// Reads the graders and providers of experiment text, such as ``RunRecord/experimentYAML``,
    /// through the same parser as a run (``ExperimentFile``), without reading the dataset.
    ///
    /// - Parameter displayPath: The path shown in messages.
    /// - Throws: ``PromptLabError`` (`invalidInput`) citing `file:line:col` for YAML problems, or
    ///   `file: grader N (type): ...` for a malformed grader.
    public static func parse(experimentYAML text: String, displayPath: String) throws(PromptLabError) -> GradingConfiguration {
        let file = try ExperimentFile.parse(text, path: displayPath)
        return GradingConfiguration(graders: file.graders, providers: file.providers)
    }

    /// The graders named in `names`, in file order; all of them when `names` is empty.
    ///
    /// - Throws: ``PromptLabError`` (`invalidInput`) for a name no grader has, listing the names there are.
    public func selecting(_ names: [String]) throws(PromptLabError) -> [GraderDefinition] {
        guard !names.isEmpty else { return graders }
        for name in names where !graders.contains(where: { $0.name == name }) {
            let known = graders.isEmpty ? "it declares none" : "graders: \(graders.map(\.name).joined(separator: ", "))"
            throw PromptLabError(
                .invalidInput, "the experiment has no grader named '\(name)' (\(known))",
                hint: "unnamed graders are named by their type, such as 'classification' or 'regex-2'")
        }
        return graders.filter { names.contains($0.name) }
    }
}
