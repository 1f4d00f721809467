import Foundation
import Logging
import PromptFormat
import PromptLabCore
import PromptLabProviders
import PromptVersioning

/// A judge prompt from the repository, compiled, with the model and provider
/// that answer it: what `llm-rubric` and `pairwise` graders send requests through.
struct JudgeRuntime: Sendable {
    /// The resolved judge prompt, such as `judges/rubric@v2 (1a2b3c4)`, for messages.
    var promptLabel: String
    var compiled: CompiledPrompt
    var model: ModelReference
    var provider: any ChatProvider
    var config: GenerationConfig

    /// Compiles the judge prompt and prepares its provider.
    ///
    /// - Parameters:
    ///   - reference: The judge prompt, such as `judges/rubric@v1`.
    ///   - modelOverride: The grader's `model:`; else the judge prompt's front-matter model.
    ///   - label: The grader, for messages (`grader 3 (llm-rubric)`).
    /// - Throws: ``PromptLabError`` for an unknown judge prompt, a judge without a
    ///   model, an unknown provider or a missing API key.
    static func make(
        reference: PromptReference, modelOverride: String?, repository: PromptRepository, registry: ProviderRegistry,
        retryPolicy: RetryPolicy?, logger: Logger, label: String
    ) throws(PromptLabError) -> JudgeRuntime {
        let version: PromptVersion
        let builtIn: Bool
        let file: PromptFile
        let compiled: CompiledPrompt
        do {
            (version, builtIn) = try BuiltInJudges.resolve(reference, in: repository)
            file = try version.parse()
            compiled = try PromptRenderer(partials: repository.partialLookup(for: version)).compile(file)
        } catch {
            throw PromptLabError(
                error.kind, "\(label): judge prompt: \(error.message)",
                hint: error.hint ?? "the judge is a prompt in the repository, such as judges/rubric.prompt")
        }
        guard let modelText = modelOverride ?? file.frontMatter.model else {
            throw PromptLabError(
                .invalidInput, "\(label): the judge has no model",
                hint: "set 'model:' in the grader, or in the front matter of \(reference.name.relativePath)")
        }
        let config = GenerationConfig(
            file.frontMatter.config, responseFormat: file.frontMatter.outputFormat == .json ? .json : nil)
        let model: ModelReference
        let provider: RetryingProvider
        do {
            model = try ModelReference(parsing: modelText)
            let settings = registry.settings(for: model)
            try settings.validate(config)
            provider = RetryingProvider(
                try registry.makeProvider(settings: settings), policy: retryPolicy ?? settings.retryPolicy,
                limiter: registry.limiter(for: settings), clock: registry.clock, logger: logger)
        } catch {
            let hint: String
            if case .missingAPIKey(let variable) = error.kind {
                hint = "export \(variable)=... and grade again; keys are read only from the environment"
            } else {
                hint = "check the judge model, such as openai/gpt-4o-mini or local/baseline"
            }
            throw PromptLabError(.invalidInput, "\(label): judge model '\(modelText)': \(error.description)", hint: hint)
        }
        return JudgeRuntime(
            promptLabel: builtIn ? "\(reference.name) (built in)" : "\(reference.name)@\(version.label)", compiled: compiled, model: model,
            provider: provider, config: config)
    }

    /// Renders the judge prompt with `variables` and returns the judge's answer.
    ///
    /// - Throws: ``GradeProblem`` for a render error (a variable the judge prompt
    ///   needs but the grader does not give) or a failed request.
    func ask(_ variables: [String: PromptValue]) async throws(GradeProblem) -> String {
        let rendered: RenderedPrompt
        do {
            rendered = try compiled.render(variables)
        } catch {
            throw GradeProblem("judge prompt \(promptLabel): \(error.message)")
        }
        // Same three roles
        let messages = rendered.messages.map(ChatMessage.init)
        let request = ChatRequest(model: model.model, messages: messages, config: config)
        do {
            return try await provider.send(request).text
        } catch {
            if case .cancelled = error.kind { throw GradeProblem("the judge request was cancelled") }
            throw GradeProblem("judge \(model): \(error.description)")
        }
    }
}

// MARK: - Judge text

enum JudgeText {
    /// Tags the judge prompts use to delimit data.
    private static let delimiter: SharedRegex = {
        // A constant, valid pattern.
        try! SharedRegex(#"<(/?)(candidate|response_a|response_b|input|expected|rubric)\b"#, options: [.caseInsensitive])
    }()

    /// `text` with any delimiter tag it contains defused (`</candidate>` → `&lt;/candidate>`), so a
    /// response cannot close its own `<candidate>` block and pose as instructions to the judge.
    static func asData(_ text: String) -> String {
        let range = NSRange(text.startIndex..., in: text)
        return delimiter.regex.stringByReplacingMatches(in: text, range: range, withTemplate: "&lt;$1$2")
    }

    /// The case's variables as pretty JSON, for the judge's `input` variable.
    static func input(_ variables: PromptValue) -> String {
        asData(variables.jsonText(pretty: true))
    }

    /// The judge's explanation: its answer without the lines matched by `verdictLines`, on one line, shortened.
    static func reason(from answer: String, droppingLinesMatching verdictLine: (String) -> Bool) -> String? {
        let kept = answer.split(whereSeparator: \.isNewline).map(String.init).filter { !verdictLine($0) }
        let text = kept.joined(separator: " ").collapsingWhitespace
        guard !text.isEmpty else { return nil }
        return text.count > 400 ? String(text.prefix(399)) + "…" : text
    }

    /// The last match's first capture group of `regex` in `text`.
    static func lastCapture(_ regex: SharedRegex, in text: String) -> String? {
        guard let match = regex.matches(in: text).last else { return nil }
        return SharedRegex.text(of: match, group: 1, in: text)
    }
}
