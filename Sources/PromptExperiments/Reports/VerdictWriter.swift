import Foundation
import PromptFormat
import PromptLabCore
import PromptLabStats
import PromptVersioning

/// Writes a comparison's verdict as one plain sentence, for example
///
/// > few-shot beats zero-shot: exact-match pass rate 0.86 vs 0.41 (+0.45, 95% CI 0.33–0.56; W/T/L 50/40/5),
/// > McNemar exact p < 0.001, Holm-adjusted; significant.
///
/// The test is always named next to its p-value and W/T/L counts stand next to every rate.
/// A non-significant result says how many more cases 80% power needs at the observed
/// effect, or, when there is no effect to chase (none observed, or one that would need more
/// than ten times the current cases), the smallest effect the current cases detect.
public enum VerdictWriter {
    /// The sentence for a comparison.
    /// - Parameters:
    ///   - interim: The run is not complete: quote the always-valid p-value.
    ///   - family: Number of comparisons in the Holm family.
    public static func sentence(for c: Comparison, interim: Bool, family: Int, options: ReportOptions) -> String {
        let head: String
        switch (c.significant, c.direction) {
        case (true, .better): head = "\(c.variant) beats \(c.control)"
        case (true, .worse): head = "\(c.variant) is worse than \(c.control)"
        default: head = "\(c.variant) vs \(c.control)"
        }
        let level = percent(options.level)
        let counts = "W/T/L \(c.wins)/\(c.ties)/\(c.losses)"
        // On a partial run the table counts each arm's graded cases; name the cases the verdict uses.
        let cases = c.pairedSubset ? " on the \(c.cases) cases graded for both" : ""
        var text = "\(head)\(cases): \(c.grader) \(c.metric.label) "
        if !c.hasInterval, let variantEstimate = c.variantEstimate, let controlEstimate = c.controlEstimate {
            text += "\(number(variantEstimate)) vs \(number(controlEstimate)) "
            text += "(\(signed(c.estimate)); \(c.intervalNote ?? "no interval"); \(counts))"
        } else if let variantEstimate = c.variantEstimate, let controlEstimate = c.controlEstimate {
            text += "\(number(variantEstimate)) vs \(number(controlEstimate)) "
            text += "(\(signed(c.estimate)), \(level) CI \(range(c.interval.lower, c.interval.upper)); \(counts))"
        } else {
            text += "\(number(c.estimate)) (\(level) CI \(range(c.interval.lower, c.interval.upper)); \(counts))"
        }
        let adjustment = family > 1 ? ", Holm-adjusted" : ""
        if interim, let sequentialP = c.sequentialPAdjusted {
            text += ", always-valid p \(pValue(sequentialP))\(adjustment) (\(c.test) p \(pValue(c.pAdjusted)) at a fixed horizon)"
            if c.cases < SequentialPrior.defaultMinimumCases {
                text += "; an interim verdict needs at least \(SequentialPrior.defaultMinimumCases) cases"
            }
        } else {
            text += ", \(c.test) p \(pValue(c.pAdjusted))\(adjustment)"
        }
        if c.significant {
            text += interim ? "; significant (interim)." : "; significant."
            return text
        }
        text += "; not significant"
        let power = percent(options.power)
        // An effect that would need more than ten times the current cases is not worth chasing:
        // say what the current cases can detect instead.
        if c.direction != .same, let more = c.additionalCases, more > 0, more <= 10 * max(c.cases, 1) {
            text += " yet; about \(more) more cases for \(power) power at this effect."
        } else if let detectable = c.minimumDetectableEffect {
            let effect = c.metric == .winRate ? "a win share of \(number(detectable))" : "a difference of \(number(detectable))"
            text += "; \(c.cases) cases detect \(effect) with \(power) power."
        } else {
            text += "."
        }
        return text
    }

    // MARK: - Numbers

    /// `0.86`, or two significant digits for small values such as `0.0042`.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        if value != 0 && abs(value) < 0.01 { return String(format: "%.2g", value) }
        if abs(value) >= 100 { return String(format: "%.0f", value) }
        return String(format: "%.2f", value)
    }

    /// `+0.45` or `−0.12`.
    static func signed(_ value: Double) -> String {
        let text = number(abs(value))
        return value < 0 ? "−\(text)" : "+\(text)"
    }

    /// `0.33–0.56`, or `−0.03 to 0.07` when a bound is negative.
    static func range(_ lower: Double, _ upper: Double) -> String {
        if lower < 0 || upper < 0 { return "\(minus(lower)) to \(minus(upper))" }
        return "\(number(lower))–\(number(upper))"
    }

    private static func minus(_ value: Double) -> String {
        value < 0 ? "−" + number(-value) : number(value)
    }

    /// `< 0.001`, or `= 0.041`.
    static func pValue(_ p: Double) -> String {
        if p < 0.001 { return "< 0.001" }
        if p >= 0.1 { return "= " + String(format: "%.2f", p) }
        return "= " + String(format: "%.3f", p)
    }

    /// `95%`.
    static func percent(_ share: Double) -> String {
        let value = share * 100
        return value.rounded() == value ? String(format: "%.0f%%", value) : String(format: "%.1f%%", value)
    }
}
