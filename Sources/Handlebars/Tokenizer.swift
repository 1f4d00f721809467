// The tokenizer: splits a template into text and the tokens inside `{{ … }}` tags, following the
// lexical rules of Handlebars.js 4 (handlebars.l). It is a loop over UTF-8 bytes with no recursion;
// every tag delimiter is ASCII, so slicing at them always yields valid UTF-8.

/// How a tag opens; decides which close the tokenizer accepts and what the parser builds.
enum TagOpening: Equatable {
    /// `{{x}}` and `{{&x}}`.
    case mustache
    /// `{{{x}}}`.
    case tripleMustache
    /// `{{#x}}`.
    case block
    /// `{{^x}}` (inverted section).
    case invertedSection
    /// `{{else x}}` (a chained inverse).
    case elseChain
    /// `{{/x}}`.
    case blockEnd
    /// `{{> x}}`.
    case partial
    /// `{{{{x}}}}`.
    case rawBlock
}

enum TokenKind: Equatable {
    case text(String)
    case comment(strip: StripFlags)
    /// The opening of a tag; `strip` is a `~` right after the braces.
    case open(TagOpening, strip: Bool)
    /// `{{else}}` or `{{^}}`.
    case inverse(strip: StripFlags)
    /// `}}`, `}}}` or `}}}}`; `strip` is a `~` before the braces.
    case close(strip: Bool)
    /// The verbatim content of a raw block and its closing tag's name.
    case rawContent(String)
    case rawBlockEnd(name: String)
    /// A name; `bracketed` for `[literal]` segments, which are never `this` or `..`.
    case identifier(String, bracketed: Bool)
    /// `.` or `/` between path segments.
    case separator(Character)
    /// `@`.
    case data
    case equals
    case string(String)
    case number(String)
    case boolean(Bool)
    case null
    case undefined
    case openSubexpression
    case closeSubexpression
    /// `as |`.
    case openBlockParameters
    /// `|`.
    case closeBlockParameters
}

/// `~` on each side of a tag.
struct StripFlags: Equatable {
    var open = false
    var close = false
}

struct Token {
    var kind: TokenKind
    var line: Int
    var column: Int
}

struct Tokenizer {
    private let bytes: [UInt8]
    private var position = 0
    private var locator: SourceLocator
    private(set) var tokens: [Token] = []

    init(_ source: String) {
        bytes = Array(source.utf8)
        locator = SourceLocator(bytes: bytes)
    }

    /// Tokenizes the whole source.
    static func tokenize(_ source: String) throws(TemplateSyntaxError) -> [Token] {
        var tokenizer = Tokenizer(source)
        try tokenizer.run()
        return tokenizer.tokens
    }

    private mutating func run() throws(TemplateSyntaxError) {
        let count = bytes.count
        while position < count {
            guard let open = find(opening: position) else {
                emitText(position..<count)
                break
            }
            // `\{{` prints `{{` literally; `\\{{` prints one backslash and opens a tag.
            let escaped = open > position && bytes[open - 1] == UInt8(ascii: "\\")
            let doubleEscaped = escaped && open - 1 > position && bytes[open - 2] == UInt8(ascii: "\\")
            if doubleEscaped {
                emitText(position..<(open - 1))
            } else if escaped {
                emitText(position..<(open - 1))
                let end = endOfEscapedText(from: open)
                emitText(open..<end)
                position = end
                continue
            } else {
                emitText(position..<open)
            }
            try tag(at: open)
        }
    }

    /// The first `{{` at or after `start`.
    private func find(opening start: Int) -> Int? {
        var index = start
        let last = bytes.count - 1
        while index < last {
            if bytes[index] == UInt8(ascii: "{") {
                if bytes[index + 1] == UInt8(ascii: "{") { return index }
                index += 1
            } else {
                index += 1
            }
        }
        return nil
    }

    /// Escaped text runs from its `{{` to before the next `{{`, `\{{` or `\\{{`.
    private func endOfEscapedText(from open: Int) -> Int {
        var index = open + 2
        while index < bytes.count {
            if matches("{{", at: index) || matches("\\{{", at: index) || matches("\\\\{{", at: index) { return index }
            index += 1
        }
        return bytes.count
    }

    private func matches(_ literal: StaticString, at index: Int) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard index >= 0, index + length <= bytes.count else { return false }
        return literal.withUTF8Buffer { buffer in
            for offset in 0..<length where bytes[index + offset] != buffer[offset] { return false }
            return true
        }
    }

    private mutating func emitText(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        let location = locator.location(of: range.lowerBound)
        tokens.append(Token(kind: .text(string(range)), line: location.line, column: location.column))
    }

    private func string(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    private mutating func error(_ message: String, at offset: Int) -> TemplateSyntaxError {
        let location = locator.location(of: min(offset, bytes.count))
        return TemplateSyntaxError(message: message, line: location.line, column: location.column)
    }

    private mutating func emit(_ kind: TokenKind, at offset: Int) {
        let location = locator.location(of: offset)
        tokens.append(Token(kind: kind, line: location.line, column: location.column))
    }

    // MARK: - Tags

    /// Reads the tag opening at `start` (`{{`), its contents and its close.
    private mutating func tag(at start: Int) throws(TemplateSyntaxError) {
        var index = start + 2
        if matches("{{", at: index) {
            emit(.open(.rawBlock, strip: false), at: start)
            position = index + 2
            try tagContents(opening: .rawBlock, tagStart: start)
            try rawContent(openedAt: start)
            return
        }
        let strip = byte(at: index) == UInt8(ascii: "~")
        if strip { index += 1 }

        // `{{else}}` and `{{^}}` (with optional spaces and `~`) stand alone.
        if let (end, closeStrip) = standaloneInverse(at: index) {
            emit(.inverse(strip: StripFlags(open: strip, close: closeStrip)), at: start)
            position = end
            return
        }

        let opening: TagOpening
        switch byte(at: index) {
        case UInt8(ascii: ">"):
            opening = .partial
            index += 1
        case UInt8(ascii: "#"):
            if byte(at: index + 1) == UInt8(ascii: ">") {
                throw error("partial blocks ({{#> name}}) are not supported in PromptLab templates", at: start)
            }
            if byte(at: index + 1) == UInt8(ascii: "*") {
                throw error("decorators and inline partials ({{#*inline}}) are not supported in PromptLab templates", at: start)
            }
            opening = .block
            index += 1
        case UInt8(ascii: "/"):
            opening = .blockEnd
            index += 1
        case UInt8(ascii: "^"):
            opening = .invertedSection
            index += 1
        case UInt8(ascii: "{"):
            opening = .tripleMustache
            index += 1
        case UInt8(ascii: "&"):
            opening = .mustache
            index += 1
        case UInt8(ascii: "!"):
            try comment(tagStart: start, bodyStart: index + 1, stripOpen: strip)
            return
        case UInt8(ascii: "*"):
            throw error("decorators ({{*name}}) are not supported in PromptLab templates", at: start)
        case UInt8(ascii: "="):
            throw error("set-delimiter tags are Mustache-only; PromptLab bodies follow Handlebars", at: start)
        case UInt8(ascii: "<"):
            throw error("parent tags ({{<name}}) are Mustache-only; PromptLab bodies follow Handlebars (use a partial)", at: start)
        case UInt8(ascii: "$"):
            throw error("block tags ({{$name}}) are Mustache-only; PromptLab bodies follow Handlebars", at: start)
        default:
            if let afterElse = elseChainStart(at: index) {
                opening = .elseChain
                index = afterElse
            } else {
                opening = .mustache
            }
        }
        emit(.open(opening, strip: strip), at: start)
        position = index
        try tagContents(opening: opening, tagStart: start)
    }

    private func byte(at index: Int) -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    /// `else` or `^` followed only by spaces, an optional `~` and `}}`: the end of the tag and the `~`.
    private func standaloneInverse(at start: Int) -> (Int, Bool)? {
        var index = start
        if byte(at: index) == UInt8(ascii: "^") {
            index += 1
        } else {
            index = skipSpaces(from: index)
            guard matches("else", at: index) else { return nil }
            index += 4
        }
        index = skipSpaces(from: index)
        let strip = byte(at: index) == UInt8(ascii: "~")
        if strip { index += 1 }
        guard matches("}}", at: index) else { return nil }
        return (index + 2, strip)
    }

    /// `else` followed by a space: the start of `{{else if …}}`. (Handlebars.js would also read
    /// `{{elsewhere}}` as an else chain; a name that merely starts with "else" is a name here.)
    private func elseChainStart(at start: Int) -> Int? {
        let index = skipSpaces(from: start)
        guard matches("else", at: index), let next = byte(at: index + 4), isSpace(next) else { return nil }
        return index + 4
    }

    private func skipSpaces(from start: Int) -> Int {
        var index = start
        while let byte = byte(at: index), isSpace(byte) { index += 1 }
        return index
    }

    /// `{{! … }}` ends at the first `}}`; `{{!-- … --}}` at the first `--}}`.
    private mutating func comment(tagStart: Int, bodyStart: Int, stripOpen: Bool) throws(TemplateSyntaxError) {
        let long = matches("--", at: bodyStart)
        var index = long ? bodyStart + 2 : bodyStart
        while index < bytes.count {
            if long {
                if matches("--}}", at: index) || matches("--~}}", at: index) {
                    let strip = bytes[index + 2] == UInt8(ascii: "~")
                    emit(.comment(strip: StripFlags(open: stripOpen, close: strip)), at: tagStart)
                    position = index + (strip ? 5 : 4)
                    return
                }
            } else if matches("}}", at: index) {
                let strip = index > bodyStart && bytes[index - 1] == UInt8(ascii: "~")
                emit(.comment(strip: StripFlags(open: stripOpen, close: strip)), at: tagStart)
                position = index + 2
                return
            }
            index += 1
        }
        throw error(long ? "unclosed comment: expected '--}}'" : "unclosed comment: expected '}}'", at: tagStart)
    }

    /// The tokens between a tag's opening and its close.
    private mutating func tagContents(opening: TagOpening, tagStart: Int) throws(TemplateSyntaxError) {
        let expectedClose = opening == .tripleMustache ? "}}}" : opening == .rawBlock ? "}}}}" : "}}"
        while true {
            position = skipSpaces(from: position)
            guard let current = byte(at: position) else {
                throw error("unclosed tag: expected '\(expectedClose)' to close the tag opened here", at: tagStart)
            }
            let start = position
            if current == UInt8(ascii: "}") || current == UInt8(ascii: "~") {
                if let (length, strip) = closeLength(opening: opening) {
                    emit(.close(strip: strip), at: start)
                    position += length
                    return
                }
                if current == UInt8(ascii: "}") {
                    throw error("expected '\(expectedClose)' to close the tag", at: start)
                }
                throw error("unexpected '~': it may only appear right after '{{' or right before '}}'", at: start)
            }
            switch current {
            case UInt8(ascii: "("):
                emit(.openSubexpression, at: start)
                position += 1
            case UInt8(ascii: ")"):
                emit(.closeSubexpression, at: start)
                position += 1
            case UInt8(ascii: "="):
                emit(.equals, at: start)
                position += 1
            case UInt8(ascii: "@"):
                emit(.data, at: start)
                position += 1
            case UInt8(ascii: "|"):
                emit(.closeBlockParameters, at: start)
                position += 1
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                try stringLiteral(quote: current)
            case UInt8(ascii: "["):
                try bracketedSegment()
            case UInt8(ascii: "."):
                if byte(at: position + 1) == UInt8(ascii: ".") {
                    emit(.identifier("..", bracketed: false), at: start)
                    position += 2
                } else if let next = byte(at: position + 1), !isLookahead(next) {
                    emit(.separator("."), at: start)
                    position += 1
                } else {
                    emit(.identifier(".", bracketed: false), at: start)
                    position += 1
                }
            case UInt8(ascii: "/"):
                emit(.separator("/"), at: start)
                position += 1
            default:
                guard isIdentifierByte(current) else {
                    throw error("unexpected character '\(displayed(at: start))' in a tag", at: start)
                }
                try word()
            }
        }
    }

    /// The length of the close at `position` and whether it has a `~`, or nil.
    private func closeLength(opening: TagOpening) -> (Int, Bool)? {
        switch opening {
        case .rawBlock:
            return matches("}}}}", at: position) ? (4, false) : nil
        case .tripleMustache:
            if matches("}}}", at: position) { return (3, false) }
            if matches("}~}}", at: position) || matches("~}}}", at: position) { return (4, true) }
            return nil
        default:
            if matches("}}", at: position) { return (2, false) }
            if matches("~}}", at: position) { return (3, true) }
            return nil
        }
    }

    private func displayed(at index: Int) -> String {
        var end = index + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return string(index..<end)
    }

    /// `"…"` or `'…'`; a backslash before the quote character escapes it.
    private mutating func stringLiteral(quote: UInt8) throws(TemplateSyntaxError) {
        let start = position
        var index = position + 1
        var content: [UInt8] = []
        while index < bytes.count {
            let current = bytes[index]
            if current == UInt8(ascii: "\\") && byte(at: index + 1) == quote {
                content.append(quote)
                index += 2
            } else if current == quote {
                emit(.string(String(decoding: content, as: UTF8.self)), at: start)
                position = index + 1
                return
            } else {
                content.append(current)
                index += 1
            }
        }
        let quoteText = quote == UInt8(ascii: "\"") ? "\"" : "'"
        throw error("unterminated string literal: expected a closing \(quoteText)", at: start)
    }

    /// `[any key]`: a path segment taken literally; `\]` and `\\` are escapes.
    private mutating func bracketedSegment() throws(TemplateSyntaxError) {
        let start = position
        var index = position + 1
        var content: [UInt8] = []
        while index < bytes.count {
            let current = bytes[index]
            if current == UInt8(ascii: "\\"), let next = byte(at: index + 1), next == UInt8(ascii: "]") || next == UInt8(ascii: "\\") {
                content.append(next)
                index += 2
            } else if current == UInt8(ascii: "]") {
                emit(.identifier(String(decoding: content, as: UTF8.self), bracketed: true), at: start)
                position = index + 1
                return
            } else {
                content.append(current)
                index += 1
            }
        }
        throw error("unterminated path segment: expected ']'", at: start)
    }

    /// A number, `true`/`false`/`null`/`undefined`, `as |`, or a name.
    private mutating func word() throws(TemplateSyntaxError) {
        let start = position
        if let end = numberEnd(from: start), literalMayEnd(at: end) {
            emit(.number(string(start..<end)), at: start)
            position = end
            return
        }
        for (keyword, kind) in [("true", TokenKind.boolean(true)), ("false", .boolean(false)), ("null", .null), ("undefined", .undefined)] {
            let length = keyword.utf8.count
            if bytes[start...].starts(with: keyword.utf8), literalMayEnd(at: start + length) {
                emit(kind, at: start)
                position = start + length
                return
            }
        }
        if matches("as", at: start), let next = byte(at: start + 2), isSpace(next) {
            let bar = skipSpaces(from: start + 2)
            if byte(at: bar) == UInt8(ascii: "|") {
                emit(.openBlockParameters, at: start)
                position = bar + 1
                return
            }
        }
        var end = start
        while let current = byte(at: end), isIdentifierByte(current) { end += 1 }
        if let next = byte(at: end), !isLookahead(next) {
            throw error("unexpected character '\(displayed(at: end))' after '\(string(start..<end))'", at: end)
        }
        emit(.identifier(string(start..<end), bracketed: false), at: start)
        position = end
    }

    /// The end of `-?[0-9]+(\.[0-9]+)?` at `start`, if there is one.
    private func numberEnd(from start: Int) -> Int? {
        var index = start
        if byte(at: index) == UInt8(ascii: "-") { index += 1 }
        let digitsStart = index
        while let current = byte(at: index), isDigit(current) { index += 1 }
        guard index > digitsStart else { return nil }
        if byte(at: index) == UInt8(ascii: "."), let next = byte(at: index + 1), isDigit(next) {
            index += 1
            while let current = byte(at: index), isDigit(current) { index += 1 }
        }
        return index
    }

    /// Literals must be followed by `~`, `}`, a space or `)`.
    private func literalMayEnd(at index: Int) -> Bool {
        guard let next = byte(at: index) else { return false }
        return next == UInt8(ascii: "~") || next == UInt8(ascii: "}") || next == UInt8(ascii: ")") || isSpace(next)
    }

    // MARK: - Raw blocks

    /// The verbatim content after `{{{{name}}}}`, up to the matching `{{{{/name}}}}`; nested raw
    /// blocks are part of the content.
    private mutating func rawContent(openedAt tagStart: Int) throws(TemplateSyntaxError) {
        let contentStart = position
        var depth = 1
        var index = position
        while index < bytes.count {
            guard matches("{{{{", at: index) else {
                index += 1
                continue
            }
            guard byte(at: index + 4) == UInt8(ascii: "/") else {
                depth += 1
                index += 4
                continue
            }
            var nameEnd = index + 5
            while let current = byte(at: nameEnd), isIdentifierByte(current) { nameEnd += 1 }
            guard nameEnd > index + 5, matches("}}}}", at: nameEnd) else {
                index += 4
                continue
            }
            depth -= 1
            if depth == 0 {
                let location = locator.location(of: contentStart)
                tokens.append(Token(kind: .rawContent(string(contentStart..<index)), line: location.line, column: location.column))
                emit(.rawBlockEnd(name: string((index + 5)..<nameEnd)), at: index)
                position = nameEnd + 4
                return
            }
            index = nameEnd + 4
        }
        throw error("unclosed raw block: expected '{{{{/name}}}}' for the raw block opened here", at: tagStart)
    }
}

// MARK: - Character classes

/// JavaScript's `\s` within ASCII (tags are made of ASCII punctuation and names).
func isSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
}

private func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
}

/// Handlebars' ID: anything but spaces and ``!"#%&'()*+,./;<=>@[\]^`{|}~``.
private func isIdentifierByte(_ byte: UInt8) -> Bool {
    if byte >= 0x80 { return true }
    if isSpace(byte) { return false }
    switch byte {
    case UInt8(ascii: "!"), UInt8(ascii: "\""), UInt8(ascii: "#"), UInt8(ascii: "%")...UInt8(ascii: ","),
        UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ";")...UInt8(ascii: ">"), UInt8(ascii: "@"),
        UInt8(ascii: "[")...UInt8(ascii: "^"), UInt8(ascii: "`"), UInt8(ascii: "{")...UInt8(ascii: "~"):
        return false
    default:
        return true
    }
}

/// What may follow a name: `= ~ } . / ) |` or a space.
private func isLookahead(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "="), UInt8(ascii: "~"), UInt8(ascii: "}"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ")"),
        UInt8(ascii: "|"):
        return true
    default:
        return isSpace(byte)
    }
}

// MARK: - Positions

/// Turns byte offsets into 1-based lines and Character columns. Offsets are asked for mostly in
/// increasing order, so it walks forward from the last answer: linear in the source overall,
/// even for a 1 MiB template on one line.
struct SourceLocator {
    let bytes: [UInt8]
    private var offset = 0
    private var line = 1
    private var lineStart = 0
    private var column = 1

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func location(of target: Int) -> (line: Int, column: Int) {
        if target < offset {
            offset = 0
            line = 1
            lineStart = 0
            column = 1
        }
        var index = offset
        var newLine = false
        var asciiOnly = true
        while index < target {
            let byte = bytes[index]
            if byte == 0x0A {
                line += 1
                lineStart = index + 1
                newLine = true
                asciiOnly = true
            } else if byte >= 0x80 {
                asciiOnly = false
            }
            index += 1
        }
        let countFrom = newLine ? lineStart : offset
        let counted =
            asciiOnly ? target - countFrom : String(decoding: bytes[countFrom..<target], as: UTF8.self).count
        column = (newLine ? 1 : column) + counted
        offset = target
        return (line, column)
    }
}
