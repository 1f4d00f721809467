import ArgumentParser
import Foundation
import Logging
import PromptLab
import PromptLabProviders
import PromptLabStore

extension PromptLabCommand {
    /// `promptlab grade RUN`
    struct Grade: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "grade",
            abstract: "Grade a run's stored responses with the experiment's graders.",
            discussion: """
                Reads the graders from the experiment text stored with the run, or from --experiment FILE (for \
                example after adding or changing a grader). Models are not called again; only LLM judges make \
                requests. Grades already stored for the same response, grader and configuration are skipped, \
                so grading twice changes nothing, and a changed grader gets new grades beside the old ones. \
                Error responses are not graded. Exit 1 when some grades could not be computed (they are \
                retried next time), 130 when interrupted.
                """)

        @Argument(help: ArgumentHelp("The run to grade, such as r-20261130-014512-3fa9.", valueName: "run-id"))
        var runID: String

        @Option(name: .customLong("grader"), help: ArgumentHelp("Only this grader (repeatable).", valueName: "name"))
        var graderNames: [String] = []

        @Option(help: ArgumentHelp("Read the graders from this experiment file instead of the run's stored copy.", valueName: "file"))
        var experiment: String?

        @Flag(help: "Re-evaluate responses that already have a grade with this configuration, and report those that differ (stored grades are kept).")
        var force = false

        @Option(help: "Judge requests and exec graders in flight at once.")
        var concurrency: Int = 4

        @OptionGroup var results: ResultsOptions
        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if !(1...256).contains(concurrency) { throw ValidationError("--concurrency must be 1...256") }
        }

        func run() async throws {
            let repo = try repository.open()
            let store = try SQLiteResultsStore(path: repo.resultsDatabasePath(override: results.db))
            var logger = Logger(label: "promptlab")
            logger.logLevel = ProcessInfo.processInfo.environment["PROMPTLAB_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .error

            let record = try await store.run(id: runID)
            let configuration: GradingConfiguration
            if let experiment {
                configuration = try GradingConfiguration.load(path: experiment)
            } else {
                configuration = try GradingConfiguration.parse(
                    experimentYAML: record.experimentYAML, displayPath: "\(record.experimentPath) (as stored with run \(runID))")
            }
            let graders = try configuration.selecting(graderNames)
            guard !graders.isEmpty else {
                throw PromptLabError(
                    .invalidInput, "the experiment of run \(runID) declares no graders",
                    hint: "add graders to the experiment file and run: promptlab grade \(runID) --experiment \(record.experimentPath)")
            }
            let overrides = configuration.providers.mapValues {
                ProviderOverrides(
                    baseURL: $0.baseURL, apiKeyEnv: $0.apiKeyEnv, timeout: $0.timeoutSeconds.map { .milliseconds(Int($0 * 1000)) },
                    maxAttempts: $0.maxAttempts, maxConcurrency: $0.maxConcurrency)
            }
            let options = GradingOptions(force: force, concurrency: concurrency)
            let isJSON = output.isJSON
            let runID = runID

            let result = try await ProviderRegistry.withRegistry(overrides: overrides, logger: logger) { registry in
                let engine = try GradingEngine(graders: graders, store: store, repository: repo, registry: registry, logger: logger)
                return try await withInterruptHandling {
                    let reporter = GradingProgressPrinter(enabled: !isJSON)
                    defer { reporter.finish() }
                    return try await engine.grade(runID: runID, options: options) { reporter.update($0) }
                }
            }
            try await Self.report(result, graders: graders, store: store, isJSON: isJSON)
            if result.interrupted { throw ExitCode(130) }
            try Self.checkFailures(result)
        }

        // MARK: - Reporting

        /// Prints a grading result: totals, then pass rates and scores per grader and variant
        /// (pairwise graders: wins, ties and losses after the MT-Bench rule, and position consistency).
        ///
        /// `promptlab run` calls this after grading a finished run.
        static func report(_ result: GradingResult, graders: [GraderDefinition], store: any ResultsStore, isJSON: Bool) async throws {
            let responses = try await store.responses(runID: result.runID)
            let grades = try await store.grades(runID: result.runID)
            let summaries = summarize(result, graders: graders, responses: responses, grades: grades)
            if isJSON {
                print(json(result, summaries: summaries).jsonText(pretty: true))
            } else {
                print(text(result, summaries: summaries), terminator: "")
                for line in failureLines(result) { Terminal.warn(line) }
            }
        }

        /// Exit 1, with one line, when some grades could not be computed.
        static func checkFailures(_ result: GradingResult) throws {
            guard let first = result.failures.first else { return }
            throw PromptLabError(
                .failure, "\(result.failures.count) grades could not be computed (first: \(first.description))",
                hint: "fix the cause and run 'promptlab grade \(result.runID)' again; it computes only the missing grades")
        }

        /// Per grader and variant: the grades of the configuration used in this pass.
        struct VariantLine {
            var variant: String
            var grades = 0
            var judged = 0
            var passes = 0
            var scored = 0
            var scoreSum = 0.0
            var pairwise: PairwiseSummary?
        }

        struct GraderSummary {
            var tally: GraderTally
            var lines: [VariantLine]
        }

        static func summarize(
            _ result: GradingResult, graders: [GraderDefinition], responses: [ResponseRecord], grades: [GradeRecord]
        ) -> [GraderSummary] {
            let variantOf = Dictionary(responses.map { ($0.idempotencyKey, $0.variant) }, uniquingKeysWith: { first, _ in first })
            var variantOrder = [String]()
            for response in responses where !variantOrder.contains(response.variant) { variantOrder.append(response.variant) }
            return result.graders.map { tally in
                let current = grades.filter { $0.grader == tally.name && $0.configHash == tally.configHash }
                if tally.type.isPairwise {
                    let pairwise = PairwiseResults.summarize(current, responses: responses)
                    let lines = variantOrder.compactMap { name in pairwise[name].map { VariantLine(variant: name, pairwise: $0) } }
                    return GraderSummary(tally: tally, lines: lines)
                }
                var lines = [String: VariantLine]()
                for grade in current {
                    guard let variant = variantOf[grade.responseKey] else { continue }
                    var line = lines[variant] ?? VariantLine(variant: variant)
                    line.grades += 1
                    if let passed = grade.passed {
                        line.judged += 1
                        if passed { line.passes += 1 }
                    }
                    if let score = grade.score {
                        line.scored += 1
                        line.scoreSum += score
                    }
                    lines[variant] = line
                }
                return GraderSummary(tally: tally, lines: variantOrder.compactMap { lines[$0] })
            }
        }

        static func text(_ result: GradingResult, summaries: [GraderSummary]) -> String {
            let already = result.graders.reduce(0) { $0 + $1.alreadyGraded }
            var text = "graded run \(result.runID): \(result.stored) new grades, \(already) already stored"
            text += String(format: " (%.1fs", result.elapsedSeconds)
            text += result.judgeRequests > 0 ? ", \(result.judgeRequests) judge requests)\n" : ")\n"
            if result.errorResponses > 0 { text += "  \(result.errorResponses) error responses are not graded\n" }
            if result.unpairedResponses > 0 {
                text += "  \(result.unpairedResponses) responses have no successful control response to compare with\n"
            }
            let changed = result.graders.reduce(0) { $0 + $1.changed }
            if changed > 0 { text += "  \(changed) re-evaluated grades differ from the stored ones (the stored ones are kept)\n" }

            var rows = [["grader", "variant", "grades", "pass rate", "mean score"]]
            var pairRows = [["grader", "variant", "pairs", "W/T/L", "win rate", "consistency", "incomplete"]]
            for summary in summaries {
                for line in summary.lines {
                    if let pairwise = line.pairwise {
                        let pairs = pairwise.comparisons.count
                        let winRate = pairs == 0 ? "-" : String(format: "%.3f", (Double(pairwise.wins) + Double(pairwise.ties) / 2) / Double(pairs))
                        pairRows.append([
                            summary.tally.name, line.variant, "\(pairs)", "\(pairwise.wins)/\(pairwise.ties)/\(pairwise.losses)", winRate,
                            pairwise.positionConsistency.map { String(format: "%.0f%%", $0 * 100) } ?? "-", "\(pairwise.incomplete)",
                        ])
                        continue
                    }
                    let passRate =
                        line.judged == 0
                        ? "-" : String(format: "%d/%d %.1f%%", line.passes, line.judged, 100 * Double(line.passes) / Double(line.judged))
                    let mean = line.scored == 0 ? "-" : String(format: "%.3f", line.scoreSum / Double(line.scored))
                    rows.append([summary.tally.name, line.variant, "\(line.grades)", passRate, mean])
                }
            }
            if rows.count > 1 { text += Table.render(rows, rightAligned: [2, 3, 4]) }
            if pairRows.count > 1 {
                text += "pairwise, against the control (a disagreement between the two orders counts as a tie):\n"
                text += Table.render(pairRows, rightAligned: [2, 3, 4, 5, 6])
            }
            return text
        }

        /// Failures grouped by grader and message, most frequent first, at most 10 lines.
        static func failureLines(_ result: GradingResult) -> [String] {
            var counts = [String: Int]()
            var order = [String]()
            for failure in result.failures {
                let key = failure.description
                if counts[key] == nil { order.append(key) }
                counts[key, default: 0] += 1
            }
            let sorted = order.sorted { counts[$0]! > counts[$1]! }  // keys come from counts.
            var lines = sorted.prefix(10).map { key in counts[key]! > 1 ? "\(key) (\(counts[key]!) responses)" : key }
            if sorted.count > 10 { lines.append("... and \(sorted.count - 10) other kinds of grading failure") }
            return lines
        }

        static func json(_ result: GradingResult, summaries: [GraderSummary]) -> JSON {
            .object([
                ("run", .string(result.runID)), ("stored", .int(result.stored)),
                ("errorResponses", .int(result.errorResponses)), ("unpairedResponses", .int(result.unpairedResponses)),
                ("judgeRequests", .int(result.judgeRequests)), ("interrupted", .bool(result.interrupted)),
                ("seconds", .double(result.elapsedSeconds)),
                ("graders", .array(summaries.map { summary in
                    let tally = summary.tally
                    return .object([
                        ("name", .string(tally.name)), ("type", .string(tally.type.rawValue)), ("configHash", .string(tally.configHash)),
                        ("graded", .int(tally.graded)), ("alreadyGraded", .int(tally.alreadyGraded)), ("failed", .int(tally.failed)),
                        ("changed", .int(tally.changed)),
                        ("variants", .array(summary.lines.map { line in
                            if let pairwise = line.pairwise {
                                return .object([
                                    ("variant", .string(line.variant)), ("pairs", .int(pairwise.comparisons.count)),
                                    ("wins", .int(pairwise.wins)), ("ties", .int(pairwise.ties)), ("losses", .int(pairwise.losses)),
                                    ("positionConsistency", pairwise.positionConsistency.map(JSON.double) ?? .null),
                                    ("incomplete", .int(pairwise.incomplete)),
                                ])
                            }
                            return .object([
                                ("variant", .string(line.variant)), ("grades", .int(line.grades)), ("judged", .int(line.judged)),
                                ("passed", .int(line.passes)),
                                ("meanScore", line.scored == 0 ? .null : .double(line.scoreSum / Double(line.scored))),
                            ])
                        })),
                    ])
                })),
                ("failures", .array(result.failures.map {
                    .object([("grader", .string($0.grader)), ("response", .text($0.responseKey)), ("message", .string($0.message))])
                })),
            ])
        }
    }
}

/// Shows judge and exec grading progress on stderr: a live line on a terminal, else a line every few seconds.
final class GradingProgressPrinter {
    private let enabled: Bool
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastDraw = ContinuousClock.now
    private var drew = false

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func update(_ progress: GradingProgress) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let interval: Duration = isTerminal ? .milliseconds(100) : .seconds(2)
        guard now - lastDraw >= interval || progress.done == progress.total else { return }
        lastDraw = now
        let text = "grading: \(progress.done)/\(progress.total) judge and exec grades, \(progress.failures) failed"
        if isTerminal {
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(text)".utf8))
            drew = true
        } else {
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        }
    }

    func finish() {
        if drew { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
