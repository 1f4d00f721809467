import Foundation
import PromptExperiments
import PromptFormat
import PromptLabCore
import PromptLabStore

/// The per-case use case: why did a case fail? Each case of a run with its variables, its expected
/// value, and every variant's outputs with each grader's verdict and reason, filtered to the cases
/// worth reading.
public struct CaseService {
    public let workspace: Workspace

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    /// Which cases to show. Filters combine: a case is shown when every filter given holds.
    ///
    /// Verdicts are per variant and grader, over the variant's repeats (see ``CaseViewOutput``).
    public struct Filter: Sendable, Equatable {
        /// Some variant fails some grader.
        public var failing: Bool
        /// Some grader passes with this variant and fails with another one.
        public var newlyFailingVs: String?
        /// Some grader passes with one variant and fails with another.
        public var disagree: Bool
        /// Only these case ids (all cases when empty).
        public var caseIDs: [String]
        /// Only cases with this text, ignoring case, in a variable's value, the expected value or an output.
        public var grep: String?
        /// Only these graders' grades are shown and make verdicts (all graders when empty).
        public var graders: [String]
        /// Only cases whose expected value is exactly this text (a classification label, say).
        public var expected: String?

        public init(
            failing: Bool = false, newlyFailingVs: String? = nil, disagree: Bool = false, caseIDs: [String] = [],
            grep: String? = nil, graders: [String] = [], expected: String? = nil
        ) {
            self.failing = failing
            self.newlyFailingVs = newlyFailingVs
            self.disagree = disagree
            self.caseIDs = caseIDs
            self.grep = grep
            self.graders = graders
            self.expected = expected
        }
    }

    /// The cases of a run (or of an experiment's latest run) that match `filter`, in dataset order.
    ///
    /// - Parameters:
    ///   - target: A run id, or an experiment name for its latest run.
    ///   - filter: Which cases to keep.
    /// - Returns: the matching cases with every variant's responses (one per repeat) and latest grades.
    /// - Throws: ``PromptLabError`` `notFound` for an unknown run, experiment or case id;
    ///   `invalidInput` when `newlyFailingVs` names no variant of the run; `notFound` for a grader
    ///   with no grades in the run; `usage` for an empty `grep`.
    ///   - page: One page of the matches (1-based page, cases per page), or every match when nil.
    public func cases(_ target: String, filter: Filter = Filter(), page: (number: Int, size: Int)? = nil) async throws
        -> CaseViewOutput
    {
        if let grep = filter.grep, grep.isEmpty { throw PromptLabError(.usage, "--grep needs some text to look for") }
        if let page, page.number < 1 || page.size < 1 {
            throw PromptLabError(.usage, "page and page size must be at least 1, got \(page.number) and \(page.size)")
        }
        let store = try workspace.results()
        let run = try await ReportBuilder.resolveRun(target, in: store)
        let variants = try await store.variants(runID: run.id)
        let variantNames = variants.map(\.name)
        if let reference = filter.newlyFailingVs, !variantNames.contains(reference) {
            throw PromptLabError(
                .invalidInput,
                "run \(run.id) has no variant '\(reference)'\(Suggestion.phrase(for: reference, in: variantNames))",
                hint: "its variants are: \(variantNames.joined(separator: ", "))")
        }
        let caseRecords = try await store.cases(runID: run.id)
        let knownCases = Set(caseRecords.map(\.caseID))
        for id in filter.caseIDs where !knownCases.contains(id) {
            throw PromptLabError(
                .notFound, "run \(run.id) has no case '\(id)'\(Suggestion.phrase(for: id, in: knownCases))",
                hint: "see every case id with 'promptlab cases \(run.id)'")
        }

        // The newest grade per (response, grader, order), as `export` picks them.
        var latest = [String: [GradeKey: GradeRecord]]()
        var gradedNames = [String]()
        for grade in try await store.grades(runID: run.id) {
            if !gradedNames.contains(grade.grader) { gradedNames.append(grade.grader) }
            let key = GradeKey(grader: grade.grader, order: grade.order)
            if let existing = latest[grade.responseKey]?[key], existing.createdAt > grade.createdAt { continue }
            latest[grade.responseKey, default: [:]][key] = grade
        }
        var graders = ReportBuilder.graderOrder(settingsJSON: run.settingsJSON)
        for name in gradedNames where !graders.contains(name) { graders.append(name) }
        if !filter.graders.isEmpty {
            for name in filter.graders where !gradedNames.contains(name) {
                throw PromptLabError(
                    .notFound, "run \(run.id) has no grades by '\(name)'\(Suggestion.phrase(for: name, in: gradedNames))",
                    hint: gradedNames.isEmpty
                        ? "grade the run first: promptlab grade \(run.id)"
                        : "graders with grades: \(graders.filter(gradedNames.contains).joined(separator: ", "))")
            }
            graders = graders.filter(filter.graders.contains)
        }
        let rank = Dictionary(graders.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })

        var responses = [String: [String: [ResponseRecord]]]()  // case → variant → responses
        for response in try await store.responses(runID: run.id) {
            responses[response.caseID, default: [:]][response.variant, default: []].append(response)
        }

        let wanted = Set(filter.caseIDs)
        var cases = [CaseViewOutput.Case]()
        var matching = 0
        // Only the asked-for page is kept; the others are counted.
        let keep = page.map { page in
            let (start, overflow) = (page.number - 1).multipliedReportingOverflow(by: page.size)
            return overflow ? Int.max..<Int.max : start..<(start.addingReportingOverflow(page.size).overflow ? Int.max : start + page.size)
        }
        for record in caseRecords where wanted.isEmpty || wanted.contains(record.caseID) {
            if let expected = filter.expected, record.expected != expected { continue }
            let lines = variants.map { variant in
                let records = (responses[record.caseID]?[variant.name] ?? []).sorted { $0.repeatIndex < $1.repeatIndex }
                return Self.variant(variant, responses: records, grades: latest, graders: graders, rank: rank)
            }
            let item = CaseViewOutput.Case(
                caseId: record.caseID, position: record.position,
                variables: (try? PromptValue.parseJSON(record.variablesJSON)) ?? .object([]),
                expected: record.expected, variants: lines)
            guard Self.matches(item, filter) else { continue }
            if keep?.contains(matching) ?? true { cases.append(item) }
            matching += 1
        }
        return CaseViewOutput(
            run: run.id, experiment: run.experimentName, control: variants.first(where: \.isControl)?.name,
            variants: variantNames, graders: graders,
            filters: .init(
                failing: filter.failing, newlyFailingVs: filter.newlyFailingVs, disagree: filter.disagree,
                caseIds: filter.caseIDs, grep: filter.grep, graders: filter.graders, expected: filter.expected),
            totalCases: caseRecords.count, cases: cases,
            page: page.map { PageInfo(page: $0.number, perPage: $0.size, matching: matching) })
    }

    // MARK: - Verdicts

    struct GradeKey: Hashable {
        var grader: String
        var order: GradeRecord.PairOrder?
    }

    /// One variant's responses to one case, with its verdict per grader over the repeats.
    static func variant(
        _ variant: RunVariantRecord, responses: [ResponseRecord], grades: [String: [GradeKey: GradeRecord]],
        graders: [String], rank: [String: Int]
    ) -> CaseViewOutput.Variant {
        var verdicts = [String: Bool]()  // grader → passes on every repeat with a verdict
        let lines = responses.map { response in
            let chosen = (grades[response.idempotencyKey] ?? [:]).values.filter { rank[$0.grader] != nil }.sorted {
                let left = rank[$0.grader] ?? .max
                let right = rank[$1.grader] ?? .max
                if left != right { return left < right }
                return ($0.order?.rawValue ?? "") < ($1.order?.rawValue ?? "")
            }
            for grade in chosen where grade.order == nil {
                // Pairwise judges (with an order) say how a variant compares with the control, not
                // whether it is right, so only single-response graders make a verdict.
                if let passed = grade.passed { verdicts[grade.grader] = (verdicts[grade.grader] ?? true) && passed }
            }
            return CaseViewOutput.Response(
                repeat: response.repeatIndex, status: response.status.rawValue, output: response.output,
                errorKind: response.errorKind, errorMessage: response.errorMessage, latencyMs: response.latencyMs,
                fromCache: response.fromCache,
                grades: chosen.map {
                    .init(grader: $0.grader, order: $0.order?.rawValue, score: $0.score, passed: $0.passed, reason: $0.reason)
                })
        }
        let failing = graders.filter { verdicts[$0] == false }
        let passing = graders.filter { verdicts[$0] == true }
        return CaseViewOutput.Variant(
            variant: variant.name, control: variant.isControl,
            passed: verdicts.isEmpty ? nil : failing.isEmpty,
            failingGraders: failing, passingGraders: passing, responses: lines)
    }

    /// Whether `item` passes every filter of `filter` (the case ids are applied before).
    static func matches(_ item: CaseViewOutput.Case, _ filter: Filter) -> Bool {
        if filter.failing, !item.variants.contains(where: { !$0.failingGraders.isEmpty }) { return false }
        if let reference = filter.newlyFailingVs {
            guard let base = item.variants.first(where: { $0.variant == reference }) else { return false }
            let others = item.variants.filter { $0.variant != reference }
            let regressed = base.passingGraders.contains { grader in
                others.contains { $0.failingGraders.contains(grader) }
            }
            if !regressed { return false }
        }
        if filter.disagree {
            let split = item.variants.contains { variant in
                variant.passingGraders.contains { grader in item.variants.contains { $0.failingGraders.contains(grader) } }
            }
            if !split { return false }
        }
        if let text = filter.grep, !contains(item, text) { return false }
        return true
    }

    private static func contains(_ item: CaseViewOutput.Case, _ text: String) -> Bool {
        func foundText(_ candidate: String?) -> Bool {
            candidate.map { $0.range(of: text, options: [.caseInsensitive]) != nil } ?? false
        }
        func foundValue(_ value: PromptValue) -> Bool {
            switch value {
            case .null: false
            case .array(let items): items.contains(where: foundValue)
            case .object(let pairs): pairs.contains { foundValue($0.value) }
            default: foundText(value.templateText)
            }
        }
        return foundValue(item.variables) || foundText(item.expected)
            || item.variants.contains { $0.responses.contains { foundText($0.output) } }
    }
}
