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

    @Option(help: "Answer this share of requests (0...1) with a 500 error, at random (seeded).")
    var errorRate = 0.0

    @Option(help: "The seed of the random faults.")
    var seed: UInt64 = 1

    func validate() throws {
        guard errorRate >= 0, errorRate <= 1 else { throw ValidationError("--error-rate must be between 0 and 1") }
        guard delayMs >= 0, delayMs <= 600_000 else { throw ValidationError("--delay-ms must be between 0 and 600000") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be between 1 and 64") }
    }

    func run() async throws {
        let server = try await ProviderTestServer.start(threads: threads)
        var faults = [(fault: Fault, probability: Double)]()
        if errorRate > 0 { faults.append((.serverError, errorRate)) }
        if delayMs > 0 { faults.append((.delay(.milliseconds(delayMs)), 1.0 - errorRate)) }
        if !faults.isEmpty { server.setRandomFaults(faults, seed: seed) }
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
