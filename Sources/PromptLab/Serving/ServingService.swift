import Foundation
import PromptExperiments
import PromptFormat
import PromptLabCore
import PromptLabStore
import PromptRollouts
import PromptVersioning
import Synchronization

/// Serves prompts to applications at run time: a version by label, the rollout arm of a unit with the
/// prompt rendered, and feedback about what came of it. `promptlab serve` exposes it under `/v1`;
/// the OpenAI-compatible gateway (``GatewayService``) builds on it.
///
/// Built for many requests a second: rollouts come from a ``RolloutDirectory`` snapshot, versions
/// are parsed once per commit, and assignments are written by the ``TrafficRecorder``'s group commit
/// without waiting.
public final class ServingService: Sendable {
    public let directory: RolloutDirectory
    public let recorder: TrafficRecorder
    let pool: WorkspacePool
    public let configuration: ServingConfiguration
    private let versions = Mutex<[String: PreparedVersion]>([:])
    private let references = Mutex<[String: (version: ServedVersion, at: ContinuousClock.Instant)]>([:])
    private let exposed = Mutex<Set<String>>([])

    /// The largest feedback batch one request may carry.
    public static let maximumFeedbackBatch = 1_000

    public init(pool: WorkspacePool, store: any RolloutStore, configuration: ServingConfiguration = ServingConfiguration()) {
        self.pool = pool
        self.configuration = configuration
        let directory = RolloutDirectory(store: store, refreshInterval: configuration.rolloutRefreshInterval)
        self.directory = directory
        recorder = TrafficRecorder(store: store) { rollout, metric, value, isBoolean in
            directory.validate(rollout: rollout, metric: metric, value: value, isBoolean: isBoolean)
        }
    }

    // MARK: - Prompts

    /// A prompt version for applications that render it themselves: `version` (`5`, `v5`, a commit)
    /// or `label`, else the default label.
    ///
    /// - Throws: ``PromptLabError`` `notFound` for an unknown prompt, label or version.
    public func prompt(_ name: String, label: String?, version: String?) async throws -> ServedPromptOutput {
        let served = try await resolveReference(
            name, ref: Self.reference(label: label, version: version, defaultLabel: configuration.defaultLabel))
        let prepared = try await prepare(name, served)
        let labels = try await pool.withWorkspace { workspace in
            try workspace.repository.labels(of: try PromptName(name)).filter { $0.commit.hex == served.sha }.map(\.label).sorted()
        }
        let frontMatter = prepared.compiled.file.frontMatter
        return ServedPromptOutput(
            name: name, version: served, labels: labels, model: frontMatter.model, config: .object(frontMatter.config.fields),
            template: prepared.compiled.file.body, input: prepared.input,
            output: .init(format: frontMatter.outputFormat.rawValue, schema: frontMatter.outputSchema))
    }

    static func reference(label: String?, version: String?, defaultLabel: String) -> String {
        if let version {
            return version.allSatisfy(\.isNumber) ? "v\(version)" : version
        }
        return label ?? defaultLabel
    }

    // MARK: - Resolve

    /// What a unit is served: the active rollout's arm for it (recorded as an assignment when the unit
    /// is in the experiment), else the default label's version; with the messages rendered.
    ///
    /// - Throws: ``PromptLabError`` `usage` without a unit while a rollout is active, `invalidInput` or
    ///   `renderFailed` for variables the prompt refuses, `notFound` for an unknown prompt or label.
    public func resolve(_ name: String, request: ResolveRequest) async throws -> ResolveOutput {
        let choice = try await choose(name, unit: request.unit, attributes: request.attributes, label: request.label)
        let prepared = try await prepare(name, choice.version)
        let rendered = try Self.render(prepared, request.variables, field: "\"variables\"")
        let assignment = await record(choice, kind: .resolve)
        return ResolveOutput(
            assignmentId: assignment, rollout: choice.rollout?.name, arm: choice.arm,
            bucket: choice.bucket.map { ($0 * 10_000).rounded() / 10_000 }, version: choice.version,
            model: rendered.model, config: .object(rendered.config.fields),
            messages: rendered.messages.map(RenderOutput.Message.init))
    }

    /// Which version serves a unit, and whether the serving is an experiment's assignment.
    struct Choice: Sendable {
        var version: ServedVersion
        var rollout: RolloutState?
        var arm: String?
        var bucket: Double?
        var unit: String?
        /// Whether the assignment (and the unit's first exposure) is recorded.
        var isRecorded: Bool
    }

    func choose(_ name: String, unit: String?, attributes: [String: PromptValue]?, label: String?) async throws -> Choice {
        let prompt = try PromptName(name).rawValue
        if label == nil, let rollout = try await directory.active(prompt: prompt) {
            let unitField = rollout.plan.definition.unit
            guard let unit = unit ?? attributes?[unitField].flatMap(Self.text) else {
                throw PromptLabError(
                    .usage, "rollout \(rollout.name) splits \(prompt) by '\(unitField)', but the request names no unit",
                    hint: "send \"unit\" (or attributes.\(unitField)); the gateway reads the request's \"user\" or X-PromptLab-Unit")
            }
            try Self.checkUnit(unit)
            let decision = rollout.decide(unit: unit)
            let arm = rollout.plan.arms[decision.armIndex]
            return Choice(
                version: ServedVersion(number: arm.version, sha: arm.commit), rollout: rollout, arm: arm.name, bucket: decision.bucket,
                unit: unit, isRecorded: decision.isRecorded)
        }
        let version = try await resolveReference(prompt, ref: label ?? configuration.defaultLabel)
        return Choice(version: version, rollout: nil, arm: nil, bucket: nil, unit: unit, isRecorded: false)
    }

    /// Records an assignment (and the unit's first exposure in the phase); returns its id, or nil when
    /// the unit is not in an experiment.
    func record(_ choice: Choice, kind: AssignmentRecord.Kind, measurements: GatewayMeasurements? = nil, id chosen: String? = nil) async
        -> String?
    {
        guard choice.isRecorded, let rollout = choice.rollout, let unit = choice.unit, let arm = choice.arm else { return nil }
        let id = chosen ?? Self.assignmentID()
        let now = configuration.now()
        let key = "\(rollout.name)|\(rollout.phase)|\(unit)"
        // Only saves writes: the store keeps the first exposure anyway. Bounded to about 20 MB.
        let isNew = exposed.withLock { seen -> Bool in
            if seen.count >= 200_000 { seen.removeAll(keepingCapacity: true) }
            return seen.insert(key).inserted
        }
        var assignment = AssignmentRecord(
            id: id, rollout: rollout.name, phase: rollout.phase, unit: unit, arm: arm, version: choice.version.number,
            commit: choice.version.sha, kind: kind, at: now)
        if let measurements {
            assignment.succeeded = measurements.succeeded
            assignment.latencyMs = measurements.latencyMs
            assignment.inputTokens = measurements.inputTokens
            assignment.outputTokens = measurements.outputTokens
            assignment.costUSD = measurements.costUSD
            assignment.errorKind = measurements.errorKind
        }
        let exposure =
            isNew
            ? ExposureRecord(rollout: rollout.name, phase: rollout.phase, unit: unit, arm: arm, bucket: choice.bucket ?? 0, at: now) : nil
        await recorder.record(assignment: assignment, exposure: exposure)
        return id
    }

    /// `asg_` and 128 random bits in hex: unguessable, so feedback cannot be forged for others' assignments.
    public static func assignmentID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return "asg_" + hex(high) + hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    static func text(_ value: PromptValue) -> String? {
        switch value {
        case .string(let text): text
        case .int(let number): String(number)
        default: nil
        }
    }

    static func checkUnit(_ unit: String) throws(PromptLabError) {
        guard !unit.isEmpty, unit.utf8.count <= 256 else {
            throw PromptLabError(.usage, "the unit must be 1 to 256 bytes of text", hint: "send a user or session id")
        }
    }

    // MARK: - Feedback

    /// Records feedback events, each idempotent on its `event_id`, and returns once they are committed.
    ///
    /// - Throws: ``PromptLabError`` `usage` for an empty or oversized batch.
    public func feedback(_ events: [FeedbackEvent]) async throws -> FeedbackOutput {
        guard !events.isEmpty else { throw PromptLabError(.usage, "the feedback holds no events") }
        guard events.count <= Self.maximumFeedbackBatch else {
            throw PromptLabError(
                .usage, "a feedback batch holds at most \(Self.maximumFeedbackBatch) events, got \(events.count)",
                hint: "send several batches")
        }
        var results = [FeedbackOutput.Result?](repeating: nil, count: events.count)
        var values = [MetricValueRecord]()
        var positions = [Int]()
        let now = configuration.now()
        for (index, event) in events.enumerated() {
            if let problem = event.problem {
                results[index] = .init(eventId: event.eventId, status: "invalid", error: problem)
                continue
            }
            var value = MetricValueRecord(
                eventID: event.eventId, assignmentID: event.assignmentId, metric: event.metric, value: event.numericValue ?? 0,
                source: .feedback, at: now)
            if case .bool = event.value { value.isBoolean = true }
            values.append(value)
            positions.append(index)
        }
        var outcomes = try await recorder.submit(values)
        // A rollout started by another process since the last refresh: look again once.
        let unknownRollout = outcomes.indices.filter {
            if case .refused(let reason) = outcomes[$0] { return reason.hasSuffix(RolloutDirectory.unknownRollout) }
            return false
        }
        if !unknownRollout.isEmpty {
            try await directory.refresh()
            let retried = try await recorder.submit(unknownRollout.map { values[$0] })
            for (offset, index) in unknownRollout.enumerated() where offset < retried.count { outcomes[index] = retried[offset] }
        }
        for (offset, index) in positions.enumerated() where offset < outcomes.count {
            let eventID = events[index].eventId
            results[index] =
                switch outcomes[offset] {
                case .recorded: .init(eventId: eventID, status: "recorded", error: nil)
                case .duplicate: .init(eventId: eventID, status: "duplicate", error: nil)
                case .conflictingDuplicate:
                    .init(
                        eventId: eventID, status: "conflicting_duplicate",
                        error: "event_id '\(eventID)' was already used for another assignment, metric or value")
                case .unknownAssignment:
                    .init(eventId: eventID, status: "unknown_assignment", error: "no assignment '\(events[index].assignmentId)'")
                case .refused(let reason): .init(eventId: eventID, status: "invalid", error: reason)
                }
        }
        return FeedbackOutput(results: results.map { $0 ?? .init(eventId: "", status: "invalid", error: "not processed") })
    }

    /// Renders for an API caller: the CLI's hints (`--var`) become the request field to fill.
    static func render(_ prepared: PreparedVersion, _ variables: [String: PromptValue]?, field: String) throws(PromptLabError)
        -> RenderedPrompt
    {
        do {
            return try prepared.compiled.render(variables ?? [:])
        } catch {
            var refusal = error
            if let hint = refusal.hint, hint.contains("--var") {
                refusal.hint = "send it in \(field), or give it a default under input.default in the prompt"
            }
            throw refusal
        }
    }

    // MARK: - Versions

    /// A prompt parsed and compiled once per commit.
    struct PreparedVersion: Sendable {
        var compiled: CompiledPrompt
        var input: PromptValue?
    }

    func prepare(_ name: String, _ version: ServedVersion) async throws -> PreparedVersion {
        let key = name + "|" + version.sha
        if let cached = versions.withLock({ $0[key] }) { return cached }
        let prepared = try await pool.withWorkspace { workspace -> PreparedVersion in
            let repository = workspace.repository
            let resolved = try repository.resolve(PromptReference(name: try PromptName(name), selector: .revision(version.sha)))
            let file = try resolved.parse()
            let compiled = try PromptRenderer(partials: repository.partialLookup(for: resolved)).compile(file)
            var input: PromptValue?
            if let schema = file.frontMatter.inputSchema { input = .object([("schema", schema)]) }
            return PreparedVersion(compiled: compiled, input: input)
        }
        versions.withLock { cache in
            if cache.count >= 1_000 { cache.removeAll(keepingCapacity: true) }
            cache[key] = prepared
        }
        return prepared
    }

    /// Resolves `NAME@REF` to a version, remembering the answer for ``ServingConfiguration/referenceLifetime``
    /// so that label moves (a promotion, a rollback) reach every server within that time.
    func resolveReference(_ name: String, ref: String) async throws -> ServedVersion {
        let key = name + "@" + ref
        let now = ContinuousClock.now
        if let cached = references.withLock({ $0[key] }), cached.at.duration(to: now) < configuration.referenceLifetime {
            return cached.version
        }
        let version = try await pool.withWorkspace { workspace -> ServedVersion in
            let reference = try PromptReference(parsing: key)
            if reference.selector == .working || reference.selector == .latest && ref.isEmpty {
                throw PromptLabError(.usage, "the serving API serves committed versions; name a label or a version")
            }
            let resolved = try workspace.repository.resolve(reference)
            guard let record = resolved.record else {
                throw PromptLabError(.usage, "the serving API serves committed versions; name a label or a version")
            }
            return ServedVersion(number: resolved.number, sha: record.commit.hex)
        }
        references.withLock { cache in
            if cache.count >= 10_000 { cache.removeAll(keepingCapacity: true) }
            cache[key] = (version, now)
        }
        return version
    }
}

/// How the serving API behaves.
public struct ServingConfiguration: Sendable {
    /// The label served when no rollout is active and the request names none.
    public var defaultLabel: String
    /// How long a resolved label is trusted before the repository is read again.
    public var referenceLifetime: Duration
    /// How long the rollout snapshot is trusted before the store is looked at again.
    public var rolloutRefreshInterval: Duration
    /// The time recorded on assignments and feedback; tests inject a fixed clock.
    public var now: @Sendable () -> Date

    public init(
        defaultLabel: String = "production", referenceLifetime: Duration = .seconds(1),
        rolloutRefreshInterval: Duration = .milliseconds(500), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.defaultLabel = defaultLabel
        self.referenceLifetime = referenceLifetime
        self.rolloutRefreshInterval = rolloutRefreshInterval
        self.now = now
    }
}

/// `POST /v1/prompts/{name}/resolve`.
public struct ResolveRequest: Sendable, Decodable {
    /// The unit (user, session); else `attributes[unit field]`.
    public var unit: String?
    public var variables: [String: PromptValue]?
    public var attributes: [String: PromptValue]?
    /// Serve this label, outside any rollout.
    public var label: String?

    public init(
        unit: String? = nil, variables: [String: PromptValue]? = nil, attributes: [String: PromptValue]? = nil, label: String? = nil
    ) {
        self.unit = unit
        self.variables = variables
        self.attributes = attributes
        self.label = label
    }
}

/// One feedback event of `POST /v1/feedback`.
public struct FeedbackEvent: Sendable, Decodable {
    public var assignmentId: String
    public var metric: String
    /// A number, or `true`/`false` for binary metrics.
    public var value: PromptValue
    /// The client's id for the event: sending it again records nothing new.
    public var eventId: String

    public init(assignmentId: String, metric: String, value: PromptValue, eventId: String) {
        self.assignmentId = assignmentId
        self.metric = metric
        self.value = value
        self.eventId = eventId
    }

    var numericValue: Double? {
        switch value {
        case .bool(let flag): flag ? 1 : 0
        case .int(let number): Double(number)
        case .double(let number): number.isFinite ? number : nil
        default: nil
        }
    }

    /// Why the event cannot be recorded whatever the rollout says, if so.
    var problem: String? {
        if eventId.isEmpty || eventId.utf8.count > 200 { return "event_id must be 1 to 200 bytes" }
        if assignmentId.isEmpty || assignmentId.utf8.count > 100 { return "assignment_id must be 1 to 100 bytes" }
        if metric.isEmpty || metric.utf8.count > 64 { return "metric must be 1 to 64 bytes" }
        if numericValue == nil { return "value must be a finite number, true or false" }
        return nil
    }
}
