import Foundation
import Logging
import PromptExperiments
import PromptFormat
import PromptLabCore
import PromptLabProviders
import PromptLabStore
import PromptRollouts
import Synchronization

/// The OpenAI-compatible gateway: `POST /v1/chat/completions` with `model: "promptlab/NAME"` (or
/// `promptlab/NAME@label`). The arm's prompt version is rendered with the request's
/// `promptlab.variables`, the request's own messages follow the rendered ones, and the version's model
/// is called through the provider layer (retries, time limits, keys from the server's environment).
/// Latency, tokens, cost and errors are recorded per arm, and the rollout's online graders grade the answer.
///
/// The prompt version decides the model and its settings; sampling settings in the client's request
/// are not applied, so every unit of an arm gets what the arm's version specifies.
public final class GatewayService: Sendable {
    public let serving: ServingService
    let registry: ProviderRegistry
    let pricing: Pricing
    let logger: Logger
    private let providers = Mutex<[String: RetryingProvider]>([:])
    private let graders = Mutex<[String: [GraderDefinition]]>([:])

    public init(serving: ServingService, registry: ProviderRegistry, pricing: Pricing, logger: Logger) {
        self.serving = serving
        self.registry = registry
        self.pricing = pricing
        self.logger = logger
    }

    /// The prefix of gateway model names.
    public static let modelPrefix = "promptlab/"

    /// A request ready to send: the arm chosen and the provider request built.
    public struct Call: Sendable {
        /// The assignment's id when the unit is in an experiment, chosen before sending so that a
        /// streamed answer's headers can carry it.
        public var assignmentID: String?
        public var prompt: String
        public var modelName: String
        public var reference: ModelReference
        public var request: ChatRequest
        public var assignmentArm: String?
        public var rollout: String?
        /// The unit's bucket (0 ≤ b < 1, 4 decimals) when a rollout is active, for auditing assignments.
        public var bucket: Double?
        public var version: ServedVersion
        let choice: ServingService.Choice
    }

    /// Parses the model name, chooses the arm and renders the prompt.
    ///
    /// - Throws: ``PromptLabError``: `usage` for a model that is not `promptlab/NAME`, a missing unit
    ///   or unsupported messages; `notFound`, `invalidInput` and `renderFailed` as `resolve` does.
    public func prepare(_ request: GatewayRequest) async throws -> Call {
        guard request.model.hasPrefix(Self.modelPrefix), request.model.count > Self.modelPrefix.count else {
            throw PromptLabError(
                .usage, "model '\(request.model.prefix(200))' is not served here",
                hint: "use model \"promptlab/PROMPT\" or \"promptlab/PROMPT@LABEL\" (for example promptlab/support/triage)")
        }
        let target = String(request.model.dropFirst(Self.modelPrefix.count))
        let parts = target.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        let prompt = String(parts[0])
        let label = parts.count == 2 ? String(parts[1]) : nil
        if let label, label.isEmpty { throw PromptLabError(.usage, "model '\(request.model)' has an empty label after '@'") }
        let choice = try await serving.choose(prompt, unit: request.unit, attributes: request.attributes, label: label)
        let prepared = try await serving.prepare(prompt, choice.version)
        let rendered = try ServingService.render(prepared, request.variables, field: "promptlab.variables")
        guard let model = rendered.model else {
            throw PromptLabError(
                .invalidInput, "\(prompt) v\(choice.version.number.map(String.init) ?? choice.version.sha) names no model",
                hint: "add 'model:' to the prompt's front matter, such as openai/gpt-4o-mini")
        }
        let reference: ModelReference
        do { reference = try ModelReference(parsing: model) } catch {
            throw PromptLabError(.invalidInput, "\(prompt) names model '\(model)', which PromptLab cannot call: \(error.description)")
        }
        let config = GenerationConfig(
            rendered.config, responseFormat: rendered.outputFormat == .json ? .json : nil,
            responseSchema: rendered.outputFormat == .json ? rendered.outputSchema.map(ProviderJSON.init) : nil)
        let messages = rendered.messages.map(ChatMessage.init) + request.messages
        return Call(
            assignmentID: choice.isRecorded ? ServingService.assignmentID() : nil, prompt: prompt, modelName: request.model,
            reference: reference,
            request: ChatRequest(model: reference.model, messages: messages, config: config), assignmentArm: choice.arm,
            rollout: choice.rollout?.name, bucket: choice.bucket.map { ($0 * 10_000).rounded() / 10_000 }, version: choice.version,
            choice: choice)
    }

    /// Sends the call and records what happened; the answer in OpenAI's format, or the provider's error.
    public func complete(_ call: Call) async -> GatewayResult {
        let provider: RetryingProvider
        do {
            provider = try self.provider(for: call.reference)
        } catch {
            let assignment = await serving.record(
                call.choice, kind: .gateway, measurements: .failure(error, latencyMs: 0), id: call.assignmentID)
            return .failure(error, assignmentID: assignment)
        }
        let started = ContinuousClock.now
        do {
            let response = try await provider.send(call.request)
            let latency = Self.milliseconds(started.duration(to: ContinuousClock.now))
            let cost = pricing.cost(of: response, reference: call.reference)
            let measurements = GatewayMeasurements(
                succeeded: true, latencyMs: latency, inputTokens: response.inputTokens, outputTokens: response.outputTokens, costUSD: cost,
                errorKind: nil)
            let assignment = await serving.record(call.choice, kind: .gateway, measurements: measurements, id: call.assignmentID)
            if let assignment { await grade(response.text, call: call, assignment: assignment, measurements: measurements) }
            return .success(
                GatewayCompletion(
                    id: "chatcmpl-" + (assignment ?? ServingService.assignmentID()),
                    created: Int(serving.configuration.now().timeIntervalSince1970),
                    model: call.modelName, text: response.text, finishReason: response.finishReason,
                    inputTokens: response.inputTokens, outputTokens: response.outputTokens),
                assignmentID: assignment)
        } catch {
            let latency = Self.milliseconds(started.duration(to: ContinuousClock.now))
            let assignment = await serving.record(
                call.choice, kind: .gateway, measurements: .failure(error, latencyMs: latency), id: call.assignmentID)
            return .failure(error, assignmentID: assignment)
        }
    }

    /// Records a streamed answer once it ended (or failed), with the online graders.
    public func finishStream(
        _ call: Call, text: String, inputTokens: Int?, outputTokens: Int?, error: ProviderError?, latencyMs: Double
    ) async -> String? {
        if let error {
            return await serving.record(
                call.choice, kind: .gateway, measurements: .failure(error, latencyMs: latencyMs), id: call.assignmentID)
        }
        var response = ChatResponse(text: text, latencySeconds: latencyMs / 1000)
        response.inputTokens = inputTokens
        response.outputTokens = outputTokens
        let measurements = GatewayMeasurements(
            succeeded: true, latencyMs: latencyMs, inputTokens: inputTokens, outputTokens: outputTokens,
            costUSD: pricing.cost(of: response, reference: call.reference), errorKind: nil)
        let assignment = await serving.record(call.choice, kind: .gateway, measurements: measurements, id: call.assignmentID)
        if let assignment { await grade(text, call: call, assignment: assignment, measurements: measurements) }
        return assignment
    }

    /// The provider for a model, made once (it shares the endpoint's adaptive limiter).
    public func provider(for reference: ModelReference) throws(ProviderError) -> RetryingProvider {
        let key = reference.description
        if let cached = providers.withLock({ $0[key] }) { return cached }
        let provider = try registry.makeRetryingProvider(for: reference)
        providers.withLock { $0[key] = provider }
        return provider
    }

    /// Applies the rollout's online graders to an answer and queues their grades as metric values.
    private func grade(_ text: String, call: Call, assignment: String, measurements: GatewayMeasurements) async {
        guard let rollout = call.choice.rollout, !rollout.plan.definition.graders.isEmpty else { return }
        let definitions: [GraderDefinition]
        if let cached = graders.withLock({ $0[rollout.name] }) {
            definitions = cached
        } else {
            definitions = (try? GraderDefinition.parseList(rollout.plan.definition.graders)) ?? []
            graders.withLock { $0[rollout.name] = definitions }
        }
        let sample = GradingSample(
            output: text, variant: call.choice.arm ?? "", caseID: assignment, outputTokens: measurements.outputTokens,
            latencyMs: measurements.latencyMs, costUSD: measurements.costUSD)
        let now = serving.configuration.now()
        var values = [MetricValueRecord]()
        for grader in definitions {
            guard let outcome = try? grader.grade(sample), let passed = outcome.passed ?? outcome.score.map({ $0 >= 0.5 }) else { continue }
            values.append(
                MetricValueRecord(
                    eventID: "grader:\(assignment):\(grader.name)", assignmentID: assignment, metric: grader.name, value: passed ? 1 : 0,
                    source: .grader, at: now))
        }
        await serving.recorder.record(values: values)
    }

    public static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}

/// What the gateway measured about one request.
public struct GatewayMeasurements: Sendable {
    public var succeeded: Bool
    public var latencyMs: Double?
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var costUSD: Double?
    public var errorKind: String?

    static func failure(_ error: ProviderError, latencyMs: Double) -> GatewayMeasurements {
        GatewayMeasurements(
            succeeded: false, latencyMs: latencyMs, inputTokens: nil, outputTokens: nil, costUSD: nil,
            errorKind: error.kindName)
    }
}

/// The gateway's part of an OpenAI chat-completions request.
public struct GatewayRequest: Sendable {
    public var model: String
    /// The request's own messages, sent after the rendered prompt's.
    public var messages: [ChatMessage]
    /// The unit: `user`, else the `X-PromptLab-Unit` header, else `promptlab.unit`, else
    /// `promptlab.attributes[unit field]`.
    public var unit: String?
    public var variables: [String: PromptValue]?
    public var attributes: [String: PromptValue]?
    public var stream: Bool

    public init(
        model: String, messages: [ChatMessage], unit: String?, variables: [String: PromptValue]?, attributes: [String: PromptValue]?,
        stream: Bool
    ) {
        self.model = model
        self.messages = messages
        self.unit = unit
        self.variables = variables
        self.attributes = attributes
        self.stream = stream
    }
}

/// What a gateway call came to.
public enum GatewayResult: Sendable {
    case success(GatewayCompletion, assignmentID: String?)
    case failure(ProviderError, assignmentID: String?)
}

/// An OpenAI `chat.completion` object.
public struct GatewayCompletion: Codable, Sendable, Equatable {
    public var id: String
    public var object = "chat.completion"
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: Usage?

    public struct Choice: Codable, Sendable, Equatable {
        public var index: Int
        public var message: Message
        public var finishReason: String
    }

    public struct Message: Codable, Sendable, Equatable {
        public var role: String
        public var content: String
    }

    public struct Usage: Codable, Sendable, Equatable {
        public var promptTokens: Int
        public var completionTokens: Int
        public var totalTokens: Int
    }

    public init(id: String, created: Int, model: String, text: String, finishReason: String?, inputTokens: Int?, outputTokens: Int?) {
        self.id = id
        self.created = created
        self.model = model
        choices = [
            Choice(index: 0, message: Message(role: "assistant", content: text), finishReason: Self.openAIFinishReason(finishReason))
        ]
        if let inputTokens, let outputTokens {
            usage = Usage(promptTokens: inputTokens, completionTokens: outputTokens, totalTokens: inputTokens &+ outputTokens)
        }
    }

    /// Vendors' finish reasons in OpenAI's words.
    public static func openAIFinishReason(_ reason: String?) -> String {
        switch reason?.lowercased() {
        case "length", "max_tokens", "max-tokens": "length"
        case "content_filter", "safety", "recitation", "blocklist", "prohibited_content", "refusal": "content_filter"
        case "tool_calls", "tool_use", "function_call": "tool_calls"
        default: "stop"
        }
    }
}
