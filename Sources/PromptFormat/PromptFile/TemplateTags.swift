import Foundation
import PromptLabCore

/// The tags of a Mustache template, read without recursion, the way
/// swift-mustache's parser reads them.
///
/// swift-mustache parses each section by calling itself, so a template nested
/// a few thousand sections deep overflows the stack before it reports anything.
/// This scanner walks the same grammar with an explicit stack: it follows
/// set-delimiter tags (which last until the end of the section they appear in,
/// as in the parser), parents (`{{<name}}`) and blocks (`{{$name}}`), so the
/// nesting depth and the partials it reports are those swift-mustache will see.
/// ``PromptTemplate`` refuses a template nested deeper than
/// ``PromptTemplate/maximumNesting`` before handing it to swift-mustache.
///
/// The scan stops quietly at the first tag swift-mustache would refuse; that
/// parser then reports the syntax error itself.
struct TemplateTags {
    /// What a tag does.
    enum Kind: Equatable {
        /// `{{#name}}`, `{{^name}}`: a section or an inverted section.
        case section, invertedSection
        /// `{{/name}}`.
        case close
        /// `{{name}}`, `{{{name}}}`, `{{&name}}`.
        case variable, unescapedVariable
        /// `{{>name}}`, `{{>*name}}` (dynamic: the name is a variable).
        case partial(dynamic: Bool)
        /// `{{<name}}`: a parent whose blocks this section overrides.
        case parent(dynamic: Bool)
        /// `{{$name}}`: a block.
        case block
        /// `{{! ...}}`, `{{=<% %>=}}`, `{{% pragma}}`.
        case comment, setDelimiter, pragma
    }

    struct Tag {
        var kind: Kind
        /// The name as written, without the sigil and surrounding spaces
        /// (for a partial, without the `*` of a dynamic one).
        var name: String
        /// Where the tag's opening delimiter starts in the scanned text.
        var position: String.Index
        /// How many sections, parents and blocks enclose the tag; a section's
        /// own opening tag counts itself.
        var depth: Int
    }

    /// Every tag up to the end of the text or the first malformed tag.
    private(set) var tags: [Tag] = []
    /// The deepest nesting reached.
    private(set) var maximumDepth = 0

    /// Scans `text`, stopping at the first tag nested deeper than `depthLimit`
    /// (that tag is the last one recorded, with its depth).
    init(_ text: String, depthLimit: Int = .max) {
        struct Frame {
            var name: String
            var start: String
            var end: String
        }
        var frames = [Frame(name: "", start: "{{", end: "}}")]
        var index = text.startIndex
        let end = text.endIndex

        /// Whether `literal` starts at `at`, comparing Characters as swift-mustache does.
        func matches(_ literal: String, at: String.Index) -> String.Index? {
            var position = at
            for character in literal {
                guard position < end, text[position] == character else { return nil }
                position = text.index(after: position)
            }
            return position
        }
        /// The end of the first `literal` from `from`, found as swift-mustache's
        /// `read(untilString:)` finds it (after a partial match it does not
        /// look again at the character that broke it).
        func naiveSearch(_ literal: String, from: String.Index) -> String.Index? {
            let wanted = Array(literal)
            var matched = 0
            var position = from
            while position < end {
                if text[position] == wanted[matched] {
                    matched += 1
                    if matched == wanted.count { return text.index(after: position) }
                } else {
                    matched = 0
                }
                position = text.index(after: position)
            }
            return nil
        }
        func skip(_ position: inout String.Index, while predicate: (Character) -> Bool) {
            while position < end, predicate(text[position]) { position = text.index(after: position) }
        }
        /// Reads `ws* chars* ws* END` as swift-mustache's parseName does.
        func readName(_ position: inout String.Index, _ allowed: Set<Character>, endDelimiter: String) -> String? {
            skip(&position, while: \.isWhitespace)
            let nameStart = position
            skip(&position, while: { allowed.contains($0) })
            let name = String(text[nameStart..<position])
            skip(&position, while: \.isWhitespace)
            guard let after = matches(endDelimiter, at: position) else { return nil }
            position = after
            return name
        }

        while index < end {
            let frame = frames[frames.count - 1]
            guard let afterOpen = matches(frame.start, at: index) else {
                index = text.index(after: index)
                continue
            }
            let tagStart = index
            var position = afterOpen
            guard position < end else { return }
            let sigil = text[position]
            // swift-mustache reads an opening delimiter followed by a line break as
            // text (dropping the delimiter) and goes on with the next line.
            if sigil.isNewline {
                index = text.index(after: position)
                continue
            }
            let depth = frames.count - 1
            func record(_ kind: Kind, _ name: String, depth: Int) {
                tags.append(Tag(kind: kind, name: name, position: tagStart, depth: depth))
                maximumDepth = max(maximumDepth, depth)
            }
            switch sigil {
            case "#", "^", "$":
                position = text.index(after: position)
                guard let name = readName(&position, Self.sectionNameCharacters, endDelimiter: frame.end) else { return }
                let kind: Kind = sigil == "#" ? .section : sigil == "^" ? .invertedSection : .block
                record(kind, name, depth: depth + 1)
                if depth + 1 > depthLimit { return }
                frames.append(Frame(name: name, start: frame.start, end: frame.end))
            case "<":
                position = text.index(after: position)
                guard let name = readName(&position, Self.partialNameCharacters, endDelimiter: frame.end) else { return }
                let dynamic = name.first == "*"
                record(.parent(dynamic: dynamic), dynamic ? String(name.dropFirst()) : name, depth: depth + 1)
                if depth + 1 > depthLimit { return }
                frames.append(Frame(name: name, start: frame.start, end: frame.end))
            case "/":
                position = text.index(after: position)
                guard let name = readName(&position, Self.sectionNameCharacters, endDelimiter: frame.end),
                    frames.count > 1, name == frame.name
                else { return }
                record(.close, name, depth: depth)
                frames.removeLast()
            case ">":
                position = text.index(after: position)
                skip(&position, while: \.isWhitespace)
                let dynamic = position < end && text[position] == "*"
                if dynamic { position = text.index(after: position) }
                guard let name = readName(&position, Self.partialNameCharacters, endDelimiter: frame.end) else { return }
                record(.partial(dynamic: dynamic), name, depth: depth)
            case "!":
                position = text.index(after: position)
                guard let after = naiveSearch(frame.end, from: position) else { return }
                record(.comment, "", depth: depth)
                position = after
            case "%":
                // `% NAME : VALUE END`, as swift-mustache's readConfigVariable.
                position = text.index(after: position)
                skip(&position, while: \.isWhitespace)
                skip(&position, while: { Self.pragmaCharacters.contains($0) })
                skip(&position, while: \.isWhitespace)
                guard position < end, text[position] == ":" else { return }
                position = text.index(after: position)
                skip(&position, while: \.isWhitespace)
                skip(&position, while: { Self.pragmaCharacters.contains($0) })
                skip(&position, while: \.isWhitespace)
                guard let after = matches(frame.end, at: position) else { return }
                record(.pragma, "", depth: depth)
                position = after
            case "=":
                // `=START END=` then the current end delimiter, as swift-mustache's parserSetDelimiter.
                position = text.index(after: position)
                skip(&position, while: \.isWhitespace)
                let startBegin = position
                skip(&position, while: { !$0.isWhitespace })
                let start = String(text[startBegin..<position])
                skip(&position, while: \.isWhitespace)
                let endBegin = position
                skip(&position, while: { $0 != "=" && !$0.isWhitespace })
                let newEnd = String(text[endBegin..<position])
                skip(&position, while: \.isWhitespace)
                guard position < end, text[position] == "=", let after = matches(frame.end, at: text.index(after: position)),
                    !start.isEmpty, !newEnd.isEmpty
                else { return }
                position = after
                record(.setDelimiter, "", depth: depth)
                frames[frames.count - 1].start = start
                frames[frames.count - 1].end = newEnd
            case "{":
                position = text.index(after: position)
                guard let name = readName(&position, Self.sectionNameCharacters, endDelimiter: frame.end),
                    position < end, text[position] == "}"
                else { return }
                position = text.index(after: position)
                record(.unescapedVariable, name, depth: depth)
            case "&":
                position = text.index(after: position)
                guard let name = readName(&position, Self.sectionNameCharacters, endDelimiter: frame.end) else { return }
                record(.unescapedVariable, name, depth: depth)
            default:
                guard let name = readName(&position, Self.sectionNameCharacters, endDelimiter: frame.end) else { return }
                record(.variable, name, depth: depth)
            }
            index = position
        }
    }

    /// The partials and parents the text names, in order of first appearance (dynamic ones excluded).
    var includedNames: [String] {
        var names = [String]()
        for tag in tags {
            switch tag.kind {
            case .partial(dynamic: false), .parent(dynamic: false):
                if !tag.name.isEmpty, !names.contains(tag.name) { names.append(tag.name) }
            default: continue
            }
        }
        return names
    }

    // The character sets of swift-mustache's parser (Template+Parser.swift).
    private static let sectionNameCharacters = Set<Character>(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?()*")
    private static let pragmaCharacters = Set<Character>(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?*")
    private static let partialNameCharacters = Set<Character>(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?()*/")
}
