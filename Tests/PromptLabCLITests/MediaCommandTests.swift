import Foundation
import ProviderTestServer
import Testing

/// Prompts with media parts, end to end: `render --format json` lists the parts, a run sends them in the
/// vendor's format, and a model that cannot take them is refused before any request.
@Suite struct MediaCommandTests {
    let cli: CLITests

    static let prompt = """
        ---
        model: openai/gpt-4o-mini
        input:
          schema:
            photo: string, an image URL or data URI
        ---
        {{role "system"}}Describe the picture in one word.
        {{~role "user"}}{{media url=photo contentType="image/png"}}What is it?
        """

    init() throws {
        cli = try CLITests()
        try cli.initialise()
        try cli.write("describe.prompt", Self.prompt)
        #expect(try cli.run(["commit", "-m", "v1"]).status == 0)
    }

    @Test func renderListsTheParts() throws {
        let result = try cli.run(["render", "describe", "--var", "photo=https://example.com/cat.png", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let messages = json?["messages"] as? [[String: Any]]
        #expect(messages?.count == 2)
        #expect(messages?.first?["parts"] is NSNull, "a message of one text part has no parts list")
        let parts = messages?.last?["parts"] as? [[String: Any]]
        #expect(parts?.first?["type"] as? String == "media")
        #expect(parts?.first?["url"] as? String == "https://example.com/cat.png")
        #expect(parts?.first?["content_type"] as? String == "image/png")
        #expect(parts?.last?["text"] as? String == "What is it?")
        #expect(messages?.last?["content"] as? String == "What is it?")
    }

    @Test func aRunSendsTheImageAndAModelWithoutVisionIsRefusedFirst() async throws {
        try cli.write(
            "experiments/vision.yaml",
            "name: vision\ncontrol: a\nvariants:\n  a: describe@v1\ncases:\n  - {id: c1, photo: \"https://example.com/cat.png\"}\n")
        try await ProviderTestServer.withServer { server in
            let environment = ["OPENAI_API_KEY": "sk-media-test-key-0123456789", "OPENAI_BASE_URL": server.baseURL]
            let run = try cli.run(["run", "experiments/vision.yaml", "--no-cache"], environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(server.requestCount == 1)
            #expect(server.violations.isEmpty, "\(server.violations)")

            // The built-in offline model takes text only: the run stops before its first request.
            let before = server.requestCount
            let refused = try cli.run(
                ["run", "experiments/vision.yaml", "--model", "local/baseline", "--no-cache"], environment: environment)
            #expect(refused.status == 4, "\(refused.stderr)")
            let errors = refused.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
            #expect(errors.count == 1)
            #expect(errors.first?.contains("case 1 (") == true, "\(refused.stderr)")
            #expect(errors.first?.contains("image/png") == true, "\(refused.stderr)")
            #expect(server.requestCount == before)
        }
    }
}
