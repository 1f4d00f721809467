import Foundation
import Handlebars

/// Dotprompt's helpers, as the Dotprompt runtimes define them.
///
/// `role`, `history`, `section` and `media` return *markers*, not text: the message assembly
/// (``MessageAssembly``) turns them into message boundaries and parts. A marker can only come from a
/// helper in the template, so no variable's value can start a message or smuggle in a media part, however
/// it is spelled (Dotprompt's own runtimes split on marker text, which a value could contain).
enum DotpromptHelpers {
    /// Marker names.
    static let role = "role"
    static let history = "history"
    static let section = "section"
    static let media = "media"

    /// Every helper, by name.
    static let all: [String: Helper] = [
        "role": Helper { call throws(TemplateRenderError) in
            guard let name = call.parameters.first?.plainText, MessageRole(dotpromptName: name) != nil else {
                throw TemplateRenderError(
                    message:
                        "{{role}} needs \"system\", \"user\", \"model\" or \"assistant\", got \(call.parameters.first.map(\.jsonText) ?? "nothing")",
                    line: call.line, column: call.column)
            }
            return .pieces([.marker(TemplateMarker(name: role, arguments: [.string(name)], hash: call.hash))])
        },
        "history": Helper { call in
            .pieces([.marker(TemplateMarker(name: history, arguments: [], hash: TemplateObject([])))])
        },
        "section": Helper { call throws(TemplateRenderError) in
            guard let name = call.parameters.first?.plainText, !name.isEmpty else {
                throw TemplateRenderError(message: "{{section}} needs a name: {{section \"intro\"}}", line: call.line, column: call.column)
            }
            return .pieces([.marker(TemplateMarker(name: section, arguments: [.string(name)], hash: TemplateObject([])))])
        },
        "media": Helper { call throws(TemplateRenderError) in
            guard let url = call.hash["url"]?.plainText, !url.isEmpty else {
                throw TemplateRenderError(
                    message: "{{media}} needs url=…: {{media url=imageURL contentType=\"image/png\"}}", line: call.line,
                    column: call.column)
            }
            var hash = [(String, TemplateValue)]()
            hash.append(("url", .string(url)))
            if let type = call.hash["contentType"]?.plainText, !type.isEmpty { hash.append(("contentType", .string(type))) }
            return .pieces([.marker(TemplateMarker(name: media, arguments: [], hash: TemplateObject(hash)))])
        },
        "json": Helper { call in
            let indent: Int
            switch call.hash["indent"] {
            case .int(let n)?: indent = min(max(n, 0), 10)
            case .double(let d)? where d.isFinite: indent = Int(min(max(d, 0), 10))
            case .string(let s)?: indent = min(max(Int(s) ?? 0, 0), 10)
            default: indent = 0
            }
            return .pieces([.text(call.parameters.first.map { JavaScriptJSON.stringify($0, indent: indent) } ?? "")])
        },
        "ifEquals": Helper { call throws(TemplateRenderError) in
            let equal = call.parameters.count >= 2 && JavaScriptJSON.strictlyEqual(call.parameters[0], call.parameters[1])
            return .pieces(equal ? try call.block() : try call.inverse())
        },
        "unlessEquals": Helper { call throws(TemplateRenderError) in
            let equal = call.parameters.count >= 2 && JavaScriptJSON.strictlyEqual(call.parameters[0], call.parameters[1])
            return .pieces(equal ? try call.inverse() : try call.block())
        },
    ]
}

extension TemplateValue {
    /// The value as plain text for a helper argument: strings as they are, numbers and booleans spelled out;
    /// nil for null, lists and objects.
    var plainText: String? {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        case .double(let d): JavaScriptJSON.number(d)
        case .bool(let b): b ? "true" : "false"
        case .null, .array, .object: nil
        }
    }

    /// The value as compact JSON, for error messages.
    var jsonText: String { JavaScriptJSON.stringify(self, indent: 0) }
}
