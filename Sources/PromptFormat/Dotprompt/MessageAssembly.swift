import Handlebars

/// Turns a rendered template (text and helper markers) into messages, the way Dotprompt does:
///
/// - `{{role "…"}}` starts a new message, or, when the current message has no content yet, changes its
///   role (so a role marker at the top does not leave an empty user message behind);
/// - `{{history}}` inserts the conversation so far (each message marked `purpose: history`) and continues
///   with a model message;
/// - stretches of whitespace between markers are dropped; all other text is kept exactly, newlines and
///   indentation included;
/// - when history is given but the template has no `{{history}}`, it goes before the last message if that
///   is a user message, else at the end.
enum MessageAssembly {
    static func messages(from pieces: [OutputPiece], history: [PromptMessage]) -> [PromptMessage] {
        var messages = [PromptMessage]()
        var current = PromptMessage(role: .user, parts: [])
        var sawHistory = false

        /// Adds the pieces between two role or history markers to the current message, unless they are
        /// only whitespace. (The engine merges adjacent text, so text pieces are never adjacent here.)
        func add(_ segment: ArraySlice<OutputPiece>) {
            let hasContent = segment.contains { piece in
                if case .text(let text) = piece { return !isBlank(text) }
                return true
            }
            guard hasContent else { return }
            for piece in segment {
                switch piece {
                case .text(let text):
                    if !isBlank(text) { current.parts.append(.text(text)) }
                case .marker(let marker):
                    if marker.name == DotpromptHelpers.section, let name = marker.arguments.first?.plainText {
                        current.parts.append(.section(name))
                    } else if marker.name == DotpromptHelpers.media, let url = marker.hash["url"]?.plainText {
                        let type = marker.hash["contentType"]?.plainText
                        current.parts.append(.media(url: url, contentType: type?.isEmpty == false ? type : nil))
                    }
                }
            }
        }

        var segmentStart = pieces.startIndex
        for index in pieces.indices {
            guard case .marker(let marker) = pieces[index],
                marker.name == DotpromptHelpers.role || marker.name == DotpromptHelpers.history
            else { continue }
            add(pieces[segmentStart..<index])
            segmentStart = index + 1
            if marker.name == DotpromptHelpers.role {
                let role = marker.arguments.first?.plainText.flatMap(MessageRole.init(dotpromptName:)) ?? .user
                if current.parts.isEmpty {
                    current.role = role
                    if !marker.hash.isEmpty {
                        current.metadata = merged(current.metadata, marker.hash.map { (key: $0.key, value: PromptValue($0.value)) })
                    }
                } else {
                    messages.append(current)
                    current = PromptMessage(
                        role: role, parts: [], metadata: marker.hash.map { (key: $0.key, value: PromptValue($0.value)) })
                }
            } else {
                if !current.parts.isEmpty { messages.append(current) }
                sawHistory = true
                for message in history {
                    var marked = message
                    marked.metadata = merged(message.metadata, [(key: "purpose", value: .string("history"))])
                    messages.append(marked)
                }
                current = PromptMessage(role: .assistant, parts: [])
            }
        }
        add(pieces[segmentStart...])
        if !current.parts.isEmpty { messages.append(current) }

        guard !history.isEmpty, !sawHistory,
            !messages.contains(where: { $0.metadata.contains { $0.key == "purpose" && $0.value == .string("history") } })
        else { return messages }
        if messages.isEmpty { return history }
        if messages[messages.count - 1].role == .user {
            messages.insert(contentsOf: history, at: messages.count - 1)
        } else {
            messages.append(contentsOf: history)
        }
        return messages
    }

    /// Whether `text` is only whitespace (as JavaScript's `trim()` sees it): a byte scan for the usual ASCII
    /// case, characters otherwise.
    static func isBlank(_ text: String) -> Bool {
        var ascii = true
        for byte in text.utf8 {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C: continue
            case 0x80...: ascii = false
            default: return false
            }
            if !ascii { break }
        }
        return ascii || text.allSatisfy(\.isWhitespace)
    }

    /// `base` with `overrides`' keys replaced or added, in order.
    private static func merged(
        _ base: [(key: String, value: PromptValue)], _ overrides: [(key: String, value: PromptValue)]
    ) -> [(key: String, value: PromptValue)] {
        var result = base
        for (key, value) in overrides {
            if let index = result.firstIndex(where: { $0.key == key }) {
                result[index].value = value
            } else {
                result.append((key, value))
            }
        }
        return result
    }
}
