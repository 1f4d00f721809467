import AsyncHTTPClient
import Foundation
import ProviderTestServer
import Testing

@testable import PromptLabProviders

/// A distinctive fake key must never show up in an error, a log line, or anything printable.
@Suite("API keys never leak")
struct KeyLeakTests {
    static let key = "sk-LEAKCHECK-7f3a9c2e51d84b06-DO-NOT-PRINT"

    /// Every string a caller could print or store for `error`.
    func renderings(of error: ProviderError) -> [String] {
        var dumped = ""
        dump(error, to: &dumped)
        return [error.description, String(describing: error), String(reflecting: error), "\(error.kind)", dumped]
    }

    func assertClean(_ texts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for text in texts {
            #expect(!text.contains(Self.key), "leaked: \(text)", sourceLocation: sourceLocation)
            #expect(!text.contains("7f3a9c2e51d84b06"), "partly leaked: \(text)", sourceLocation: sourceLocation)
        }
    }

    @Test func rejectedKeysAreRedactedFromErrorsAndLogs() async throws {
        let capture = LogCapture()
        let logger = capture.logger()
        // The server expects another key and, like the real APIs, echoes the wrong one in its message.
        try await ProviderTestServer.withServer(configuration: .init(expectedAPIKey: "the-right-key")) { server in
            try await HTTPClient.withHTTPClient(configuration: .promptLabProviders(), backgroundActivityLogger: logger) { client in
                let environment = ["OPENAI_API_KEY": Self.key, "ANTHROPIC_API_KEY": Self.key, "GEMINI_API_KEY": Self.key]
                let overrides = ProviderOverrides(baseURL: server.baseURL, maxAttempts: 2)
                let registry = ProviderRegistry(
                    httpClient: client, environment: environment,
                    overrides: ["openai": overrides, "anthropic": overrides, "gemini": overrides], logger: logger)
                var errors: [ProviderError] = []
                for reference in ["openai/gpt-4o-mini", "anthropic/claude-3-5-haiku-latest", "gemini/gemini-2.0-flash"] {
                    let parsed = try ModelReference(parsing: reference)
                    let provider = try registry.makeRetryingProvider(for: parsed)
                    let request = ChatRequest(model: parsed.model, messages: [.user("hi")])
                    if let error = await providerError({ try await provider.send(request) }) { errors.append(error) }
                    let settings = registry.settings(for: parsed)
                    var dumped = ""
                    dump(settings, to: &dumped)
                    assertClean([settings.description, String(describing: settings), String(reflecting: settings), dumped])
                }
                #expect(errors.count == 3)
                #expect(errors.map(\.httpStatus) == [401, 401, 400])
                // The vendor message survives, minus the key.
                #expect(errors[0].description.contains("Incorrect API key provided: <redacted>"))
                for error in errors { assertClean(renderings(of: error)) }

                // Transport failures and retries are logged too.
                server.enqueue(.dropConnection, .rateLimited(retryAfterMilliseconds: 1))
                let provider = try registry.makeRetryingProvider(
                    for: try ModelReference(parsing: "openai/gpt-4o-mini"), overrides: .init(maxAttempts: 2))
                let dropped = await providerError { try await provider.send(ChatRequest(model: "gpt-4o-mini", messages: [.user("x")])) }
                if let dropped { assertClean(renderings(of: dropped)) }
            }
        }
        let lines = capture.lines
        #expect(!lines.isEmpty)
        #expect(lines.contains { $0.contains("retrying provider request") })
        assertClean(lines)
    }

    @Test func execProgramsThatPrintTheKeyAreRedacted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = try directory.script("leaky.sh", #"echo "auth failed for $OPENAI_API_KEY" >&2; exit 1"#)
        let capture = LogCapture()
        try await HTTPClient.withHTTPClient(configuration: .promptLabProviders()) { client in
            let registry = ProviderRegistry(
                httpClient: client,
                environment: ["OPENAI_API_KEY": Self.key, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"],
                logger: capture.logger())
            let provider = try registry.makeProvider(for: try ModelReference(parsing: "exec/\(script)"))
            let error = await providerError { try await provider.send(ChatRequest(model: "m", messages: [.user("x")])) }
            let unwrapped = try #require(error)
            #expect(unwrapped.description.contains("auth failed for <redacted>"))
            assertClean(renderings(of: unwrapped))
        }
        assertClean(capture.lines)
    }

    /// Everything a provider built by the registry returns (answer text, finish reason, request id, error
    /// messages) is redacted against every key in the environment, not only the key of the provider called.
    @Test func answersAndErrorsAreRedactedAgainstEveryConfiguredKey() async throws {
        let other = "sk-ant-OTHERKEY-55e1d0c9a7b3-xyzw-SECOND"
        // At trace level AsyncHTTPClient logs whole response heads: the echoing headers must arrive redacted.
        let capture = LogCapture()
        try await withServerAndClient { server, client in
            let environment = ["OPENAI_API_KEY": Self.key, "ANTHROPIC_API_KEY": other]
            let registry = ProviderRegistry(
                httpClient: client, environment: environment,
                overrides: ["openai": ProviderOverrides(baseURL: server.baseURL, maxAttempts: 1)], logger: capture.logger())
            let provider = try registry.makeRetryingProvider(for: try ModelReference(parsing: "openai/gpt-4o-mini"))
            let request = ChatRequest(model: "gpt-4o-mini", messages: [.user("hi")])

            server.enqueue(.hostile(.echoSecrets(also: other)))
            let answer = try await provider.send(request)
            #expect(answer.text.contains("<redacted>"), "\(answer.text)")
            for text in [answer.text, answer.requestID ?? "", "\(answer)"] {
                assertClean([text])
                #expect(!text.contains(other) && !text.contains("55e1d0c9a7b3"), "\(text)")
            }

            for status in [400, 503] {
                server.enqueue(.hostile(.echoSecrets(also: other, errorStatus: status)))
                let error = try #require(await providerError { try await provider.send(request) })
                #expect(error.httpStatus == status)
                for text in renderings(of: error) + [error.requestID ?? ""] {
                    assertClean([text])
                    #expect(!text.contains(other) && !text.contains("55e1d0c9a7b3"), "\(text)")
                }
            }
        }
        let lines = capture.lines
        #expect(lines.contains { $0.contains("<redacted>") }, "the response heads were logged, redacted")
        assertClean(lines)
        #expect(!lines.contains { $0.contains(other) || $0.contains("55e1d0c9a7b3") })
    }

    @Test func execAnswersAreRedactedAgainstEveryConfiguredKey() async throws {
        let other = "sk-ant-OTHERKEY-55e1d0c9a7b3-xyzw-SECOND"
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = try directory.script(
            "echo.sh",
            #"cat > /dev/null; printf '{"text": "keys: %s %s", "finish_reason": "%s"}' "$OPENAI_API_KEY" "$ANTHROPIC_API_KEY" "$ANTHROPIC_API_KEY""#
        )
        try await HTTPClient.withHTTPClient(configuration: .promptLabProviders()) { client in
            let registry = ProviderRegistry(
                httpClient: client,
                environment: [
                    "OPENAI_API_KEY": Self.key, "ANTHROPIC_API_KEY": other,
                    "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                ],
                logger: quietLogger)
            let provider = try registry.makeProvider(for: try ModelReference(parsing: "exec/\(script)"))
            let answer = try await provider.send(ChatRequest(model: "m", messages: [.user("x")]))
            #expect(answer.text == "keys: <redacted> <redacted>")
            #expect(answer.finishReason == "<redacted>")
        }
    }

    @Test func apiKeysPrintAsRedacted() {
        let key = APIKey(Self.key)
        var dumped = ""
        dump(key, to: &dumped)
        assertClean(["\(key)", String(describing: key), String(reflecting: key), dumped, "\([key])"])
        let redactor = Redactor([key])
        #expect(redactor("bad key sk-LEAKCHECK-7f3a****PRINT and \(Self.key).") == "bad key <redacted> and <redacted>.")
    }
}
