import Foundation
import PromptFormat
import PromptLabCore
import PromptLabStore
import PromptVersioning

extension ExperimentDefinition {
    /// The experiment of a recorded run, as it was run: parsed from the stored
    /// file text, with each variant pinned to the commit it ran at.
    ///
    /// - Throws: ``PromptLabError`` (`invalidInput`) when the dataset changed
    ///   since the run started, so resuming would mix two datasets.
    public static func recorded(_ run: RunRecord, variants: [RunVariantRecord]) throws(PromptLabError) -> ExperimentDefinition {
        var experiment = try parse(run.experimentYAML, path: run.experimentPath)
        guard experiment.dataset.hash == run.datasetHash else {
            throw PromptLabError(
                .invalidInput, "the dataset of run \(run.id) (\(experiment.dataset.source)) has changed since the run started",
                hint: "start a new run instead of resuming: promptlab run \(run.experimentPath)")
        }
        for index in experiment.variants.indices {
            let name = experiment.variants[index].name
            guard let recorded = variants.first(where: { $0.name == name }) else { continue }
            if recorded.commitSHA != "working" {
                experiment.variants[index].prompt = try PromptReference(parsing: "\(recorded.promptName)@\(recorded.commitSHA)")
            }
            experiment.variants[index].model = recorded.model
        }
        return experiment
    }
}
