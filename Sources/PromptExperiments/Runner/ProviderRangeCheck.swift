import PromptFormat
import PromptLabCore
import PromptLabProviders

/// Checks a prompt's generation settings against the documented limits of the
/// provider its `model:` names (`anthropic/…` takes temperatures 0 to 1,
/// `openai/…` 0 to 2), where both are known: `render`, `commit` and `run`
/// call it, so a setting no request could carry is caught before anything is sent.
///
/// The front-matter parser checks only what holds everywhere (a temperature ≥ 0,
/// `topP` a probability); it cannot know the provider's limits, and PromptFormat
/// does not depend on the providers.
public enum ProviderRangeCheck {
    /// The first setting out of the range of `model`'s provider, as one line
    /// (`temperature 1.5 is out of range; Anthropic accepts 0 to 1`); nil when
    /// every setting fits or `model` names no provider PromptLab knows.
    public static func problem(with settings: GenerationSettings, model: String?) -> String? {
        guard let model, let reference = ModelReference(model), let descriptor = reference.provider.descriptor else { return nil }
        let limits = descriptor.generationLimits
        return limits.problem(with: GenerationConfig(settings))
    }

    /// Throws when ``problem(with:model:)`` finds one in `file`'s front matter.
    ///
    /// - Parameter model: the model the settings go to; the front matter's `model:` when nil.
    /// - Throws: ``PromptLabError`` (`invalidInput`) naming the file, the model and the limit.
    public static func check(_ file: PromptFile, model: String? = nil, settings: GenerationSettings? = nil) throws(PromptLabError) {
        let model = model ?? file.frontMatter.model
        guard let problem = problem(with: settings ?? file.frontMatter.config, model: model) else { return }
        throw PromptLabError(
            .invalidInput, "\(file.name.relativePath): config: \(problem) (model \(model ?? ""))",
            hint: "change the setting under config: in the front matter, or use a model whose provider accepts it")
    }
}
