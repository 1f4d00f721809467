import AsyncHTTPClient
import Foundation
import NIOCore
import ProviderTestServer
import Testing

@testable import PromptLabProviders

/// Messages with media parts: their encoding, each vendor's wire form (checked by the loopback server),
/// and the refusals made before anything is sent.
@Suite("Message parts")
struct MessagePartsTests {
    /// The 8-byte PNG signature and `%PDF-1.4\n`, base64.
    static let png = "iVBORw0KGgo="
    static let pdf = "JVBERi0xLjQK"

    static func picture(_ url: String, _ contentType: String? = nil, text: String = "What is in the picture?") -> ChatMessage {
        ChatMessage(role: .user, parts: [.text(text), .media(url: url, contentType: contentType)])
    }

    // MARK: - The value

    @Test func textMessagesEncodeExactlyAsBefore() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let plain = try encoder.encode(ChatMessage.user("hi \"there\""))
        #expect(String(decoding: plain, as: UTF8.self) == #"{"content":"hi \"there\"","role":"user"}"#)
        // Built from parts, the same message encodes the same.
        let fromParts = try encoder.encode(ChatMessage(role: .user, parts: [.text("hi "), .text("\"there\"")]))
        #expect(fromParts == plain)
        let request = ChatRequest(model: "m", messages: [.user("hi")], config: GenerationConfig(temperature: 0.5))
        #expect(
            String(decoding: try encoder.encode(request), as: UTF8.self)
                == #"{"config":{"temperature":0.5},"messages":[{"content":"hi","role":"user"}],"model":"m"}"#)
    }

    @Test func mediaMessagesEncodeTheirPartsAndRoundTrip() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let message = Self.picture("https://example.com/cat.png", "image/png")
        let text = String(decoding: try encoder.encode(message), as: UTF8.self)
        #expect(
            text
                == #"{"content":"What is in the picture?","parts":[{"text":"What is in the picture?"},{"media":{"contentType":"image/png","url":"https://example.com/cat.png"}}],"role":"user"}"#
        )
        #expect(try JSONDecoder().decode(ChatMessage.self, from: Data(text.utf8)) == message)
        let untyped = ChatMessage(role: .user, parts: [.media(url: "https://example.com/x", contentType: nil)])
        let untypedText = String(decoding: try encoder.encode(untyped), as: UTF8.self)
        #expect(untypedText == #"{"content":"","parts":[{"media":{"url":"https://example.com/x"}}],"role":"user"}"#)
        #expect(try JSONDecoder().decode(ChatMessage.self, from: Data(untypedText.utf8)) == untyped)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ChatMessage.self, from: Data(#"{"role":"user","parts":[{"video":1}]}"#.utf8))
        }
    }

    @Test func partsAreNormalised() {
        let media = ChatPart.media(url: "https://e.com/a.png", contentType: nil)
        let message = ChatMessage(role: .user, parts: [.text("a"), .text("b"), .text(""), media, .text(""), .text("c")])
        #expect(message.parts == [.text("ab"), media, .text("c")])
        #expect(message.content == "abc")
        #expect(message.hasMedia)
        #expect(ChatMessage(role: .user, parts: []) == .user(""))
        #expect(ChatMessage(role: .user, parts: [.text("x"), .text("y")]) == .user("xy"))
        #expect(!ChatMessage.user("x").hasMedia)
    }

    // MARK: - OpenAI

    @Test func openAISendsAContentArrayOnlyForMedia() async throws {
        try await withServerAndClient { server, client in
            let provider = OpenAIProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let messages = [
                ChatMessage.system("Describe images."),
                Self.picture("https://example.com/cat.jpg"),
                ChatMessage(role: .user, parts: [.media(url: "data:image/png;base64,\(Self.png)", contentType: nil), .text("and this?")]),
            ]
            let response = try await provider.send(ChatRequest(model: "gpt-4o", messages: messages))
            #expect(server.violations.isEmpty, "\(server.violations)")
            #expect(response.text == "and this?")
            let body = try #require(server.lastRequest?.json)
            #expect(body["messages"]?[0]?["content"] == "Describe images.")
            #expect(
                body["messages"]?[1]?["content"] == [
                    ["type": "text", "text": "What is in the picture?"],
                    ["type": "image_url", "image_url": ["url": "https://example.com/cat.jpg"]],
                ])
            #expect(
                body["messages"]?[2]?["content"] == [
                    ["type": "image_url", "image_url": ["url": .string("data:image/png;base64,\(Self.png)")]],
                    ["type": "text", "text": "and this?"],
                ])
        }
    }

    @Test func openAICompatibleServersGetTheSameParts() async throws {
        try await withServerAndClient { server, client in
            let provider = OpenAIProvider(
                name: "ollama", baseURL: server.baseURL, apiKey: nil, dialect: .compatible, httpClient: client, logger: quietLogger)
            // A data URI without its own type gets the part's contentType written in.
            _ = try await provider.send(
                ChatRequest(model: "llava", messages: [Self.picture("data:;base64,\(Self.png)", "image/png")]))
            #expect(server.violations.isEmpty, "\(server.violations)")
            #expect(
                server.lastRequest?.json?["messages"]?[0]?["content"]?[1]?["image_url"]?["url"]
                    == .string("data:image/png;base64,\(Self.png)"))
        }
    }

    // MARK: - Anthropic

    @Test func anthropicSendsImageAndDocumentBlocks() async throws {
        try await withServerAndClient { server, client in
            let provider = AnthropicProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let messages = [
                ChatMessage.system("Be brief."),
                ChatMessage(
                    role: .user,
                    parts: [
                        .text("Compare "), .media(url: "data:image/jpeg;base64,\(Self.png)", contentType: nil), .text(" with "),
                        .media(url: "https://example.com/photo", contentType: nil), .text(" and "),
                        .media(url: "data:application/pdf;base64,\(Self.pdf)", contentType: nil),
                        .media(url: "https://example.com/report.pdf", contentType: nil),
                    ]),
            ]
            _ = try await provider.send(ChatRequest(model: "claude-sonnet-4-5", messages: messages))
            #expect(server.violations.isEmpty, "\(server.violations)")
            let body = try #require(server.lastRequest?.json)
            #expect(body["system"] == "Be brief.")
            #expect(
                body["messages"]?[0]?["content"] == [
                    ["type": "text", "text": "Compare "],
                    ["type": "image", "source": ["type": "base64", "media_type": "image/jpeg", "data": .string(Self.png)]],
                    ["type": "text", "text": " with "],
                    ["type": "image", "source": ["type": "url", "url": "https://example.com/photo"]],
                    ["type": "text", "text": " and "],
                    ["type": "document", "source": ["type": "base64", "media_type": "application/pdf", "data": .string(Self.pdf)]],
                    ["type": "document", "source": ["type": "url", "url": "https://example.com/report.pdf"]],
                ])
            // Text messages stay plain strings.
            _ = try await provider.send(ChatRequest(model: "claude-sonnet-4-5", messages: [.user("hi")]))
            #expect(server.lastRequest?.json?["messages"]?[0]?["content"] == "hi")
        }
    }

    // MARK: - Gemini

    @Test func geminiSendsInlineDataAndFileData() async throws {
        try await withServerAndClient { server, client in
            let provider = GeminiProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
            let messages = [
                ChatMessage(
                    role: .user,
                    parts: [
                        .text("Listen: "), .media(url: "data:audio/mpeg;base64,\(Self.png)", contentType: nil),
                        .media(url: "https://example.com/clip.mp4", contentType: nil),
                        .media(url: "https://example.com/notes", contentType: "text/plain; charset=utf-8"),
                    ]),
                ChatMessage(role: .assistant, parts: [.media(url: "https://example.com/a.PNG", contentType: nil)]),
                ChatMessage.user("and now?"),
            ]
            let response = try await provider.send(ChatRequest(model: "gemini-2.5-flash", messages: messages))
            #expect(server.violations.isEmpty, "\(server.violations)")
            #expect(response.text == "and now?")
            let body = try #require(server.lastRequest?.json)
            #expect(
                body["contents"]?[0]?["parts"] == [
                    ["text": "Listen: "],
                    ["inlineData": ["mimeType": "audio/mpeg", "data": .string(Self.png)]],
                    ["fileData": ["mimeType": "video/mp4", "fileUri": "https://example.com/clip.mp4"]],
                    ["fileData": ["mimeType": "text/plain", "fileUri": "https://example.com/notes"]],
                ])
            #expect(body["contents"]?[1]?["parts"] == [["fileData": ["mimeType": "image/png", "fileUri": "https://example.com/a.PNG"]]])
            #expect(body["contents"]?[2]?["parts"] == [["text": "and now?"]])
        }
    }

    /// Media in an answer (an image model's `inlineData`, even a partial one) does not hide its text.
    @Test func geminiAnswersWithMediaPartsAreStillRead() throws {
        let body =
            #"{"candidates":[{"content":{"role":"model","parts":[{"inlineData":{"mimeType":"image/png"}},{"text":"a cat"}]},"finishReason":"STOP"}]}"#
        let answer = try GeminiProvider.interpretResponse(status: 200, headers: [:], body: ByteBuffer(string: body))
        #expect(answer.text == "a cat")
    }

    // MARK: - exec

    @Test func execProgramsReceiveThePartsAndTextMessagesUnchanged() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let captured = directory.path + "/input.json"
        let script = try directory.script("answer.sh", "cat > \"$1\"\nprintf '{\"text\": \"ok\"}'")
        let provider = ExecProvider(arguments: [script, captured], logger: quietLogger)
        let media = ChatPart.media(url: "file:///tmp/cat.png", contentType: nil)
        _ = try await provider.send(
            ChatRequest(model: "x", messages: [.system("s"), ChatMessage(role: .user, parts: [.text("see "), media])]))
        let input = try #require(JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: captured))))
        #expect(input["messages"]?[0] == ["role": "system", "content": "s"])
        #expect(
            input["messages"]?[1]
                == [
                    "role": "user", "content": "see ",
                    "parts": [["text": "see "], ["media": ["url": "file:///tmp/cat.png"]]],
                ])
    }

    // MARK: - Refusals before sending

    /// Sends `messages` with `provider` and returns the error, which must be an unsupported-input error
    /// raised before any request reached the server.
    func refusal(
        _ messages: [ChatMessage], provider make: (ProviderTestServer, HTTPClient) -> any ChatProvider, model: String = "m",
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        try await withServerAndClient { server, client in
            let provider = make(server, client)
            let error = await providerError(sourceLocation: sourceLocation) {
                try await provider.send(ChatRequest(model: model, messages: messages))
            }
            #expect(server.requestCount(path: "/v1/chat/completions") == 0, sourceLocation: sourceLocation)
            #expect(server.requests.isEmpty, sourceLocation: sourceLocation)
            #expect(error?.attempts == 0, sourceLocation: sourceLocation)
            #expect(error?.isRetryable == false, sourceLocation: sourceLocation)
            guard case .unsupportedInput = error?.kind else {
                Issue.record("expected unsupportedInput, got \(String(describing: error))", sourceLocation: sourceLocation)
                return ""
            }
            return error?.description ?? ""
        }
    }

    static func openAI(_ server: ProviderTestServer, _ client: HTTPClient) -> any ChatProvider {
        OpenAIProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
    }
    static func anthropic(_ server: ProviderTestServer, _ client: HTTPClient) -> any ChatProvider {
        AnthropicProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
    }
    static func gemini(_ server: ProviderTestServer, _ client: HTTPClient) -> any ChatProvider {
        GeminiProvider(baseURL: server.baseURL, apiKey: APIKey("k"), httpClient: client, logger: quietLogger)
    }

    @Test func openAITakesImagesOnly() async throws {
        let audio = try await refusal([Self.picture("https://example.com/talk.mp3")], provider: Self.openAI)
        #expect(
            audio
                == "openai: unsupported input: messages[0]: openai cannot take audio/mpeg; it accepts images (image/png, image/jpeg, image/gif, image/webp)"
        )
        let pdf = try await refusal([Self.picture("data:application/pdf;base64,\(Self.pdf)")], provider: Self.openAI)
        #expect(pdf.contains("cannot take application/pdf"))
        let inSystem = try await refusal(
            [ChatMessage(role: .system, parts: [.media(url: "https://e.com/a.png", contentType: nil)]), .user("hi")],
            provider: Self.openAI)
        #expect(inSystem.contains("messages[0]: openai takes media only in user messages, not in a system message"))
    }

    @Test func textOnlyModelsAreRefusedMediaByName() async throws {
        let image = [Self.picture("https://example.com/cat.png")]
        let old = try await refusal(image, provider: Self.openAI, model: "gpt-3.5-turbo")
        #expect(old.contains("openai model 'gpt-3.5-turbo' takes text only, not media"), "\(old)")
        let haiku = try await refusal(image, provider: Self.anthropic, model: "claude-3-5-haiku-20241022")
        #expect(haiku.contains("anthropic model 'claude-3-5-haiku-20241022' takes text only"), "\(haiku)")
        // Names are matched exactly or by a declared prefix: gpt-4 is text only, gpt-4o is not.
        #expect(OpenAIProvider.mediaSupport.isTextOnly(model: "gpt-4"))
        #expect(!OpenAIProvider.mediaSupport.isTextOnly(model: "gpt-4o-mini"))
        #expect(OpenAIProvider.mediaSupport.isTextOnly(model: "o3-mini-2025-01-31"))
        #expect(!OpenAIProvider.mediaSupport.isTextOnly(model: "o3"))
        // Text alone goes to them as always.
        try OpenAIProvider.mediaSupport.check(model: "gpt-3.5-turbo", [.user("hi")], provider: "openai")
    }

    @Test func anthropicTakesImagesAndPDFs() async throws {
        let video = try await refusal([Self.picture("https://example.com/clip.mp4")], provider: Self.anthropic)
        #expect(
            video
                == "anthropic: unsupported input: messages[0]: anthropic cannot take video/mp4; it accepts images (image/png, image/jpeg, image/gif, image/webp) and PDFs (application/pdf)"
        )
        let inAnswer = try await refusal(
            [.user("hi"), ChatMessage(role: .assistant, parts: [.media(url: "https://e.com/a.png", contentType: nil)])],
            provider: Self.anthropic)
        #expect(inAnswer.contains("messages[1]: anthropic takes media only in user messages, not in a assistant message"))
    }

    @Test func geminiNeedsAKnownTypeOfAnAcceptedKind() async throws {
        let unknown = try await refusal([Self.picture("https://example.com/download?id=3")], provider: Self.gemini)
        #expect(unknown.contains("gemini needs the content type of 'https://example.com/download?id=3': add contentType="))
        let archive = try await refusal([Self.picture("https://example.com/a.zip", "application/zip")], provider: Self.gemini)
        #expect(archive.contains("gemini cannot take application/zip; it accepts images, audio, video, PDFs and text"))
    }

    @Test func invalidDataURIsAndURLsAreRefusedEverywhere() async throws {
        let cases: [(url: String, expected: String)] = [
            ("data:image/png;base64,not*base64", "the data: URI's data is not valid base64"),
            ("data:image/png;base64,", "the data: URI's data is not valid base64"),
            ("data:;base64,\(Self.png)", "the data: URI names no content type"),
            ("data:image/png,rawbytes", "the data: URI is not base64-encoded"),
            ("data:image/png;base64", "the data: URI has no comma"),
            ("file:///etc/passwd", "a 'file:' URL cannot be sent; media must be an http(s) URL or a data: URI"),
            ("ftp://example.com/a.png", "a 'ftp:' URL cannot be sent"),
            ("cat.png", "a URL without a scheme cannot be sent"),
            ("https://", "'https://' is not a valid URL"),
        ]
        for make in [Self.openAI, Self.anthropic, Self.gemini] {
            for (url, expected) in cases {
                let description = try await refusal([Self.picture(url)], provider: make)
                #expect(description.contains(expected), "\(url): \(description)")
            }
        }
    }

    @Test func localProvidersTakeTextOnly() async throws {
        let message = Self.picture("https://example.com/cat.png", "image/png")
        for provider in [LocalProvider() as any ChatProvider, EchoProvider()] {
            let error = await providerError { try await provider.send(ChatRequest(model: "baseline", messages: [message])) }
            #expect(error?.description == "local: unsupported input: messages[0]: local takes text only, not media (image/png)")
        }
    }

    @Test func settingsCheckARequestBeforeARunStarts() throws {
        let request = ChatRequest(model: "m", messages: [Self.picture("https://example.com/talk.wav")])
        for (reference, refused) in [("openai/gpt-4o", true), ("gemini/gemini-2.5-flash", false), ("local/baseline", true)] {
            let settings = ProviderSettings(
                reference: try ModelReference(parsing: reference), environment: ["OPENAI_API_KEY": "k", "GEMINI_API_KEY": "k"])
            var refusal: ProviderError?
            do throws(ProviderError) { try settings.validate(request: request) } catch { refusal = error }
            let isUnsupportedInput = refusal.map { if case .unsupportedInput = $0.kind { true } else { false } } ?? false
            #expect(isUnsupportedInput == refused, "\(reference): \(String(describing: refusal))")
        }
    }
}
