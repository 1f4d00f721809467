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
        "role": .marker(role) { parameters, _ in
            guard let name = parameters.first?.plainText, MessageRole(dotpromptName: name) != nil else {
                return
                    "{{role}} needs \"system\", \"user\", \"model\" or \"assistant\", got \(parameters.first.map(\.jsonText) ?? "nothing")"
            }
            return nil
        },
        "history": .marker(history),
        "section": .marker(section) { parameters, _ in
            guard let name = parameters.first?.plainText, !name.isEmpty else { return "{{section}} needs a name: {{section \"intro\"}}" }
            return nil
        },
        "media": .marker(media) { _, hash in
            guard let url = hash["url"]?.plainText, !url.isEmpty else {
                return "{{media}} needs url=…: {{media url=imageURL contentType=\"image/png\"}}"
            }
            return nil
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
