import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PromptLabTestSupport
import ProviderTestServer
import Testing

@testable import PromptLabProviders

/// The time limit of one attempt covers the whole exchange (connect, head and body), not only the
/// response head. The deadline runs on a manual clock that the test moves, so the limit passes exactly
/// when the test says: after the server has sent the head and started trickling the body.
@Suite("Exchange deadline")
struct ExchangeDeadlineTests {
    func transport(_ client: HTTPClient, clock: ManualClock) -> HTTPTransport {
        // The real-time limit (also given to AsyncHTTPClient for the head) is far away; the manual clock decides.
        var transport = HTTPTransport(client: client, providerName: "openai", timeout: .seconds(300), redactor: .none, logger: quietLogger)
        transport.clock = clock
        return transport
    }

    func post(_ transport: HTTPTransport, _ server: ProviderTestServer) async throws(ProviderError) -> HTTPTransport.Response {
        var headers = HTTPHeaders()
        headers.add(name: "authorization", value: "Bearer k")
        let body = ByteBuffer(string: #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"a trickled answer"}]}"#)
        return try await transport.post(url: server.baseURL + "/v1/chat/completions", headers: headers, body: body, model: "gpt-4o-mini")
    }

    @Test(.timeLimit(.minutes(1)))
    func aTrickledBodyEndsAtTheDeadline() async throws {
        try await withServerAndClient { server, client in
            // One byte every 200 ms: the answer (about 300 bytes) would take a minute.
            server.enqueue(.hostile(.trickle(interval: .milliseconds(200))))
            let clock = ManualClock(waitsForAdvance: true)
            let transport = transport(client, clock: clock)
            let exchange = Task { try await post(transport, server) }
            // The head has arrived and the body is on its way: only now does the limit pass.
            while server.trickledBytes < 2 { try await Task.sleep(for: .milliseconds(10)) }
            clock.advance(by: .seconds(300))
            let result = await exchange.result
            guard case .failure(let error) = result, case .timeout? = (error as? ProviderError)?.kind else {
                Issue.record("expected a timeout, got \(result)")
                return
            }
            #expect(clock.sleeps == [.seconds(300)])
        }
    }

    @Test func anExchangeWithinTheDeadlineIsUntouched() async throws {
        try await withServerAndClient { server, client in
            let clock = ManualClock(waitsForAdvance: true)
            let response = try await post(transport(client, clock: clock), server)
            #expect(response.status == 200)
            #expect(clock.now.offset == .zero, "the clock never moved")
        }
    }

    /// When the limit passes first, a result the operation still delivers (it had finished, and only
    /// waited for a thread) is kept if it is complete, and is a timeout otherwise. The operation here
    /// returns only once it is cancelled, that is once the limit has won, so the order is fixed.
    @Test(arguments: [true, false])
    func aLateButCompleteResultIsKept(complete: Bool) async throws {
        let clock = ManualClock(waitsForAdvance: true)
        let race = Task {
            try await clock.withTimeLimit(.seconds(5), keepingFinished: { _ in complete }) {
                while !Task.isCancelled { await Task.yield() }
                return 42
            }
        }
        await clock.waitForSleeps(1)
        clock.advance(by: .seconds(5))
        let result = await race.result
        if complete {
            #expect((try? result.get()) == 42)
        } else {
            #expect(throws: HTTPTransport.TimeLimitExceeded.self) { try result.get() }
        }
    }
}
