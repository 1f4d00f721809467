import Foundation
import PromptExperiments
import PromptFormat
import PromptLabCore
import PromptLabStore

/// A run's cases reduced to what the case filters need: each case's expected value, and each
/// variant's verdict on each pass/fail grader. Built once per run state (``stateToken``), it
/// answers a filtered page of a 100,000-case run without reading every response.
public struct CaseIndex: Sendable {
    public let run: RunRecord
    public let variants: [RunVariantRecord]
    /// The graders with verdicts, in the experiment's order, then the others.
    public let graders: [String]
    /// The store's state when the index was built; equal tokens mean an equal index.
    public let stateToken: String
    /// Expected values of the run's cases, each once, in first-seen order (at most 500).
    public let expectedValues: [String]
    let cases: [CaseRecord]
    /// The cases' ids and expected values by position: the filters read these, not whole records.
    let caseIDs: [String]
    let expected: [String?]
    /// `verdicts[g][v][c]`: grader g, variant v, case c; 1 passes every graded repeat, 0 fails one, -1 has none.
    let verdicts: [[[Int8]]]
}

extension CaseService {
    /// The index of a run's cases for ``page(_:filter:page:)``.
    ///
    /// - Parameter target: A run id, or an experiment name for its latest run.
    public func index(_ target: String) async throws -> CaseIndex {
        let store = try workspace.results()
        let run = try await ReportBuilder.resolveRun(target, in: store)
        let token = try await store.stateToken(runID: run.id)
        let variants = try await store.variants(runID: run.id)
        let cases = try await store.cases(runID: run.id)
        var newest = [String: GraderConfiguration]()
        for configuration in try await store.graderConfigurations(runID: run.id)
        where newest[configuration.grader].map({ configuration.latestGradeID > $0.latestGradeID }) ?? true {
            newest[configuration.grader] = configuration
        }
        var order = ReportBuilder.graderOrder(settingsJSON: run.settingsJSON).filter { newest[$0] != nil }
        order += newest.keys.sorted().filter { !order.contains($0) }
        var graders = [String]()
        var verdicts = [[[Int8]]]()
        let position = Dictionary(cases.enumerated().map { ($1.caseID, $0) }, uniquingKeysWith: { first, _ in first })
        for name in order {
            guard let configuration = newest[name] else { continue }
            let table = try await store.caseGrades(runID: run.id, grader: name, configHash: configuration.configHash)
            // Pairwise judges say how a variant compares with the control, not whether it is right.
            guard table.judgedCount > 0, table.orderedCount == 0 else { continue }
            let rows = variants.map { variant -> [Int8] in
                var row = [Int8](repeating: -1, count: cases.count)
                guard let sums = table.variants.first(where: { $0.variant == variant.name })?.unordered else { return row }
                for (index, caseID) in table.cases.enumerated() where index < sums.judged.count {
                    guard let at = position[caseID], sums.judged[index] > 0 else { continue }
                    row[at] = sums.passes[index] == sums.judged[index] ? 1 : 0
                }
                return row
            }
            graders.append(name)
            verdicts.append(rows)
        }
        var expected = [String]()
        var seen = Set<String>()
        for record in cases {
            guard let value = record.expected, expected.count < 500, seen.insert(value).inserted else { continue }
            expected.append(value)
        }
        return CaseIndex(
            run: run, variants: variants, graders: graders, stateToken: token, expectedValues: expected, cases: cases,
            caseIDs: cases.map(\.caseID), expected: cases.map(\.expected), verdicts: verdicts)
    }

    /// One page of the cases matching `filter`, as ``cases(_:filter:page:)`` gives it, reading only
    /// that page's responses and grades (and, for a text search, one query for the matching ids).
    ///
    /// Verdict filters use each grader's newest configuration, as the report does; the text search
    /// ignores the case of ASCII letters only.
    public func page(_ index: CaseIndex, filter: Filter, page: (number: Int, size: Int)) async throws -> CaseViewOutput {
        if let grep = filter.grep, grep.isEmpty { throw PromptLabError(.usage, "--grep needs some text to look for") }
        guard page.number >= 1, page.size >= 1 else {
            throw PromptLabError(.usage, "page and page size must be at least 1, got \(page.number) and \(page.size)")
        }
        let store = try workspace.results()
        let variantNames = index.variants.map(\.name)
        var reference: Int?
        if let name = filter.newlyFailingVs {
            guard let at = variantNames.firstIndex(of: name) else {
                throw PromptLabError(
                    .invalidInput,
                    "run \(index.run.id) has no variant '\(name)'\(Suggestion.phrase(for: name, in: variantNames))",
                    hint: "its variants are: \(variantNames.joined(separator: ", "))")
            }
            reference = at
        }
        let graderRows =
            filter.graders.isEmpty
            ? Array(index.verdicts.indices) : index.graders.indices.filter { filter.graders.contains(index.graders[$0]) }
        var searched: Set<String>?
        if let grep = filter.grep { searched = try await store.caseIDs(runID: index.run.id, containing: grep) }
        let wanted = Set(filter.caseIDs)
        var matching = [Int]()
        for position in index.caseIDs.indices {
            if !wanted.isEmpty, !wanted.contains(index.caseIDs[position]) { continue }
            if let expected = filter.expected, index.expected[position] != expected { continue }
            if let searched, !searched.contains(index.caseIDs[position]) { continue }
            if filter.failing, !graderRows.contains(where: { g in index.verdicts[g].contains { $0[position] == 0 } }) { continue }
            if let reference {
                let regressed = graderRows.contains { g in
                    index.verdicts[g][reference][position] == 1
                        && index.verdicts[g].indices.contains { $0 != reference && index.verdicts[g][$0][position] == 0 }
                }
                if !regressed { continue }
            }
            if filter.disagree {
                let split = graderRows.contains { g in
                    index.verdicts[g].contains { $0[position] == 1 } && index.verdicts[g].contains { $0[position] == 0 }
                }
                if !split { continue }
            }
            matching.append(position)
        }
        let (start, overflow) = (page.number - 1).multipliedReportingOverflow(by: page.size)
        let (end, endOverflow) = start.addingReportingOverflow(page.size)
        let shown =
            overflow || start >= matching.count ? [] : Array(matching[start..<(endOverflow ? matching.count : min(matching.count, end))])
        let records = shown.map { index.cases[$0] }
        let output = try await cases(
            index.run, variants: index.variants, caseRecords: records, totalCases: index.cases.count,
            filter: filter, store: store)
        var result = output
        result.page = PageInfo(page: page.number, perPage: page.size, matching: matching.count)
        return result
    }
}

extension CaseService {
    /// The outputs of some cases, already chosen: their responses and newest grades only.
    func cases(
        _ run: RunRecord, variants: [RunVariantRecord], caseRecords: [CaseRecord], totalCases: Int, filter: Filter,
        store: any ResultsStore
    ) async throws -> CaseViewOutput {
        let responses = try await store.responses(runID: run.id, caseIDs: caseRecords.map(\.caseID))
        var latest = [String: [GradeKey: GradeRecord]]()
        for grade in try await store.grades(runID: run.id, responseKeys: responses.map(\.idempotencyKey)) {
            let key = GradeKey(grader: grade.grader, order: grade.order)
            if let existing = latest[grade.responseKey]?[key], existing.createdAt > grade.createdAt { continue }
            latest[grade.responseKey, default: [:]][key] = grade
        }
        var graders = ReportBuilder.graderOrder(settingsJSON: run.settingsJSON)
        for name in Set(try await store.graderConfigurations(runID: run.id).map(\.grader)).sorted() where !graders.contains(name) {
            graders.append(name)
        }
        if !filter.graders.isEmpty { graders = graders.filter(filter.graders.contains) }
        let rank = Dictionary(graders.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var byCase = [String: [String: [ResponseRecord]]]()
        for response in responses { byCase[response.caseID, default: [:]][response.variant, default: []].append(response) }
        let items = caseRecords.map { record in
            CaseViewOutput.Case(
                caseId: record.caseID, position: record.position,
                variables: (try? PromptValue.parseJSON(record.variablesJSON)) ?? .object([]), expected: record.expected,
                variants: variants.map { variant in
                    let records = (byCase[record.caseID]?[variant.name] ?? []).sorted { $0.repeatIndex < $1.repeatIndex }
                    return Self.variant(variant, responses: records, grades: latest, graders: graders, rank: rank)
                })
        }
        return CaseViewOutput(
            run: run.id, experiment: run.experimentName, control: variants.first(where: \.isControl)?.name,
            variants: variants.map(\.name), graders: graders,
            filters: .init(
                failing: filter.failing, newlyFailingVs: filter.newlyFailingVs, disagree: filter.disagree,
                caseIds: filter.caseIDs, grep: filter.grep, graders: filter.graders, expected: filter.expected),
            totalCases: totalCases, cases: items)
    }
}
