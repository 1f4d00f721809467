import Foundation

/// A value axis: its domain and 3–6 ticks at round steps (1, 2 or 5 × 10^k; 2.5 × 10^k only
/// when no such step gives 3–6 ticks).
///
/// Every number it holds is finite: values are clamped to ±1e300 before any arithmetic, so
/// spans, paddings and tick products cannot overflow to infinity.
struct ChartAxis: Equatable {
    let lower: Double
    let upper: Double
    let step: Double
    let ticks: [Double]

    /// Values beyond this magnitude are drawn at it: far past any rate, cost or latency.
    static let magnitudeLimit = 1e300

    /// The axis for `domain` when it is usable (finite bounds), else one computed from the
    /// finite `values`: padded by 5 %, never crossing zero when the values do not, widened
    /// when empty or a single point, and extended outward to whole ticks.
    static func make(domain: ClosedRange<Double>?, values: [Double]) -> ChartAxis {
        if let domain, domain.lowerBound.isFinite, domain.upperBound.isFinite {
            let (lower, upper) = widened(clamped(domain.lowerBound), clamped(domain.upperBound))
            return fixed(lower: lower, upper: upper)
        }
        let finite = values.filter(\.isFinite).map(clamped)
        guard let smallest = finite.min(), let largest = finite.max() else {
            return fixed(lower: 0, upper: 1)
        }
        var (lower, upper) = widened(smallest, largest)
        let padding = (upper - lower) * 0.05
        lower -= padding
        upper += padding
        if smallest >= 0 {
            lower = max(lower, 0)
        } else if largest <= 0 {
            upper = min(upper, 0)
        }
        return extended(lower: lower, upper: upper)
    }

    /// Where `value` falls between `lower` (0) and `upper` (1), clamped to 0...1.
    func fraction(_ value: Double) -> Double {
        guard value.isFinite else { return value > 0 ? 1 : 0 }
        let fraction = (value - lower) / (upper - lower)
        guard fraction.isFinite else { return value > lower ? 1 : 0 }
        return min(max(fraction, 0), 1)
    }

    /// Whether `value` lies in the domain (so a reference line outside it is not drawn at an edge).
    func contains(_ value: Double) -> Bool {
        value.isFinite && value >= lower && value <= upper
    }

    // MARK: - Domains and steps

    private static func clamped(_ value: Double) -> Double {
        min(max(value, -magnitudeLimit), magnitudeLimit)
    }

    /// Widens a domain that is empty or too narrow for its magnitude to tell ticks apart.
    private static func widened(_ lower: Double, _ upper: Double) -> (Double, Double) {
        let magnitude = max(abs(lower), abs(upper))
        if upper - lower > max(magnitude * 1e-9, 1e-12) {
            return (lower, upper)
        }
        let padding = magnitude > 1e-12 ? magnitude * 0.1 : 1
        let middle = lower / 2 + upper / 2
        return (middle - padding, middle + padding)
    }

    /// A given domain: kept as is, with the round ticks that fall inside it.
    private static func fixed(lower: Double, upper: Double) -> ChartAxis {
        for step in candidateSteps(span: upper - lower) {
            let ticks = ticksInside(lower: lower, upper: upper, step: step)
            if (3...6).contains(ticks.count) {
                return ChartAxis(lower: lower, upper: upper, step: step, ticks: ticks)
            }
        }
        return evenlySpaced(lower: lower, upper: upper)
    }

    /// A computed domain: extended outward to the nearest ticks so the data sits inside the grid.
    private static func extended(lower: Double, upper: Double) -> ChartAxis {
        for step in candidateSteps(span: upper - lower) {
            let first = (lower / step).rounded(.down) * step
            let last = (upper / step).rounded(.up) * step
            guard first.isFinite, last.isFinite else { continue }
            let ticks = ticksInside(lower: first, upper: last, step: step)
            if (3...6).contains(ticks.count) {
                return ChartAxis(lower: first, upper: last, step: step, ticks: ticks)
            }
        }
        return evenlySpaced(lower: lower, upper: upper)
    }

    /// Steps from a tenth of the span upward: 1, 2, 2.5, 5 × 10^k. 2.5 comes after 2, so it is
    /// chosen only when 2 gives too many ticks and 5 too few.
    private static func candidateSteps(span: Double) -> [Double] {
        guard span.isFinite, span > 0 else { return [] }
        let exponent = log10(span / 10).rounded(.down)
        let base = pow(10, exponent)
        guard base.isFinite, base > 0 else { return [] }
        var steps: [Double] = []
        for scale in [1.0, 10, 100] {
            for multiplier in [1.0, 2, 2.5, 5] {
                let step = base * scale * multiplier
                if step.isFinite, step > 0 { steps.append(step) }
            }
        }
        // Prefer the 1-2-5 family: 2.5 only where it is the sole step with 3–6 ticks.
        return steps.filter { !isTwoAndAHalf($0, base: base) } + steps.filter { isTwoAndAHalf($0, base: base) }
    }

    private static func isTwoAndAHalf(_ step: Double, base: Double) -> Bool {
        let ratio = step / base
        return [2.5, 25, 250].contains { abs(ratio - $0) < 1e-9 * $0 }
    }

    /// Multiples of `step` within `lower...upper` (with a hair of tolerance for rounding), at most 12.
    private static func ticksInside(lower: Double, upper: Double, step: Double) -> [Double] {
        let tolerance = step * 1e-9
        let first = ((lower - tolerance) / step).rounded(.up)
        let last = ((upper + tolerance) / step).rounded(.down)
        guard first.isFinite, last.isFinite, last - first <= 12 else { return [] }
        var ticks: [Double] = []
        var index = first
        while index <= last {
            var tick = index * step
            if abs(tick) < tolerance { tick = 0 }
            ticks.append(tick)
            let next = index + 1
            if next == index { break }  // past 2^53 adding one changes nothing
            index = next
        }
        return ticks
    }

    /// The fallback when no round step fits: five ticks splitting the domain evenly.
    private static func evenlySpaced(lower: Double, upper: Double) -> ChartAxis {
        let step = (upper - lower) / 4
        let ticks = (0...4).map { lower + step * Double($0) }
        return ChartAxis(lower: lower, upper: upper, step: step, ticks: ticks)
    }
}
