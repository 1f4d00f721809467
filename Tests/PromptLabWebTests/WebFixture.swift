import Foundation
import GitKit
import Hummingbird
import HummingbirdTesting
import PromptFormat
import PromptLab
import PromptLabCore
import PromptLabTestSupport
import PromptVersioning

@testable import PromptLabWeb

/// A prompt repository with two versions of a prompt and a completed run of both on the offline
/// echo model, whose outputs repeat the case's text, hostile strings included.
struct WebFixture {
    /// Case texts that a page must show as text and never run.
    static let payloads = [
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</textarea><b>bold</b>",
        "<a href=\"javascript:alert(1)\">link</a>",
    ]

    let path: String
    let runID: String

    static func make(cases extraCases: Int = 0) async throws -> WebFixture {
        let path = TestFolders.root + "web-\(UUID().uuidString)/"
        _ = try PromptRepository.initialize(at: path, author: Signature(name: "Ada Tester", email: "ada@example.com", time: 0))
        let git = try Repository.open(at: path)
        try git.setConfigString("user.name", "Ada Tester")
        try git.setConfigString("user.email", "ada@example.com")
        let repository = try PromptRepository.open(at: path)
        try FileManager.default.createDirectory(atPath: path + "support", withIntermediateDirectories: true)
        for (index, body) in ["Answer: {{text}}", "Answer briefly: {{text}} ok"].enumerated() {
            let text = """
                ---
                model: local/echo
                input:
                  schema:
                    text: string
                ---
                \(body)

                """
            try text.write(toFile: path + "support/triage.prompt", atomically: true, encoding: .utf8)
            _ = try repository.commit(names: [try PromptName("support/triage")], message: "version \(index + 1)", author: nil)
        }
        var yaml = """
            name: triage-web
            model: local/echo
            control: old
            variants:
              old: support/triage@v1
              new: support/triage@v2
            graders:
              - type: contains
                value: ok
            cases:

            """
        for (index, payload) in payloads.enumerated() {
            yaml += "  - {id: hostile-\(index), text: \(JSONOutput.quoted(payload)), expected: \"ok\"}\n"
        }
        for index in 0..<(3 + extraCases) {
            yaml += "  - {id: plain-\(index), text: \"ticket number \(index)\", expected: \"ok\"}\n"
        }
        try FileManager.default.createDirectory(atPath: path + "experiments", withIntermediateDirectories: true)
        try yaml.write(toFile: path + "experiments/triage-web.yaml", atomically: true, encoding: .utf8)
        let workspace = try Workspace(at: path, environment: [:])
        defer { workspace.close() }
        let outcome = try await RunService(workspace: workspace).run(.init(experimentPath: path + "experiments/triage-web.yaml"))
        guard let run = outcome.run else { throw PromptLabError(.failure, "the fixture's run did not start") }
        return WebFixture(path: path, runID: run.run)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// The web app on this repository, with `environment` (say, a token) and a fast live stream.
    func app(environment: [String: String] = [:], host: String = "127.0.0.1") async throws -> WebApp {
        try await WebApp.make(
            configuration: WebServerConfiguration(
                host: host, port: 0, repositoryPath: path, environment: environment, liveInterval: .milliseconds(20),
                liveStreamLimit: .seconds(30)))
    }

    /// Runs `body` against the app's router, with no socket.
    func test<Value: Sendable>(
        environment: [String: String] = [:], _ body: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        try await app(environment: environment).application().test(.router, body)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}

/// A CSRF cookie and form field that match, as a browser holding the app's cookie sends them.
enum CSRF {
    static let token = String(repeating: "ab", count: 32)
    static var cookie: HTTPFields { [.cookie: "promptlab_csrf=\(token)", .contentType: "application/x-www-form-urlencoded"] }
}

/// Reads a document the app wrote with the CLI's encoder: snake_case keys, ISO 8601 dates.
func decode<Value: Decodable>(_ type: Value.Type, from text: String) throws -> Value {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    decoder.dateDecodingStrategy = .iso8601
    return try decoder.decode(Value.self, from: Data(text.utf8))
}
