import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PromptLab
import PromptLabCore
import Testing

@testable import PromptLabWeb

/// Access tokens, CSRF, origins and body limits.
@Suite struct WebSecurityTests {
    static let token = "correct-horse-battery-staple"

    @Test func anotherAddressNeedsAToken() async throws {
        let fixture = try await WebFixture.make()
        defer { fixture.remove() }
        let refused = await #expect(throws: PromptLabError.self) { _ = try await fixture.app(host: "0.0.0.0") }
        #expect(refused?.kind == .usage && refused?.hint?.contains("PROMPTLAB_TOKEN") == true)
        let short = await #expect(throws: PromptLabError.self) {
            _ = try await fixture.app(environment: ["PROMPTLAB_TOKEN": "short"], host: "0.0.0.0")
        }
        #expect(short?.message.contains("too short") == true)
        _ = try await fixture.app(environment: ["PROMPTLAB_TOKEN": Self.token], host: "0.0.0.0")
    }

    @Test func withATokenEveryRequestNeedsIt() async throws {
        let fixture = try await WebFixture.make()
        defer { fixture.remove() }
        try await fixture.test(environment: ["PROMPTLAB_TOKEN": Self.token]) { client in
            let api = try await client.execute(uri: "/api/v1/prompts", method: .get)
            #expect(api.status == .unauthorized && api.headers[.contentType] == "application/problem+json")
            let page = try await client.execute(uri: "/runs?experiment=x", method: .get)
            #expect(page.status == .seeOther)
            #expect(page.headers[.location] == "/login?next=%2Fruns%3Fexperiment%3Dx")
            let wrong = try await client.execute(uri: "/api/v1/prompts", method: .get, headers: [.authorization: "Bearer nope"])
            #expect(wrong.status == .unauthorized)
            let bearer = try await client.execute(uri: "/api/v1/prompts", method: .get, headers: [.authorization: "Bearer \(Self.token)"])
            #expect(bearer.status == .ok)
            // The login form sets an HttpOnly, SameSite=Strict session cookie, not the token itself.
            let badLogin = try await client.execute(
                uri: "/login", method: .post, headers: CSRF.cookie,
                body: ByteBuffer(string: "csrf_token=\(CSRF.token)&token=wrong&next=%2Fruns"))
            #expect(badLogin.status == .unauthorized)
            let login = try await client.execute(
                uri: "/login", method: .post, headers: CSRF.cookie,
                body: ByteBuffer(string: "csrf_token=\(CSRF.token)&token=\(Self.token)&next=https%3A%2F%2Fevil.example"))
            #expect(login.status == .seeOther && login.headers[.location] == "/")
            let cookie = try #require(login.headers[values: .setCookie].first { $0.hasPrefix("promptlab_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains(Self.token))
            let session = String(cookie.split(separator: ";")[0])
            let withCookie = try await client.execute(uri: "/runs", method: .get, headers: [.cookie: session])
            #expect(withCookie.status == .ok)
            let stylesheet = try await client.execute(uri: "/static/app.css", method: .get)
            #expect(stylesheet.status == .ok)
        }
    }

    @Test func formsNeedTheCSRFTokenAndWritesTheirOwnOrigin() async throws {
        let fixture = try await WebFixture.make()
        defer { fixture.remove() }
        try await fixture.test { client in
            let form = "label=staging&version=v1&expected_commit=none"
            let missing = try await client.execute(
                uri: "/prompts/support%2Ftriage/label", method: .post, headers: CSRF.cookie, body: ByteBuffer(string: form))
            #expect(missing.status == .forbidden)
            let forged = try await client.execute(
                uri: "/prompts/support%2Ftriage/label", method: .post, headers: CSRF.cookie,
                body: ByteBuffer(string: form + "&csrf_token=" + String(repeating: "cd", count: 32)))
            #expect(forged.status == .forbidden)
            var crossSite = CSRF.cookie
            crossSite[.origin] = "http://evil.example"
            let foreign = try await client.execute(
                uri: "/prompts/support%2Ftriage/label", method: .post, headers: crossSite,
                body: ByteBuffer(string: form + "&csrf_token=\(CSRF.token)"))
            #expect(foreign.status == .forbidden)
            let plainText = try await client.execute(
                uri: "/api/v1/prompts/support%2Ftriage/labels", method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: #"{"label":"x","version":"v1"}"#))
            #expect(plainText.status == .unsupportedMediaType)
            let accepted = try await client.execute(
                uri: "/prompts/support%2Ftriage/label", method: .post, headers: CSRF.cookie,
                body: ByteBuffer(string: form + "&csrf_token=\(CSRF.token)"))
            #expect(accepted.status == .seeOther && accepted.headers[.location] == "/prompts/support%2Ftriage")
            // A page hands a browser without the cookie a fresh one, HttpOnly and SameSite=Strict.
            let page = try await client.execute(uri: "/prompts/support%2Ftriage", method: .get)
            let cookie = try #require(page.headers[values: .setCookie].first)
            #expect(cookie.hasPrefix("promptlab_csrf=") && cookie.contains("SameSite=Strict"))
            let token = String(cookie.dropFirst("promptlab_csrf=".count).prefix(64))
            #expect(page.text.contains("name=\"csrf_token\" value=\"\(token)\"") || !page.text.contains("csrf_token"))
        }
        #expect(try git(["for-each-ref", "--format=%(refname)", "refs/promptlab/labels"], in: fixture.path).hasSuffix("/staging"))
    }

    @Test func bodiesAreLimited() async throws {
        let fixture = try await WebFixture.make()
        defer { fixture.remove() }
        try await fixture.test { client in
            let huge = ByteBuffer(string: "{\"variables\":{\"text\":\"" + String(repeating: "x", count: 2 << 20) + "\"}}")
            let response = try await client.execute(
                uri: "/api/v1/prompts/support%2Ftriage/render", method: .post, headers: WebAPITests.json, body: huge)
            #expect(response.status == .contentTooLarge)
            let rendered = try await client.execute(
                uri: "/api/v1/prompts/support%2Ftriage/render", method: .post, headers: WebAPITests.json,
                body: ByteBuffer(string: #"{"ref":"v2","variables":{"text":"hello"}}"#))
            #expect(try decode(RenderOutput.self, from: rendered.text).messages.first?.content == "Answer briefly: hello ok")
        }
    }
}
