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

        func isContent(_ segment: [OutputPiece]) -> Bool {
            segment.contains { piece in
                switch piece {
                case .text(let text): !isBlank(text)
                case .marker: true
                }
            }
        }
        func finishCurrent() {
            if !current.parts.isEmpty { messages.append(current) }
        }

        var segment = [OutputPiece]()
        func flushSegment() {
            defer { segment.removeAll(keepingCapacity: true) }
            guard isContent(segment) else { return }
            for piece in segment {
                switch piece {
                case .text(let text):
                    guard !isBlank(text) else { continue }
                    if case .text(let previous)? = current.parts.last {
                        current.parts[current.parts.count - 1] = .text(previous + text)
                    } else {
                        current.parts.append(.text(text))
                    }
                case .marker(let marker):
                    if marker.name == DotpromptHelpers.section, let name = marker.arguments.first?.plainText {
                        current.parts.append(.section(name))
                    } else if marker.name == DotpromptHelpers.media, let url = marker.hash["url"]?.plainText {
                        current.parts.append(.media(url: url, contentType: marker.hash["contentType"]?.plainText))
                    }
                }
            }
        }

        for piece in pieces {
            guard case .marker(let marker) = piece,
                marker.name == DotpromptHelpers.role || marker.name == DotpromptHelpers.history
            else {
                segment.append(piece)
                continue
            }
            flushSegment()
            if marker.name == DotpromptHelpers.role {
                let role = marker.arguments.first?.plainText.flatMap(MessageRole.init(dotpromptName:)) ?? .user
                let metadata = marker.hash.map { (key: $0.key, value: PromptValue($0.value)) }
                if current.parts.isEmpty {
                    current.role = role
                    current.metadata = merged(current.metadata, metadata)
                } else {
                    finishCurrent()
                    current = PromptMessage(role: role, parts: [], metadata: metadata)
                }
            } else {
                finishCurrent()
                sawHistory = true
                for message in history {
                    var marked = message
                    marked.metadata = merged(message.metadata, [(key: "purpose", value: .string("history"))])
                    messages.append(marked)
                }
                current = PromptMessage(role: .assistant, parts: [])
            }
        }
        flushSegment()
        finishCurrent()

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
