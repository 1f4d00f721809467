import AsyncHTTPClient
import ProviderTestServer
import Testing

@testable import PromptLabProviders

@Suite("Adaptive concurrency limiter")
struct LimiterTests {
    @Test func halvesOncePerWindowAndRecoversUpToTheMaximum() async throws {
        let limiter = AdaptiveConcurrencyLimiter(maxConcurrency: 8, successesPerIncrease: 2)
        for _ in 0..<4 { try await limiter.acquire() }
        #expect(await limiter.inFlight == 4)

        await limiter.release(outcome: .overloaded)
        #expect(await limiter.limit == 4)
        // The three requests already in flight belong to the old window: no second halving.
        await limiter.release(outcome: .overloaded)
        await limiter.release(outcome: .overloaded)
        #expect(await limiter.limit == 4)
        await limiter.release(outcome: .failure)

        // A request admitted after the decrease can halve again.
        try await limiter.acquire()
        await limiter.release(outcome: .overloaded)
        #expect(await limiter.limit == 2)
        try await limiter.acquire()
        await limiter.release(outcome: .overloaded)
        #expect(await limiter.limit == 1)
        try await limiter.acquire()
        await limiter.release(outcome: .overloaded)
        #expect(await limiter.limit == 1)  // never below 1
        #expect(await limiter.decreases == 3)

        // Additive recovery: +1 per 2 successes in a row, capped at the maximum.
        for _ in 0..<40 {
            try await limiter.acquire()
            await limiter.release(outcome: .success)
        }
        #expect(await limiter.limit == 8)
        #expect(await limiter.inFlight == 0)
    }

    @Test func failuresNeitherGrowNorShrink() async throws {
        let limiter = AdaptiveConcurrencyLimiter(maxConcurrency: 4, initialLimit: 2, successesPerIncrease: 1)
        try await limiter.acquire()
        await limiter.release(outcome: .failure)
        #expect(await limiter.limit == 2)
        try await limiter.acquire()
        await limiter.release(outcome: .success)
        #expect(await limiter.limit == 3)
    }

    @Test func waitersAreAdmittedInArrivalOrder() async throws {
        let limiter = AdaptiveConcurrencyLimiter(maxConcurrency: 1)
        try await limiter.acquire()
        let order = OrderLog()
        var tasks: [Task<Void, any Error>] = []
        for index in 0..<5 {
            tasks.append(
                Task {
                    try await limiter.acquire()
                    await order.append(index)
                    await limiter.release(outcome: .success)
                })
            // Wait until this waiter is queued before starting the next.
            while await limiter.waiting < index + 1 { await Task.yield() }
        }
        await limiter.release(outcome: .success)
        for task in tasks { try await task.value }
        #expect(await order.values == [0, 1, 2, 3, 4])
        #expect(await limiter.inFlight == 0)
    }

    @Test func cancelledWaitersLeaveTheQueueWithoutASlot() async throws {
        let limiter = AdaptiveConcurrencyLimiter(maxConcurrency: 1)
        try await limiter.acquire()
        let waiter = Task { try await limiter.acquire() }
        while await limiter.waiting < 1 { await Task.yield() }
        waiter.cancel()
        let result = await waiter.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(await limiter.waiting == 0)
        #expect(await limiter.inFlight == 1)
        await limiter.release(outcome: .success)
        try await limiter.acquire()  // the slot was not lost
        #expect(await limiter.inFlight == 1)
        await limiter.release(outcome: .success)

        // Already cancelled before asking.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await limiter.acquire()
        }
        await #expect(throws: CancellationError.self) { try await early.value }
        #expect(await limiter.inFlight == 0)
    }

    @Test func limitsConcurrencyAndShrinksUnderRateLimits() async throws {
        try await withServerAndClient { server, client in
            let limiter = AdaptiveConcurrencyLimiter(maxConcurrency: 8, successesPerIncrease: 1000)
            let base = OpenAIProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let provider = RetryingProvider(base, policy: fastRetries(6), limiter: limiter, logger: quietLogger)
            server.enqueue(contentsOf: Array(repeating: .rateLimited(retryAfterMilliseconds: 20), count: 6))
            try await withThrowingTaskGroup(of: ChatResponse.self) { group in
                for index in 0..<24 {
                    group.addTask { try await provider.send(ChatRequest(model: "m", messages: [.user("n\(index)")])) }
                }
                var count = 0
                for try await response in group {
                    #expect(response.text.hasPrefix("n"))
                    count += 1
                }
                #expect(count == 24)
            }
            #expect(await limiter.limit < 8)
            #expect(await limiter.decreases >= 1)
            #expect(await limiter.inFlight == 0)
            #expect(server.requestCount == 30)
        }
    }
}

actor OrderLog {
    var values: [Int] = []
    func append(_ value: Int) { values.append(value) }
}
