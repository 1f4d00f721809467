import Foundation
import Hummingbird
import PromptFormat
import PromptLab
import PromptLabCore

extension WebApp {
    /// The overview, the prompt list and a prompt's page, diff, label move and rollback.
    func addPromptPages(to router: Router<WebRequestContext>) {
        router.get("/") { _, context in
            let prompts = try await withWorkspace { try PromptService(workspace: $0).list() }
            let runs = try await runList(limit: 10)
            return try page(
                "overview",
                ["title": "Overview", "prompts": PromptViews.list(prompts), "runs": RunViews.list(runs), "has_runs": !runs.runs.isEmpty],
                request: context)
        }
        router.get("/prompts") { _, context in
            let prompts = try await withWorkspace { try PromptService(workspace: $0).list() }
            return try page("prompts", ["title": "Prompts", "prompts": PromptViews.list(prompts)], request: context)
        }
        var getPrompt = [String: PromptHandler]()
        var postPrompt = [String: PromptHandler]()
        getPrompt[""] = { request, context, name in
            let query = FormFields(request.uri.query)
            return try await promptPage(name: name, query: query, context: context)
        }
        getPrompt["diff"] = { request, context, name in
            let query = FormFields(request.uri.query)
            guard let from = query.text("from") else { throw PromptLabError(.usage, "choose the version to compare from") }
            let diff = try await withWorkspace {
                try PromptService(workspace: $0).diff(
                    old: Self.reference(name, from), new: query.text("to").map { Self.reference(name, $0) }, wordLevel: true)
            }
            return try page("diff", PromptViews.diff(diff, name: name), request: context)
        }
        getPrompt["label"] = { request, context, name in
            let query = FormFields(request.uri.query)
            guard let label = query.text("label"), let version = query.text("version") else {
                throw PromptLabError(.usage, "choose a label and a version")
            }
            let (labels, target) = try await withWorkspace { workspace in
                let service = PromptService(workspace: workspace)
                return (try service.labels(of: name), try service.show(Self.reference(name, version)))
            }
            let current = labels.labels.first { $0.label == label }
            return try page(
                "confirm",
                [
                    "title": "Move label \(label)", "name": name, "href": "/prompts/" + Format.segment(name),
                    "action": "/prompts/" + Format.segment(name) + "/label",
                    "summary":
                        "Move \(name)@\(label) from \(current.map { "v\($0.version ?? 0) (\($0.commit.prefix(10)))" } ?? "nowhere (a new label)") to v\(target.version ?? 0) (\((target.commit ?? "").prefix(10))).",
                    "fields": [
                        ["name": "label", "value": label], ["name": "version", "value": version],
                        ["name": "expected_commit", "value": current?.commit ?? "none"],
                    ],
                ], request: context)
        }
        postPrompt["label"] = { request, context, name in
            let form = try await readForm(request, context: context)
            guard let label = form.text("label"), let version = form.text("version"), let expected = form.text("expected_commit") else {
                throw PromptLabError(.usage, "the form lacks the label, the version or what you confirmed")
            }
            _ = try await withWorkspace {
                try PromptService(workspace: $0).setLabel(
                    label, to: Self.reference(name, version), expectedCommit: .some(expected == "none" ? nil : expected))
            }
            return redirect("/prompts/" + Format.segment(name))
        }
        getPrompt["rollback"] = { request, context, name in
            let query = FormFields(request.uri.query)
            guard let target = query.text("to") else { throw PromptLabError(.usage, "choose the version to roll back to") }
            let (log, destination) = try await withWorkspace { workspace in
                let service = PromptService(workspace: workspace)
                return (try service.log(prompt: name, limit: 1), try service.show(Self.reference(name, target)))
            }
            guard let latest = log.versions.first else { throw PromptLabError(.notFound, "prompt '\(name)' has no versions") }
            let label = query.text("label")
            return try page(
                "confirm",
                [
                    "title": "Roll back \(name)", "name": name, "href": "/prompts/" + Format.segment(name),
                    "action": "/prompts/" + Format.segment(name) + "/rollback",
                    "summary":
                        "Commit the content of v\(destination.version ?? 0) as a new version of \(name), after v\(latest.version ?? 0) (\(latest.commit.prefix(10)))"
                        + (label.map { ", and move the label \($0) to it." } ?? "."),
                    "content": destination.content,
                    "fields": [
                        ["name": "to", "value": target], ["name": "label", "value": label ?? ""],
                        ["name": "expected_commit", "value": latest.commit],
                    ],
                ], request: context)
        }
        postPrompt["rollback"] = { request, context, name in
            let form = try await readForm(request, context: context)
            guard let target = form.text("to"), let expected = form.text("expected_commit") else {
                throw PromptLabError(.usage, "the form lacks the version or what you confirmed")
            }
            _ = try await withWorkspace {
                try PromptService(workspace: $0).rollback(name, to: target, label: form.text("label"), expectedLatest: expected)
            }
            return redirect("/prompts/" + Format.segment(name))
        }
        router.get("/prompts/**") { [getPrompt] request, context in
            let (name, endpoint) = try Self.promptAddress(context, endpoints: Set(getPrompt.keys))
            guard let handler = getPrompt[endpoint] else { throw HTTPError(.notFound) }
            return try await handler(request, context, name)
        }
        router.post("/prompts/**") { [postPrompt] request, context in
            let (name, endpoint) = try Self.promptAddress(context, endpoints: Set(postPrompt.keys))
            guard let handler = postPrompt[endpoint] else { throw HTTPError(.notFound) }
            return try await handler(request, context, name)
        }
    }

    /// A prompt's page, with the version asked for shown and rendered with the form's variables.
    private func promptPage(name: String, query: FormFields, context: WebRequestContext) async throws -> Response {
        let values = Dictionary(query.values(prefixed: "var."), uniquingKeysWith: { first, _ in first })
        let version = query.text("version")
        let pageContext = try await withWorkspace { workspace -> [String: Any] in
            let service = PromptService(workspace: workspace)
            let log = try service.log(prompt: name)
            let labels = try service.labels(of: name)
            let reference = Self.reference(name, version ?? "latest")
            let shown = log.versions.isEmpty && version == nil ? nil : try service.show(reference)
            var variables = [InputVariable]()
            if let shown, let promptName = try? PromptName(name),
                let file = try? PromptFile.parse(Array(shown.content.utf8), name: promptName, displayPath: name)
            {
                variables = file.frontMatter.inputVariables
            }
            var rendered: RenderOutput?
            var renderError: String?
            if query["render"] != nil {
                do throws(PromptLabError) {
                    rendered = try service.render(reference, variables: Self.typedValues(values, variables: variables))
                } catch {
                    renderError = error.message + (error.hint.map { " (\($0))" } ?? "")
                }
            }
            var context = PromptViews.page(
                name: name, log: log, labels: labels, shown: shown, variables: variables, rendered: rendered,
                renderError: renderError, values: values, csrf: "")
            context["version_query"] = version ?? ""
            return context
        }
        return try page("prompt", pageContext, request: context)
    }

    /// A prompt handler: the request, its context and the prompt's name from the address.
    typealias PromptHandler = @Sendable (Request, WebRequestContext, String) async throws -> Response

    /// The prompt name and the endpoint (`""` for the prompt itself) of `/prompts/NAME[/ENDPOINT]`.
    ///
    /// The name may be one percent-encoded segment (`support%2Ftriage`) or written with its slashes
    /// (`support/triage`); then a last segment that names an endpoint is the endpoint, so a prompt
    /// whose name ends in one (such as `notes/log`) is addressed with `%2F`.
    static func promptAddress(_ context: WebRequestContext, endpoints: Set<String>) throws -> (name: String, endpoint: String) {
        var segments = try context.parameters.getCatchAll().map { segment -> String in
            guard let decoded = String(segment).removingPercentEncoding else {
                throw PromptLabError(.usage, "the address has an invalid percent-escape")
            }
            return decoded
        }
        var endpoint = ""
        if segments.count > 1, let last = segments.last, endpoints.contains(last), !last.isEmpty {
            endpoint = last
            segments.removeLast()
        }
        let name = segments.joined(separator: "/")
        guard !name.isEmpty else { throw PromptLabError(.usage, "the address lacks the prompt's name") }
        return (name, endpoint)
    }

    /// `NAME@REF` from a page's short reference (`v3`, `3`, a label, a commit, `latest`).
    static func reference(_ name: String, _ ref: String) -> String {
        if ref == "latest" { return name }
        if let number = Int(ref) { return "\(name)@v\(number)" }
        return "\(name)@\(ref)"
    }

    /// Form values typed by the prompt's `input.schema`: numbers, booleans and JSON where declared.
    static func typedValues(_ values: [String: String], variables: [InputVariable]) -> [String: PromptValue] {
        var typed = [String: PromptValue]()
        for variable in variables {
            let raw = values[variable.name]
            switch variable.type {
            case "boolean":
                typed[variable.name] = .bool(raw == "true" || raw == "on")
            case "integer", "number", "array", "object":
                guard let raw, !raw.isEmpty else { continue }
                typed[variable.name] = (try? PromptValue.parseJSON(raw)) ?? .string(raw)
            default:
                guard let raw else { continue }
                if raw.isEmpty, variable.isOptional { continue }
                typed[variable.name] = .string(raw)
            }
        }
        for (name, raw) in values where typed[name] == nil && !variables.contains(where: { $0.name == name }) {
            typed[name] = .string(raw)
        }
        return typed
    }
}
