import ArgumentParser
import CSV
import Foundation
import PromptLab
import PromptLabCore

extension PromptLabCommand {
    /// `promptlab export RUN|EXPERIMENT --format csv|jsonl`
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write every response of a run, with its case and grades, one row per response, as CSV or JSON Lines.",
            discussion: """
                Each row has the response, the case's variables (as JSON) and expected value, and each grader's \
                latest score, pass and reason (in CSV, three columns per grader: GRADER.score, GRADER.passed, \
                GRADER.reason). An experiment name means its latest run.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case csv, jsonl }

        @Argument(help: ArgumentHelp("A run id, or an experiment name for its latest run.", valueName: "run-or-experiment"))
        var target: String

        @Option(help: "csv or jsonl.")
        var format: Format = .jsonl

        @Option(name: [.customShort("o"), .long], help: "Write to this file instead of stdout.")
        var output: String?

        @OptionGroup var workspace: WorkspaceOptions

        func run() async throws {
            let service = ResultsService(workspace: try workspace.open())
            let path = output ?? "/dev/stdout"
            guard let stream = OutputStream(toFileAtPath: path, append: false) else {
                throw PromptLabError(.failure, "cannot write '\(path)'", hint: "check that the folder exists and is writable")
            }
            stream.open()
            defer { stream.close() }
            let csv = format == .csv ? try CSVWriter(stream: stream) : nil
            var graders = [String]()
            try await service.export(target) { names in
                graders = names
                try csv?.write(row: ExportRow.csvHeader(graders: names))
            } row: { row in
                if let csv {
                    try csv.write(row: row.csvCells(graders: graders))
                } else {
                    try Self.write(Array(try JSONOutput.text(row, pretty: false).utf8), to: stream, path: path)
                }
            }
            // CSVWriter separates rows but does not end the last one.
            if csv != nil { try Self.write([0x0A], to: stream, path: path) }
        }

        private static func write(_ bytes: [UInt8], to stream: OutputStream, path: String) throws {
            let written = bytes.withUnsafeBufferPointer { buffer in
                buffer.baseAddress.map { stream.write($0, maxLength: buffer.count) } ?? 0
            }
            guard written == bytes.count else { throw PromptLabError(.failure, "cannot write '\(path)'") }
        }
    }
}
