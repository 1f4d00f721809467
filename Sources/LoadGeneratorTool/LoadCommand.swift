import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// `promptlab-load`: a plain HTTP load generator on the same HTTP stack as
/// PromptLab's providers (AsyncHTTPClient), with nothing else around it. The
/// runner benchmark uses it to measure the ceiling a loopback server reaches
/// for this client, next to wrk's.
@main
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promptlab-load",
        abstract: "POST one chat-completions body N times at a given concurrency and print requests/s.")

    @Option(help: "The endpoint, such as http://127.0.0.1:8080/v1/chat/completions.")
    var url: String

    @Option(help: "Requests to send.")
    var requests = 20000

    @Option(help: "Requests in flight at once.")
    var concurrency = 64

    func run() async throws {
        let body =
            #"{"model":"bench","messages":[{"role":"system","content":"Route the ticket to billing, technical, shipping or general. Answer with the label only."},{"role":"user","content":"Ticket 1: refund for order number 7919"}],"temperature":0,"max_tokens":8}"#
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let url = url
        let total = requests
        let start = ContinuousClock.now
        let failures = try await HTTPClient.withHTTPClient(eventLoopGroup: group, configuration: configuration) { client in
            try await withThrowingTaskGroup(of: Int.self) { tasks in
                var launched = 0
                var failures = 0
                func send() {
                    tasks.addTask {
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "content-type", value: "application/json")
                        request.headers.add(name: "authorization", value: "Bearer bench")
                        request.body = .bytes(ByteBuffer(string: body))
                        let response = try await client.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        return response.status == .ok ? 0 : 1
                    }
                    launched += 1
                }
                while launched < min(concurrency, total) { send() }
                while let failed = try await tasks.next() {
                    failures += failed
                    if launched < total { send() }
                }
                return failures
            }
        }
        try await group.shutdownGracefully()
        let seconds =
            Double((ContinuousClock.now - start).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - start).components.seconds)
        print(String(format: "%.0f", Double(total) / seconds))
        if failures > 0 { FileHandle.standardError.write(Data("\(failures) requests failed\n".utf8)) }
    }
}
