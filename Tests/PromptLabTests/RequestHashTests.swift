import PromptLabProviders
import Testing

@testable import PromptExperiments

/// The canonical text behind request hashes and response-cache keys.
@Suite("Request hashes")
struct RequestHashTests {
    static let reference = ModelReference(provider: .openai, model: "gpt-4o-mini")

    static func text(_ messages: [ChatMessage], _ config: GenerationConfig = GenerationConfig()) -> String {
        ExperimentPlan.canonicalText(
            reference: reference, endpoint: "https://api.openai.com",
            request: ChatRequest(model: "gpt-4o-mini", messages: messages, config: config))
    }

    /// Text prompts hash as they always have, so their cached responses stay valid.
    @Test func textRequestsKeepTheirCanonicalText() {
        let messages: [ChatMessage] = [.system("Be brief."), .user("say \"hi\"")]
        let expected =
            #"{"provider":"openai","endpoint":"https://api.openai.com","model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"say \"hi\""}],"temperature":0.5,"maxOutputTokens":null,"topP":null,"stopSequences":null,"seed":null,"responseFormat":"json"}"#
        #expect(Self.text(messages, GenerationConfig(temperature: 0.5, responseFormat: .json)) == expected)
        // The same message built from text parts is the same request.
        let fromParts = [ChatMessage.system("Be brief."), ChatMessage(role: .user, parts: [.text("say "), .text("\"hi\"")])]
        #expect(Self.text(fromParts, GenerationConfig(temperature: 0.5, responseFormat: .json)) == expected)
    }

    @Test func mediaAndTheNewSettingsChangeTheText() {
        let image = ChatMessage(role: .user, parts: [.text("see"), .media(url: "https://e.com/a.png", contentType: "image/png")])
        let withImage = Self.text([image])
        #expect(
            withImage.contains(
                #"{"role":"user","content":"see","parts":[{"text":"see"},{"media":{"contentType":"image/png","url":"https://e.com/a.png"}}]}"#
            ))
        let otherImage = ChatMessage(role: .user, parts: [.text("see"), .media(url: "https://e.com/b.png", contentType: "image/png")])
        #expect(Self.text([otherImage]) != withImage)
        #expect(Self.text([.user("see")]) != withImage)

        let base = Self.text([.user("hi")])
        #expect(base.hasSuffix(#""responseFormat":null}"#))
        let config = GenerationConfig(topK: 40, responseSchema: ["type": "object"], additional: ["b": 1, "a": [true]])
        #expect(
            Self.text([.user("hi")], config)
                == base.dropLast() + #","topK":40,"responseSchema":{"type":"object"},"additional":{"a":[true],"b":1}}"#)
        #expect(Self.text([.user("hi")], GenerationConfig(additional: [:])) == base)
    }
}
