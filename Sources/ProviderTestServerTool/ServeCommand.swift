import ArgumentParser
import Foundation
import ProviderTestServer

/// `promptlab-test-server`: the loopback provider server as a process, for
/// benchmarks and manual testing. It speaks the OpenAI, Anthropic and Gemini
/// wire formats, answers by echoing, and runs until it is sent SIGTERM or SIGINT.
@main
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promptlab-test-server",
        abstract: "Serve the OpenAI, Anthropic and Gemini wire formats on loopback (for benchmarks and tests).")

    @Option(help: "Event-loop threads.")
    var threads = 1

    @Option(help: "Delay every answer by this many milliseconds.")
    var delayMs = 0

    @Option(help: "Write the base URL to this file once listening.")
    var urlFile: String?

    func run() async throws {
        let server = try await ProviderTestServer.start(threads: threads)
        if delayMs > 0 { server.setRandomFaults([(.delay(.milliseconds(delayMs)), 1.0)], seed: 1) }
        if let urlFile {
            try server.baseURL.write(toFile: urlFile, atomically: true, encoding: .utf8)
        }
        FileHandle.standardOutput.write(Data((server.baseURL + "\n").utf8))
        let (stop, continuation) = AsyncStream<Void>.makeStream()
        let sources = [SIGTERM, SIGINT].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { continuation.finish() }
            source.resume()
            return source
        }
        for await _ in stop {}
        for source in sources { source.cancel() }
        FileHandle.standardError.write(Data("served \(server.requestCount) requests\n".utf8))
        try await server.shutdown()
    }
}
