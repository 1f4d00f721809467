import PromptFormat
import PromptLabCore
import PromptLabStore
import PromptVersioning

/// Why a case has no grade from a grader for a variant, so that a report can
/// account for every case its n leaves out.
public enum ExclusionReason: String, Sendable, Equatable, CaseIterable {
    /// No response was recorded: the run has not reached the case (or stopped before it).
    case noResponse = "no_response"
    /// Every response failed; errors are counted in the usage table, never graded.
    case failed = "failed"
    /// The case's expected value is missing or not one of the `classification` grader's labels,
    /// so the grader cannot grade it.
    case expectedNotALabel = "expected_not_a_label"
    /// The variant answered, but there is no grade (the grader could not grade it, or it has
    /// not graded it yet: `promptlab grade RUN`).
    case notGraded = "not_graded"

    /// The reason in a sentence.
    public var explanation: String {
        switch self {
        case .noResponse: "no response recorded yet"
        case .failed: "every response failed (errors are not graded)"
        case .expectedNotALabel: "the expected label is missing or not one of the grader's labels"
        case .notGraded: "answered but not graded (the grader could not grade it; see 'promptlab grade')"
        }
    }
}

/// Cases of one variant left out of one grader's statistics, for one reason.
public struct Exclusion: Sendable, Equatable {
    public var variant: String
    public var reason: ExclusionReason
    /// The cases, in dataset order.
    public var caseIDs: [String]
}

/// What a report needs to explain cases without grades: which cells have a
/// successful response, which only failed ones, each case's expected value, and
/// the labels of `classification` graders.
public struct CaseCoverage: Sendable, Equatable {
    /// Per variant, the cases with at least one successful response.
    public var answered: [String: Set<String>]
    /// Per variant, the cases with responses that all failed.
    public var failed: [String: Set<String>]
    /// Each case's expected value, where it has one.
    public var expected: [String: String]
    /// The labels of each `classification` grader, by grader name.
    public var labels: [String: [String]]

    public init(
        answered: [String: Set<String>] = [:], failed: [String: Set<String>] = [:], expected: [String: String] = [:],
        labels: [String: [String]] = [:]
    ) {
        self.answered = answered
        self.failed = failed
        self.expected = expected
        self.labels = labels
    }

    /// Reads a run's responses and cases (one pass over the responses).
    static func read(runID: String, store: any ResultsStore, labels: [String: [String]]) async throws -> CaseCoverage {
        var coverage = CaseCoverage(labels: labels)
        var attempted: [String: Set<String>] = [:]
        try await store.forEachResponse(runID: runID) { response in
            attempted[response.variant, default: []].insert(response.caseID)
            if response.output != nil { coverage.answered[response.variant, default: []].insert(response.caseID) }
        }
        for (variant, cases) in attempted {
            coverage.failed[variant] = cases.subtracting(coverage.answered[variant] ?? [])
        }
        for record in try await store.cases(runID: runID) {
            if let expected = record.expected { coverage.expected[record.caseID] = expected }
        }
        return coverage
    }

    /// Why `caseID` has no grade from `grader` for `variant`.
    func reason(variant: String, caseID: String, grader: String) -> ExclusionReason {
        if answered[variant]?.contains(caseID) == true {
            if let labels = labels[grader] {
                // As the grader reads it: ClassificationGrader.label(matching:).
                let grader = ClassificationGrader(labels: labels)
                if expected[caseID].flatMap(grader.label(matching:)) == nil { return .expectedNotALabel }
            }
            return .notGraded
        }
        if failed[variant]?.contains(caseID) == true { return .failed }
        return .noResponse
    }
}
