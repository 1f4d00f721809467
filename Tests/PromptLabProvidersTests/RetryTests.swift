import AsyncHTTPClient
import Foundation
import NIOHTTP1
import PromptLabTestSupport
import ProviderTestServer
import Testing

@testable import PromptLabProviders

/// Retries against faults injected by the loopback server; the server's request count proves how many
/// attempts went out.
@Suite("Retries")
struct RetryTests {
    let request = ChatRequest(model: "gpt-4o-mini", messages: [.user("hello")])

    func openAI(
        _ server: ProviderTestServer, _ client: HTTPClient, timeout: Duration = .seconds(10), policy: RetryPolicy = fastRetries(),
        clock: any Clock<Duration> = ManualClock()
    ) -> RetryingProvider {
        let base = OpenAIProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, timeout: timeout, logger: quietLogger)
        return RetryingProvider(base, policy: policy, clock: clock, logger: quietLogger)
    }

    // MARK: - Honouring the server

    @Test func retryAfterSecondsIsHonoured() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.rateLimited(retryAfter: "1"))
            let clock = ManualClock()
            let response = try await openAI(server, client, clock: clock).send(request)
            #expect(response.text == "hello")
            #expect(response.attempts == 2)
            #expect(server.requestCount == 2)
            // Waited for the server's second, not for the 1–5 ms back-off.
            #expect(clock.sleeps == [.seconds(1)])
        }
    }

    @Test func retryAfterMillisecondsWinsOverRetryAfter() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.rateLimited(retryAfter: "30", retryAfterMilliseconds: 300))
            let clock = ManualClock()
            let response = try await openAI(server, client, clock: clock).send(request)
            #expect(response.attempts == 2)
            #expect(clock.sleeps == [.milliseconds(300)])
        }
    }

    @Test func serverDelaysAreCapped() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.rateLimited(retryAfter: "100"))
            var policy = fastRetries()
            policy.maxServerDelay = .milliseconds(100)
            let clock = ManualClock()
            let response = try await openAI(server, client, policy: policy, clock: clock).send(request)
            #expect(response.attempts == 2)
            #expect(clock.sleeps == [.milliseconds(100)])
        }
    }

    /// Retry headers any proxy can send. Each one ends in a retry whose wait is within the policy's cap
    /// (huge values are clamped, unreadable ones such as `1e308` or `nan` fall back to back-off), never in a trap.
    @Test(arguments: ["99999999999999999999", "1e308", "9223372036854775807", "-5", "nan", "inf", "-inf", "1e-400"])
    func absurdRetryHeadersAreClampedOrIgnored(text: String) async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.hostile(.retryAfter(seconds: text, milliseconds: nil)))
            server.enqueue(.hostile(.retryAfter(seconds: nil, milliseconds: text)))
            server.enqueue(.hostile(.retryAfter(seconds: text, milliseconds: text)))
            let clock = ManualClock()
            let policy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5), maxServerDelay: .seconds(7))
            let response = try await openAI(server, client, policy: policy, clock: clock).send(request)
            #expect(response.attempts == 4)
            #expect(clock.sleeps.count == 3)
            #expect(clock.sleeps.allSatisfy { $0 >= .zero && $0 <= .seconds(7) })
        }
    }

    @Test func absurdRetryHeaderValues() {
        for name in ["retry-after", "retry-after-ms"] {
            func delay(_ text: String) -> Duration? {
                var headers = HTTPHeaders()
                headers.add(name: name, value: text)
                return RetryPolicy.serverDelay(from: headers)
            }
            for huge in ["99999999999999999999", "9223372036854775807", "18446744073709551616.5"] {
                #expect(delay(huge) == RetryPolicy.longestServerDelay, "\(name): \(huge)")
            }
            // Only digits with an optional fraction are read (RFC 9110 delta-seconds, plus the fractions some servers send).
            for unreadable in ["-5", "nan", "inf", "-inf", "", "0x10", "1e308", "1e-400", "+3", "1.", ".5"] {
                #expect(delay(unreadable) == nil, "\(name): \(unreadable)")
            }
        }
        // An HTTP date far in the future is clamped the same way.
        #expect(RetryPolicy.parseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT") == RetryPolicy.longestServerDelay)
    }

    // MARK: - What is retried

    @Test(arguments: [Fault.serverError, .unavailable, .overloaded, .rateLimited(), .status(408, body: "{}"), .status(409, body: "{}")])
    func transientStatusesAreRetried(fault: Fault) async throws {
        try await withServerAndClient { server, client in
            server.enqueue(fault, fault)
            let response = try await openAI(server, client).send(request)
            #expect(response.attempts == 3)
            #expect(server.requestCount == 3)
        }
    }

    /// Every attempt of a request sends the same bytes, for every wire format: a retry is the same
    /// request again, not a reordered one.
    @Test func retriesSendByteIdenticalBodies() async throws {
        try await withServerAndClient { server, client in
            let config = GenerationConfig(temperature: 0.3, maxOutputTokens: 40, topP: 0.9, stopSequences: ["END", "STOP"], seed: 11)
            let busy = ChatRequest(
                model: "m", messages: [.system("Be brief."), .user("hello"), .assistant("hi"), .user("again")], config: config)
            let providers: [any ChatProvider] = [
                OpenAIProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger),
                AnthropicProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger),
                GeminiProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger),
            ]
            for base in providers {
                server.reset()
                server.enqueue(.serverError, .serverError, .serverError)
                let response = try await RetryingProvider(base, policy: fastRetries(), clock: ManualClock(), logger: quietLogger).send(busy)
                #expect(response.attempts == 4)
                let bodies = server.requests.map(\.body)
                #expect(bodies.count == 4)
                #expect(Set(bodies).count == 1, "\(base.name): attempts differ")
                // A second, independent send of the same request is the same bytes too.
                _ = try await base.send(busy)
                #expect(server.lastRequest?.body == bodies.first, "\(base.name): a later send differs")
            }
        }
    }

    @Test func anthropicOverloadedIsRetried() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.overloaded)
            let base = AnthropicProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let single = await providerError { try await base.send(request) }
            #expect(single?.httpStatus == 529)
            if case .http(_, let type, _, _) = single?.kind { #expect(type == "overloaded_error") }
            #expect(single?.isRetryable == true)

            server.enqueue(.overloaded, .overloaded)
            let response = try await RetryingProvider(base, policy: fastRetries(), logger: quietLogger).send(request)
            #expect(response.attempts == 3)
            #expect(server.requestCount == 4)
        }
    }

    @Test(arguments: [(Fault.badRequest, 400), (.unauthorized, 401), (.notFound, 404), (.status(403, body: "{}"), 403)])
    func clientErrorsAreNotRetried(fault: Fault, status: Int) async throws {
        try await withServerAndClient { server, client in
            server.enqueue(fault, fault, fault, fault)
            let error = await providerError { try await openAI(server, client).send(request) }
            #expect(error?.httpStatus == status)
            #expect(error?.attempts == 1)
            #expect(error?.isRetryable == false)
            #expect(server.requestCount == 1)
        }
    }

    @Test func insufficientQuotaIsNotRetried() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.insufficientQuota, .insufficientQuota)
            let error = await providerError { try await openAI(server, client).send(request) }
            #expect(error?.httpStatus == 429)
            #expect(error?.isInsufficientQuota == true)
            #expect(error?.isRetryable == false)
            #expect(error?.attempts == 1)
            #expect(server.requestCount == 1)
            #expect(error?.description.contains("insufficient_quota") == true)
        }
    }

    @Test func droppedConnectionsAreRetriedThenSurfaced() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.dropConnection, .dropConnection, .dropConnection, .dropConnection)
            let error = await providerError { try await openAI(server, client).send(request) }
            guard case .transport = error?.kind else {
                Issue.record("expected a transport error, got \(String(describing: error))")
                return
            }
            #expect(error?.attempts == 4)
            #expect(server.requestCount == 4)
            #expect(error?.description.contains("after 4 attempts") == true)

            server.enqueue(.dropConnection)
            let recovered = try await openAI(server, client).send(request)
            #expect(recovered.attempts == 2)
        }
    }

    @Test func malformedBodiesAreRetriedThenSurfaced() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.malformedJSON, .malformedJSON, .malformedJSON)
            let error = await providerError { try await openAI(server, client, policy: fastRetries(3)).send(request) }
            guard case .malformedResponse(let detail) = error?.kind else {
                Issue.record("expected a malformed-response error, got \(String(describing: error))")
                return
            }
            #expect(detail.contains("not json"))
            #expect(error?.attempts == 3)
            #expect(server.requestCount == 3)

            server.enqueue(.wrongShape)
            let recovered = try await openAI(server, client).send(request)
            #expect(recovered.attempts == 2)
            #expect(recovered.text == "hello")
        }
    }

    // MARK: - Time limits

    @Test func hangingServerTimesOut() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.hang, .hang)
            let provider = openAI(server, client, timeout: .milliseconds(300), policy: fastRetries(2))
            let (error, elapsed) = await measure { await providerError { try await provider.send(request) } }
            guard case .timeout = error?.kind else {
                Issue.record("expected a timeout, got \(String(describing: error))")
                return
            }
            #expect(error?.attempts == 2)
            #expect(server.requestCount == 2)
            #expect(elapsed >= 0.5)
        }
    }

    @Test func hangThenSuccess() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.hang)
            // Long enough that a loaded machine cannot turn the second, normal answer into a timeout.
            let response = try await openAI(server, client, timeout: .seconds(3)).send(request)
            #expect(response.attempts == 2)
        }
    }

    @Test func slowRepliesWithinTheLimitSucceed() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.delay(.milliseconds(200)))
            let (response, elapsed) = try await measure { try await openAI(server, client, timeout: .seconds(5)).send(request) }
            #expect(response.attempts == 1)
            #expect(response.latencySeconds >= 0.15)
            #expect(elapsed >= 0.15)
        }
    }

    @Test func cancellationStopsRetrying() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.rateLimited(retryAfter: "20"))
            let clock = ManualClock(blocksUntilCancelled: true)
            let provider = openAI(server, client, clock: clock)
            let task = Task { try await provider.send(request) }
            await clock.waitForSleeps(1)  // the first attempt failed and the back-off began
            task.cancel()
            let result = await task.result
            guard case .failure(let error) = result, case .cancelled = (error as? ProviderError)?.kind else {
                Issue.record("expected cancellation, got \(result)")
                return
            }
            #expect(clock.sleeps == [.seconds(20)])
            #expect(server.requestCount == 1)
        }
    }

    // MARK: - Policy arithmetic

    @Test func backoffIsFullJitterUnderAnExponentialCeiling() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(500), maxDelay: .seconds(30))
        var generator = SystemRandomNumberGenerator()
        for attempt in 1...9 {
            let ceiling = min(30, 0.5 * pow(2, Double(attempt - 1)))
            #expect(abs(policy.backoffCeiling(afterAttempt: attempt) - ceiling) < 1e-9)
            for _ in 0..<50 {
                let delay = policy.backoffDelay(afterAttempt: attempt, using: &generator)
                #expect(delay >= .zero && delay <= .seconds(ceiling))
            }
        }
    }

    @Test func serverDelayParsing() {
        var headers = HTTPHeaders()
        headers.add(name: "retry-after", value: "2")
        #expect(RetryPolicy.serverDelay(from: headers) == .seconds(2))
        headers.add(name: "retry-after-ms", value: "150")
        #expect(RetryPolicy.serverDelay(from: headers) == .milliseconds(150))

        let now = Date(timeIntervalSince1970: 1_445_412_470)  // 2015-10-21 07:27:50 GMT
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == .seconds(10))
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now: now) == .zero)
        #expect(RetryPolicy.parseRetryAfter("1.5") == .milliseconds(1500))
        #expect(RetryPolicy.parseRetryAfter("soon") == nil)
    }

    @Test func theServerDelayIsCappedAndPreferredOverBackoff() {
        let policy = RetryPolicy()
        var generator = SystemRandomNumberGenerator()
        let asked = ProviderError(.http(status: 429, type: nil, code: nil, message: nil), provider: "p", retryAfter: .seconds(3))
        #expect(policy.delay(afterAttempt: 1, error: asked, using: &generator) == .seconds(3))
        let greedy = ProviderError(.http(status: 429, type: nil, code: nil, message: nil), provider: "p", retryAfter: .seconds(900))
        #expect(policy.delay(afterAttempt: 1, error: greedy, using: &generator) == .seconds(120))
    }

    @Test func classification() {
        func http(_ status: Int, code: String? = nil) -> ProviderError {
            ProviderError(.http(status: status, type: nil, code: code, message: nil), provider: "p")
        }
        for status in [408, 409, 429, 500, 502, 503, 504, 529] { #expect(http(status).isRetryable, "\(status)") }
        for status in [400, 401, 403, 404, 422] { #expect(!http(status).isRetryable, "\(status)") }
        #expect(!http(429, code: "insufficient_quota").isRetryable)
        #expect(http(429).isOverload && http(529).isOverload && !http(503).isOverload)
        #expect(ProviderError(.transport("x"), provider: "p").isRetryable)
        #expect(ProviderError(.timeout(seconds: 1), provider: "p").isRetryable)
        #expect(ProviderError(.malformedResponse("x"), provider: "p").isRetryable)
        #expect(!ProviderError(.missingAPIKey("X"), provider: "p").isRetryable)
        #expect(!ProviderError(.cancelled, provider: "p").isRetryable)
        #expect(ProviderError(.execFailed(exitStatus: 75, signal: nil, detail: ""), provider: "p").isRetryable)
        #expect(!ProviderError(.execFailed(exitStatus: 1, signal: nil, detail: ""), provider: "p").isRetryable)
    }
}
