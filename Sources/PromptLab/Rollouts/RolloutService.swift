import Foundation
import GitKit
import PromptFormat
import PromptLabCore
import PromptLabStore
import PromptRollouts
import PromptVersioning

/// The rollout use cases: start, ramp, pause, resume, stop, promote, list and the readout. Every front
/// end (the CLI's `promptlab rollout`, the web app) calls these; none prints.
///
/// A rollout's definition is a file in the prompt repository (committed at start when it is new or
/// changed); its state is a sequence of events in the results store, each appended by compare-and-swap
/// on the previous one, so two people ramping at once cannot both win.
///
/// ```swift
/// let rollouts = RolloutService(workspace: try Workspace(at: "."))
/// let started = try await rollouts.start("rollouts/triage-v5.yaml", actor: "ana", reason: "v5 won offline")
/// ```
public struct RolloutService {
    public let workspace: Workspace
    /// The time recorded on events; tests inject a fixed clock.
    public var now: @Sendable () -> Date

    public init(workspace: Workspace, now: @escaping @Sendable () -> Date = { Date() }) {
        self.workspace = workspace
        self.now = now
    }

    private var repository: PromptRepository { workspace.repository }

    // MARK: - Starting

    /// Starts the rollout a file describes: checks it, pins each arm's version, commits the file when
    /// it is new or changed, and records the start.
    ///
    /// - Parameters:
    ///   - file: A path to the rollout file (inside the prompt root's `rollouts/` folder), or a rollout name.
    ///   - actor: Who starts it; defaults to git's user.name.
    /// - Throws: ``PromptLabError``: `invalidInput` for a bad file (with `file:line:col`), `notFound` for an
    ///   unknown version or label, `conflict` when the rollout or another on the same prompt is active.
    public func start(_ file: String, actor: String? = nil, reason: String? = nil, author: Signature? = nil) async throws
        -> RolloutChangeOutput
    {
        let (relativePath, bytes) = try readRolloutFile(file)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw PromptLabError(.invalidInput, "\(relativePath) is not UTF-8 text", hint: "save the rollout file as UTF-8")
        }
        let defaultName = String((relativePath as NSString).lastPathComponent.dropLast(".yaml".count))
        let definition = try RolloutDefinition.parse(text, displayPath: relativePath, defaultName: defaultName)
        let prompt = try PromptName(definition.prompt)
        var arms = [ResolvedArm]()
        for arm in definition.arms {
            let reference = try PromptReference(parsing: "\(prompt)@\(arm.ref)")
            if reference.selector == .working {
                throw PromptLabError(
                    .invalidInput, "\(relativePath): arm '\(arm.name)' refers to the working file",
                    hint: "commit the prompt and use its version (v5) or a label")
            }
            let version = try repository.resolve(reference)
            guard let record = version.record else {
                throw PromptLabError(.invalidInput, "\(relativePath): arm '\(arm.name)' does not name a committed version")
            }
            arms.append(ResolvedArm(name: arm.name, ref: arm.ref, version: version.number, commit: record.commit.hex))
        }
        let split = try Self.split(definition.weights, coverage: definition.coverage)

        let store = try workspace.rollouts()
        let current = try await store.currentRollouts()
        if let same = current.first(where: { $0.latest.rollout == definition.name }),
            let status = RolloutStatus(rawValue: same.latest.status),
            status.isActive
        {
            throw PromptLabError(
                .conflict, "rollout '\(definition.name)' is already \(status.rawValue)",
                hint: "stop it first ('promptlab rollout stop \(definition.name)'), or give the new rollout another name")
        }
        for other in current where other.latest.rollout != definition.name {
            guard let status = RolloutStatus(rawValue: other.latest.status), status.isActive,
                let plan = try? Self.decodePlan(other.start), plan.definition.prompt == definition.prompt
            else { continue }
            throw PromptLabError(
                .conflict, "rollout '\(other.latest.rollout)' already splits the traffic of \(definition.prompt)",
                hint: "stop it first ('promptlab rollout stop \(other.latest.rollout)'): a prompt has one active rollout at a time")
        }
        let previous = current.first { $0.latest.rollout == definition.name }?.latest

        let commit = try repository.commitFile(
            relativePath, bytes: bytes,
            message: "Start rollout \(definition.name)\n\n\(reason ?? "Rollout file for \(definition.prompt).")",
            author: author)
        let plan = RolloutPlan(definition: definition, arms: arms, fileCommit: commit.hex, filePath: relativePath)
        let event = RolloutEventRecord(
            rollout: definition.name, action: "start", status: RolloutStatus.running.rawValue, phase: (previous?.phase ?? 0) + 1,
            weightsJSON: try Self.json(split.weights), pausedArmsJSON: "[]", planJSON: try Self.json(plan),
            actor: actor ?? defaultActor(), reason: reason, createdAt: now())
        let id = try await store.appendRolloutEvent(event, expectedLatest: previous?.id)
        let state = RolloutState(plan: plan, status: .running, phase: event.phase, split: split, pausedArms: [], latestEventID: id)
        return change(
            state, action: "start", fileCommit: commit.hex, message: "started rollout \(definition.name): \(Self.describe(state))")
    }

    /// Finds and reads the rollout file: a path, or a name in the `rollouts/` folder.
    private func readRolloutFile(_ argument: String) throws(PromptLabError) -> (relativePath: String, bytes: [UInt8]) {
        let root = URL(fileURLWithPath: repository.rootPath).standardizedFileURL.path
        // A path is read from the working folder, else from the prompt root; a bare name is rollouts/NAME.yaml.
        var candidates = [String]()
        if argument.hasSuffix(".yaml") || argument.contains("/") {
            candidates.append(PromptRepository.absolutePath(argument))
            if !argument.hasPrefix("/") { candidates.append(root + "/" + argument) }
        } else {
            candidates.append(root + "/" + RolloutDefinition.folder + argument + ".yaml")
        }
        let chosen = candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[0]
        let path = URL(fileURLWithPath: chosen).standardizedFileURL.resolvingSymlinksInPath().path
        let folder = URL(fileURLWithPath: root + "/" + RolloutDefinition.folder).resolvingSymlinksInPath().path + "/"
        guard path.hasPrefix(folder), path.hasSuffix(".yaml"), !path.dropFirst(folder.count).contains("/") else {
            throw PromptLabError(
                .usage,
                "'\(argument)' is not a rollout file: rollouts are YAML files in the \(RolloutDefinition.folder) folder of the prompt root",
                hint: "write it as \(RolloutDefinition.folder)NAME.yaml beside promptlab.yaml, then: promptlab rollout start NAME")
        }
        let relative = RolloutDefinition.folder + path.dropFirst(folder.count)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw PromptLabError(.notFound, "no rollout file \(relative)", hint: "see docs/production-ab.md for the format")
        }
        if let size = attributes[.size] as? NSNumber, size.intValue > RolloutDefinition.maximumFileSize {
            throw PromptLabError(.invalidInput, "\(relative) is larger than \(RolloutDefinition.maximumFileSize / 1024) KiB")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PromptLabError(.failure, "cannot read \(relative)")
        }
        return (relative, [UInt8](data))
    }

    // MARK: - Changing state

    /// Sets new weights (`50/50`): starts a new analysis phase, since the split changed.
    public func ramp(_ name: String, weights: [Double], actor: String? = nil, reason: String? = nil) async throws -> RolloutChangeOutput {
        var state = try await self.state(name)
        try Self.requireActive(state, action: "ramp")
        guard weights.count == state.plan.arms.count else {
            throw PromptLabError(
                .usage, "rollout \(name) has \(state.plan.arms.count) arms, but \(weights.count) weights were given",
                hint: "give one weight per arm, control first: \(state.plan.arms.map(\.name).joined(separator: "/"))")
        }
        let split = try Self.split(weights, coverage: state.plan.definition.coverage)
        guard split.weights != state.split.weights else {
            throw PromptLabError(
                .usage, "rollout \(name) already runs at \(Self.describe(state))",
                hint: "a ramp starts a new analysis phase; give other weights")
        }
        let moved = state.split.movedShare(to: split)
        state.split = split
        state.phase += 1
        return try await record(
            state, action: "ramp", actor: actor, reason: reason,
            message: "ramped \(name) to \(Self.describe(state)); \(Self.percent(moved)) of units change arm; phase \(state.phase) begins")
    }

    /// Sends every unit to the control, recording nothing, until `resume`.
    public func pause(_ name: String, actor: String? = nil, reason: String? = nil) async throws -> RolloutChangeOutput {
        var state = try await self.state(name)
        guard state.status == .running else {
            throw PromptLabError(
                .conflict, "rollout \(name) is \(state.status.rawValue), not running", hint: "see 'promptlab rollout status \(name)'")
        }
        state.status = .paused
        return try await record(
            state, action: "pause", actor: actor, reason: reason, message: "paused \(name): everyone gets \(state.plan.arms[0].name)")
    }

    /// Splits traffic again (un-pausing arms paused by a guardrail too), in a new analysis phase.
    public func resume(_ name: String, actor: String? = nil, reason: String? = nil) async throws -> RolloutChangeOutput {
        var state = try await self.state(name)
        guard state.status == .paused || (state.status == .running && !state.pausedArms.isEmpty) else {
            throw PromptLabError(.conflict, "rollout \(name) is \(state.status.rawValue); nothing to resume")
        }
        state.status = .running
        state.pausedArms = []
        state.phase += 1
        return try await record(
            state, action: "resume", actor: actor, reason: reason,
            message: "resumed \(name): \(Self.describe(state)); phase \(state.phase) begins")
    }

    /// Ends the rollout without promoting: everyone gets the prompt's default label again.
    public func stop(_ name: String, actor: String? = nil, reason: String? = nil) async throws -> RolloutChangeOutput {
        var state = try await self.state(name)
        try Self.requireActive(state, action: "stop")
        state.status = .stopped
        return try await record(state, action: "stop", actor: actor, reason: reason, message: "stopped \(name)")
    }

    /// Moves the control's label to an arm's version (the readout's winner unless `arm` is given), by
    /// compare-and-swap on where the label pointed when the rollout was read, with the readout in the
    /// reflog message; then ends the rollout.
    ///
    /// - Throws: ``PromptLabError`` `usage` when there is no winner and no `arm`, `invalidInput` when
    ///   the control is not a label, `conflict` when the label moved meanwhile.
    public func promote(_ name: String, arm: String? = nil, actor: String? = nil, reason: String? = nil) async throws
        -> RolloutChangeOutput
    {
        var state = try await self.state(name)
        try Self.requireActive(state, action: "promote")
        let readout = try await status(name)
        let chosen: String
        if let arm {
            chosen = arm
        } else if readout.verdict.kind == "winner", let winner = readout.verdict.arm {
            chosen = winner
        } else {
            throw PromptLabError(
                .usage, "rollout \(name) has no winner yet: \(readout.verdict.text)",
                hint: "wait for more traffic, or name the arm to promote anyway: promptlab rollout promote \(name) --arm ARM")
        }
        guard let target = state.plan.arms.first(where: { $0.name == chosen }) else {
            throw PromptLabError(
                .usage, "rollout \(name) has no arm '\(chosen)'", hint: "arms: \(state.plan.arms.map(\.name).joined(separator: ", "))")
        }
        let control = state.plan.arms[0]
        let label = control.ref
        guard (try? PromptRepository.validateLabel(label)) != nil, !Self.looksLikeVersion(label) else {
            throw PromptLabError(
                .invalidInput, "the control of \(name) is '\(label)', not a label, so there is no label to move",
                hint:
                    "move a label yourself: promptlab label \(state.plan.definition.prompt)@\(target.version.map { "v\($0)" } ?? target.commit) LABEL"
            )
        }
        let prompt = state.plan.definition.prompt
        let current = try repository.labels(of: try PromptName(prompt)).first { $0.label == label }?.commit.hex
        let verdict = readout.verdict.text.components(separatedBy: "; promote with").first ?? readout.verdict.text
        let summary = "rollout \(name): \(verdict)"
        let moved = try PromptService(workspace: workspace).setLabel(
            label, to: "\(prompt)@\(target.commit)", expectedCommit: .some(current), reason: summary)
        state.status = .promoted
        var output = try await record(
            state, action: "promote", actor: actor, reason: reason ?? summary,
            message:
                "promoted \(target.name) of \(name): \(prompt)@\(label) now points at \(target.version.map { "v\($0)" } ?? String(target.commit.prefix(7)))"
        )
        output.label = moved
        return output
    }

    /// Pauses an arm whose guardrail is breached (the server's monitor and `status` call this).
    ///
    /// - Returns: The arms paused now (empty when nothing changed).
    @discardableResult
    public func pauseBreachedArms(_ name: String, readout: RolloutStatusOutput) async throws -> [String] {
        var state = try await self.state(name)
        guard state.status == .running else { return [] }
        let breached = Set(readout.guardrails.filter { $0.state == "breached" }.map(\.arm)).subtracting(state.pausedArms)
        guard !breached.isEmpty else { return [] }
        state.pausedArms.formUnion(breached)
        let descriptions = readout.guardrails.filter { $0.state == "breached" && breached.contains($0.arm) }.map(\.description)
        _ = try await record(
            state, action: "auto_pause", actor: "auto", reason: "guardrail breached: " + descriptions.joined(separator: "; "),
            message: "paused \(breached.sorted().joined(separator: ", ")) of \(name)")
        return breached.sorted()
    }

    // MARK: - Reading

    /// Every rollout ever started, with its current state.
    public func list() async throws -> RolloutListOutput {
        let store = try workspace.rollouts()
        var rows = [RolloutListOutput.Rollout]()
        for pair in try await store.currentRollouts() {
            let state = try Self.state(start: pair.start, latest: pair.latest)
            rows.append(
                RolloutListOutput.Rollout(
                    name: state.name, prompt: state.plan.definition.prompt, status: state.status.rawValue, phase: state.phase,
                    arms: Self.armOutputs(state), startedAt: pair.start.createdAt, updatedAt: pair.latest.createdAt))
        }
        return RolloutListOutput(rollouts: rows)
    }

    /// A rollout's current state, from its start and latest events.
    ///
    /// - Throws: ``PromptLabError`` `notFound` for an unknown rollout.
    public func state(_ name: String) async throws -> RolloutState {
        let store = try workspace.rollouts()
        guard let pair = try await store.currentRollouts().first(where: { $0.latest.rollout == name }) else {
            let known = (try? await store.currentRollouts().map(\.latest.rollout)) ?? []
            throw PromptLabError(
                .notFound, "no rollout named '\(name)'",
                hint: known.isEmpty
                    ? "start one with: promptlab rollout start rollouts/NAME.yaml"
                    : "rollouts: \(known.joined(separator: ", "))")
        }
        return try Self.state(start: pair.start, latest: pair.latest)
    }

    /// The state a pair of events leaves.
    static func state(start: RolloutEventRecord, latest: RolloutEventRecord) throws -> RolloutState {
        let plan = try decodePlan(start)
        let weights = try JSONDecoder().decode([Double].self, from: Data(latest.weightsJSON.utf8))
        let paused = try JSONDecoder().decode([String].self, from: Data(latest.pausedArmsJSON.utf8))
        guard let status = RolloutStatus(rawValue: latest.status), let id = latest.id else {
            throw PromptLabError(.failure, "rollout '\(latest.rollout)' has an unreadable state in the results database")
        }
        return RolloutState(
            plan: plan, status: status, phase: latest.phase, split: try split(weights, coverage: plan.definition.coverage),
            pausedArms: Set(paused), latestEventID: id)
    }

    static func decodePlan(_ start: RolloutEventRecord) throws -> RolloutPlan {
        guard let json = start.planJSON else {
            throw PromptLabError(.failure, "rollout '\(start.rollout)' has no recorded plan in the results database")
        }
        return try JSONDecoder().decode(RolloutPlan.self, from: Data(json.utf8))
    }

    // MARK: - Helpers

    /// Appends the event `state` describes, by compare-and-swap on the state's latest event.
    private func record(_ state: RolloutState, action: String, actor: String?, reason: String?, message: String) async throws
        -> RolloutChangeOutput
    {
        let event = RolloutEventRecord(
            rollout: state.name, action: action, status: state.status.rawValue, phase: state.phase,
            weightsJSON: try Self.json(state.split.weights), pausedArmsJSON: try Self.json(state.pausedArms.sorted()),
            actor: actor ?? defaultActor(), reason: reason, createdAt: now())
        do {
            var recorded = state
            recorded.latestEventID = try await workspace.rollouts().appendRolloutEvent(event, expectedLatest: state.latestEventID)
            return change(recorded, action: action, fileCommit: nil, message: message)
        } catch let error as StoreError where error.kind == .invalidStatusTransition {
            throw PromptLabError(.conflict, error.message, hint: error.hint)
        }
    }

    private func change(_ state: RolloutState, action: String, fileCommit: String?, message: String) -> RolloutChangeOutput {
        RolloutChangeOutput(
            rollout: state.name, action: action, status: state.status.rawValue, phase: state.phase, arms: Self.armOutputs(state),
            fileCommit: fileCommit, label: nil, message: message)
    }

    static func armOutputs(_ state: RolloutState) -> [RolloutArmOutput] {
        state.plan.arms.enumerated().map { index, arm in
            RolloutArmOutput(
                name: arm.name, ref: arm.ref, version: arm.version, commit: arm.commit,
                weight: index < state.split.weights.count ? state.split.weights[index] : 0, paused: state.pausedArms.contains(arm.name))
        }
    }

    private func defaultActor() -> String {
        repository.configuredUserName() ?? workspace.environment["USER"] ?? "unknown"
    }

    static func requireActive(_ state: RolloutState, action: String) throws(PromptLabError) {
        guard state.status.isActive else {
            throw PromptLabError(
                .conflict, "rollout \(state.name) is \(state.status.rawValue); only a running or paused rollout can \(action)",
                hint: "start it again with: promptlab rollout start \(state.plan.filePath)")
        }
    }

    static func split(_ weights: [Double], coverage: Double) throws(PromptLabError) -> TrafficSplit {
        do {
            return try TrafficSplit(weights: weights, coverage: coverage)
        } catch {
            throw PromptLabError(.usage, "invalid weights: \(error)", hint: "give one non-negative weight per arm, such as 90/10")
        }
    }

    /// Parses `90/10` or `50,25,25` into weights.
    public static func parseWeights(_ text: String) throws(PromptLabError) -> [Double] {
        let parts = text.split(whereSeparator: { $0 == "/" || $0 == "," }).map { $0.trimmingCharacters(in: .whitespaces) }
        var weights = [Double]()
        for part in parts {
            let number = part.hasSuffix("%") ? String(part.dropLast()) : part
            guard let value = Double(number), value.isFinite, value >= 0, value <= 1e9 else {
                throw PromptLabError(.usage, "'\(part)' is not a weight", hint: "write weights like 90/10 or 50/25/25")
            }
            weights.append(value)
        }
        guard weights.count >= 2 else { throw PromptLabError(.usage, "give a weight per arm, like 90/10") }
        return weights
    }

    static func looksLikeVersion(_ ref: String) -> Bool {
        ref.first == "v" && ref.dropFirst().allSatisfy(\.isNumber) && ref.count > 1
    }

    static func describe(_ state: RolloutState) -> String {
        zip(state.plan.arms, state.split.weights).map { "\($0.name) \(percent($1))" }.joined(separator: " / ")
    }

    static func percent(_ share: Double) -> String {
        let value = (share * 1000).rounded() / 10
        return value == value.rounded() ? "\(Int(value))%" : "\(value)%"
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
