import Foundation
import PromptFormat
import PromptLabCore
import PromptVersioning

/// An experiment resolved against the repository: each variant's prompt
/// version, model and settings, checked against every case before any
/// request is sent.
public struct ExperimentPlan: Sendable {
    /// A variant ready to run.
    public struct Variant: Sendable {
        public var name: String
        public var isControl: Bool
        /// The reference as written, such as `support/triage@v1`.
        public var reference: PromptReference
        public var version: PromptVersion
        public var file: PromptFile
        /// `provider/model`.
        public var model: String
        /// The prompt's settings with the variant's overrides applied.
        public var config: GenerationSettings
        /// SHA-256 of the template and every partial it includes, at this version
        /// (``TemplateClosure/hash``, as `promptlab log --format json` reports it).
        public var templateHash: String
        /// The prompt files its partials resolve to, by name.
        var partials: [PromptName: PromptFile]
        /// The template parsed once, for rendering every case.
        var compiled: CompiledPrompt
    }

    public var experiment: ExperimentDefinition
    public var variants: [Variant]
    public var cases: [TestCase] { experiment.dataset.cases }
    public var repeatCount: Int
    /// Characters of every rendered request per variant (one repeat), for estimates.
    public var renderedCharacters: [Int] = []
    /// Per variant, one rendered message for each kind of media it sends (role, content type, URL or data),
    /// with its case's index: the runner checks them against each provider before the first request.
    public var mediaSamples: [[(caseIndex: Int, message: PromptMessage)]] = []
    /// variants × cases × repeats.
    public var cellCount: Int { variants.count * cases.count * repeatCount }

    /// Resolves and validates an experiment.
    ///
    /// - Parameters:
    ///   - modelOverride: replaces every variant's model (`run --model`).
    ///   - repeatOverride: replaces `repeat` (`run --repeat`).
    ///   - limit: keeps only the first `limit` cases (`run --limit`).
    /// - Throws: ``PromptLabError``: an unknown prompt version, a variant with
    ///   no model, or a case that lacks a variable ("case 17 lacks variable 'ticket'").
    public static func build(
        _ experiment: ExperimentDefinition, repository: PromptRepository, modelOverride: String? = nil,
        repeatOverride: Int? = nil, limit: Int? = nil
    ) throws(PromptLabError) -> ExperimentPlan {
        var experiment = experiment
        if let limit { experiment.dataset.cases = Array(experiment.dataset.cases.prefix(limit)) }
        var variants = [Variant]()
        for definition in experiment.variants {
            let version = try repository.resolve(definition.prompt)
            let file = try version.parse()
            guard let model = modelOverride ?? definition.model ?? experiment.model ?? file.frontMatter.model else {
                throw PromptLabError(
                    .invalidInput, "variant '\(definition.name)' has no model",
                    hint: "set 'model:' in the experiment, the variant or the prompt's front matter, or pass --model")
            }
            var partials = [PromptName: PromptFile]()
            try collectPartials(of: file, lookup: repository.partialLookup(for: version), into: &partials)
            let resolved = partials
            let compiled = try PromptRenderer { (name: PromptName) throws(PromptLabError) -> PromptFile? in resolved[name] }
                .compile(file)
            variants.append(
                Variant(
                    name: definition.name, isControl: definition.name == experiment.control,
                    reference: definition.prompt, version: version, file: file, model: model,
                    config: file.frontMatter.config.merged(with: definition.config),
                    templateHash: try repository.templateClosure(of: version).hash, partials: partials, compiled: compiled))
        }
        var plan = ExperimentPlan(experiment: experiment, variants: variants, repeatCount: repeatOverride ?? experiment.repeatCount)
        (plan.renderedCharacters, plan.mediaSamples) = try plan.validateCases()
        return plan
    }

    private static func collectPartials(
        of file: PromptFile, lookup: PromptRenderer.PartialLookup, into partials: inout [PromptName: PromptFile]
    ) throws(PromptLabError) {
        for raw in file.template.partialNames {
            let name = try PromptName(raw)
            if partials[name] != nil || name.dotpromptPartialFile.map({ partials[$0] != nil }) == true { continue }
            // `{{> tone}}` is `tone.prompt`, or Dotprompt's `_tone.prompt`.
            var found = try lookup(name).map { (name, $0) }
            if found == nil, let underscored = name.dotpromptPartialFile {
                found = try lookup(underscored).map { (underscored, $0) }
            }
            guard let (foundName, partial) = found else {
                throw PromptLabError(.renderFailed, "prompt '\(file.name)' includes unknown partial '\(raw)'")
            }
            partials[foundName] = partial
            try collectPartials(of: partial, lookup: lookup, into: &partials)
        }
    }

    /// Renders every (variant, case) once, so a missing variable or a value of
    /// the wrong type stops the run before any request; returns the rendered
    /// characters per variant.
    private func validateCases() throws(PromptLabError) -> ([Int], [[(caseIndex: Int, message: PromptMessage)]]) {
        var characters = [Int]()
        var samples = [[(caseIndex: Int, message: PromptMessage)]]()
        for variant in variants {
            var total = 0
            var variantSamples = [(caseIndex: Int, message: PromptMessage)]()
            var seenMedia = Set<String>()
            for (index, testCase) in cases.enumerated() {
                do {
                    let messages = try render(variant, testCase).messages
                    total += messages.reduce(0) { $0 + $1.content.utf8.count }
                    for message in messages where message.hasMedia {
                        for case .media(let url, let type) in message.parts
                        where seenMedia.insert("\(message.role) \(type ?? "-") \(url.hasPrefix("data:") ? "data" : "url")").inserted {
                            variantSamples.append((index, message))
                        }
                    }
                } catch {
                    if error.kind == .invalidInput, error.subject != nil {
                        throw PromptLabError(
                            .invalidInput,
                            "case \(index + 1) (\(testCase.location), id \(testCase.id)), variant '\(variant.name)': \(error.message)",
                            hint: error.hint, subject: error.subject)
                    }
                    if error.kind == .renderFailed, let name = error.subject {
                        throw PromptLabError(
                            .invalidInput,
                            "case \(index + 1) (\(testCase.location), id \(testCase.id)) lacks variable '\(name)' needed by variant '\(variant.name)'",
                            hint:
                                "add '\(name)' to every case, or give it a default under input.default in \(variant.file.name.relativePath)"
                        )
                    }
                    throw error
                }
            }
            characters.append(total)
            samples.append(variantSamples)
        }
        return (characters, samples)
    }

    /// The messages one variant sends for one case.
    public func render(_ variant: Variant, _ testCase: TestCase) throws(PromptLabError) -> RenderedPrompt {
        try variant.compiled.render(testCase.variableDictionary)
    }

    /// The variant every other is compared with.
    public var control: Variant { variants.first(where: \.isControl)! }  // ExperimentDefinition.parse checks it exists.
}
