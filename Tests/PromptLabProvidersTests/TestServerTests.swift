import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ProviderTestServer
import Testing

@testable import PromptLabProviders

/// The loopback server itself: counting, keep-alive, fault plans.
@Suite("Provider test server")
struct TestServerTests {
    func post(_ client: HTTPClient, _ url: String, body: String = #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#)
        async throws -> Int
    {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "authorization", value: "Bearer k")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(5))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    @Test func countsPerPathAndKeepsConnectionsAlive() async throws {
        try await withServerAndClient { server, client in
            for _ in 0..<20 {
                let status = try await post(client, server.baseURL + "/v1/chat/completions")
                #expect(status == 200)
            }
            let unknown = try await post(client, server.baseURL + "/nope")
            #expect(unknown == 404)
            #expect(server.requestCount == 21)
            #expect(server.requestCount(path: "/v1/chat/completions") == 20)
            #expect(server.requestCount(path: "/nope") == 1)
            #expect(server.connectionCount == 1)
            #expect(server.violations == ["#21 /nope: unknown path"])
            server.reset()
            #expect(server.requestCount == 0)
            #expect(server.requests.isEmpty)
        }
    }

    @Test func pinnedFaultsWinOverTheQueue() async throws {
        try await withServerAndClient { server, client in
            server.setFault(.serverError, onRequest: 2)
            server.enqueue(.badRequest)
            var statuses: [Int] = []
            for _ in 0..<4 { statuses.append(try await post(client, server.baseURL + "/v1/chat/completions")) }
            #expect(statuses == [400, 500, 200, 200])
        }
    }

    @Test func randomFaultsRepeatForTheSameSeed() async throws {
        func run(seed: UInt64) async throws -> [Int] {
            try await withServerAndClient { server, client in
                server.setRandomFaults([(.serverError, 0.2), (.badRequest, 0.2)], seed: seed)
                var statuses: [Int] = []
                for _ in 0..<60 { statuses.append(try await post(client, server.baseURL + "/v1/chat/completions")) }
                return statuses
            }
        }
        let first = try await run(seed: 42)
        let again = try await run(seed: 42)
        let other = try await run(seed: 7)
        #expect(first == again)
        #expect(first != other)
        let failures = first.filter { $0 != 200 }.count
        #expect(failures > 10 && failures < 40)  // about 40 % of 60
    }

    @Test func manyConcurrentRequestsOnLoopback() async throws {
        try await ProviderTestServer.withServer(configuration: .init(recordLimit: 0)) { server in
            try await HTTPClient.withHTTPClient(configuration: .promptLabProviders(maxConnectionsPerHost: 16)) { client in
                let provider = OpenAIProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
                do {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for worker in 0..<16 {
                            group.addTask {
                                for index in 0..<50 {
                                    let text = "w\(worker) r\(index)"
                                    let response = try await provider.send(ChatRequest(model: "m", messages: [.user(text)]))
                                    if response.text != text { throw ProviderError(.malformedResponse("mixed up"), provider: "test") }
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                #expect(server.requestCount == 800)
                #expect(server.requests.isEmpty)
                #expect(server.connectionCount <= 16)
            }
        }
    }

    @Test func jsonValuesKeepTheirTypesAndRoundTrip() throws {
        let text = #"{"a": [1, -2.5e3, true, null, "x\"\u00e9\ud83d\ude00\n"], "b": {"c": 0}, "d": 1.0}"#
        let value = try #require(JSONValue.parse(Data(text.utf8)))
        #expect(value["a"] == [1, -2500.0, true, .null, "x\"é😀\n"])
        #expect(value["b"]?["c"] == 0)
        #expect(value["d"] == .double(1))
        #expect(value["a"]?[2]?.intValue == nil)  // true is not 1
        #expect(JSONValue.parse(value.data) == value)
        #expect(String(decoding: JSONValue.object(["k": "a\u{1}b", "j": 2]).data, as: UTF8.self) == #"{"j":2,"k":"a\u0001b"}"#)
        for bad in ["", "{", "[1,]", "01", "{\"a\" 1}", "\"\u{1}\"", "tru", "1 2", "\"\\ud800\""] {
            #expect(JSONValue.parse(Data(bad.utf8)) == nil, "\(bad)")
        }
    }

    // MARK: - Streams

    /// POSTs `body` to `path` as JSON and reads the whole response.
    func exchange(_ client: HTTPClient, _ server: ProviderTestServer, _ path: String, headers: [(String, String)] = [], body: String)
        async throws -> (status: Int, headers: HTTPHeaders, body: String)
    {
        var request = HTTPClientRequest(url: server.baseURL + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(5))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), response.headers, String(buffer: bytes))
    }

    @Test func streamsInEachVendorsFormat() async throws {
        try await withServerAndClient { server, client in
            let openAI = try await exchange(
                client, server, "/v1/chat/completions", headers: [("authorization", "Bearer k")],
                body:
                    #"{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"one two three"}]}"#
            )
            #expect(openAI.status == 200)
            #expect(openAI.headers.first(name: "content-type") == "text/event-stream")
            #expect(openAI.headers.first(name: "content-length") == nil)
            #expect(openAI.headers.first(name: "transfer-encoding") == "chunked")
            let lines = openAI.body.split(separator: "\n", omittingEmptySubsequences: true)
            #expect(lines.allSatisfy { $0.hasPrefix("data: ") })
            #expect(lines.count == 7)  // role, three deltas, finish reason, usage, [DONE]
            #expect(lines.last == "data: [DONE]")
            #expect(lines[5].contains(#""choices":[]"#) && lines[5].contains(#""completion_tokens":3"#))

            // Without include_usage, no usage chunk.
            let withoutUsage = try await exchange(
                client, server, "/v1/chat/completions", headers: [("authorization", "Bearer k")],
                body: #"{"model":"m","stream":true,"messages":[{"role":"user","content":"one two three"}]}"#)
            #expect(!withoutUsage.body.contains("usage"))

            let anthropic = try await exchange(
                client, server, "/v1/messages", headers: [("x-api-key", "k"), ("anthropic-version", "2023-06-01")],
                body: #"{"model":"m","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"one two"}]}"#)
            let types = anthropic.body.split(separator: "\n").filter { $0.hasPrefix("event: ") }.map { $0.dropFirst(7) }
            #expect(
                types == [
                    "message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "ping",
                    "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta",
                    "message_stop",
                ])

            let gemini = try await exchange(
                client, server, "/v1beta/models/gemini-x:streamGenerateContent?alt=sse", headers: [("x-goog-api-key", "k")],
                body: #"{"contents":[{"role":"user","parts":[{"text":"one two"}]}]}"#)
            #expect(gemini.body.hasPrefix("data: {") && gemini.body.hasSuffix("}\r\n\r\n"))
            #expect(gemini.body.components(separatedBy: "\r\n\r\n").count == 5)  // thought, two deltas, finish, and the empty rest
            #expect(server.violations.isEmpty)
            #expect(server.requests.count == 4)
        }
    }

    @Test func streamFieldsAreChecked() async throws {
        try await withServerAndClient { server, client in
            let options = try await exchange(
                client, server, "/v1/chat/completions", headers: [("authorization", "Bearer k")],
                body: #"{"model":"m","stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}"#)
            #expect(options.status == 400)
            let notBoolean = try await exchange(
                client, server, "/v1/messages", headers: [("x-api-key", "k"), ("anthropic-version", "2023-06-01")],
                body: #"{"model":"m","max_tokens":5,"stream":"yes","messages":[{"role":"user","content":"x"}]}"#)
            #expect(notBoolean.status == 400)
            let noSSE = try await exchange(
                client, server, "/v1beta/models/g:streamGenerateContent", headers: [("x-goog-api-key", "k")],
                body: #"{"contents":[{"role":"user","parts":[{"text":"x"}]}]}"#)
            #expect(noSSE.status == 400)
            #expect(
                server.violations == [
                    "#1 /v1/chat/completions: 'stream_options' is only allowed when 'stream' is true",
                    "#2 /v1/messages: 'stream' must be a boolean",
                    "#3 /v1beta/models/g:streamGenerateContent: streamGenerateContent needs ?alt=sse",
                ])
        }
    }

    /// Status faults answer a streaming request before any stream; a cut stream stops after its deltas.
    @Test func faultsOnStreamingRequests() async throws {
        try await withServerAndClient { server, client in
            let body = #"{"model":"m","stream":true,"messages":[{"role":"user","content":"one two three four"}]}"#
            server.enqueue(.rateLimited(retryAfter: "1"), .streamError(afterDeltas: 1))
            let limited = try await exchange(client, server, "/v1/chat/completions", headers: [("authorization", "Bearer k")], body: body)
            #expect(limited.status == 429)
            #expect(limited.headers.first(name: "content-type") == "application/json")
            let failed = try await exchange(client, server, "/v1/chat/completions", headers: [("authorization", "Bearer k")], body: body)
            #expect(failed.status == 200)
            #expect(failed.body.contains(#""content":"one""#) && !failed.body.contains(#""content":" two""#))
            #expect(failed.body.contains(#"{"error":{"#) && !failed.body.contains("[DONE]"))

            server.enqueue(.cutStream(afterDeltas: 2))
            await #expect(throws: (any Error).self) {
                _ = try await exchange(client, server, "/v1/chat/completions", headers: [("authorization", "Bearer k")], body: body)
            }
            // Without a stream, streamError is the error as a status.
            server.enqueue(.streamError(afterDeltas: 1))
            let whole = try await exchange(
                client, server, "/v1/messages", headers: [("x-api-key", "k"), ("anthropic-version", "2023-06-01")],
                body: #"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}]}"#)
            #expect(whole.status == 529)
        }
    }
}
