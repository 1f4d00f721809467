import Foundation
import Logging
import PromptFormat
import PromptLabCore
import PromptLabProviders
import PromptLabStore
import PromptVersioning

/// Settings of one grading pass.
public struct GradingOptions: Sendable {
    /// Re-evaluate responses that already have a grade with the same
    /// configuration. The store keeps the first grade of each (response,
    /// grader, configuration, order), so a re-evaluation is stored only where
    /// none existed; the others are compared with the stored grade and counted
    /// in ``GraderTally/changed``.
    public var force: Bool
    /// Judge requests and `exec` programs in flight at once (each provider's own limit applies too).
    public var concurrency: Int
    /// Grades written per database transaction, at most.
    public var batchSize: Int

    public init(force: Bool = false, concurrency: Int = 4, batchSize: Int = 256) {
        self.force = force
        self.concurrency = concurrency
        self.batchSize = batchSize
    }
}

/// A snapshot of grading in progress (judges and `exec` programs).
public struct GradingProgress: Sendable {
    /// Judge and `exec` grades to compute in this pass.
    public var total: Int
    public var done: Int
    public var failures: Int
    public var elapsedSeconds: Double
}

/// What one grader did in a grading pass.
public struct GraderTally: Sendable, Hashable {
    public var name: String
    public var type: GraderType
    /// The hash stored with this pass's grades.
    public var configHash: String
    /// Grades computed in this pass (stored unless another process stored the same grade first).
    public var graded = 0
    /// Responses skipped because a grade with this configuration was already stored.
    public var alreadyGraded = 0
    /// Responses (or pairwise orders) that could not be graded; see ``GradingResult/failures``.
    public var failed = 0
    /// With ``GradingOptions/force``: re-evaluations that differ from the stored grade.
    public var changed = 0
}

/// How a grading pass ended.
public struct GradingResult: Sendable {
    public var runID: String
    /// One entry per grader, in experiment order.
    public var graders: [GraderTally]
    /// Grades written to the store in this pass.
    public var stored: Int
    /// Error responses of the run, which are never graded.
    public var errorResponses: Int
    /// Variant responses a pairwise grader could not compare because the
    /// control's response to the same case and repeat is missing or an error.
    public var unpairedResponses: Int
    /// Requests sent to LLM judges.
    public var judgeRequests: Int
    /// Responses that could not be graded (nothing stored: the next pass retries them).
    public var failures: [GradingFailure]
    /// Whether the pass was cancelled before it finished (what finished is stored).
    public var interrupted: Bool
    public var elapsedSeconds: Double

    /// A result for a run with nothing to grade.
    public static func empty(runID: String) -> GradingResult {
        GradingResult(
            runID: runID, graders: [], stored: 0, errorResponses: 0, unpairedResponses: 0, judgeRequests: 0, failures: [],
            interrupted: false, elapsedSeconds: 0)
    }
}

/// Grades a run's stored responses and records the grades.
///
/// - Deterministic graders run inline; LLM judges and `exec` programs run
///   concurrently, at most ``GradingOptions/concurrency`` at a time.
/// - A response that already has a grade with the same grader name,
///   configuration hash and order is skipped before anything is computed, so
///   re-grading is idempotent and judges are not asked twice; a changed
///   configuration has a new hash and gets new grades beside the old ones.
/// - Error responses are never graded. A grade that cannot be computed (a
///   crashed `exec` program, a judge that did not answer) is reported in
///   ``GradingResult/failures`` and not stored, so the next pass retries it.
/// - Grades are written in batches, never inside a transaction that spans a
///   judge request. Cancelling the calling task stops new work and records what finished.
public final class GradingEngine: Sendable {
    /// The graders this engine applies, in experiment order.
    public let graders: [GraderDefinition]
    /// Each grader's configuration hash (``GradeRecord/configHash``), by grader name.
    public let configHashes: [String: String]
    private let judges: [String: JudgeRuntime]
    /// Masks API keys in what graders return: an `exec` grader inherits the environment and could
    /// print a key in its reason or on stderr. (Judges' answers are redacted by their providers.)
    private let redact: @Sendable (String) -> String
    private let store: any ResultsStore
    private let logger: Logger

    /// Prepares graders: resolves judge prompts, checks judge models and API keys.
    ///
    /// - Parameters:
    ///   - graders: The graders to apply (select with ``GradingConfiguration/selecting(_:)``).
    ///   - store: Where responses are read and grades written.
    ///   - repository: Resolves judge prompts; needed only when there are judges.
    ///   - registry: Builds judge providers; needed only when there are judges.
    ///   - retryPolicy: Replaces each judge provider's retry policy (tests use tiny back-offs).
    /// - Throws: ``PromptLabError`` for an unknown judge prompt or model, or a missing API key.
    public init(
        graders: [GraderDefinition], store: any ResultsStore, repository: PromptRepository?, registry: ProviderRegistry?,
        logger: Logger, retryPolicy: RetryPolicy? = nil
    ) throws(PromptLabError) {
        self.graders = graders
        self.store = store
        self.logger = logger
        if let registry {
            redact = { registry.redact($0) }
        } else {
            redact = { $0 }
        }
        var hashes = [String: String]()
        var judges = [String: JudgeRuntime]()
        for grader in graders {
            hashes[grader.name] = try grader.configHash(repository: repository)
            guard let reference = grader.judgeReferenceValue else { continue }
            guard let repository, let registry else {
                throw PromptLabError(
                    .invalidInput, "\(grader.label): an LLM judge needs the prompt repository and providers",
                    hint: "run inside the prompt repository")
            }
            judges[grader.name] = try JudgeRuntime.make(
                reference: reference, modelOverride: grader.judgeModel, repository: repository, registry: registry,
                retryPolicy: retryPolicy, logger: logger, label: grader.label)
        }
        configHashes = hashes
        self.judges = judges
    }

    // MARK: - Grading

    /// One grade to compute.
    private struct Job: Sendable {
        var grader: Int
        var sample: GradingSample
        var responseKey: String
        var order: GradeRecord.PairOrder?
        var controlOutput: String?
    }

    private enum Outcome: Sendable {
        case graded(Job, GradeOutcome)
        case failed(Job, String)
    }

    /// Grades every successful response of `runID` with every grader.
    ///
    /// - Parameter progress: Called on the calling task as judge and `exec` grades finish.
    /// - Throws: Store errors (``StoreError/Kind/runNotFound`` for an unknown run).
    ///   - outputSchemas: Each variant's prompt's JSON output schema, by variant name
    ///     (``outputSchemas(of:repository:)``): the default schema of `is-json` graders.
    public func grade(
        runID: String, options: GradingOptions = GradingOptions(), outputSchemas: [String: PromptValue] = [:],
        progress: (GradingProgress) -> Void = { _ in }
    ) async throws -> GradingResult {
        let clock = ContinuousClock()
        let start = clock.now
        _ = try await store.run(id: runID)
        let variants = try await store.variants(runID: runID)
        let cases = Dictionary(try await store.cases(runID: runID).map { ($0.caseID, $0) }, uniquingKeysWith: { first, _ in first })
        let responses = try await store.responses(runID: runID)
        var stored = [String: GradeRecord]()
        for grade in try await store.grades(runID: runID) {
            stored[Self.identity(grade.responseKey, grade.grader, grade.configHash, grade.order)] = grade
        }

        var tallies = graders.map { GraderTally(name: $0.name, type: $0.type, configHash: configHashes[$0.name] ?? "") }
        var result = GradingResult.empty(runID: runID)
        result.errorResponses = responses.filter { $0.status == .error }.count

        // Samples of successful responses, and the control's outputs for pairwise judges.
        let control = variants.first(where: \.isControl)?.name
        var samples = [(key: String, sample: GradingSample)]()
        var controlOutputs = [String: String]()
        for response in responses {
            guard var sample = GradingSample(response: response, testCase: cases[response.caseID]) else { continue }
            sample.outputSchema = outputSchemas[response.variant]
            samples.append((response.idempotencyKey, sample))
            if response.variant == control { controlOutputs["\(response.caseID)\u{0}\(response.repeatIndex)"] = sample.output }
        }

        // Enumerate the work, skipping what is already stored.
        var inline = [Job]()
        var concurrent = [Job]()
        var unpaired = Set<String>()
        for (index, grader) in graders.enumerated() {
            let hash = tallies[index].configHash
            func enqueue(_ job: Job) {
                if !options.force, stored[Self.identity(job.responseKey, grader.name, hash, job.order)] != nil {
                    tallies[index].alreadyGraded += 1
                    return
                }
                if grader.implementation is any AsynchronousGrader { concurrent.append(job) } else { inline.append(job) }
            }
            for (key, sample) in samples {
                if grader.isPairwise {
                    guard sample.variant != control else { continue }
                    guard let controlOutput = controlOutputs["\(sample.caseID)\u{0}\(sample.repeatIndex)"] else {
                        unpaired.insert(key)
                        continue
                    }
                    for order in GradeRecord.PairOrder.allCases {
                        enqueue(Job(grader: index, sample: sample, responseKey: key, order: order, controlOutput: controlOutput))
                    }
                } else {
                    enqueue(Job(grader: index, sample: sample, responseKey: key, order: nil, controlOutput: nil))
                }
            }
        }
        result.unpairedResponses = unpaired.count

        var buffer = [GradeRecord]()
        func record(_ outcome: Outcome) {
            switch outcome {
            case .graded(let job, let grade):
                let grader = graders[job.grader]
                let final = grader.applyingThreshold(grade)
                let identity = Self.identity(job.responseKey, grader.name, tallies[job.grader].configHash, job.order)
                if let existing = stored[identity] {
                    tallies[job.grader].alreadyGraded += 1
                    if existing.score != final.score || existing.passed != final.passed { tallies[job.grader].changed += 1 }
                    return
                }
                tallies[job.grader].graded += 1
                buffer.append(
                    GradeRecord(
                        runID: runID, responseKey: job.responseKey, grader: grader.name, configHash: tallies[job.grader].configHash,
                        score: final.score, passed: final.passed, reason: final.reason, rawJudgeOutput: final.rawJudgeOutput,
                        order: job.order))
            case .failed(let job, let message):
                tallies[job.grader].failed += 1
                result.failures.append(GradingFailure(grader: graders[job.grader].name, responseKey: job.responseKey, message: message))
            }
        }
        func flush(force flushAll: Bool) async throws {
            guard !buffer.isEmpty, flushAll || buffer.count >= options.batchSize else { return }
            let batch = buffer
            buffer.removeAll(keepingCapacity: true)
            // Detached, so that cancellation (Ctrl-C) cannot stop the bookkeeping of finished work.
            result.stored += try await Task { try await self.store.insertGrades(batch) }.value
        }

        // Deterministic graders: no I/O, computed here.
        for job in inline {
            record(evaluateInline(job))
            try await flush(force: false)
        }

        // Judges and exec programs: bounded concurrency.
        var state = GradingProgress(total: concurrent.count, done: 0, failures: 0, elapsedSeconds: 0)
        let limit = max(1, options.concurrency)
        try await withThrowingTaskGroup(of: Outcome?.self) { group in
            var inFlight = 0
            var next = 0
            func collect(_ outcome: Outcome?) {
                inFlight -= 1
                guard let outcome else { return }
                if case .failed = outcome { state.failures += 1 }
                state.done += 1
                state.elapsedSeconds = (clock.now - start).seconds
                record(outcome)
                progress(state)
            }
            while next < concurrent.count {
                if Task.isCancelled { break }
                while inFlight >= limit, let outcome = try await group.next() { collect(outcome) }
                if Task.isCancelled { break }
                let job = concurrent[next]
                next += 1
                if graders[job.grader].isJudge { result.judgeRequests += 1 }
                group.addTask { await self.evaluateConcurrent(job) }  // Never throws: failures are outcomes.
                inFlight += 1
                try await flush(force: false)
            }
            if Task.isCancelled { group.cancelAll() }
            while let outcome = try await group.next() { collect(outcome) }
        }
        result.interrupted = Task.isCancelled
        try await flush(force: true)
        result.graders = tallies
        result.elapsedSeconds = (clock.now - start).seconds
        let summary = tallies.map { "\($0.name): \($0.graded) graded, \($0.alreadyGraded) already, \($0.failed) failed" }
        logger.debug("grading finished", metadata: ["run": "\(runID)", "graders": "\(summary.joined(separator: "; "))"])
        return result
    }

    private func evaluateInline(_ job: Job) -> Outcome {
        do throws(GradeProblem) {
            guard let outcome = try graders[job.grader].evaluateInline(job.sample) else {
                throw GradeProblem("internal error: \(graders[job.grader].type.rawValue) is not computed inline")
            }
            return .graded(job, outcome)
        } catch {
            return .failed(job, error.message)
        }
    }

    private func evaluateConcurrent(_ job: Job) async -> Outcome? {
        if Task.isCancelled { return nil }
        let grader = graders[job.grader]
        guard let implementation = grader.implementation as? any AsynchronousGrader else { return evaluateInline(job) }
        do throws(GradeProblem) {
            let runtime = judges[grader.name]
            if grader.isJudge, runtime == nil { throw GradeProblem("internal error: no judge for \(grader.name)") }
            var outcome = try await implementation.evaluate(
                GradingJob(sample: job.sample, order: job.order, controlOutput: job.controlOutput), runtime: runtime)
            outcome.reason = outcome.reason.map(redact)
            return .graded(job, outcome)
        } catch {
            // A failure caused by cancelling is not the grader's fault: leave the response for the next pass.
            if Task.isCancelled { return nil }
            return .failed(job, redact(error.message))
        }
    }

    private static func identity(_ key: String, _ grader: String, _ hash: String, _ order: GradeRecord.PairOrder?) -> String {
        "\(key)\u{0}\(grader)\u{0}\(hash)\u{0}\(order?.rawValue ?? "")"
    }
}

// MARK: - After a run

extension GradingEngine {
    /// Grades a run with its experiment's graders: what `promptlab run` does
    /// when the runner has finished.
    ///
    /// - Parameters:
    ///   - runID: The run (``RunResult/runID``).
    ///   - experiment: The experiment that was run (``ExperimentPlan/experiment``).
    ///   - store: The results store the run was recorded in.
    ///   - repository: Resolves judge prompts.
    ///   - registry: The run's provider registry (so judges share its limits).
    /// - Returns: The grading result; ``GradingResult/empty(runID:)`` when the experiment has no graders.
    /// - Throws: ``PromptLabError`` for malformed graders, unknown judge prompts or
    ///   missing judge API keys; store errors.
    public static func gradeRun(
        _ runID: String, experiment: ExperimentDefinition, store: any ResultsStore, repository: PromptRepository?,
        registry: ProviderRegistry?, logger: Logger, options: GradingOptions = GradingOptions(),
        progress: (GradingProgress) -> Void = { _ in }
    ) async throws -> GradingResult {
        let configuration = GradingConfiguration(experiment: experiment)
        guard !configuration.graders.isEmpty else { return .empty(runID: runID) }
        let engine = try GradingEngine(
            graders: configuration.graders, store: store, repository: repository, registry: registry, logger: logger)
        let schemas = GradingEngine.outputSchemas(of: try await store.variants(runID: runID), repository: repository)
        return try await engine.grade(runID: runID, options: options, outputSchemas: schemas, progress: progress)
    }

    /// The compiled `output.schema` of each variant's prompt that asks for JSON
    /// (`output.format: json`), by variant name, read at the commit the run used;
    /// variants whose prompt cannot be read (no repository) have none.
    public static func outputSchemas(of variants: [RunVariantRecord], repository: PromptRepository?) -> [String: PromptValue] {
        guard let repository else { return [:] }
        var schemas = [String: PromptValue]()
        for variant in variants {
            guard let name = try? PromptName(variant.promptName) else { continue }
            let selector: PromptReference.Selector = variant.commitSHA == "working" ? .working : .revision(variant.commitSHA)
            guard let file = try? repository.resolve(PromptReference(name: name, selector: selector)).parse(),
                file.frontMatter.outputFormat == .json, let schema = file.frontMatter.outputSchema
            else { continue }
            schemas[variant.name] = schema
        }
        return schemas
    }
}

extension GraderDefinition {
    /// Grades one sample with a grader that needs no I/O (every type but
    /// `exec`, `llm-rubric` and `pairwise`), applying the threshold.
    ///
    /// - Returns: The outcome; nil for `exec` and judge graders, which the ``GradingEngine`` runs.
    /// - Throws: ``GradingFailure`` when the sample cannot be graded, for example
    ///   a case without the `expected` value the grader compares with.
    public func grade(_ sample: GradingSample) throws(GradingFailure) -> GradeOutcome? {
        do {
            return try evaluateInline(sample)
        } catch {
            throw GradingFailure(grader: name, responseKey: nil, message: error.message)
        }
    }

    func evaluateInline(_ sample: GradingSample) throws(GradeProblem) -> GradeOutcome? {
        guard let grader = implementation as? any DeterministicGrader else { return nil }
        return applyingThreshold(try grader.evaluate(sample))
    }

    /// With a threshold (explicit, or the type's default), `passed` is score ≥ threshold.
    func applyingThreshold(_ outcome: GradeOutcome) -> GradeOutcome {
        guard let threshold = effectiveThreshold, let score = outcome.score else { return outcome }
        var adjusted = outcome
        adjusted.passed = score >= threshold
        return adjusted
    }

    /// The threshold that decides `passed` from the score: ``threshold``, else
    /// the registration's default (0.8 for `similarity`, 7 for a 1–10 `llm-rubric`), else nil;
    /// always nil where no threshold applies (`pairwise`, a pass-fail `llm-rubric`).
    public var effectiveThreshold: Double? {
        guard implementation.thresholdApplies else { return nil }
        return threshold ?? registration.defaultThreshold
    }
}
