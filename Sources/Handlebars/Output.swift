/// A piece of rendered output: text, or a marker a helper emitted.
///
/// Markers let helpers such as Dotprompt's `{{role "user"}}` mark places in the output that the
/// caller splits on. Only helpers produce them; a variable's value is always text.
public enum OutputPiece: Sendable, Hashable {
    case text(String)
    case marker(TemplateMarker)
}

/// A marker a helper placed in the output, with the arguments it wants to pass on.
public struct TemplateMarker: Sendable, Hashable {
    public var name: String
    public var arguments: [TemplateValue]
    public var hash: TemplateObject

    public init(name: String, arguments: [TemplateValue] = [], hash: TemplateObject = TemplateObject()) {
        self.name = name
        self.arguments = arguments
        self.hash = hash
    }
}

/// The result of rendering a template.
public struct Rendering: Sendable, Hashable {
    /// Text and markers in order; adjacent text is merged into one piece, and there is no empty text.
    public var pieces: [OutputPiece]
    /// Top-level variables the template printed (`{{x}}`, `{{x.y}}`) or opened as a section
    /// (`{{#x}}`) while the root context lacked the key: deduplicated, in order of first use.
    public var missingNames: [String]

    public init(pieces: [OutputPiece], missingNames: [String]) {
        self.pieces = pieces
        self.missingNames = missingNames
    }

    /// The text with markers dropped.
    public var text: String {
        if pieces.count == 1, case .text(let text) = pieces[0] { return text }
        var text = ""
        for case .text(let piece) in pieces { text += piece }
        return text
    }
}

/// Output under construction: the pieces so far and the UTF-8 bytes of the text after them.
/// Appending bytes is a copy; appending to a `String` costs several times more per call, and
/// rendering appends many short strings.
struct OutputBuffer {
    private(set) var pieces: [OutputPiece] = []
    private var bytes: [UInt8] = []
    /// UTF-8 bytes of text so far, flushed or not.
    private(set) var byteCount = 0

    mutating func append(_ string: String) {
        let copied: Bool? = string.utf8.withContiguousStorageIfAvailable {
            bytes.append(contentsOf: $0)
            return true
        }
        if copied == nil { bytes.append(contentsOf: string.utf8) }
        byteCount += string.utf8.count
    }

    mutating func append(_ value: TemplateValue) {
        switch value {
        case .string(let string): append(string)
        case .null: break
        default: append(value.templateText)
        }
    }

    mutating func append(_ piece: OutputPiece) {
        switch piece {
        case .text(let string):
            append(string)
        case .marker:
            flush()
            pieces.append(piece)
        }
    }

    mutating func append(contentsOf newPieces: [OutputPiece]) {
        for piece in newPieces { append(piece) }
    }

    private mutating func flush() {
        guard !bytes.isEmpty else { return }
        pieces.append(.text(String(decoding: bytes, as: UTF8.self)))
        bytes.removeAll(keepingCapacity: true)
    }

    mutating func finish() -> [OutputPiece] {
        flush()
        return pieces
    }
}
