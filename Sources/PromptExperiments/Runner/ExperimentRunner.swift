import Foundation
import Logging
import PromptFormat
import PromptLabCore
import PromptLabProviders
import PromptLabStore
import PromptVersioning

/// Limits and switches for one invocation of a run.
public struct RunOptions: Sendable {
    /// Requests in flight at once, across all variants (each provider's own
    /// adaptive limit applies too).
    public var concurrency: Int
    /// Answer from, and fill, the response cache.
    public var useCache: Bool
    /// Stop before spending more than this on provider calls.
    public var budgetUSD: Double?
    /// Stop before sending more than this many provider requests.
    public var maxRequests: Int?
    /// Responses written per database transaction, at most.
    public var batchSize: Int
    /// The longest a finished response waits before it is written, so that a
    /// crash loses (and a resume repeats) at most this much work.
    public var flushInterval: Duration = .milliseconds(50)

    public init(concurrency: Int = 8, useCache: Bool = true, budgetUSD: Double? = nil, maxRequests: Int? = nil, batchSize: Int = 256) {
        self.concurrency = concurrency
        self.useCache = useCache
        self.budgetUSD = budgetUSD
        self.maxRequests = maxRequests
        self.batchSize = batchSize
    }
}

/// Sends every cell of an experiment plan to its provider and records each
/// response (or error) in the results store.
///
/// - Every (variant, case, repeat) gets exactly one row, keyed by its
///   idempotency key, so a resumed run completes only the missing cells.
/// - Identical requests are answered from the response cache without a
///   provider call; errors are never cached.
/// - Responses are written in batches, and never inside a transaction that
///   spans a network call.
/// - Cancelling the calling task (Ctrl-C) stops new requests, records what
///   finished, and marks the run interrupted.
public final class ExperimentRunner: Sendable {
    public let plan: ExperimentPlan
    private let store: any ResultsStore
    private let pricing: Pricing
    private let providers: [RetryingProvider]
    private let references: [ModelReference]
    private let endpoints: [String]
    private let logger: Logger

    /// Prepares providers for every variant, checking each model reference and
    /// API key before anything is sent.
    ///
    /// - Throws: ``PromptLabError`` (`invalidInput`) for an unknown provider or
    ///   a missing key, naming the environment variable.
    /// - Parameter retryPolicy: replaces each provider's retry policy (tests use tiny back-offs).
    public init(
        plan: ExperimentPlan, store: any ResultsStore, registry: ProviderRegistry, pricing: Pricing, logger: Logger,
        retryPolicy: RetryPolicy? = nil
    ) throws(PromptLabError) {
        self.plan = plan
        self.store = store
        self.pricing = pricing
        self.logger = logger
        var providers = [RetryingProvider]()
        var references = [ModelReference]()
        var endpoints = [String]()
        var providerSettings = [ProviderSettings]()
        for variant in plan.variants {
            do {
                let reference = try ModelReference(parsing: variant.model)
                let settings = registry.settings(for: reference)
                providerSettings.append(settings)
                providers.append(
                    RetryingProvider(
                        try registry.makeProvider(settings: settings), policy: retryPolicy ?? settings.retryPolicy,
                        limiter: registry.limiter(for: settings), clock: registry.clock, logger: logger))
                references.append(reference)
                endpoints.append(settings.baseURL ?? reference.description)
            } catch {
                throw PromptLabError(
                    .invalidInput, "variant '\(variant.name)' (\(variant.model)): \(error.description)",
                    hint: Self.hint(for: error))
            }
        }
        for (index, (variant, settings)) in zip(plan.variants, providerSettings).enumerated() {
            try Self.checkSettings(of: variant, with: settings)
            try Self.checkMedia(
                of: variant, samples: index < plan.mediaSamples.count ? plan.mediaSamples[index] : [], cases: plan.cases, with: settings)
        }
        self.providers = providers
        self.references = references
        self.endpoints = endpoints
    }

    /// Out-of-range generation settings stop the run here, before its plan is shown (so `--dry-run`
    /// too), with the provider's limit in the message.
    private static func checkSettings(of variant: ExperimentPlan.Variant, with settings: ProviderSettings) throws(PromptLabError) {
        do throws(ProviderError) {
            try settings.validate(GenerationConfig(variant.config))
        } catch {
            throw PromptLabError(
                .invalidInput, "variant '\(variant.name)' (\(variant.model)): \(error.description)",
                hint: "change the setting in the prompt's front matter (config:) or in the variant's config: in the experiment")
        }
    }

    /// Media a provider cannot take (an image for the offline model, a video for OpenAI) stops the run here,
    /// before any request, naming the case.
    private static func checkMedia(
        of variant: ExperimentPlan.Variant, samples: [(caseIndex: Int, message: PromptMessage)], cases: [TestCase],
        with settings: ProviderSettings
    ) throws(PromptLabError) {
        for (caseIndex, message) in samples {
            do {
                try settings.validate(
                    request: ChatRequest(model: settings.reference.model, messages: [ChatMessage(message)], config: GenerationConfig()))
            } catch {
                let testCase = cases[caseIndex]
                throw PromptLabError(
                    .invalidInput,
                    "variant '\(variant.name)' (\(variant.model)), case \(caseIndex + 1) (\(testCase.location), id \(testCase.id)): \(error.description)",
                    hint: error.hint ?? "send this media to a model that takes it, or leave it out of the prompt")
            }
        }
    }

    private static func hint(for error: ProviderError) -> String {
        if let hint = error.hint { return hint }
        if case .missingAPIKey(let variable) = error.kind {
            return "export \(variable)=... and run again; keys are read only from the environment"
        }
        return "check the model reference, such as openai/gpt-4o-mini or local/baseline"
    }

    /// What the whole plan (or, for `runID`, its missing cells) would send.
    public func estimate(missingFrom runID: String? = nil) async throws -> RunEstimate {
        guard let runID else { return plan.estimate(pricing: pricing, references: references) }
        let done = try await store.completedCells(runID: runID)
        var perVariant = [Int](repeating: 0, count: plan.variants.count)
        for cell in allCells() where !done.contains(key(runID, cell)) { perVariant[cell.variant] += 1 }
        return plan.estimate(pricing: pricing, references: references, cellsPerVariant: perVariant)
    }

    // MARK: - Starting

    /// Records a new run (status `running`) with its variants, cases and settings.
    public func createRun(options: RunOptions, toolVersion: String) async throws -> String {
        let runID = RunRecord.makeID()
        let experiment = plan.experiment
        let settings = PromptValue.object([
            ("concurrency", .int(options.concurrency)), ("repeat", .int(plan.repeatCount)),
            ("cases", .int(plan.cases.count)), ("useCache", .bool(options.useCache)),
            ("budgetUSD", options.budgetUSD.map(PromptValue.double) ?? .null),
            ("maxRequests", options.maxRequests.map(PromptValue.int) ?? .null),
            ("seed", experiment.seed.map(PromptValue.int) ?? .null),
            ("graders", .array(experiment.graders)),
            ("pricingAsOf", .string(pricing.asOf)),
        ])
        let run = RunRecord(
            id: runID, experimentName: experiment.name, experimentPath: experiment.path,
            experimentYAML: experiment.sourceText, experimentHash: experiment.sourceHash,
            datasetHash: experiment.dataset.hash, settingsJSON: settings.jsonText(pretty: false),
            toolVersion: toolVersion, cellCount: plan.cellCount)
        let variants = plan.variants.map { variant in
            RunVariantRecord(
                runID: runID, name: variant.name, isControl: variant.isControl,
                promptReference: variant.reference.description, promptName: variant.version.name.rawValue,
                version: variant.version.number, commitSHA: variant.version.record?.commit.hex ?? "working",
                templateHash: variant.templateHash, model: variant.model,
                configJSON: PromptValue.object(variant.config.fields).jsonText(pretty: false))
        }
        let cases = plan.cases.enumerated().map { index, testCase in
            CaseRecord(
                runID: runID, caseID: testCase.id, position: index,
                variablesJSON: PromptValue.object(testCase.variables).jsonText(pretty: false),
                expected: testCase.expected.map(\.templateText),
                metadataJSON: testCase.metadata.map { $0.jsonText(pretty: false) })
        }
        try await store.createRun(run, variants: variants, cases: cases)
        return runID
    }

    // MARK: - Running

    /// Every cell, case by case so a partial run holds paired data.
    private func allCells() -> [Cell] {
        var cells = [Cell]()
        cells.reserveCapacity(plan.cellCount)
        for caseIndex in plan.cases.indices {
            for repeatIndex in 0..<plan.repeatCount {
                for variant in plan.variants.indices {
                    cells.append(Cell(variant: variant, testCase: caseIndex, repeatIndex: repeatIndex))
                }
            }
        }
        return cells
    }

    private func key(_ runID: String, _ cell: Cell) -> String {
        ResponseRecord.idempotencyKey(
            runID: runID, variant: plan.variants[cell.variant].name, caseID: plan.cases[cell.testCase].id,
            repeatIndex: cell.repeatIndex)
    }

    /// Runs (or resumes) `runID`: sends every cell that has no row yet.
    ///
    /// - Parameter progress: called after each cell, on the runner's task.
    /// - Returns: how the run ended; the run's status in the store says the same.
    public func run(
        _ runID: String, options: RunOptions, progress: (RunProgress) -> Void = { _ in }
    ) async throws -> RunResult {
        let clock = ContinuousClock()
        let start = clock.now
        let done = try await store.completedCells(runID: runID)
        let pending = allCells().filter { !done.contains(key(runID, $0)) }
        var state = ExecutionState(total: pending.count, batchSize: options.batchSize)
        var end = RunEnd.completed
        do {
            try await execute(pending, runID: runID, options: options, state: &state, start: start, progress: progress)
            if let reason = state.stopReason { end = .budgetReached(reason) }
        } catch is CancellationError {
            end = .interrupted
        } catch {
            let finished = state.takeBuffer()
            _ = try? await detached { try await self.store.insertResponses(finished) }
            _ = try? await detached { try await self.store.updateRunStatus(runID, .failed, note: "\(error)") }
            throw error
        }
        // Record what finished, even when the run was cancelled.
        let remainingBuffer = state.takeBuffer()
        let cacheEntries = state.takeCacheEntries()
        try await detached {
            try await self.store.insertResponses(remainingBuffer)
            if !cacheEntries.isEmpty { try await self.store.storeCache(cacheEntries) }
        }
        let missing = plan.cellCount - (try await detached { try await self.store.completedCells(runID: runID) }).count
        let totals = try await detached { try await self.totals(runID: runID) }
        if end == .completed, missing == 0, plan.cellCount > 0, totals.allSatisfy({ $0.ok == 0 }) {
            end = .failed(try await detached { try await self.failureSummary(runID: runID) })
        }
        let status: RunStatus =
            switch end {
            case .completed: missing == 0 ? .completed : .interrupted
            case .interrupted, .budgetReached: .interrupted
            case .failed: .failed
            }
        let note: String? =
            switch end {
            case .completed: missing == 0 ? nil : "\(missing) cells missing"
            case .interrupted: "interrupted; \(missing) cells missing"
            case .budgetReached(let reason): "\(reason); \(missing) cells missing"
            case .failed(let reason): reason
            }
        try await detached { try await self.store.updateRunStatus(runID, status, note: note) }
        return RunResult(
            runID: runID, end: end, providerCalls: state.providerCalls, totals: totals,
            elapsedSeconds: (clock.now - start).seconds, remaining: missing)
    }

    /// Runs `body` outside the current task, so cancellation (Ctrl-C) cannot stop
    /// the bookkeeping that records finished work.
    private func detached<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Task { try await body() }.value
    }

    /// The outcome of one cell's request.
    private enum Outcome: Sendable {
        case answered(Cell, CellRequest, ChatResponse, Date)
        case failed(Cell, CellRequest, ProviderError, Date)
        case cancelled
    }

    private func execute(
        _ pending: [Cell], runID: String, options: RunOptions, state: inout ExecutionState,
        start: ContinuousClock.Instant, progress: (RunProgress) -> Void
    ) async throws {
        let clock = ContinuousClock()
        func report() {
            progress(
                RunProgress(
                    total: state.total, done: state.done, errors: state.errors, cached: state.cached,
                    costUSD: state.costKnown ? state.spentUSD : nil, elapsedSeconds: (clock.now - start).seconds))
        }
        let concurrency = max(1, options.concurrency)
        try await withThrowingTaskGroup(of: Outcome.self) { group in
            var inFlight = 0
            func collect(_ outcome: Outcome) {
                inFlight -= 1
                switch outcome {
                case .answered(let cell, let request, let response, let started):
                    state.record(
                        answer: response, cell: cell, request: request, started: started, runner: self, runID: runID,
                        useCache: options.useCache)
                case .failed(let cell, let request, let error, let started):
                    state.record(error: error, cell: cell, request: request, started: started, runner: self, runID: runID)
                case .cancelled:
                    break
                }
                report()
            }
            chunks: for chunkStart in stride(from: 0, to: pending.count, by: 512) {
                try Task.checkCancellation()
                let chunk = pending[chunkStart..<min(chunkStart + 512, pending.count)]
                var requests = [(Cell, CellRequest)]()
                requests.reserveCapacity(chunk.count)
                for cell in chunk {
                    requests.append(
                        (cell, try plan.request(for: cell, reference: references[cell.variant], endpoint: endpoints[cell.variant])))
                }
                var hits = [String: CacheEntry]()
                if options.useCache {
                    hits = try await store.cachedResponses(keys: requests.map(\.1.cacheKey))
                }
                for (cell, request) in requests {
                    if let hit = hits[request.cacheKey] {
                        state.record(cacheHit: hit, cell: cell, request: request, runner: self, runID: runID)
                        report()
                        continue
                    }
                    while inFlight >= concurrency, let outcome = try await group.next() { collect(outcome) }
                    if Task.isCancelled { break chunks }
                    if let reason = state.budgetStop(for: cell, request: request, runner: self, options: options) {
                        state.stopReason = reason
                        break chunks
                    }
                    let provider = providers[cell.variant]
                    group.addTask {
                        let started = Date()
                        do throws(ProviderError) {
                            return .answered(cell, request, try await provider.send(request.request), started)
                        } catch {
                            if case .cancelled = error.kind { return .cancelled }
                            return .failed(cell, request, error, started)
                        }
                    }
                    inFlight += 1
                    state.providerCalls += 1
                    if state.shouldFlush(options, now: clock.now) { try await flush(&state, now: clock.now) }
                }
                if state.shouldFlush(options, now: clock.now) { try await flush(&state, now: clock.now) }
            }
            if Task.isCancelled { group.cancelAll() }
            while let outcome = try? await group.next() {
                collect(outcome)
                if !Task.isCancelled, state.shouldFlush(options, now: clock.now) { try await flush(&state, now: clock.now) }
            }
        }
        try Task.checkCancellation()
    }

    /// Writes the finished responses. The write runs outside the current task: once a batch is
    /// taken from the buffer, Ctrl-C must not cancel its write (the database honours
    /// cancellation), or finished, paid-for answers would be lost and sent again on resume.
    private func flush(_ state: inout ExecutionState, now: ContinuousClock.Instant) async throws {
        state.lastFlush = now
        let batch = state.takeBuffer()
        let entries = state.takeCacheEntries()
        try await detached {
            try await self.store.insertResponses(batch)
            if !entries.isEmpty { try await self.store.storeCache(entries) }
        }
    }

    // MARK: - Records

    fileprivate func record(
        _ cell: Cell, _ request: CellRequest, runID: String, outcome: ResponseRecord.Outcome, response: ChatResponse?,
        attempts: Int, requestID: String?, fromCache: Bool, started: Date, finished: Date, finishReason: String? = nil
    ) -> ResponseRecord {
        let reference = references[cell.variant]
        let response = response.map(Self.withCheckedTokenCounts)
        return ResponseRecord(
            runID: runID, variant: plan.variants[cell.variant].name, caseID: plan.cases[cell.testCase].id,
            repeatIndex: cell.repeatIndex, outcome: outcome, inputTokens: response?.inputTokens,
            outputTokens: response?.outputTokens, cachedTokens: response?.cachedTokens,
            latencyMs: response.map { $0.latencySeconds * 1000 }, attempts: attempts,
            finishReason: response?.finishReason ?? finishReason, requestID: requestID,
            costUSD: response.flatMap { pricing.cost(of: $0, reference: reference) },
            provider: reference.provider.rawValue, model: reference.description, requestHash: request.requestHash,
            fromCache: fromCache, startedAt: started, finishedAt: finished)
    }

    /// `response` with its token counts as they are recorded and priced: a negative count (which no
    /// provider means) counts as not reported, so that sums, averages and costs stay meaningful whatever
    /// a response carries.
    static func withCheckedTokenCounts(_ response: ChatResponse) -> ChatResponse {
        func checked(_ count: Int?) -> Int? { count.flatMap { $0 >= 0 ? $0 : nil } }
        var response = response
        response.inputTokens = checked(response.inputTokens)
        response.outputTokens = checked(response.outputTokens)
        response.cachedTokens = checked(response.cachedTokens)
        return response
    }

    fileprivate func price(_ cell: Cell) -> Pricing.Price? { pricing.price(for: references[cell.variant]) }

    /// `every cell failed: 12 × http 401 (first: invalid api key)`: the commonest error of a run
    /// in which nothing succeeded, with one example message.
    private func failureSummary(runID: String) async throws -> String {
        var counts: [String: Int] = [:]
        var firstMessage: [String: String] = [:]
        try await store.forEachResponse(runID: runID) { record in
            guard case .failure(let kind, let message) = record.outcome else { return }
            counts[kind, default: 0] += 1
            if firstMessage[kind] == nil { firstMessage[kind] = message }
        }
        guard let (kind, count) = counts.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }) else {
            return "every cell failed"
        }
        let example = firstMessage[kind].map { " (first: \($0.prefix(200)))" } ?? ""
        return "every cell failed: \(count) × \(kind)\(example)"
    }

    /// Totals per variant over every recorded response of the run.
    private func totals(runID: String) async throws -> [VariantTotals] {
        var totals = plan.variants.map { VariantTotals(name: $0.name, model: $0.model) }
        let index = Dictionary(uniqueKeysWithValues: plan.variants.enumerated().map { ($1.name, $0) })
        try await store.forEachResponse(runID: runID) { record in
            guard let i = index[record.variant] else { return }
            if record.status == .ok { totals[i].ok += 1 } else { totals[i].errors += 1 }
            if record.fromCache { totals[i].cached += 1 }
            // Saturating: the counts come from providers and may be anything up to Int64.max.
            totals[i].inputTokens = totals[i].inputTokens.addingSaturating(record.inputTokens ?? 0)
            totals[i].outputTokens = totals[i].outputTokens.addingSaturating(record.outputTokens ?? 0)
            if record.status == .ok {
                totals[i].costUSD = totals[i].costUSD.flatMap { total in record.costUSD.map { total + $0 } }
                if let latency = record.latencyMs, !record.fromCache { totals[i].latenciesMs.append(latency) }
            }
        }
        return totals
    }
}

/// Mutable bookkeeping of one invocation, owned by the runner's task.
private struct ExecutionState {
    let total: Int
    let batchSize: Int
    var done = 0
    var errors = 0
    var cached = 0
    var providerCalls = 0
    var spentUSD = 0.0
    var costKnown = true
    var stopReason: String?
    var lastFlush = ContinuousClock.now
    var buffer = [ResponseRecord]()
    var cacheEntries = [CacheEntry]()

    init(total: Int, batchSize: Int) {
        self.total = total
        self.batchSize = batchSize
        buffer.reserveCapacity(batchSize)
    }

    /// Whether the buffer is full, or its oldest response has waited long enough.
    func shouldFlush(_ options: RunOptions, now: ContinuousClock.Instant) -> Bool {
        !buffer.isEmpty && (buffer.count >= options.batchSize || now - lastFlush >= options.flushInterval)
    }

    mutating func takeBuffer() -> [ResponseRecord] {
        defer { buffer.removeAll(keepingCapacity: true) }
        return buffer
    }

    mutating func takeCacheEntries() -> [CacheEntry] {
        defer { cacheEntries.removeAll(keepingCapacity: true) }
        return cacheEntries
    }

    mutating func record(
        answer: ChatResponse, cell: Cell, request: CellRequest, started: Date, runner: ExperimentRunner, runID: String,
        useCache: Bool
    ) {
        let record = runner.record(
            cell, request, runID: runID, outcome: .success(output: answer.text), response: answer,
            attempts: answer.attempts, requestID: answer.requestID, fromCache: false, started: started, finished: Date())
        if let cost = record.costUSD { spentUSD += cost } else { costKnown = false }
        buffer.append(record)
        if useCache, let entry = CacheEntry(cacheKey: request.cacheKey, response: record) { cacheEntries.append(entry) }
        done += 1
    }

    mutating func record(
        error: ProviderError, cell: Cell, request: CellRequest, started: Date, runner: ExperimentRunner, runID: String
    ) {
        buffer.append(
            runner.record(
                cell, request, runID: runID, outcome: .failure(kind: error.kindName, message: error.description),
                response: nil, attempts: max(1, error.attempts), requestID: error.requestID, fromCache: false,
                started: started, finished: Date(), finishReason: error.finishReason))
        errors += 1
        done += 1
    }

    mutating func record(cacheHit: CacheEntry, cell: Cell, request: CellRequest, runner: ExperimentRunner, runID: String) {
        let now = Date()
        let response = ChatResponse(
            text: cacheHit.output, inputTokens: cacheHit.inputTokens, outputTokens: cacheHit.outputTokens,
            cachedTokens: cacheHit.cachedTokens, finishReason: cacheHit.finishReason, requestID: cacheHit.requestID,
            latencySeconds: 0, attempts: 0)
        buffer.append(
            runner.record(
                cell, request, runID: runID, outcome: .success(output: cacheHit.output), response: response,
                attempts: 0, requestID: cacheHit.requestID, fromCache: true, started: now, finished: now))
        cached += 1
        done += 1
    }

    /// Why the next request must not be sent, if the budget would be exceeded.
    mutating func budgetStop(for cell: Cell, request: CellRequest, runner: ExperimentRunner, options: RunOptions) -> String? {
        if let maxRequests = options.maxRequests, providerCalls >= maxRequests {
            return "request budget of \(maxRequests) reached"
        }
        guard let budget = options.budgetUSD else { return nil }
        guard let price = runner.price(cell) else { return "cost of \(runner.plan.variants[cell.variant].model) is unknown" }
        let characters = request.request.messages.reduce(0) { $0 + $1.content.utf8.count }
        let input = Double(RunEstimate.tokens(characters: characters))
        let output = Double(request.request.config.maxOutputTokens ?? RunEstimate.defaultOutputTokens)
        let worstCase = (input * price.inputPerMillion + output * price.outputPerMillion) / 1_000_000
        let inFlightAllowance = worstCase * Double(max(0, providerCalls - done + cached))
        if spentUSD + inFlightAllowance + worstCase > budget {
            return "budget of \(Money.usd(budget)) reached (\(Money.usd(spentUSD)) spent)"
        }
        return nil
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}

extension Int {
    /// `self + other`, held at `Int.max` or `Int.min` instead of trapping on overflow.
    func addingSaturating(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
