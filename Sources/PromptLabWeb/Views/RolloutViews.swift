import Foundation
import PromptLab

/// Page contexts for the rollout list and a rollout's readout, from the CLI's documents.
enum RolloutViews {
    static func list(_ list: RolloutListOutput) -> [String: Any] {
        let rows: [[String: Any]] = list.rollouts.map { rollout in
            [
                "name": rollout.name, "href": "/rollouts/" + Format.segment(rollout.name), "prompt": rollout.prompt,
                "prompt_href": "/prompts/" + Format.segment(rollout.prompt), "status": rollout.status, "phase": rollout.phase,
                "split": rollout.arms.map { "\($0.name) \(Format.percent($0.weight))\($0.paused ? " (paused)" : "")" }.joined(
                    separator: " / "),
                "updated": Format.date(rollout.updatedAt),
            ]
        }
        return ["title": "Rollouts", "rollouts": rows]
    }

    static func readout(_ readout: RolloutStatusOutput) -> [String: Any] {
        let arms: [[String: Any]] = readout.arms.map { row in
            let version = row.arm.version.map { "v\($0)" } ?? String(row.arm.commit.prefix(7))
            return [
                "name": row.arm.name, "paused": row.arm.paused, "version": "\(row.arm.ref) → \(version)",
                "version_href": "/prompts/" + Format.segment(readout.prompt) + "?ref=" + Format.query(row.arm.commit),
                "weight": Format.percent(row.arm.weight), "units": row.units, "requests": row.requests,
            ]
        }
        let metrics: [[String: Any]] = readout.metrics.map { metric in
            let rate = metric.kind == "binary"
            let rows: [[String: Any]] = metric.arms.map { value in
                let comparison = metric.comparisons.first { $0.arm == value.arm }
                var row: [String: Any] = [
                    "arm": value.arm, "units": value.units, "value": Format.metric(value.mean, rate: rate),
                    "interval": Format.interval(value.lower, value.upper, rate: rate),
                ]
                if let comparison {
                    row["difference"] = Format.signedMetric(comparison.difference, rate: rate)
                    row["difference_interval"] = Format.interval(comparison.lower, comparison.upper, rate: rate)
                    row["p"] = Format.pValue(comparison.pValue)
                    row["significant"] = comparison.significant
                }
                return row
            }
            return [
                "name": metric.name, "primary": metric.isPrimary, "kind": metric.kind, "source": metric.source,
                "direction": metric.higherIsBetter ? "higher is better" : "lower is better", "value_label": rate ? "Rate" : "Mean",
                "rows": rows,
            ]
        }
        let srm = readout.sampleRatio
        let srmText =
            (srm.mismatch ? "MISMATCH — " : "ok — ") + "units " + srm.units.map(String.init).joined(separator: " / ")
            + " for weights " + srm.expectedShares.map { Format.percent($0) }.joined(separator: " / ")
            + (srm.pValue.map { ", p = " + Format.pValue($0) } ?? "")
        let guardrails: [[String: Any]] = readout.guardrails.map { guardrail in
            [
                "state": guardrail.state, "description": guardrail.description, "estimate": Format.number(guardrail.estimate),
                "interval": Format.interval(guardrail.lower, guardrail.upper, rate: false),
            ]
        }
        let events: [[String: Any]] = readout.events.reversed().map { event in
            [
                "at": Format.date(event.at), "action": event.action, "status": event.status,
                "weights": event.weights.map { Format.percent($0) }.joined(separator: " / "), "actor": event.actor,
                "reason": event.reason ?? "",
            ]
        }
        return [
            "title": "Rollout \(readout.rollout)", "name": readout.rollout, "prompt": readout.prompt,
            "prompt_href": "/prompts/" + Format.segment(readout.prompt), "status": readout.status, "phase": readout.phase,
            "unit": readout.unit, "level": Format.percent(1 - readout.alpha), "verdict": readout.verdict.text,
            "verdict_kind": readout.verdict.kind, "arms": arms, "srm": srmText, "srm_mismatch": srm.mismatch, "metrics": metrics,
            "has_guardrails": !guardrails.isEmpty, "guardrails": guardrails, "events": events,
            "json_href": "/v1/rollouts/" + Format.segment(readout.rollout),
        ]
    }
}
