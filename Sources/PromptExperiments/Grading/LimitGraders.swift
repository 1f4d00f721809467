import Foundation
import PromptFormat
import PromptLabCore
import PromptVersioning

/// `max-tokens`, `max-latency` and `max-cost`: the response stays within a limit,
/// given as `max` (output tokens, milliseconds, US dollars).
///
/// When the measure is unknown (no token count reported, an unpriced model,
/// or a latency that was not measured because the answer came from the
/// response cache) the grade has no score and no pass/fail, and its reason says why.
struct LimitGrader: DeterministicGrader {
    enum Measure: Sendable {
        case outputTokens
        case latencyMs
        case costUSD
    }

    var measure: Measure
    var limit: Double

    init(measure: Measure, options: GraderOptions) throws(PromptLabError) {
        self.measure = measure
        let example =
            switch measure {
            case .outputTokens: "300"
            case .latencyMs: "2000 (milliseconds)"
            case .costUSD: "0.01 (US dollars)"
            }
        guard let limit = try options.number("max") else { throw options.problem("'max' is missing (for example max: \(example))") }
        guard limit >= 0 else { throw options.problem("'max' must not be negative") }
        if measure == .outputTokens, limit != limit.rounded() { throw options.problem("'max' must be a whole number of tokens") }
        self.limit = limit
    }

    func evaluate(_ sample: GradingSample) -> GradeOutcome {
        let value: Double
        let unit: String
        switch measure {
        case .outputTokens:
            guard let tokens = sample.outputTokens else {
                return GradeOutcome(score: nil, passed: nil, reason: "the provider reported no output token count")
            }
            value = Double(tokens)
            unit = "\(tokens) output tokens"
        case .latencyMs:
            guard !sample.fromCache else {
                return GradeOutcome(score: nil, passed: nil, reason: "answered from the response cache; latency not measured")
            }
            guard let latency = sample.latencyMs else {
                return GradeOutcome(score: nil, passed: nil, reason: "latency not recorded")
            }
            value = latency
            unit = String(format: "%.0f ms", latency)
        case .costUSD:
            guard let cost = sample.costUSD else {
                return GradeOutcome(score: nil, passed: nil, reason: "cost unknown (the model is not in the pricing table)")
            }
            value = cost
            unit = String(format: "$%.6f", cost)
        }
        let passed = value <= limit
        return .binary(passed, "\(unit) \(passed ? "≤" : ">") max \(PromptValue.format(limit))")
    }
}

// MARK: - Registration

extension GraderType {
    public static let maxTokens: GraderType = "max-tokens"
    public static let maxLatency: GraderType = "max-latency"
    public static let maxCost: GraderType = "max-cost"
}

extension GraderRegistration {
    static let maxTokens = GraderRegistration([.maxTokens]) { (options, _) throws(PromptLabError) in
        try LimitGrader(measure: .outputTokens, options: options)
    }
    static let maxLatency = GraderRegistration([.maxLatency]) { (options, _) throws(PromptLabError) in
        try LimitGrader(measure: .latencyMs, options: options)
    }
    static let maxCost = GraderRegistration([.maxCost]) { (options, _) throws(PromptLabError) in
        try LimitGrader(measure: .costUSD, options: options)
    }
}
