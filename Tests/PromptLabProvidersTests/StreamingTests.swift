import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PromptLabTestSupport
import ProviderTestServer
import Synchronization
import Testing

@testable import PromptLabProviders

/// Streamed answers from the three vendors' wire formats, over real HTTP to the loopback server: the
/// text, usage and finish reason, retries before the first event only, cut streams, in-stream errors,
/// cancellation and redaction.
@Suite("Streaming")
struct StreamingTests {
    /// Long enough to arrive in several deltas (the server's deltas are words of at most 16 characters).
    static let question = "the quick brown fox jumps over the lazy dog and then runs far, far away"
    static let request = ChatRequest(model: "model-x", messages: [.system("Be brief."), .user(question)])

    static func model(_ vendor: Vendor) -> String {
        switch vendor {
        case .openai: "gpt-4o-mini"
        case .anthropic: "claude-3-5-haiku-latest"
        case .gemini: "gemini-2.0-flash"
        }
    }

    static func request(_ vendor: Vendor, config: GenerationConfig = GenerationConfig()) -> ChatRequest {
        ChatRequest(model: model(vendor), messages: request.messages, config: config)
    }

    /// The single-attempt provider of `vendor`, talking to `server`.
    static func provider(_ vendor: Vendor, _ server: ProviderTestServer, _ client: HTTPClient, key: String = "test-key") -> any ChatProvider
    {
        switch vendor {
        case .openai:
            OpenAIProvider(baseURL: server.baseURL, apiKey: APIKey(key), httpClient: client, logger: quietLogger)
        case .anthropic:
            AnthropicProvider(baseURL: server.baseURL, apiKey: APIKey(key), httpClient: client, logger: quietLogger)
        case .gemini:
            GeminiProvider(baseURL: server.baseURL, apiKey: APIKey(key), httpClient: client, logger: quietLogger)
        }
    }

    static func retrying(_ vendor: Vendor, _ server: ProviderTestServer, _ client: HTTPClient) -> RetryingProvider {
        RetryingProvider(provider(vendor, server, client), policy: fastRetries(), clock: ManualClock(), logger: quietLogger)
    }

    /// What a consumer saw of a stream.
    struct Seen {
        var deltas: [String] = []
        var summary: ChatStreamSummary?
        var error: ProviderError?
        var text: String { deltas.joined() }
    }

    static func read(_ stream: ChatStream) async -> Seen {
        var seen = Seen()
        var events = stream.makeAsyncIterator()
        do {
            while let event = try await events.next() {
                switch event {
                case .text(let delta): seen.deltas.append(delta)
                case .finished(let summary):
                    #expect(seen.summary == nil, "a second summary")
                    seen.summary = summary
                }
            }
        } catch {
            seen.error = error
        }
        return seen
    }

    // MARK: - Answers

    /// The streamed text is the sent text, in several deltas, with the same usage and finish reason;
    /// also when the answer is cut by the token limit.
    @Test(arguments: Vendor.allCases)
    func streamingGivesWhatSendingGives(vendor: Vendor) async throws {
        try await withServerAndClient(configuration: .init(cachedTokens: 2)) { server, client in
            let provider = Self.provider(vendor, server, client)
            for config in [GenerationConfig(), GenerationConfig(maxOutputTokens: 3)] {
                let request = Self.request(vendor, config: config)
                let sent = try await provider.send(request)
                let seen = await Self.read(provider.stream(request))
                #expect(seen.error == nil)
                let summary = try #require(seen.summary)
                #expect(seen.deltas.count >= (config.maxOutputTokens == nil ? 5 : 2), "\(seen.deltas)")
                #expect(seen.text == sent.text)
                #expect(!seen.text.isEmpty)
                #expect(summary.finishReason == sent.finishReason)
                #expect(summary.inputTokens == sent.inputTokens)
                #expect(summary.outputTokens == sent.outputTokens)
                #expect(summary.cachedTokens == sent.cachedTokens)
                #expect(summary.cachedTokens == 2)
                #expect(summary.inputTokens ?? 0 > 10)
                #expect(summary.requestID != nil)
                #expect(summary.model == Self.model(vendor))
                #expect(summary.attempts == 1)
                #expect(summary.latencySeconds > 0)
            }
            #expect(server.violations.isEmpty)
            // How each vendor was asked to stream.
            let recorded = try #require(server.lastRequest)
            switch vendor {
            case .openai:
                #expect(recorded.json?["stream"]?.boolValue == true)
                #expect(recorded.json?["stream_options"]?["include_usage"]?.boolValue == true)
                #expect(recorded.header("accept") == "text/event-stream")
            case .anthropic:
                #expect(recorded.json?["stream"]?.boolValue == true)
            case .gemini:
                #expect(recorded.uri == "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse")
                #expect(recorded.json?["stream"] == nil)
            }
            // Sending still sends no stream field.
            let sentRequest = try #require(server.requests.first)
            #expect(sentRequest.json?["stream"] == nil && sentRequest.json?["stream_options"] == nil)
        }
    }

    /// The finish reasons of a cut answer arrive as each vendor names them.
    @Test func finishReasonsAreTheVendors() async throws {
        try await withServerAndClient { server, client in
            var reasons: [String?] = []
            for vendor in Vendor.allCases {
                let seen = await Self.read(
                    Self.provider(vendor, server, client).stream(Self.request(vendor, config: GenerationConfig(maxOutputTokens: 2))))
                reasons.append(seen.summary?.finishReason)
                #expect(seen.summary?.outputTokens == 2)
            }
            #expect(reasons == ["length", "max_tokens", "MAX_TOKENS"])
        }
    }

    // MARK: - Faults and retries

    /// A status fault comes before the stream: nothing is delivered, and the retry layer tries again.
    @Test(arguments: Vendor.allCases)
    func statusFaultsFailBeforeAnyEventAndAreRetried(vendor: Vendor) async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.serverError, .rateLimited(retryAfterMilliseconds: 1))
            let single = await Self.read(Self.provider(vendor, server, client).stream(Self.request(vendor)))
            #expect(single.deltas.isEmpty && single.summary == nil)
            #expect(single.error?.httpStatus == 500)

            let seen = await Self.read(Self.retrying(vendor, server, client).stream(Self.request(vendor)))
            #expect(seen.error == nil)
            #expect(seen.text == Self.question)
            #expect(seen.summary?.attempts == 2)
            #expect(server.requestCount == 3)

            server.enqueue(.badRequest)
            let refused = await Self.read(Self.retrying(vendor, server, client).stream(Self.request(vendor)))
            #expect(refused.deltas.isEmpty && refused.summary == nil)
            #expect(refused.error?.httpStatus == 400)
            #expect(refused.error?.attempts == 1)
            #expect(server.requestCount == 4)
        }
    }

    /// A connection closed in the middle of the stream fails it after the deltas already delivered, and
    /// is not retried (the consumer has seen text); closed before the first delta, it is retried.
    @Test(arguments: Vendor.allCases)
    func aCutStreamFailsAfterItsDeltasAndIsNotRetried(vendor: Vendor) async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.cutStream(afterDeltas: 3))
            let seen = await Self.read(Self.retrying(vendor, server, client).stream(Self.request(vendor)))
            #expect(seen.deltas.count == 3)
            #expect(Self.question.hasPrefix(seen.text))
            #expect(seen.summary == nil)
            let error = try #require(seen.error)
            #expect(error.isRetryable)  // it would have been retried before the first delta
            #expect(error.attempts == 1)
            #expect(server.requestCount == 1)

            server.enqueue(.cutStream(afterDeltas: 0))
            let retried = await Self.read(Self.retrying(vendor, server, client).stream(Self.request(vendor)))
            #expect(retried.text == Self.question)
            #expect(retried.summary?.attempts == 2)
            #expect(server.requestCount == 3)
        }
    }

    /// Every delta but the terminator: the answer may look complete, but it is not.
    @Test(arguments: Vendor.allCases)
    func aStreamWithoutItsTerminatorIsAnError(vendor: Vendor) async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.cutStream(afterDeltas: 1000))
            let seen = await Self.read(Self.provider(vendor, server, client).stream(Self.request(vendor)))
            #expect(seen.text == Self.question)
            #expect(seen.summary == nil)
            #expect(seen.error != nil)
        }
    }

    /// An error the vendor reports inside the stream, after its 200: retried when it comes first, passed
    /// on after deltas, with the status the vendor gives that error.
    @Test(arguments: Vendor.allCases)
    func anErrorInsideTheStream(vendor: Vendor) async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.streamError(afterDeltas: 0))
            let retried = await Self.read(Self.retrying(vendor, server, client).stream(Self.request(vendor)))
            #expect(retried.text == Self.question)
            #expect(retried.summary?.attempts == 2)

            server.enqueue(.streamError(afterDeltas: 2))
            let seen = await Self.read(Self.retrying(vendor, server, client).stream(Self.request(vendor)))
            #expect(seen.deltas.count == 2)
            let error = try #require(seen.error)
            let expected: (status: Int, type: String) =
                switch vendor {
                case .openai: (500, "server_error")
                case .anthropic: (529, "overloaded_error")
                case .gemini: (503, "UNAVAILABLE")
                }
            #expect(error.httpStatus == expected.status)
            if case .http(_, let type, _, let message) = error.kind {
                #expect(type == expected.type)
                #expect(message?.hasSuffix("(injected fault)") == true)
            }
            #expect(error.isRetryable && error.attempts == 1)
            #expect(server.requestCount == 3)
        }
    }

    /// A line longer than the parser's limit fails the stream instead of filling memory.
    @Test func anOversizedEventIsMalformed() async throws {
        try await withServerAndClient { server, client in
            server.enqueue(.hostile(.hugeBody(bytes: 2 << 20)))
            let seen = await Self.read(Self.provider(.anthropic, server, client).stream(Self.request(.anthropic)))
            #expect(seen.deltas.isEmpty)
            #expect(seen.error?.kind == .malformedResponse("a server-sent event line is longer than 1048576 bytes"))
        }
    }

    /// A server that ignores the request to stream and answers with JSON still gives the answer, in one delta.
    @Test func aWholeJSONAnswerIsOneDelta() async throws {
        try await withServerAndClient { server, client in
            let body =
                #"{"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assistant","content":"all at once"},"finish_reason":"stop"}],"#
                + #""usage":{"prompt_tokens":3,"completion_tokens":3}}"#
            server.enqueue(.status(200, body: body))
            let seen = await Self.read(Self.provider(.openai, server, client).stream(Self.request(.openai)))
            #expect(seen.deltas == ["all at once"])
            #expect(seen.summary?.finishReason == "stop")
            #expect(seen.summary?.outputTokens == 3)

            server.enqueue(.malformedJSON)
            let broken = await Self.read(Self.provider(.openai, server, client).stream(Self.request(.openai)))
            #expect(broken.error.map { if case .malformedResponse = $0.kind { true } else { false } } == true)
        }
    }

    /// Problems found before anything is sent fail the stream at once, without a request.
    @Test func invalidRequestsFailWithoutARequest() async throws {
        try await withServerAndClient { server, client in
            let request = ChatRequest(model: "claude-3-5-haiku-latest", messages: [.system("only a system prompt")])
            let seen = await Self.read(Self.provider(.anthropic, server, client).stream(request))
            #expect(seen.error?.kind == .invalidConfiguration("the Messages API needs at least one user or assistant message"))
            #expect(server.requestCount == 0)
        }
    }

    // MARK: - The retry layer alone

    /// A provider whose stream attempts follow a script: each yields its deltas, then fails or finishes.
    struct ScriptedProvider: ChatProvider {
        final class Attempts: Sendable {
            let count = Mutex(0)
        }
        let name = "scripted"
        let script: [(deltas: [String], failure: ProviderError?)]
        let attempts = Attempts()

        func send(_ request: ChatRequest) async throws(ProviderError) -> ChatResponse {
            throw ProviderError(.invalidConfiguration("streams only"), provider: name)
        }

        func stream(_ request: ChatRequest) -> ChatStream {
            let number = attempts.count.withLock { count in
                defer { count += 1 }
                return count
            }
            let step = script[min(number, script.count - 1)]
            return ChatStream(provider: name) { continuation throws(ProviderError) in
                for delta in step.deltas { continuation.yield(.text(delta)) }
                if let failure = step.failure { throw failure }
                continuation.yield(.finished(ChatStreamSummary(finishReason: "stop")))
            }
        }
    }

    /// Without a network in the way: a failure before the first event is retried, one after it is passed
    /// on, and the limiter's slot is given back either way.
    @Test func retriesStopAtTheFirstEvent() async throws {
        let dropped = ProviderError(.transport("the server closed the connection"), provider: "scripted")
        let limiter = AdaptiveConcurrencyLimiter(maxConcurrency: 1)
        func retrying(_ base: ScriptedProvider) -> RetryingProvider {
            RetryingProvider(base, policy: fastRetries(), limiter: limiter, clock: ManualClock(), logger: quietLogger)
        }
        let recovers = ScriptedProvider(script: [([], dropped), ([], dropped), (["a", "b"], nil)])
        let recovered = await Self.read(retrying(recovers).stream(Self.request))
        #expect(recovered.deltas == ["a", "b"] && recovered.summary?.attempts == 3)
        #expect(recovers.attempts.count.withLock { $0 } == 3)

        let breaks = ScriptedProvider(script: [(["a"], dropped), (["a", "b"], nil)])
        let broken = await Self.read(retrying(breaks).stream(Self.request))
        #expect(broken.deltas == ["a"] && broken.summary == nil)
        #expect(broken.error?.kind == dropped.kind && broken.error?.attempts == 1)
        #expect(breaks.attempts.count.withLock { $0 } == 1)
        #expect(await limiter.inFlight == 0)
    }

    // MARK: - Cancellation

    /// A consumer that stops reading cancels the upstream request: the server sees its connection
    /// closed and stops sending, long before the answer would have been complete.
    @Test(arguments: [false, true])
    func stoppingTheConsumerCancelsTheUpstreamRequest(cancelTask: Bool) async throws {
        try await withServerAndClient { server, client in
            // A byte every 2 ms: the whole stream would take seconds.
            server.enqueue(.hostile(.trickle(interval: .milliseconds(2))))
            let stream = Self.provider(.openai, server, client).stream(Self.request(.openai))
            let firstDelta = Mutex<String?>(nil)
            let consumer = Task {
                for try await event in stream {
                    if case .text(let delta) = event {
                        firstDelta.withLock { $0 = delta }
                        if !cancelTask { break }
                        // Wait to be cancelled.
                        while !Task.isCancelled { await Task.yield() }
                    }
                }
            }
            while firstDelta.withLock({ $0 }) == nil { await Task.yield() }
            if cancelTask { consumer.cancel() }
            _ = await consumer.result
            // The server stops trickling once the connection is gone; wait (a bounded while) until it has.
            var last = -1
            for _ in 0..<200 where server.trickledBytes != last {
                last = server.trickledBytes
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(server.trickledBytes == last, "the server was still sending")
            #expect(last < 2000, "sent \(last) bytes")
        }
    }

    // MARK: - The default for providers without a stream

    @Test func localProvidersStreamTheirWholeAnswer() async throws {
        let request = ChatRequest(model: "echo", messages: [.user("label: billing")])
        for provider in [LocalProvider(), EchoProvider()] as [any ChatProvider] {
            let sent = try await provider.send(request)
            let seen = await Self.read(provider.stream(request))
            #expect(seen.deltas == [sent.text])
            let summary = try #require(seen.summary)
            #expect(summary.finishReason == "stop")
            #expect(summary.inputTokens == sent.inputTokens && summary.outputTokens == sent.outputTokens)
            #expect(summary.model == "echo" && summary.attempts == 1)
        }
        let refused = await Self.read(LocalProvider().stream(ChatRequest(model: "baseline", messages: [.system("no user")])))
        #expect(refused.deltas.isEmpty && refused.summary == nil)
        #expect(refused.error?.kind == .invalidConfiguration("local/baseline needs a user message to answer"))
    }

    @Test func collectJoinsTheDeltas() async throws {
        try await withServerAndClient { server, client in
            let response = try await Self.provider(.gemini, server, client).stream(Self.request(.gemini)).collect()
            #expect(response.text == Self.question)
            #expect(response.finishReason == "STOP")
            server.enqueue(.unauthorized)
            let error = await providerError { try await Self.provider(.gemini, server, client).stream(Self.request(.gemini)).collect() }
            #expect(error?.httpStatus == 401)
        }
    }

    /// The sequence keeps its contract whatever produces it.
    @Test func theSequenceEndsAfterOneSummaryAndFailsWithoutOne() async throws {
        let extra = ChatStream(provider: "fake") { continuation in
            continuation.yield(.text("a"))
            continuation.yield(.text(""))
            continuation.yield(.finished(ChatStreamSummary(finishReason: "stop")))
            continuation.yield(.text("after the end"))
            continuation.yield(.finished(ChatStreamSummary(finishReason: "again")))
        }
        let seen = await Self.read(extra)
        #expect(seen.deltas == ["a"])
        #expect(seen.summary?.finishReason == "stop")
        #expect(seen.error == nil)

        let unfinished = await Self.read(ChatStream(provider: "fake") { continuation in continuation.yield(.text("a")) })
        #expect(unfinished.deltas == ["a"])
        #expect(unfinished.error?.kind == .malformedResponse("the stream ended before the answer was complete"))
    }

    // MARK: - Keys

    static let key = "sk-STREAMLEAK-4e8a1c9b27d53f60-NEVER"
    static let otherKey = "sk-ant-OTHERSTREAM-1a2b3c4d5e6f-KEY"

    /// A server that echoes keys into the answer: through the registry's providers every delta, the
    /// summary and the error are redacted, whether a key arrives whole in one delta or split over two.
    @Test(arguments: Vendor.allCases, [100, 20])
    func echoedKeysAreRedactedFromDeltas(vendor: Vendor, deltaLength: Int) async throws {
        let capture = LogCapture()
        try await withServerAndClient(configuration: .init(streamDeltaLength: deltaLength)) { server, client in
            // Without redaction the key is in the deltas, whole or split: the test below can fail.
            server.enqueue(.hostile(.echoSecrets(also: Self.otherKey)))
            let raw = await Self.read(Self.provider(vendor, server, client, key: Self.key).stream(Self.request(vendor)))
            if deltaLength == 100 {
                #expect(raw.deltas.contains { $0.contains(Self.key) }, "\(raw.deltas)")
            } else {
                #expect(!raw.deltas.contains { $0.contains(Self.key) } && raw.text.contains(Self.key), "\(raw.deltas)")
            }

            // The other key belongs to a provider that is configured but not called: it is redacted too.
            let environment = [
                "OPENAI_API_KEY": Self.key, "ANTHROPIC_API_KEY": Self.key, "GEMINI_API_KEY": Self.key, "OTHER_KEY": Self.otherKey,
            ]
            let overrides = ProviderOverrides(baseURL: server.baseURL, maxAttempts: 2)
            let registry = ProviderRegistry(
                httpClient: client, environment: environment,
                overrides: [
                    "openai": overrides, "anthropic": overrides, "gemini": overrides, "ollama": ProviderOverrides(apiKeyEnv: "OTHER_KEY"),
                ],
                clock: ManualClock(), logger: capture.logger())
            let reference = try ModelReference(parsing: "\(vendor.rawValue)/\(Self.model(vendor))")
            let provider = try registry.makeRetryingProvider(for: reference)

            server.enqueue(.hostile(.echoSecrets(also: Self.otherKey)))
            let seen = await Self.read(provider.stream(Self.request(vendor)))
            let summary = try #require(seen.summary)
            #expect(seen.text.contains("Your key is <redacted> and <redacted>."), "\(seen.text)")
            for text in seen.deltas + [seen.text, summary.requestID ?? "", "\(summary)"] { assertClean(text) }

            server.enqueue(.hostile(.echoSecrets(also: Self.otherKey, errorStatus: 400)))
            let failed = await Self.read(provider.stream(Self.request(vendor)))
            let error = try #require(failed.error)
            #expect(error.httpStatus == 400)
            assertClean(error.description)
            assertClean(error.requestID ?? "")
        }
        for line in capture.lines { assertClean(line) }
    }

    func assertClean(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in [Self.key, Self.otherKey] {
            #expect(!text.contains(secret), "leaked: \(text)", sourceLocation: sourceLocation)
            #expect(!text.contains(secret.dropFirst(4).prefix(12)), "partly leaked: \(text)", sourceLocation: sourceLocation)
        }
    }
}
