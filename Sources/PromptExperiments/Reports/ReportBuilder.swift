import Foundation
import PromptFormat
import PromptLabCore
import PromptLabStats
import PromptLabStore
import PromptVersioning

/// Builds a ``Report`` from a run's aggregates in the results store.
///
/// Reading is done by the store's aggregate queries (per-case sums, never a
/// record per grade); everything after that is pure computation with
/// `PromptLabStats`, so ``build(run:variants:usage:tables:graderOrder:options:)``
/// can be tested without a database. Repeats and the two judge orders are
/// collapsed into one value per case before any paired test (STATS.md).
public enum ReportBuilder {
    // MARK: - From the store

    /// Finds a run by id, or else the latest run of an experiment with that name.
    ///
    /// - Throws: ``PromptLabError`` (`notFound`) when neither exists.
    public static func resolveRun(_ reference: String, in store: any ResultsStore) async throws -> RunRecord {
        do {
            return try await store.run(id: reference)
        } catch let error as StoreError where error.kind == .runNotFound {
            if let latest = try await store.latestRun(experiment: reference) { return latest }
            throw PromptLabError(
                .notFound, "no run or experiment named '\(reference)'",
                hint: "see 'promptlab runs' for run ids and experiment names")
        }
    }

    /// Reads a run's aggregates and builds its report.
    ///
    /// Usage and each grader's per-case sums are read concurrently.
    /// - Throws: ``PromptLabError`` (`notFound`) for an unknown grader, or the store's errors.
    public static func build(store: any ResultsStore, runID: String, options: ReportOptions = ReportOptions()) async throws -> Report {
        let run = try await store.run(id: runID)
        let variants = try await store.variants(runID: runID)
        let configurations = try await store.graderConfigurations(runID: runID)
        let chosen = try choose(configurations, only: options.grader, runID: runID)
        async let usage = store.variantUsage(runID: runID)  // read alongside the grades
        let tables = try await withThrowingTaskGroup(of: (Int, CaseGradeTable).self) { group in
            for (index, configuration) in chosen.enumerated() {
                group.addTask {
                    (index, try await store.caseGrades(runID: runID, grader: configuration.grader, configHash: configuration.configHash))
                }
            }
            var tables = [CaseGradeTable?](repeating: nil, count: chosen.count)
            for try await (index, table) in group { tables[index] = table }
            return tables.compactMap { $0 }
        }
        // Classification graders also get a confusion matrix per variant (docs/grading.md).
        var confusion: [String: [String: ConfusionMatrix]] = [:]
        var labels: [String: [String]] = [:]
        let definitions = graderDefinitions(settingsJSON: run.settingsJSON)
        for table in tables {
            if let definition = definitions.first(where: { $0.name == table.grader }), let graderLabels = definition.labels {
                labels[table.grader] = graderLabels
                confusion[table.grader] = try await ConfusionMatrix.perVariant(runID: runID, grader: definition, store: store)
            }
        }
        // Explaining cases without grades needs the responses; read them only when some case has none.
        var coverage: CaseCoverage?
        let controlName = variants.first(where: \.isControl)?.name ?? variants.first?.name ?? ""
        if tables.contains(where: { hasUngradedCases($0, control: controlName) }) {
            coverage = try await CaseCoverage.read(runID: runID, store: store, labels: labels)
        }
        return try await build(
            run: run, variants: variants, usage: try await usage, tables: tables,
            graderOrder: graderOrder(settingsJSON: run.settingsJSON), options: options, confusion: confusion,
            verdicts: try await store.verdicts(runID: runID), coverage: coverage)
    }

    /// Every case without a grade, per variant and reason (for judges, the control is not graded).
    static func exclusions(
        _ table: CaseGradeTable, metric: ReportMetric, variants: [String], control: String, coverage: CaseCoverage
    ) -> [Exclusion] {
        let byName = Dictionary(table.variants.map { ($0.variant, $0) }, uniquingKeysWith: { a, _ in a })
        var result: [Exclusion] = []
        for name in variants where !(metric == .winRate && name == control) {
            let entry = byName[name] ?? VariantCaseGrades(variant: name)
            var grouped: [ExclusionReason: [String]] = [:]
            for (index, caseID) in table.cases.enumerated() {
                let graded: Bool
                switch metric {
                case .winRate:
                    graded = [entry.shownFirst, entry.shownSecond].contains { ($0?.scored[index] ?? 0) > 0 }
                case .passRate:
                    graded = (entry.unordered?.judged[index] ?? 0) > 0
                case .meanScore:
                    graded = (entry.unordered?.scored[index] ?? 0) > 0
                }
                if graded { continue }
                grouped[coverage.reason(variant: name, caseID: caseID, grader: table.grader), default: []].append(caseID)
            }
            for reason in ExclusionReason.allCases {
                if let cases = grouped[reason] { result.append(Exclusion(variant: name, reason: reason, caseIDs: cases)) }
            }
        }
        return result
    }

    /// `'route': 1 case of new left out: the expected label is missing or not one of the grader's labels (case-004)`.
    static func exclusionNote(_ exclusion: Exclusion, grader: String) -> String {
        let count = exclusion.caseIDs.count
        var examples = exclusion.caseIDs.prefix(5).joined(separator: ", ")
        if count > 5 { examples += ", …" }
        return "'\(grader)': \(count) case\(count == 1 ? "" : "s") of \(exclusion.variant) left out: "
            + "\(exclusion.reason.explanation) (\(examples))"
    }

    /// Whether any variant lacks a grade for some case of the table (a judge never grades the control).
    static func hasUngradedCases(_ table: CaseGradeTable, control: String) -> Bool {
        let caseCount = table.cases.count
        return table.variants.contains { entry in
            !(table.orderedCount > 0 && entry.variant == control)
                && (0..<caseCount).contains { index in
                    [entry.unordered, entry.shownFirst, entry.shownSecond].allSatisfy { ($0?.grades[index] ?? 0) == 0 }
                }
        } || table.variants.isEmpty && caseCount > 0
    }

    /// The run's grader declarations (`settings_json.graders`), parsed; empty when they do not parse.
    static func graderDefinitions(settingsJSON: String) -> [GraderDefinition] {
        guard let settings = try? PromptValue.parseJSON(settingsJSON), case .array(let graders)? = settings["graders"] else {
            return []
        }
        return (try? GraderDefinition.parseList(graders)) ?? []
    }

    /// The newest configuration of each grader (or of the one asked for).
    static func choose(_ configurations: [GraderConfiguration], only grader: String?, runID: String) throws -> [GraderConfiguration] {
        var newest: [String: GraderConfiguration] = [:]
        for configuration in configurations
        where newest[configuration.grader].map({ configuration.latestGradeID > $0.latestGradeID }) ?? true {
            newest[configuration.grader] = configuration
        }
        if let grader {
            guard let configuration = newest[grader] else {
                let known = newest.keys.sorted()
                throw PromptLabError(
                    .notFound, "run '\(runID)' has no grades by '\(grader)'",
                    hint: known.isEmpty ? "grade the run first" : "graders with grades: \(known.joined(separator: ", "))")
            }
            return [configuration]
        }
        return newest.values.sorted { $0.grader < $1.grader }
    }

    /// The grader names in the order the experiment lists them (`settings_json.graders`).
    ///
    /// An unnamed grader is named after its type, numbered from 2 when the type repeats
    /// (`equals`, `equals-2`), as the graders name their grades.
    public static func graderOrder(settingsJSON: String) -> [String] {
        guard let settings = try? PromptValue.parseJSON(settingsJSON), case .array(let graders)? = settings["graders"] else { return [] }
        var explicit = Set<String>()
        for grader in graders {
            if case .string(let name)? = grader["name"] { explicit.insert(name) }
        }
        var names: [String] = []
        for grader in graders {
            if case .string(let name)? = grader["name"] {
                names.append(name)
            } else if case .string(let type)? = grader["type"] {
                var candidate = type
                var suffix = 2
                while names.contains(candidate) || explicit.contains(candidate) {
                    candidate = "\(type)-\(suffix)"
                    suffix += 1
                }
                names.append(candidate)
            }
        }
        return names
    }

    // MARK: - Pure computation

    /// Builds the report from aggregates already read.
    ///
    /// - Parameters:
    ///   - graderOrder: Grader names in the experiment's order; the first one with grades is primary.
    ///   - confusion: Confusion matrices of `classification` graders, by grader and variant.
    ///   - verdicts: Human review verdicts on the run.
    ///   - coverage: Responses and expected values, to explain why cases have no grade;
    ///     without it, such cases are listed as ``ExclusionReason/notGraded`` or
    ///     ``ExclusionReason/noResponse`` from the grades alone.
    public static func build(
        run: RunRecord, variants: [RunVariantRecord], usage: [VariantUsage], tables: [CaseGradeTable],
        graderOrder: [String], options: ReportOptions, confusion: [String: [String: ConfusionMatrix]] = [:],
        verdicts: [VerdictRecord] = [], coverage: CaseCoverage? = nil
    ) async throws -> Report {
        guard ReportOptions.alphaRange.contains(options.alpha) else {
            throw PromptLabError(.usage, "alpha must be \(ReportOptions.alphaRangeText), got \(options.alpha)")
        }
        let names = variants.map(\.name)
        let control = variants.first(where: \.isControl)?.name ?? names.first ?? ""
        var notes: [String] = []
        let ordered = tables.sorted { a, b in
            let ia = graderOrder.firstIndex(of: a.grader) ?? Int.max
            let ib = graderOrder.firstIndex(of: b.grader) ?? Int.max
            return ia != ib ? ia < ib : a.grader < b.grader
        }
        let plannedCases = tables.first?.cases.count ?? 0
        var sections: [GraderReport] = []
        for (index, table) in ordered.enumerated() {
            if var section = try await grade(
                table, variants: names, control: control, interim: run.status != .completed, options: options,
                seed: options.seed &+ UInt64(index) &* 1_000_003, notes: &notes)
            {
                section.exclusions = exclusions(
                    table, metric: section.metric, variants: names, control: control, coverage: coverage ?? CaseCoverage())
                for exclusion in section.exclusions {
                    notes.append(exclusionNote(exclusion, grader: table.grader))
                }
                if let matrices = confusion[table.grader] {
                    section.confusion = names.compactMap { name in matrices[name].map { VariantConfusion(variant: name, matrix: $0) } }
                }
                sections.append(section)
            }
        }
        if tables.isEmpty { notes.append("no grades yet: the report shows usage only") }
        if run.status != .completed {
            notes.append(
                "run is \(run.status.rawValue): verdicts use always-valid (mSPRT) p-values, which stay valid however often you look")
        }
        let review = try HumanReviewSummary.summarize(verdicts, variants: names, control: control, level: options.level)
        for summary in review {
            if let agreement = summary.agreement, agreement.kappa.isFinite, agreement.kappa < 0.4 {
                notes.append(
                    "human review of \(summary.variantB) vs \(summary.variantA): reviewers agree little (\(agreement.method) "
                        + "\(VerdictWriter.number(agreement.kappa)) on \(agreement.sharedCases) shared cases); do not trust one reviewer alone"
                )
            }
        }
        return Report(
            run: run, variants: names, control: control, plannedCases: plannedCases, options: options,
            usage: usage.map(summarize), graders: sections, notes: notes, humanReview: review)
    }

    static func summarize(_ usage: VariantUsage) -> UsageSummary {
        UsageSummary(
            variant: usage.variant, responses: usage.responses, ok: usage.ok, errors: usage.errors, cacheHits: usage.cacheHits,
            inputTokensMean: usage.inputTokensReported > 0 ? Double(usage.inputTokens) / Double(usage.inputTokensReported) : nil,
            outputTokensMean: usage.outputTokensReported > 0 ? Double(usage.outputTokens) / Double(usage.outputTokensReported) : nil,
            costUSD: usage.unpricedResponses == 0 ? usage.knownCostUSD : nil, knownCostUSD: usage.knownCostUSD,
            unpricedResponses: usage.unpricedResponses,
            costPerThousandRequestsUSD: usage.pricedResponses > 0 ? usage.knownCostUSD / Double(usage.pricedResponses) * 1000 : nil,
            latencyMeanMs: usage.latencyMeanMs, latencyP50Ms: usage.latencyP50Ms, latencyP95Ms: usage.latencyP95Ms)
    }

    /// Which statistics fit a grader's grades.
    static func metric(of table: CaseGradeTable) -> ReportMetric? {
        if table.orderedCount > 0 { return .winRate }
        let unitScores = table.scoreRange.map { $0.lowerBound >= 0 && $0.upperBound <= 1 } ?? true
        if table.judgedCount > 0 && (table.scoredCount == 0 || unitScores) { return .passRate }
        if table.scoredCount > 0 { return .meanScore }
        return nil
    }

    // MARK: - One grader

    private static func grade(
        _ table: CaseGradeTable, variants: [String], control: String, interim: Bool, options: ReportOptions, seed: UInt64,
        notes: inout [String]
    ) async throws -> GraderReport? {
        guard let metric = metric(of: table) else {
            notes.append("grader '\(table.grader)' recorded neither scores nor pass/fail outcomes; skipped")
            return nil
        }
        guard let controlIndex = variants.firstIndex(of: control) else { return nil }
        let caseCount = table.cases.count
        let byName = Dictionary(table.variants.map { ($0.variant, $0) }, uniquingKeysWith: { a, _ in a })

        // One value per case: the mean over repeats (pass share or mean score), or the combined judge verdict.
        var perCase: [[Double]] = []
        var consistency: [(agreeing: Int, pairs: Int)] = []
        var rows: [VariantScore] = []
        for (index, name) in variants.enumerated() {
            let entry = byName[name] ?? VariantCaseGrades(variant: name)
            switch metric {
            case .passRate, .meanScore:
                let sums = entry.unordered ?? CaseGradeSums(caseCount: caseCount)
                perCase.append(caseValues(sums, metric: metric))
                consistency.append((0, 0))
                rows.append(try variantScore(name, isControl: index == controlIndex, sums: sums, metric: metric, level: options.level))
            case .winRate:
                let (values, agreeing, pairs) = combinedVerdicts(entry, caseCount: caseCount)
                perCase.append(values)
                consistency.append((agreeing, pairs))
                var judgedCases = 0
                for value in values where !value.isNaN { judgedCases += 1 }
                var grades = 0
                for sums in [entry.shownFirst, entry.shownSecond] {
                    for count in sums?.grades ?? [] { grades += Int(count) }
                }
                rows.append(
                    VariantScore(
                        variant: name, isControl: index == controlIndex, cases: judgedCases, grades: grades,
                        estimate: nil, interval: nil, intervalMethod: nil))
            }
        }

        // Every variant against the control (or, with `--pairs all`, every pair of variants), concurrently;
        // each comparison has its own seed, so the result is reproducible.
        let allPairs = options.pairs == .all && metric != .winRate
        if options.pairs == .all && metric == .winRate && variants.count >= 3 {
            notes.append("'\(table.grader)' judges each variant against the control only; it has no other pairs to compare")
        }
        let comparisonInputs = comparisonPairs(count: variants.count, control: controlIndex, allPairs: allPairs)
        let level = options.level
        let resamples = options.resamples
        let tuning = Double(max(caseCount, 1))
        let alpha = options.alpha
        let prior = sequentialPrior(metric: metric, scoreRange: table.scoreRange)
        // Bradley–Terry for three or more variants, alongside the comparisons.
        let ratingsInput = perCase
        let ratingTask = Task {
            variants.count >= 3
                ? try rate(
                    ratingsInput, metric: metric, variants: variants, control: controlIndex, allPairs: allPairs,
                    options: options, seed: seed)
                : []
        }
        var partials = try await withThrowingTaskGroup(of: (Int, PartialComparison?).self) { group in
            for (slot, pair) in comparisonInputs.enumerated() {
                let baseValues = perCase[pair.baseline]
                let variantValues = perCase[pair.variant]
                let agreement = consistency[pair.variant]
                // Against the control the seed is the one a control-only report uses.
                let pairSeed =
                    pair.baseline == controlIndex
                    ? seed &+ UInt64(pair.variant)
                    : seed &+ 0x5EED &+ UInt64(pair.baseline * variants.count + pair.variant)
                group.addTask {
                    (
                        slot,
                        try compare(
                            control: baseValues, variant: variantValues, metric: metric, agreement: agreement, level: level,
                            resamples: resamples, alpha: alpha, tuning: tuning, prior: prior, seed: pairSeed)
                    )
                }
            }
            var results = [PartialComparison?](repeating: nil, count: comparisonInputs.count)
            for try await (slot, partial) in group { results[slot] = partial }
            return results
        }
        let ratings = try await ratingTask.value

        // Holm over this grader's comparisons, for the fixed-horizon and the always-valid p-values.
        let tested = partials.indices.filter { partials[$0] != nil }
        let adjusted = Holm.adjust(tested.map { partials[$0]!.pValue })
        let sequentialAdjusted = Holm.adjust(tested.map { partials[$0]!.sequentialP ?? 1 })
        for (position, index) in tested.enumerated() {
            partials[index]!.pAdjusted = adjusted[position]
            partials[index]!.sequentialPAdjusted = sequentialAdjusted[position]
        }
        let family = max(tested.count, 1)
        var comparisons: [Comparison] = []
        for (slot, pair) in comparisonInputs.enumerated() {
            let baseline = variants[pair.baseline]
            guard let partial = partials[slot] else {
                notes.append(
                    "\(variants[pair.variant]) vs \(baseline) on '\(table.grader)': fewer than 2 cases graded for both; not compared")
                continue
            }
            // The table counts each arm's graded cases; the comparison only the cases graded for both.
            let subset = metric != .winRate && (partial.cases < rows[pair.baseline].cases || partial.cases < rows[pair.variant].cases)
            comparisons.append(
                finish(
                    partial, variant: variants[pair.variant], control: baseline, againstControl: pair.baseline == controlIndex,
                    pairedSubset: subset, grader: table.grader, metric: metric, interim: interim, options: options, family: family))
        }
        if metric == .winRate {
            for index in rows.indices where !rows[index].isControl {
                if let comparison = comparisons.first(where: { $0.variant == rows[index].variant && $0.control == control }) {
                    rows[index].estimate = comparison.estimate
                    rows[index].interval = comparison.interval
                    rows[index].intervalMethod = comparison.intervalMethod
                    rows[index].intervalNote = comparison.intervalNote
                }
            }
        }
        return GraderReport(
            grader: table.grader, configHash: table.configHash, metric: metric, scoreRange: table.scoreRange,
            variants: rows, comparisons: comparisons, ratings: ratings)
    }

    /// The always-valid results' variance prior: the largest variance a per-case
    /// difference can have (pass shares and win-rate scores are bounded; scores by the
    /// grader's observed range), with the weight of one case, and at least
    /// ``SequentialPrior/minimumCases`` cases before an interim verdict can fire.
    static func sequentialPrior(metric: ReportMetric, scoreRange: ClosedRange<Double>?) -> SequentialPrior {
        switch metric {
        case .passRate: .passFail
        case .winRate: .winRate
        case .meanScore: .scores(in: scoreRange ?? 0...1)
        }
    }

    /// Per-case means; NaN for cases without a grade.
    static func caseValues(_ sums: CaseGradeSums, metric: ReportMetric) -> [Double] {
        var values = [Double](repeating: .nan, count: sums.grades.count)
        for index in values.indices {
            if metric == .passRate {
                if sums.judged[index] > 0 { values[index] = Double(sums.passes[index]) / Double(sums.judged[index]) }
            } else if sums.scored[index] > 0 {
                values[index] = sums.scoreSum[index] / Double(sums.scored[index])
            }
        }
        return values
    }

    /// The per-case verdict score s ∈ {0, ½, 1} after combining the two orders (MT-Bench
    /// rule: disagreement is a tie), with how many two-order cases agreed.
    static func combinedVerdicts(_ entry: VariantCaseGrades, caseCount: Int) -> (values: [Double], agreeing: Int, pairs: Int) {
        func verdict(_ sums: CaseGradeSums?, _ index: Int) -> PromptLabStats.Verdict? {
            guard let sums, sums.scored[index] > 0 else { return nil }
            let mean = sums.scoreSum[index] / Double(sums.scored[index])
            return mean > 0.5 ? .win : (mean < 0.5 ? .loss : .tie)
        }
        var values = [Double](repeating: .nan, count: caseCount)
        var agreeing = 0
        var pairs = 0
        for index in 0..<caseCount {
            switch (verdict(entry.shownFirst, index), verdict(entry.shownSecond, index)) {
            case (let first?, let second?):
                pairs += 1
                if first == second { agreeing += 1 }
                values[index] = PromptLabStats.Verdict.combined(first, second).score
            case (let only?, nil), (nil, let only?):
                values[index] = only.score
            case (nil, nil):
                break
            }
        }
        return (values, agreeing, pairs)
    }

    static func variantScore(_ name: String, isControl: Bool, sums: CaseGradeSums, metric: ReportMetric, level: Double) throws
        -> VariantScore
    {
        var clusterSums: [Double] = []
        var clusterCounts: [Int] = []
        var repeated = false
        for index in sums.grades.indices {
            let count = Int(metric == .passRate ? sums.judged[index] : sums.scored[index])
            guard count > 0 else { continue }
            clusterSums.append(metric == .passRate ? Double(sums.passes[index]) : sums.scoreSum[index])
            clusterCounts.append(count)
            if count > 1 { repeated = true }
        }
        let grades = clusterCounts.reduce(0, +)
        var row = VariantScore(
            variant: name, isControl: isControl, cases: clusterCounts.count, grades: grades, estimate: nil, interval: nil,
            intervalMethod: nil)
        guard grades > 0 else { return row }
        row.estimate = clusterSums.reduce(0, +) / Double(grades)
        if metric == .passRate {
            if repeated, clusterCounts.count >= 2 {
                let clustered = try ClusteredStandardError.wilsonInterval(
                    clusterPasses: clusterSums.map { Int($0) }, clusterCounts: clusterCounts, level: level)
                row.interval = clustered.interval
                row.intervalMethod = "Wilson, clustered by case"
            } else {
                row.interval = try Wilson.interval(successes: Int(clusterSums.reduce(0, +)), trials: grades, level: level)
                row.intervalMethod = "Wilson"
            }
        } else if clusterCounts.count >= 2 {
            let clustered = try ClusteredStandardError.mean(clusterSums: clusterSums, clusterCounts: clusterCounts)
            let interval = clustered.interval(level: level)
            if interval.upper > interval.lower {
                row.interval = interval
                row.intervalMethod = repeated ? "t, clustered by case" : "t"
            } else {
                row.intervalNote = "all \(clusterCounts.count) cases score the same; no interval"
            }
        }
        if row.intervalNote == nil, clusterCounts.count <= 2 { row.intervalNote = fewCasesNote(clusterCounts.count) }
        return row
    }

    /// The pairs to compare, as (baseline, variant) indices: every variant against the
    /// control, in run order, and with `allPairs` then every other pair, the variant
    /// listed earlier in the run as the baseline.
    static func comparisonPairs(count: Int, control: Int, allPairs: Bool) -> [(baseline: Int, variant: Int)] {
        var pairs = (0..<count).filter { $0 != control }.map { (baseline: control, variant: $0) }
        if allPairs {
            for first in 0..<count where first != control {
                for second in (first + 1)..<count where second != control {
                    pairs.append((baseline: first, variant: second))
                }
            }
        }
        return pairs
    }

    /// The note on an interval from one or two cases.
    static func fewCasesNote(_ cases: Int) -> String {
        "only \(cases) case\(cases == 1 ? "" : "s"): too few for the interval to mean much"
    }

    // MARK: - Comparisons

    /// The statistics of one comparison before Holm and wording.
    struct PartialComparison: Sendable {
        var cases: Int
        var controlMean: Double?
        var variantMean: Double?
        var estimate: Double
        var interval: ConfidenceInterval
        var intervalMethod = "paired t"
        var intervalNote: String?
        var hasInterval = true
        var nullValue: Double
        var pValue: Double
        var pAdjusted = 1.0
        var test: String
        var wins: Int
        var ties: Int
        var losses: Int
        var controlOnly: Int?
        var variantOnly: Int?
        var bootstrap: ConfidenceInterval?
        var sequentialInterval: ConfidenceInterval?
        var sequentialP: Double?
        var sequentialPAdjusted: Double?
        var agreeing: Int?
        var pairs: Int?
        var chanceToBeat: Double?
        /// Variance of the per-case differences (for planning).
        var differenceVariance: Double
    }

    static func compare(
        control: [Double], variant: [Double], metric: ReportMetric, agreement: (agreeing: Int, pairs: Int), level: Double,
        resamples: Int, alpha: Double, tuning: Double, prior: SequentialPrior, seed: UInt64
    ) throws -> PartialComparison? {
        if metric == .winRate {
            var counts = VerdictCounts(wins: 0, ties: 0, losses: 0)
            for s in variant where !s.isNaN {
                if s == 1 { counts.wins += 1 } else if s == 0 { counts.losses += 1 } else { counts.ties += 1 }
            }
            guard counts.total >= 2 else { return nil }
            let result = try WinRate.analyze(counts, level: level)
            // Every verdict the same (all wins, say): the t interval has no width. Use the
            // Wilson interval of the win share (W + T/2 of n) instead.
            var interval = result.interval
            var intervalMethod = "t over per-case verdicts"
            var intervalNote: String?
            if result.standardError == 0 {
                interval = try Wilson.interval(proportion: result.rate, effectiveTrials: Double(counts.total), level: level)
                intervalMethod = "Wilson on the win share"
                let kind = counts.wins == counts.total ? "wins" : (counts.losses == counts.total ? "losses" : "ties")
                intervalNote =
                    "all \(counts.total) verdicts are \(kind); the t interval would have no width, so the interval is Wilson on the win share"
            } else if counts.total <= 2 {
                intervalNote = fewCasesNote(counts.total)
            }
            let sample = try GroupedSample(values: [0, 0.5, 1], counts: [counts.losses, counts.ties, counts.wins])
            let bootstrap = try Bootstrap.meanInterval(sample, level: level, resamples: resamples, seed: seed)
            let n = Double(counts.total)
            let variance = result.standardError * result.standardError * n
            let sequential = try Sequential.alwaysValid(
                mean: result.rate - 0.5, squaredDeviations: variance * (n - 1), count: counts.total, alpha: alpha,
                tuning: max(tuning, n), prior: prior)
            return PartialComparison(
                cases: counts.total, controlMean: nil, variantMean: nil, estimate: result.rate, interval: interval,
                intervalMethod: intervalMethod, intervalNote: intervalNote, nullValue: 0.5, pValue: result.signTestPValue,
                test: "sign test", wins: counts.wins, ties: counts.ties, losses: counts.losses,
                // Resampling identical verdicts gives a point, not an interval.
                bootstrap: result.standardError == 0 ? nil : bootstrap.interval,
                sequentialInterval: ConfidenceInterval(
                    lower: sequential.interval.lower + 0.5, upper: sequential.interval.upper + 0.5, level: sequential.interval.level),
                sequentialP: sequential.pValue, agreeing: agreement.agreeing, pairs: agreement.pairs,
                chanceToBeat: result.chanceToBeat, differenceVariance: variance)
        }
        var a: [Double] = []
        var b: [Double] = []
        a.reserveCapacity(control.count)
        b.reserveCapacity(control.count)
        var wins = 0
        var ties = 0
        var losses = 0
        for (x, y) in zip(control, variant) where !x.isNaN && !y.isNaN {
            a.append(x)
            b.append(y)
            if y > x { wins += 1 } else if y < x { losses += 1 } else { ties += 1 }
        }
        guard a.count >= 2 else { return nil }
        // Equal differences make every interval a point (t, bootstrap alike): say so rather than print one.
        let firstDifference = b[0] - a[0]
        let allEqual = zip(b, a).allSatisfy { $0 - $1 == firstDifference }
        var intervalNote: String?
        if allEqual {
            intervalNote = "all \(a.count) differences are equal; no interval"
        } else if a.count <= 2 {
            intervalNote = fewCasesNote(a.count)
        }
        let comparison = try PairedComparison.compute(
            control: a, variant: b, level: level, resamples: resamples, seed: seed)
        let difference = comparison.difference
        let pValue: Double
        let test: String
        if metric == .passRate, let mcNemar = comparison.mcNemar {
            pValue = mcNemar.exactPValue
            test = "McNemar exact"
        } else {
            pValue = comparison.wilcoxon.pValue
            test = "Wilcoxon signed-rank"
        }
        let sequential = try Sequential.alwaysValid(
            mean: difference.mean,
            squaredDeviations: difference.standardDeviation * difference.standardDeviation * Double(a.count - 1),
            count: a.count, alpha: alpha, tuning: max(tuning, Double(a.count)), prior: prior)
        return PartialComparison(
            cases: a.count, controlMean: Descriptive.mean(a), variantMean: Descriptive.mean(b), estimate: difference.mean,
            interval: difference.interval, intervalNote: intervalNote, hasInterval: !allEqual, nullValue: 0, pValue: pValue,
            test: test, wins: wins, ties: ties, losses: losses,
            controlOnly: comparison.mcNemar?.controlOnly, variantOnly: comparison.mcNemar?.variantOnly,
            bootstrap: comparison.bootstrap.interval, sequentialInterval: sequential.interval, sequentialP: sequential.pValue,
            chanceToBeat: nil,
            differenceVariance: difference.standardDeviation * difference.standardDeviation)
    }

    private static func finish(
        _ partial: PartialComparison, variant: String, control: String, againstControl: Bool, pairedSubset: Bool,
        grader: String, metric: ReportMetric, interim: Bool, options: ReportOptions, family: Int
    ) -> Comparison {
        let decisive = interim ? (partial.sequentialPAdjusted ?? 1) : partial.pAdjusted
        let significant = decisive <= options.alpha
        let direction: Direction =
            partial.estimate > partial.nullValue ? .better : (partial.estimate < partial.nullValue ? .worse : .same)
        // Plan at α/m: the level Holm needs for the first rejection among m comparisons.
        let planAlpha = options.alpha / Double(family)
        var additional: Int?
        var detectable: Double?
        let n = partial.cases
        switch metric {
        case .winRate:
            let decisiveCases = partial.wins + partial.losses
            if decisiveCases > 0, partial.wins != partial.losses {
                additional =
                    (try? Power.additionalCasesForWinRate(
                        winRate: Double(partial.wins) / Double(decisiveCases), tieShare: Double(partial.ties) / Double(n),
                        currentCases: n, alpha: planAlpha, power: options.power)) ?? nil
            }
            detectable = (try? Power.winRateMinimumDetectable(nonTiedCases: decisiveCases, alpha: planAlpha, power: options.power)) ?? nil
        case .passRate, .meanScore:
            if let b = partial.controlOnly, let c = partial.variantOnly {
                if b != c,
                    let size = try? Power.pairedBinarySampleSize(
                        p10: Double(b) / Double(n), p01: Double(c) / Double(n), alpha: planAlpha, power: options.power)
                {
                    additional = Power.additionalCases(required: size, current: n)
                }
                if b + c > 0 {
                    detectable =
                        (try? Power.pairedBinaryMinimumDetectableEffect(
                            cases: n, discordantShare: Double(b + c) / Double(n), alpha: planAlpha, power: options.power)) ?? nil
                }
            } else if partial.differenceVariance > 0 {
                if partial.estimate != 0,
                    let size = try? Power.pairedNumericSampleSize(
                        delta: partial.estimate, differenceVariance: partial.differenceVariance, alpha: planAlpha, power: options.power)
                {
                    additional = Power.additionalCases(required: size, current: n)
                }
                detectable = try? Power.pairedNumericMinimumDetectableEffect(
                    cases: n, differenceVariance: partial.differenceVariance, alpha: planAlpha, power: options.power)
            }
        }
        var comparison = Comparison(
            variant: variant, control: control, grader: grader, metric: metric, cases: n,
            controlEstimate: partial.controlMean, variantEstimate: partial.variantMean, estimate: partial.estimate,
            interval: partial.interval, intervalMethod: partial.intervalMethod, intervalNote: partial.intervalNote,
            hasInterval: partial.hasInterval, nullValue: partial.nullValue, pValue: partial.pValue, pAdjusted: partial.pAdjusted,
            test: partial.test, wins: partial.wins, ties: partial.ties, losses: partial.losses,
            controlOnly: partial.controlOnly, variantOnly: partial.variantOnly, bootstrap: partial.bootstrap,
            sequentialInterval: partial.sequentialInterval, sequentialPValue: partial.sequentialP,
            sequentialPAdjusted: partial.sequentialPAdjusted,
            consistentCases: partial.pairs.flatMap { $0 > 0 ? partial.agreeing : nil },
            bothOrderCases: partial.pairs.flatMap { $0 > 0 ? $0 : nil }, chanceToBeat: partial.chanceToBeat,
            significant: significant, direction: direction, additionalCases: additional,
            minimumDetectableEffect: detectable, verdict: "", againstControl: againstControl, pairedSubset: pairedSubset)
        comparison.verdict = VerdictWriter.sentence(for: comparison, interim: interim, family: family, options: options)
        return comparison
    }

    // MARK: - Bradley–Terry

    /// The pairwise outcomes of each case: every variant against the control (a higher
    /// case value wins, an equal one ties; for judges, the combined verdict), or with
    /// `allPairs` every pair of variants that both have a value (not for judges, which
    /// only ever compare a variant with the control).
    static func caseOutcomes(_ perCase: [[Double]], metric: ReportMetric, control: Int, allPairs: Bool) -> [[PairwiseOutcome]] {
        let caseCount = perCase.first?.count ?? 0
        var cases: [[PairwiseOutcome]] = []
        cases.reserveCapacity(caseCount)
        for index in 0..<caseCount {
            var outcomes: [PairwiseOutcome] = []
            for variant in perCase.indices where variant != control {
                let value = perCase[variant][index]
                if value.isNaN { continue }
                if metric == .winRate {
                    outcomes.append(PairwiseOutcome(first: variant, second: control, score: value))
                    continue
                }
                let others = allPairs ? Array(perCase.indices.filter { $0 < variant || $0 == control }) : [control]
                for other in Set(others) where other != variant {
                    let base = perCase[other][index]
                    if base.isNaN { continue }
                    outcomes.append(PairwiseOutcome(first: variant, second: other, score: value > base ? 1 : (value < base ? 0 : 0.5)))
                }
            }
            if !outcomes.isEmpty { cases.append(outcomes) }
        }
        return cases
    }

    /// Bradley–Terry ratings fitted jointly on every case's pairwise outcomes, with a
    /// bootstrap over cases (all variants resampled together, so rating differences,
    /// and hence ranks, come from one bootstrap distribution).
    ///
    /// A variant that won or lost every comparison has an unbounded rating; its interval
    /// is the Wilson interval of its win share on the Elo scale (see ``BradleyTerry``).
    static func rate(
        _ perCase: [[Double]], metric: ReportMetric, variants: [String], control: Int, allPairs: Bool, options: ReportOptions,
        seed: UInt64
    ) throws -> [Rating] {
        let cases = caseOutcomes(perCase, metric: metric, control: control, allPairs: allPairs)
        var compared = Set<Int>()
        for outcomes in cases {
            for outcome in outcomes {
                compared.insert(outcome.first)
                compared.insert(outcome.second)
            }
        }
        // Variants without any comparison have no rating; fit on the others only.
        let rated = variants.indices.filter { $0 == control || compared.contains($0) }
        guard rated.count >= 2 else { return [] }
        let slot = Dictionary(uniqueKeysWithValues: rated.enumerated().map { ($1, $0) })
        let remapped = cases.map { outcomes in
            outcomes.map { PairwiseOutcome(first: slot[$0.first]!, second: slot[$0.second]!, score: $0.score, weight: $0.weight) }
        }  // every index in an outcome is in `compared`, hence in `slot`
        let ranking = try BradleyTerry.ranking(
            variantCount: rated.count, control: slot[control]!, cases: remapped, resamples: options.resamples,
            level: options.level, seed: seed &+ 0xB7)
        return rated.enumerated().map { position, index in
            Rating(
                variant: variants[index], elo: ranking.elo[position], interval: ranking.eloIntervals[position],
                rank: ranking.ranks[position], bound: ranking.bounds[position])
        }
    }
}
