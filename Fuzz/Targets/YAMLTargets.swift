import PromptExperiments
import PromptFormat
import PromptLab

extension FuzzTarget {
    /// An experiment file, and its inline `cases:` when it has them.
    public static let experimentFile = FuzzTarget(
        name: "experiment-file", summary: "an experiment file (YAML), with inline cases"
    ) { bytes in
        guard let text = String(validating: bytes, as: UTF8.self),
            let file = try? ExperimentFile.parse(text, path: "fuzz/experiment.yaml"), case .inline = file.dataset
        else { return }
        _ = try? file.loadDataset()
    }

    /// A YAML dataset file.
    public static let datasetYAML = FuzzTarget(name: "dataset-yaml", summary: "a YAML dataset") { bytes in
        _ = try? Dataset.parse(bytes, path: "cases.yaml", displayPath: "cases.yaml")
    }

    /// A `--vars` file, read as YAML and as JSON.
    public static let variables = FuzzTarget(name: "vars", summary: "a --vars file (YAML and JSON)") { bytes in
        _ = try? VariablesInput.parse(bytes, path: "vars.yaml")
        _ = try? VariablesInput.parse(bytes, path: "vars.json")
    }
}
