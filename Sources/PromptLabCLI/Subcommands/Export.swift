import ArgumentParser
import CSV
import Foundation
import PromptLab
import PromptLabStore

extension PromptLabCommand {
    /// `promptlab export RUN --format csv|jsonl`
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export", abstract: "Write every response of a run, one row per response, as CSV or JSON Lines.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case csv, jsonl }

        @Argument(help: "The run id (see 'promptlab runs').")
        var runID: String

        @Option(help: "csv or jsonl.")
        var format: Format = .jsonl

        @Option(name: [.customShort("o"), .long], help: "Write to this file instead of stdout.")
        var output: String?

        @OptionGroup var results: ResultsOptions
        @OptionGroup var repository: RepositoryOptions

        static let columns = [
            "run_id", "variant", "case_id", "repeat", "status", "output", "error_kind", "error_message", "input_tokens",
            "output_tokens", "cached_tokens", "latency_ms", "attempts", "finish_reason", "request_id", "cost_usd",
            "provider", "model", "request_hash", "from_cache", "started_at", "finished_at",
        ]

        func run() async throws {
            let repo = try repository.open()
            let store = try SQLiteResultsStore(path: repo.resultsDatabasePath(override: results.db))
            _ = try await store.run(id: runID)  // a clear error for an unknown run
            let path = output ?? "/dev/stdout"
            guard let stream = OutputStream(toFileAtPath: path, append: false) else {
                throw PromptLabError(.failure, "cannot write '\(path)'")
            }
            stream.open()
            defer { stream.close() }
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let csv = format == .csv ? try CSVWriter(stream: stream) : nil
            try csv?.write(row: Self.columns)
            try await store.forEachResponse(runID: runID) { record in
                let fields = Self.fields(record, formatter: formatter)
                if let csv {
                    try csv.write(row: fields.map(\.csvText))
                } else {
                    let line = Array((JSON.object(zip(Self.columns, fields).map { ($0, $1) }).jsonText(pretty: false) + "\n").utf8)
                    try Self.write(line, to: stream, path: path)
                }
            }
            // CSVWriter separates rows but does not end the last one.
            if csv != nil { try Self.write([0x0A], to: stream, path: path) }
        }

        private static func write(_ bytes: [UInt8], to stream: OutputStream, path: String) throws {
            guard bytes.withUnsafeBufferPointer({ stream.write($0.baseAddress!, maxLength: $0.count) }) == bytes.count else {
                throw PromptLabError(.failure, "cannot write '\(path)'")
            }
        }

        static func fields(_ r: ResponseRecord, formatter: ISO8601DateFormatter) -> [JSON] {
            [
                .string(r.runID), .string(r.variant), .string(r.caseID), .int(r.repeatIndex), .string(r.status.rawValue),
                .text(r.output), .text(r.errorKind), .text(r.errorMessage), .number(r.inputTokens), .number(r.outputTokens),
                .number(r.cachedTokens), r.latencyMs.map(JSON.double) ?? .null, .int(r.attempts), .text(r.finishReason),
                .text(r.requestID), r.costUSD.map(JSON.double) ?? .null, .string(r.provider), .string(r.model),
                .string(r.requestHash), .bool(r.fromCache), .string(formatter.string(from: r.startedAt)),
                .string(formatter.string(from: r.finishedAt)),
            ]
        }
    }
}

extension PromptValue {
    /// The text of a CSV cell: empty for null, JSON for containers.
    var csvText: String {
        switch self {
        case .null: ""
        default: templateText
        }
    }
}
