import Foundation
import GitKit
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PromptFormat
import PromptLab
import PromptLabCore
import PromptLabProviders
import PromptLabTestSupport
import PromptVersioning
import ProviderTestServer
import Testing

@testable import PromptLabWeb

/// The serving API over HTTP: keys and scopes, prompts with ETags, resolve, feedback, and the
/// OpenAI-compatible gateway calling the loopback provider server.
@Suite struct ServingAPITests {
    static let resolveKey = "resolve-key-0123456789abcdef"
    static let feedbackKey = "feedback-key-0123456789abcdef"
    static let adminKey = "admin-key-0123456789abcdefgh"

    /// A repository whose prompt calls OpenAI's wire format on `baseURL`, `production` on v1, and a
    /// started 50/50 rollout of v1 against v2.
    static func repository(baseURL: String) async throws -> String {
        let path = TestFolders.root + "serving-\(UUID().uuidString)/"
        _ = try PromptRepository.initialize(at: path, author: Signature(name: "Ada Tester", email: "ada@example.com", time: 0))
        let git = try Repository.open(at: path)
        try git.setConfigString("user.name", "Ada Tester")
        try git.setConfigString("user.email", "ada@example.com")
        let repository = try PromptRepository.open(at: path)
        try FileManager.default.createDirectory(atPath: path + "support", withIntermediateDirectories: true)
        for body in ["Route: {{ticket}}", "Route carefully: {{ticket}}"] {
            try "---\nmodel: openai/gpt-4o-mini\nconfig:\n  temperature: 0\n---\n\(body)\n".write(
                toFile: path + "support/triage.prompt", atomically: true, encoding: .utf8)
            _ = try repository.commit(names: [try PromptName("support/triage")], message: body, author: nil)
        }
        _ = try repository.setLabel("production", to: try PromptReference(parsing: "support/triage@v1"))
        try FileManager.default.createDirectory(atPath: path + "rollouts", withIntermediateDirectories: true)
        try """
        prompt: support/triage
        arms:
          - {name: control, ref: production, weight: 50}
          - {name: careful, ref: v2, weight: 50}
        metrics:
          - {name: thumbs_up, type: binary}
        primary: thumbs_up
        graders:
          - {type: contains, value: "Route", name: mentions_route}

        """.write(toFile: path + "rollouts/careful.yaml", atomically: true, encoding: .utf8)
        let workspace = try Workspace(at: path, environment: [:])
        defer { workspace.close() }
        _ = try await RolloutService(workspace: workspace).start("careful")
        return path
    }

    /// Runs `body` against the app (no socket) with a provider registry pointed at the test server.
    static func withApp(
        apiOnly: Bool = false, keys: String? = "\(resolveKey)=resolve;\(feedbackKey)=feedback;\(adminKey)=admin",
        _ body: @Sendable (any TestClientProtocol, ProviderTestServer, String) async throws -> Void
    ) async throws {
        try await ProviderTestServer.withServer { server in
            let path = try await repository(baseURL: server.baseURL)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let environment = ["OPENAI_BASE_URL": server.baseURL, "OPENAI_API_KEY": "sk-test-secret-0123456789"]
            try await ProviderRegistry.withRegistry(environment: environment, logger: Logger(label: "test")) { registry in
                var configuration = WebServerConfiguration(host: "127.0.0.1", port: 0, repositoryPath: path, environment: environment)
                configuration.apiOnly = apiOnly
                if let keys { configuration.apiKeys = try APIKeys(parsing: keys, source: "test") }
                configuration.serving = ServingConfiguration(referenceLifetime: .zero, rolloutRefreshInterval: .zero)
                configuration.guardrailInterval = nil
                let app = try await WebApp.make(configuration: configuration, registry: registry)
                try await app.application().test(.router) { client in try await body(client, server, path) }
                try await app.serving.recorder.flush()
            }
        }
    }

    static func headers(_ key: String?) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let key { fields[.authorization] = "Bearer \(key)" }
        return fields
    }

    static func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test func keysAndScopesGuardEveryEndpoint() async throws {
        try await Self.withApp { client, _, _ in
            let resolve = ByteBuffer(string: #"{"unit":"u-1","variables":{"ticket":"refund"}}"#)
            for key in [nil, "wrong-key-0123456789abcdef"] {
                let response = try await client.execute(
                    uri: "/v1/prompts/support/triage/resolve", method: .post, headers: Self.headers(key), body: resolve)
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
            let forbidden = try await client.execute(
                uri: "/v1/prompts/support/triage/resolve", method: .post, headers: Self.headers(Self.feedbackKey), body: resolve)
            #expect(forbidden.status == .forbidden)
            #expect(
                try await client.execute(uri: "/v1/rollouts", method: .get, headers: Self.headers(Self.resolveKey)).status == .forbidden)
            #expect(try await client.execute(uri: "/v1/rollouts", method: .get, headers: Self.headers(Self.adminKey)).status == .ok)
            for key in [Self.resolveKey, Self.adminKey] {
                let allowed = try await client.execute(
                    uri: "/v1/prompts/support/triage/resolve", method: .post, headers: Self.headers(key), body: resolve)
                #expect(allowed.status == .ok)
            }
            let chat = try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: Self.headers(nil),
                body: ByteBuffer(string: #"{"model":"promptlab/support/triage","messages":[]}"#))
            #expect(chat.status == .unauthorized)
            let error = try #require(try Self.object(chat)["error"] as? [String: Any])
            #expect(error["type"] as? String == "authentication_error")
        }
    }

    @Test func promptsCarryAnETagAndResolveIsSticky() async throws {
        try await Self.withApp { client, _, _ in
            let prompt = try await client.execute(
                uri: "/v1/prompts/support/triage?label=production", method: .get, headers: Self.headers(Self.resolveKey))
            #expect(prompt.status == .ok)
            let etag = try #require(prompt.headers[.eTag])
            let document = try Self.object(prompt)
            #expect((document["version"] as? [String: Any])?["number"] as? Int == 1)
            #expect(document["template"] as? String == "Route: {{ticket}}\n")
            #expect(document["model"] as? String == "openai/gpt-4o-mini")
            var conditional = Self.headers(Self.resolveKey)
            conditional[.ifNoneMatch] = etag
            let unchanged = try await client.execute(uri: "/v1/prompts/support/triage?label=production", method: .get, headers: conditional)
            #expect(unchanged.status == .notModified)
            let v2 = try await client.execute(uri: "/v1/prompts/support/triage?version=2", method: .get, headers: conditional)
            #expect(v2.status == .ok && v2.headers[.eTag] != etag)
            #expect(
                try await client.execute(uri: "/v1/prompts/nope?label=production", method: .get, headers: Self.headers(Self.resolveKey))
                    .status == .notFound)

            var arms = Set<String>()
            for index in 0..<40 {
                let body = ByteBuffer(string: #"{"unit":"user-\#(index)","variables":{"ticket":"refund"}}"#)
                let first = try Self.object(
                    try await client.execute(
                        uri: "/v1/prompts/support/triage/resolve", method: .post, headers: Self.headers(Self.resolveKey), body: body))
                let second = try Self.object(
                    try await client.execute(
                        uri: "/v1/prompts/support/triage/resolve", method: .post, headers: Self.headers(Self.resolveKey), body: body))
                #expect(first["arm"] as? String == second["arm"] as? String)
                #expect(first["bucket"] as? Double == second["bucket"] as? Double)
                let bucket = try #require(first["bucket"] as? Double)
                #expect(bucket >= 0 && bucket < 1 && abs((bucket * 10_000).rounded() - bucket * 10_000) < 1e-6)
                arms.insert(first["arm"] as? String ?? "")
            }
            #expect(arms == ["control", "careful"])
            let noUnit = try await client.execute(
                uri: "/v1/prompts/support/triage/resolve", method: .post, headers: Self.headers(Self.resolveKey),
                body: ByteBuffer(string: #"{"variables":{"ticket":"x"}}"#))
            #expect(noUnit.status == .badRequest)
            #expect(noUnit.headers[.contentType] == "application/problem+json")
            let malformed = try await client.execute(
                uri: "/v1/prompts/support/triage/resolve", method: .post, headers: Self.headers(Self.resolveKey),
                body: ByteBuffer(string: #"{"unit": 5}"#))
            #expect(malformed.status == .badRequest)
            let notJSON = try await client.execute(
                uri: "/v1/prompts/support/triage/resolve", method: .post, headers: [.authorization: "Bearer \(Self.resolveKey)"],
                body: ByteBuffer(string: "unit=u"))
            #expect(notJSON.status == .badRequest)
        }
    }

    @Test func theGatewayServesTheArmsPromptThroughTheProviderAndRecordsIt() async throws {
        try await Self.withApp { client, server, path in
            let body = #"""
                {"model":"promptlab/support/triage","user":"user-3","temperature":1.5,
                 "messages":[{"role":"user","content":"and quickly"}],
                 "promptlab":{"variables":{"ticket":"card blocked"}}}
                """#
            let response = try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: Self.headers(Self.resolveKey), body: ByteBuffer(string: body))
            #expect(response.status == .ok)
            let assignment = try #require(response.headers[.promptLabAssignment])
            let arm = try #require(response.headers[.promptLabArm])
            #expect(response.headers[.promptLabRollout] == "careful")
            let bucket = try #require(response.headers[.promptLabBucket].flatMap(Double.init))
            #expect(bucket >= 0 && bucket < 1 && response.headers[.promptLabBucket]?.count == 6)
            #expect(response.headers[.promptLabVersion] == (arm == "control" ? "v1" : "v2"))
            let document = try Self.object(response)
            #expect(document["object"] as? String == "chat.completion")
            #expect(document["model"] as? String == "promptlab/support/triage")
            let choice = try #require((document["choices"] as? [[String: Any]])?.first)
            #expect(choice["finish_reason"] as? String == "stop")
            #expect((document["usage"] as? [String: Any])?["total_tokens"] is Int)
            // The upstream got the arm's rendered prompt, then the request's own message, with the
            // version's settings (not the client's temperature) and the server's key.
            let sent = try #require(server.requests.last)
            #expect(sent.path == "/v1/chat/completions")
            let upstream = try #require(try JSONSerialization.jsonObject(with: sent.body) as? [String: Any])
            let messages = try #require(upstream["messages"] as? [[String: Any]])
            #expect(
                messages.map { $0["content"] as? String } == [
                    arm == "control" ? "Route: card blocked" : "Route carefully: card blocked", "and quickly",
                ])
            #expect(upstream["temperature"] as? Double == 0)
            #expect(upstream["model"] as? String == "gpt-4o-mini")
            #expect(!String(buffer: response.body).contains("sk-test-secret"))

            // Feedback about the gateway's assignment, then its readout.
            let feedback = try await client.execute(
                uri: "/v1/feedback", method: .post, headers: Self.headers(Self.feedbackKey),
                body: ByteBuffer(string: #"{"assignment_id":"\#(assignment)","metric":"thumbs_up","value":true,"event_id":"ev-1"}"#))
            #expect(feedback.status == .ok)
            let repeated = try await client.execute(
                uri: "/v1/feedback", method: .post, headers: Self.headers(Self.feedbackKey),
                body: ByteBuffer(
                    string: #"{"events":[{"assignment_id":"\#(assignment)","metric":"thumbs_up","value":true,"event_id":"ev-1"}]}"#))
            #expect((try Self.object(repeated)["results"] as? [[String: Any]])?.first?["status"] as? String == "duplicate")
            for (json, status) in [
                (#"{"assignment_id":"asg_nope","metric":"thumbs_up","value":1,"event_id":"ev-2"}"#, HTTPResponse.Status.notFound),
                (#"{"assignment_id":"\#(assignment)","metric":"stars","value":1,"event_id":"ev-3"}"#, .unprocessableContent),
                (#"{"assignment_id":"\#(assignment)","metric":"thumbs_up","value":"yes","event_id":"ev-4"}"#, .unprocessableContent),
                (#"{"assignment_id":"\#(assignment)","metric":"thumbs_up","value":false,"event_id":"ev-1"}"#, .conflict),
                (#"{"metric":"thumbs_up"}"#, .badRequest),
            ] {
                let refused = try await client.execute(
                    uri: "/v1/feedback", method: .post, headers: Self.headers(Self.feedbackKey), body: ByteBuffer(string: json))
                #expect(refused.status == status, "\(json)")
            }
            let readout = try await client.execute(uri: "/v1/rollouts/careful", method: .get, headers: Self.headers(Self.adminKey))
            let status = try decode(RolloutStatusOutput.self, from: String(buffer: readout.body))
            let row = try #require(status.arms.first { $0.arm.name == arm })
            #expect(row.units == 1 && row.requests == 1)
            let latency = try #require(status.metrics.first { $0.name == "latency_ms" })
            #expect(latency.arms.first { $0.arm == arm }?.units == 1)
            let graded = try #require(status.metrics.first { $0.name == "mentions_route" })
            #expect(graded.source == "grader")
            let thumbs = try #require(status.metrics.first { $0.name == "thumbs_up" })
            #expect(thumbs.arms.first { $0.arm == arm }?.observations == 1)
            _ = path
        }
    }

    @Test func upstreamFailuresBecomeOpenAIErrorsAndCountAsErrors() async throws {
        try await Self.withApp { client, server, _ in
            server.enqueue(contentsOf: Array(repeating: Fault.badRequest, count: 1))
            let body = #"{"model":"promptlab/support/triage","user":"user-5","messages":[],"promptlab":{"variables":{"ticket":"x"}}}"#
            let failed = try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: Self.headers(Self.resolveKey), body: ByteBuffer(string: body))
            #expect(failed.status == .badGateway)
            let error = try #require(try Self.object(failed)["error"] as? [String: Any])
            #expect(error["type"] as? String == "upstream_error")
            #expect(error["code"] as? String == "http_400")
            #expect(failed.headers[.promptLabAssignment] != nil)
            for (json, status) in [
                (#"{"model":"gpt-4o","messages":[]}"#, HTTPResponse.Status.badRequest),
                (#"{"model":"promptlab/nope","user":"u","messages":[]}"#, .notFound),
                (#"{"model":"promptlab/support/triage","messages":[]}"#, .badRequest),
                (#"{"model":"promptlab/support/triage","user":"u","messages":[{"role":"tool","content":"x"}]}"#, .badRequest),
                (#"{"model":"promptlab/support/triage","user":"u","messages":[]}"#, .unprocessableContent),
                ("not json", .badRequest),
            ] {
                let refused = try await client.execute(
                    uri: "/v1/chat/completions", method: .post, headers: Self.headers(Self.resolveKey), body: ByteBuffer(string: json))
                #expect(refused.status == status, "\(json)")
                #expect((try? Self.object(refused)["error"]) is [String: Any])
            }
            let missing = try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: Self.headers(Self.resolveKey),
                body: ByteBuffer(string: #"{"model":"promptlab/support/triage","user":"u","messages":[]}"#))
            #expect(String(buffer: missing.body).contains("promptlab.variables"))
            #expect(!String(buffer: missing.body).contains("--var"))
            // A label bypasses the rollout: no assignment, the label's version.
            let labelled = try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: Self.headers(Self.resolveKey),
                body: ByteBuffer(
                    string: #"{"model":"promptlab/support/triage@production","messages":[],"promptlab":{"variables":{"ticket":"x"}}}"#))
            #expect(labelled.status == .ok)
            #expect(labelled.headers[.promptLabAssignment] == nil)
            #expect(labelled.headers[.promptLabVersion] == "v1")
        }
    }

    @Test func apiOnlyServesTheServingAPIAlone() async throws {
        try await Self.withApp(apiOnly: true) { client, _, _ in
            #expect(try await client.execute(uri: "/", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/api/v1/prompts", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/v1/openapi.json", method: .get).status == .ok)
            let wrongMethod = try await client.execute(uri: "/v1/prompts/support/triage/resolve", method: .get)
            #expect(wrongMethod.status == .methodNotAllowed && wrongMethod.headers[.allow] == "POST")
            #expect(wrongMethod.headers[.xContentTypeOptions] == "nosniff")
            #expect(try await client.execute(uri: "/v1/feedback", method: .put).headers[.allow] == "POST")
            #expect(try await client.execute(uri: "/v1/rollouts/x", method: .delete).headers[.allow] == "GET")
            let prompt = try await client.execute(
                uri: "/v1/prompts/support/triage?label=production", method: .get, headers: Self.headers(Self.resolveKey))
            #expect(prompt.status == .ok)
        }
        var configuration = WebServerConfiguration(host: "0.0.0.0", environment: [:])
        configuration.apiOnly = true
        #expect(throws: PromptLabError.self) { try configuration.validate() }
        configuration.apiKeys = try APIKeys(parsing: "\(Self.resolveKey)=resolve", source: "test")
        try configuration.validate()
        for bad in ["short=resolve", "\(Self.resolveKey)=write", "no-equals-sign-at-all-here;x", "\(Self.resolveKey) resolve\nsecond"] {
            #expect(throws: PromptLabError.self) { try APIKeys(parsing: bad, source: "test") }
        }
    }

    @Test func streamedAnswersArriveAsOpenAIChunksEndingWithDone() async throws {
        try await Self.withApp { client, server, _ in
            let request =
                #"{"model":"promptlab/support/triage","user":"user-9","messages":[{"role":"user","content":"a somewhat longer question to split into deltas"}],"promptlab":{"variables":{"ticket":"card blocked"}}"#
            let whole = try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: Self.headers(Self.resolveKey), body: ByteBuffer(string: request + "}"))
            let expected = try #require(
                ((try Self.object(whole)["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String)
            let streamed = try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: Self.headers(Self.resolveKey),
                body: ByteBuffer(string: request + #","stream":true,"stream_options":{"include_usage":true}}"#))
            #expect(streamed.status == .ok)
            #expect(streamed.headers[.contentType] == "text/event-stream")
            #expect(streamed.headers[.promptLabArm] == whole.headers[.promptLabArm])
            // The assignment is in the headers, so a streaming client can send feedback about it.
            let streamedAssignment = try #require(streamed.headers[.promptLabAssignment])
            #expect(streamedAssignment != whole.headers[.promptLabAssignment])
            let events = String(buffer: streamed.body).components(separatedBy: "\n\n").filter { !$0.isEmpty }
            #expect(events.last == "data: [DONE]")
            var text = ""
            var finishReasons = [String]()
            var usage: [String: Any]?
            for event in events.dropLast() {
                #expect(event.hasPrefix("data: "))
                let chunk = try #require(try JSONSerialization.jsonObject(with: Data(event.dropFirst(6).utf8)) as? [String: Any])
                #expect(chunk["object"] as? String == "chat.completion.chunk")
                if let found = chunk["usage"] as? [String: Any] { usage = found }
                for choice in chunk["choices"] as? [[String: Any]] ?? [] {
                    text += (choice["delta"] as? [String: Any])?["content"] as? String ?? ""
                    if let reason = choice["finish_reason"] as? String { finishReasons.append(reason) }
                }
            }
            #expect(text == expected)
            #expect(events.count > 4, "the answer came in several deltas")
            #expect(finishReasons == ["stop"])
            #expect(usage?["total_tokens"] is Int)
            let sent = try #require(server.requests.last)
            #expect(sent.bodyText.contains("\"stream\":true"))

            // Refused before the first delta: an HTTP error, as without streaming.
            server.enqueue(.badRequest)
            let refused = try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: Self.headers(Self.resolveKey),
                body: ByteBuffer(string: request + #","stream":true}"#))
            #expect(refused.status == .badGateway)
            // Broken after some deltas: an error event, and no [DONE].
            server.enqueue(.streamError(afterDeltas: 2))
            let broken = try await client.execute(
                uri: "/v1/chat/completions", method: .post, headers: Self.headers(Self.resolveKey),
                body: ByteBuffer(string: request + #","stream":true}"#))
            #expect(broken.status == .ok)
            let body = String(buffer: broken.body)
            #expect(body.contains("\"error\"") && !body.contains("[DONE]"))
        }
    }

    @Test func theRolloutPagesShowTheReadout() async throws {
        try await Self.withApp { client, _, _ in
            let list = try await client.execute(uri: "/rollouts", method: .get)
            #expect(list.status == .ok)
            #expect(String(buffer: list.body).contains("href=\"/rollouts/careful\""))
            let page = try await client.execute(uri: "/rollouts/careful", method: .get)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains("id=\"verdict\""))
            #expect(html.contains("no units have been exposed in phase 1 yet"))
            #expect(html.contains("mentions_route") && html.contains("thumbs_up (primary)"))
            #expect(try await client.execute(uri: "/rollouts/nope", method: .get).status == .notFound)
        }
    }
}
