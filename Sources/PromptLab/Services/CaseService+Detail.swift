import Foundation
import PromptExperiments
import PromptFormat
import PromptLabCore
import PromptLabStore
import PromptVersioning

extension CaseService {
    /// One case of a run in full: each variant's messages (rendered again from the pinned prompt
    /// version and the case's variables, which is what was sent), every response with its tokens,
    /// latency, cost and request id, and every grade with the judge's raw output, in both orders.
    ///
    /// - Throws: ``PromptLabError`` `notFound` for an unknown run or case.
    public func detail(_ target: String, caseID: String) async throws -> CaseDetailOutput {
        let store = try workspace.results()
        let run = try await ReportBuilder.resolveRun(target, in: store)
        return try await detail(run, caseID: caseID, caseRecords: try await store.cases(runID: run.id))
    }

    /// ``detail(_:caseID:)`` with the cases taken from an index rather than read again.
    public func detail(_ index: CaseIndex, caseID: String) async throws -> CaseDetailOutput {
        try await detail(index.run, caseID: caseID, caseRecords: index.cases)
    }

    private func detail(_ run: RunRecord, caseID: String, caseRecords: [CaseRecord]) async throws -> CaseDetailOutput {
        let store = try workspace.results()
        guard let record = caseRecords.first(where: { $0.caseID == caseID }) else {
            throw PromptLabError(
                .notFound, "run \(run.id) has no case '\(caseID)'\(Suggestion.phrase(for: caseID, in: caseRecords.map(\.caseID)))",
                hint: "see every case id with 'promptlab cases \(run.id)'")
        }
        let variables = (try? PromptValue.parseJSON(record.variablesJSON)) ?? .object([])
        var responses = [String: [ResponseRecord]]()
        for response in try await store.responses(runID: run.id, caseIDs: [caseID]) {
            responses[response.variant, default: []].append(response)
        }
        let keys = responses.values.joined().map(\.idempotencyKey)
        var grades = [String: [GradeRecord]]()  // response key → newest grade per (grader, order)
        for grade in try await store.grades(runID: run.id, responseKeys: keys) {
            var list = grades[grade.responseKey, default: []]
            if let index = list.firstIndex(where: { $0.grader == grade.grader && $0.order == grade.order }) {
                if list[index].createdAt <= grade.createdAt { list[index] = grade }
            } else {
                list.append(grade)
            }
            grades[grade.responseKey] = list
        }
        let prompts = PromptService(workspace: workspace)
        let variantRecords = try await store.variants(runID: run.id)
        let variants = variantRecords.map { variant -> CaseDetailOutput.Variant in
            let label = variant.version.map { "\(variant.promptName)@v\($0)" } ?? variant.promptReference
            var messages: [RenderOutput.Message]?
            var note: String?
            do throws(PromptLabError) {
                messages = try prompts.render("\(variant.promptName)@\(variant.commitSHA)", variables: Self.pairs(variables)).messages
            } catch {
                note = "cannot render \(label) here: \(error.message)"
            }
            let sent = (responses[variant.name] ?? []).sorted { $0.repeatIndex < $1.repeatIndex }
            return CaseDetailOutput.Variant(
                variant: variant.name, control: variant.isControl, prompt: label, commit: variant.commitSHA,
                model: variant.model, messages: messages, messagesNote: note,
                responses: sent.map { response in
                    CaseDetailOutput.Response(
                        repeat: response.repeatIndex, status: response.status.rawValue, output: response.output,
                        errorKind: response.errorKind, errorMessage: response.errorMessage, provider: response.provider,
                        model: response.model, finishReason: response.finishReason, requestId: response.requestID,
                        attempts: response.attempts, inputTokens: response.inputTokens, outputTokens: response.outputTokens,
                        cachedTokens: response.cachedTokens, latencyMs: response.latencyMs, costUsd: response.costUSD,
                        fromCache: response.fromCache,
                        grades: (grades[response.idempotencyKey] ?? []).map { grade in
                            .init(
                                grader: grade.grader, order: grade.order?.rawValue, score: grade.score, passed: grade.passed,
                                reason: grade.reason, rawJudgeOutput: grade.rawJudgeOutput)
                        })
                })
        }
        return CaseDetailOutput(
            run: run.id, experiment: run.experimentName, caseId: record.caseID, position: record.position,
            variables: variables, expected: record.expected, variants: variants)
    }

    /// A case's variables as the renderer takes them.
    static func pairs(_ value: PromptValue) -> [String: PromptValue] {
        guard case .object(let pairs) = value else { return [:] }
        return Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    }
}
