import Foundation
import PromptLabCore
import PromptLabStats
import PromptLabStore
import PromptRollouts

extension RolloutService {
    /// The readout of a rollout's current phase: units and requests per arm, every metric with its
    /// always-valid interval and each treatment's difference from the control, the sample-ratio check,
    /// the guardrails, and a verdict in one sentence.
    ///
    /// Always-valid (mSPRT) intervals and p-values stay valid however often the readout is looked at,
    /// so a verdict can be acted on as soon as it appears. A sample ratio mismatch (p < 0.001) means the
    /// split or the logging is broken: the verdict then claims nothing.
    ///
    /// - Parameter enforceGuardrails: pause a treatment whose guardrail is breached (and say so), as the
    ///   server's monitor does.
    public func status(_ name: String, enforceGuardrails: Bool = false) async throws -> RolloutStatusOutput {
        var state = try await self.state(name)
        let store = try workspace.rollouts()
        var readout = try await Self.readout(state: state, store: store)
        if enforceGuardrails, state.status == .running {
            let paused = try await pauseBreachedArms(name, readout: readout)
            if !paused.isEmpty {
                state = try await self.state(name)
                readout = try await Self.readout(state: state, store: store)
            }
        }
        return readout
    }

    /// Builds the readout from the store's per-unit sums.
    static func readout(state: RolloutState, store: any RolloutStore) async throws -> RolloutStatusOutput {
        let definition = state.plan.definition
        let name = state.name
        let phase = state.phase
        let arms = state.plan.arms
        let events = try await store.rolloutEvents(rollout: name)
        // After a guardrail paused an arm, its new units go to the control unrecorded: count only the
        // units exposed before, so the sample-ratio check compares like with like.
        let pausedAt = events.first { $0.phase == phase && $0.action == "auto_pause" }?.createdAt
        let exposed = try await store.exposedUnits(rollout: name, phase: phase, before: pausedAt)
        let requests = try await store.assignmentCounts(rollout: name, phase: phase)
        let units = arms.map { exposed[$0.name] ?? 0 }

        let armOutputs = armOutputs(state)
        let armRows = arms.indices.map { index in
            RolloutStatusOutput.Arm(
                arm: armOutputs[index], units: units[index], requests: requests[arms[index].name]?.assignments ?? 0,
                requestingUnits: requests[arms[index].name]?.units ?? 0)
        }

        let srm = try? SampleRatioMismatch.test(units: units, weights: state.split.weights)
        let sampleRatio = RolloutStatusOutput.SampleRatio(
            units: units, expectedShares: state.split.weights, chiSquare: srm.map(\.chiSquare).flatMap(finite),
            pValue: srm.map(\.pValue).flatMap(finite), mismatch: srm?.flagged ?? false, countedBeforePause: pausedAt != nil)

        let tuning = Double(definition.expectedUnits)
        var metrics = [RolloutStatusOutput.Metric]()
        var differences = [String: [String: OnlineDifference]]()
        var sumsByMetric = [String: [String: UnitMetricSums]]()
        for metric in definition.allMetrics {
            let stored = try await store.unitSums(rollout: name, phase: phase, metric: metric.name)
            let sums = stored.mapValues(Self.sums)
            sumsByMetric[metric.name] = sums
            let hasData = sums.values.contains { $0.units > 0 }
            guard hasData || metric.name == definition.primaryMetric || metric.source != .request else { continue }
            var values = [RolloutStatusOutput.ArmValue]()
            for arm in arms {
                let armSums = sums[arm.name] ?? .empty
                let estimate =
                    armSums.units > 0
                    ? try? OnlineMetric.estimate(armSums, alpha: definition.alpha, tuning: tuning, bound: metric.bound) : nil
                // A rate's interval is reported within the rates that can be (the formula's may pass 0 or 1).
                let range = metric.kind == .binary ? (0.0, 1.0) : (-Double.infinity, Double.infinity)
                values.append(
                    RolloutStatusOutput.ArmValue(
                        arm: arm.name, units: armSums.units, observations: armSums.sumCount, mean: estimate.map(\.mean).flatMap(finite),
                        lower: estimate.map { max($0.interval.lower, range.0) }.flatMap(finite),
                        upper: estimate.map { min($0.interval.upper, range.1) }.flatMap(finite)))
            }
            var comparisons = [RolloutStatusOutput.Comparison]()
            let control = sums[arms[0].name] ?? .empty
            for arm in arms.dropFirst() {
                let treatment = sums[arm.name] ?? .empty
                guard control.units > 0, treatment.units > 0,
                    let difference = try? OnlineMetric.difference(
                        control: control, treatment: treatment, alpha: definition.alpha, tuning: tuning, bound: metric.bound)
                else {
                    comparisons.append(
                        RolloutStatusOutput.Comparison(
                            arm: arm.name, difference: nil, lower: nil, upper: nil, relative: nil, pValue: 1, significant: false,
                            unitsNeeded: nil))
                    continue
                }
                differences[metric.name, default: [:]][arm.name] = difference
                let significant = difference.pValue < definition.alpha && !difference.belowMinimum
                comparisons.append(
                    RolloutStatusOutput.Comparison(
                        arm: arm.name, difference: finite(difference.difference), lower: finite(difference.interval.lower),
                        upper: finite(difference.interval.upper), relative: difference.relative.map(\.estimate).flatMap(finite),
                        pValue: difference.pValue, significant: significant,
                        unitsNeeded: significant ? nil : OnlineMetric.unitsNeeded(for: difference)))
            }
            metrics.append(
                RolloutStatusOutput.Metric(
                    name: metric.name, kind: metric.kind.rawValue, source: metric.source.rawValue, higherIsBetter: metric.higherIsBetter,
                    isPrimary: metric.name == definition.primaryMetric, arms: values, comparisons: comparisons))
        }

        var guardrails = [RolloutStatusOutput.Guardrail]()
        for guardrail in definition.guardrails {
            guard let metric = definition.metric(named: guardrail.metric) else { continue }
            for arm in arms.dropFirst() {
                guardrails.append(
                    try await evaluate(
                        guardrail, metric: metric, arm: arm.name, control: arms[0].name, state: state, store: store,
                        difference: differences[metric.name]?[arm.name]))
            }
        }

        let verdict = verdict(
            state: state, units: units, sampleRatio: sampleRatio, guardrails: guardrails,
            primary: metrics.first { $0.isPrimary }, primaryMetric: definition.metric(named: definition.primaryMetric))
        let eventOutputs = events.compactMap { event -> RolloutEventOutput? in
            guard let id = event.id else { return nil }
            return RolloutEventOutput(
                id: id, action: event.action, status: event.status, phase: event.phase,
                weights: (try? JSONDecoder().decode([Double].self, from: Data(event.weightsJSON.utf8))) ?? [],
                pausedArms: (try? JSONDecoder().decode([String].self, from: Data(event.pausedArmsJSON.utf8))) ?? [],
                actor: event.actor, reason: event.reason, at: event.createdAt)
        }
        return RolloutStatusOutput(
            rollout: name, prompt: definition.prompt, status: state.status.rawValue, phase: phase, unit: definition.unit,
            seed: definition.seed, coverage: definition.coverage, alpha: definition.alpha, primaryMetric: definition.primaryMetric,
            arms: armRows, metrics: metrics, sampleRatio: sampleRatio, guardrails: guardrails, verdict: verdict, events: eventOutputs)
    }

    /// One guardrail for one treatment.
    private static func evaluate(
        _ guardrail: RolloutGuardrail, metric: RolloutMetric, arm: String, control: String, state: RolloutState,
        store: any RolloutStore, difference: OnlineDifference?
    ) async throws -> RolloutStatusOutput.Guardrail {
        let definition = state.plan.definition
        var output = RolloutStatusOutput.Guardrail(
            metric: guardrail.metric, statistic: guardrail.statistic.rawValue, tolerance: guardrail.tolerance,
            relative: guardrail.isRelative, arm: arm, state: "ok", estimate: nil, lower: nil, upper: nil,
            description: "\(arm): \(guardrail.summary)")
        switch guardrail.statistic {
        case .mean:
            guard let difference else { return output }
            let rule = PromptLabStats.Guardrail(
                direction: metric.higherIsBetter ? .lowerIsWorse : .higherIsWorse,
                tolerance: guardrail.isRelative ? .relative(guardrail.tolerance) : .absolute(guardrail.tolerance))
            guard let result = try? rule.evaluate(difference) else { return output }
            output.state = result.status == .breached ? "breached" : "ok"
            output.estimate = finite(result.worsening)
            output.lower = finite(result.worseningInterval.lower)
            output.upper = finite(result.worseningInterval.upper)
        case .p95:
            let rule = QuantileGuardrail(quantile: 0.95, tolerance: guardrail.tolerance)
            guard
                let controlQuantile = try await store.requestMetricQuantile(
                    rollout: state.name, phase: state.phase, arm: control, metric: metric.name, q: 0.95),
                let threshold = try? rule.threshold(controlQuantile: controlQuantile)
            else { return output }
            let exceedances = sums(
                try await store.exceedanceSums(rollout: state.name, phase: state.phase, arm: arm, metric: metric.name, threshold: threshold)
            )
            guard exceedances.units > 0,
                let result = try? rule.evaluate(
                    treatmentExceedances: exceedances, alpha: definition.alpha, tuning: Double(definition.expectedUnits))
            else { return output }
            output.state = result.status == .breached ? "breached" : "ok"
            output.estimate = finite(result.exceedance.mean)
            output.lower = finite(result.exceedance.interval.lower)
            output.upper = finite(result.exceedance.interval.upper)
            let unit = metric.name == "latency_ms" ? " ms" : ""
            output.description +=
                " (share of requests above \(Self.number(threshold))\(unit), the control's p95 × \(Self.number(1 + guardrail.tolerance)); 5% allowed)"
        }
        return output
    }

    /// The verdict in one sentence.
    private static func verdict(
        state: RolloutState, units: [Int], sampleRatio: RolloutStatusOutput.SampleRatio, guardrails: [RolloutStatusOutput.Guardrail],
        primary: RolloutStatusOutput.Metric?, primaryMetric: RolloutMetric?
    ) -> RolloutStatusOutput.Verdict {
        let name = state.name
        let control = state.plan.arms[0].name
        if units.reduce(0, +) == 0 {
            return .init(kind: "no_data", arm: nil, text: "no units have been exposed in phase \(state.phase) yet", command: nil)
        }
        if sampleRatio.mismatch {
            let shown = zip(state.plan.arms, units).map { "\($0.name) \($1)" }.joined(separator: ", ")
            return .init(
                kind: "sample_ratio_mismatch", arm: nil,
                text:
                    "sample ratio mismatch: units per arm (\(shown)) do not fit the weights (\(pValue(sampleRatio.pValue ?? 0))); the split or the logging is broken, so no verdict is drawn",
                command: nil)
        }
        let breached = guardrails.filter { $0.state == "breached" }
        if let first = breached.first {
            let paused = state.pausedArms.contains(first.arm)
            return .init(
                kind: "guardrail_breached", arm: first.arm,
                text: "guardrail breached: \(breached.map(\.description).joined(separator: "; "))"
                    + (paused ? "; \(first.arm) is paused" : "; pause or stop it"),
                command: paused ? "promptlab rollout stop \(name)" : "promptlab rollout pause \(name)")
        }
        guard let primary, let primaryMetric else {
            return .init(kind: "inconclusive", arm: nil, text: "no data for the primary metric yet", command: nil)
        }
        let guardrailNote = guardrails.isEmpty ? "" : "; guardrails ok"
        let significant = primary.comparisons.filter { $0.significant && $0.difference != nil }
        let better = significant.filter { (($0.difference ?? 0) > 0) == primaryMetric.higherIsBetter }
        if let best = better.max(by: { abs($0.difference ?? 0) < abs($1.difference ?? 0) }) {
            return .init(
                kind: "winner", arm: best.arm,
                text:
                    "\(best.arm) beats \(control) on \(primary.name): \(effect(best, metric: primaryMetric, alpha: state.plan.definition.alpha))\(guardrailNote); promote with `promptlab rollout promote \(name)`",
                command: "promptlab rollout promote \(name)")
        }
        if let worst = significant.first {
            return .init(
                kind: "loser", arm: worst.arm,
                text:
                    "\(worst.arm) is worse than \(control) on \(primary.name): \(effect(worst, metric: primaryMetric, alpha: state.plan.definition.alpha)); stop it with `promptlab rollout stop \(name)`",
                command: "promptlab rollout stop \(name)")
        }
        let parts = primary.comparisons.map { comparison -> String in
            guard comparison.difference != nil else { return "\(comparison.arm): no data yet" }
            var text = "\(comparison.arm) \(effect(comparison, metric: primaryMetric, alpha: state.plan.definition.alpha))"
            if let needed = comparison.unitsNeeded, needed > 0 {
                text += "; about \(needed) more units per arm would settle an effect this large"
            }
            return text
        }
        return .init(
            kind: "inconclusive", arm: nil, text: "no verdict yet on \(primary.name): " + parts.joined(separator: "; "), command: nil)
    }

    /// `+4.1 points (always-valid 95% CI +1.2 to +7.0), p = 0.003`.
    private static func effect(_ comparison: RolloutStatusOutput.Comparison, metric: RolloutMetric, alpha: Double) -> String {
        let scale = metric.kind == .binary ? 100.0 : 1.0
        let unit = metric.kind == .binary ? " points" : ""
        let level = "\(number((1 - alpha) * 100))%"
        let interval: String
        if let lower = comparison.lower, let upper = comparison.upper {
            interval = "(always-valid \(level) CI \(signed(lower * scale)) to \(signed(upper * scale)))"
        } else {
            interval = "(too few units for an interval yet)"
        }
        return "\(signed((comparison.difference ?? 0) * scale))\(unit) \(interval), \(pValue(comparison.pValue))"
    }

    static func sums(_ stored: UnitSums) -> UnitMetricSums {
        UnitMetricSums(
            units: stored.units, sumValue: stored.sumValue, sumValueSquared: stored.sumValueSquared, sumCount: stored.sumCount,
            sumCountSquared: stored.sumCountSquared, sumValueCount: stored.sumValueCount)
    }

    private static func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }

    static func signed(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        let text = number(abs(rounded))
        return rounded < 0 ? "−" + text : "+" + text
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.1f", value)
    }

    /// `p = 0.003`, `p < 0.001`.
    static func pValue(_ p: Double) -> String {
        if p < 0.001 { return "p < 0.001" }
        return "p = " + String(format: p < 0.01 ? "%.3f" : "%.2f", p)
    }
}
