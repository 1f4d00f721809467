// The parser: a recursive descent over the tokens following the Handlebars.js 4 grammar
// (handlebars.yy). Every recursion (blocks, else chains, subexpressions) first checks the nesting
// limit, so no template can exhaust the stack.

// MARK: - Parse tree (before whitespace control)

final class ParsedProgram {
    var body: [ParsedStatement]
    /// A body made of one `{{else x}}` block.
    var chained = false
    var declaresBlockParameters = false

    init(body: [ParsedStatement], chained: Bool = false) {
        self.body = body
        self.chained = chained
    }
}

enum ParsedStatement {
    case content(ParsedContent)
    case mustache(CallSyntax, StripFlags)
    case block(ParsedBlock)
    case partial(ParsedPartial)
    case comment(StripFlags)
}

/// Text between tags: `original` decides standalone lines, `value` is what remains after stripping.
final class ParsedContent {
    let original: String
    var value: String
    var leftStripped = false
    var rightStripped = false

    init(_ text: String) {
        original = text
        value = text
    }
}

final class ParsedBlock {
    let call: CallSyntax
    var program: ParsedProgram?
    var inverse: ParsedProgram?
    let openStrip: StripFlags
    var inverseStrip = StripFlags()
    var closeStrip = StripFlags()
    let isRaw: Bool

    init(call: CallSyntax, program: ParsedProgram?, inverse: ParsedProgram?, openStrip: StripFlags, isRaw: Bool) {
        self.call = call
        self.program = program
        self.inverse = inverse
        self.openStrip = openStrip
        self.isRaw = isRaw
    }
}

final class ParsedPartial {
    let name: String
    let context: ExpressionSyntax?
    let hash: [HashArgument]
    let strip: StripFlags
    let line: Int
    let column: Int
    var indent = ""

    init(name: String, context: ExpressionSyntax?, hash: [HashArgument], strip: StripFlags, line: Int, column: Int) {
        self.name = name
        self.context = context
        self.hash = hash
        self.strip = strip
        self.line = line
        self.column = column
    }
}

// MARK: - Parser

struct Parser {
    private let tokens: [Token]
    private var index = 0
    private let limits: TemplateLimits
    /// The block parameters in scope, innermost last.
    private var scopes: [[String]] = []
    private let endLine: Int
    private let endColumn: Int
    private(set) var partials: [PartialReference] = []
    private(set) var deepestNesting = 0
    private(set) var helperNames: [String] = []
    private var helperSlots: [String: Int] = [:]

    init(tokens: [Token], limits: TemplateLimits, end: (line: Int, column: Int)) {
        self.tokens = tokens
        self.limits = limits
        endLine = end.line
        endColumn = end.column
    }

    // MARK: Programs

    mutating func parseTemplate() throws(TemplateSyntaxError) -> ParsedProgram {
        let program = try parseProgram(nesting: 0)
        guard index < tokens.count else { return program }
        let token = tokens[index]
        switch token.kind {
        case .open(.blockEnd, _):
            index += 1
            let name = (try? parseCallee(nesting: 0).original) ?? ""
            throw error("unexpected closing tag '{{/\(name)}}': no block is open", at: token)
        case .open(.elseChain, _):
            throw error("'{{else …}}' outside a block: it must sit between '{{#name}}' and '{{/name}}'", at: token)
        default:
            throw error("'{{else}}' outside a block: it must sit between '{{#name}}' and '{{/name}}'", at: token)
        }
    }

    /// Statements up to a closing tag, an `{{else}}` or the end (not consumed).
    private mutating func parseProgram(nesting: Int) throws(TemplateSyntaxError) -> ParsedProgram {
        var body: [ParsedStatement] = []
        while index < tokens.count {
            let token = tokens[index]
            switch token.kind {
            case .text(let text):
                body.append(.content(ParsedContent(text)))
                index += 1
            case .comment(let strip):
                body.append(.comment(strip))
                index += 1
            case .open(.mustache, let strip), .open(.tripleMustache, let strip):
                index += 1
                let call = try parseCall(nesting: nesting, at: token)
                let closeStrip = try expectClose()
                body.append(.mustache(call, StripFlags(open: strip, close: closeStrip)))
            case .open(.block, _), .open(.invertedSection, _):
                body.append(.block(try parseBlock(nesting: nesting + 1)))
            case .open(.partial, let strip):
                body.append(.partial(try parsePartial(nesting: nesting, strip: strip)))
            case .open(.rawBlock, _):
                body.append(.block(try parseRawBlock(nesting: nesting + 1)))
            case .open(.blockEnd, _), .open(.elseChain, _), .inverse:
                return ParsedProgram(body: body)
            default:
                throw unexpected(token, expecting: "text or a tag")
            }
        }
        return ParsedProgram(body: body)
    }

    // MARK: Blocks

    private mutating func checkNesting(_ nesting: Int, at token: Token) throws(TemplateSyntaxError) {
        guard nesting <= limits.maximumNesting else {
            throw error(
                "blocks and subexpressions are nested more than \(limits.maximumNesting) deep", at: token)
        }
        deepestNesting = max(deepestNesting, nesting)
    }

    private mutating func parseBlock(nesting: Int) throws(TemplateSyntaxError) -> ParsedBlock {
        let openToken = tokens[index]
        guard case .open(let opening, let strip) = openToken.kind else { throw unexpected(openToken, expecting: "a block") }
        try checkNesting(nesting, at: openToken)
        index += 1
        let call = try parseCall(nesting: nesting, at: openToken)
        let parameters = try parseBlockParameters()
        let openClose = try expectClose()
        let block = ParsedBlock(
            call: call, program: nil, inverse: nil, openStrip: StripFlags(open: strip, close: openClose), isRaw: false)
        try parseBodies(of: block, parameters: parameters, nesting: nesting)

        guard index < tokens.count else {
            throw error("unclosed block '{{#\(call.path.original)}}': expected '{{/\(call.path.original)}}'", at: openToken)
        }
        let closeToken = tokens[index]
        guard case .open(.blockEnd, let closeOpenStrip) = closeToken.kind else {
            throw error(
                "unexpected '{{else}}': the block '{{#\(call.path.original)}}' at line \(openToken.line), column "
                    + "\(openToken.column) already has one; expected '{{/\(call.path.original)}}'", at: closeToken)
        }
        index += 1
        let closeName = try parseCallee(nesting: nesting).original
        let closeStrip = StripFlags(open: closeOpenStrip, close: try expectClose())
        guard closeName == call.path.original else {
            throw error(
                "closing tag '{{/\(closeName)}}' does not match '{{#\(call.path.original)}}' opened at line "
                    + "\(openToken.line), column \(openToken.column)", at: closeToken)
        }
        // Every block of an else chain ends at this closing tag.
        var chainLink: ParsedBlock? = block
        while let link = chainLink {
            link.closeStrip = closeStrip
            if let inverse = link.inverse, inverse.chained, case .block(let next) = inverse.body.first {
                chainLink = next
            } else {
                chainLink = nil
            }
        }
        if opening == .invertedSection {
            let program = block.program
            block.program = block.inverse
            block.inverse = program
        }
        return block
    }

    /// The body, and the `{{else}}` part or chain, of a block whose open tag was just read.
    private mutating func parseBodies(of block: ParsedBlock, parameters: [String], nesting: Int) throws(TemplateSyntaxError) {
        if !parameters.isEmpty { scopes.append(parameters) }
        let program = try parseProgram(nesting: nesting)
        if !parameters.isEmpty { scopes.removeLast() }
        program.declaresBlockParameters = !parameters.isEmpty
        block.program = program

        guard index < tokens.count else { return }
        let token = tokens[index]
        switch token.kind {
        case .inverse(let strip):
            index += 1
            block.inverseStrip = strip
            block.inverse = try parseProgram(nesting: nesting)
        case .open(.elseChain, let strip):
            let chained = try parseChainedBlock(nesting: nesting + 1)
            block.inverseStrip = StripFlags(open: strip, close: chained.openStrip.close)
            block.inverse = ParsedProgram(body: [.block(chained)], chained: true)
        default:
            break
        }
    }

    /// `{{else name args}}…`: a block nested in the previous one's inverse, closed by its tag.
    private mutating func parseChainedBlock(nesting: Int) throws(TemplateSyntaxError) -> ParsedBlock {
        let openToken = tokens[index]
        guard case .open(.elseChain, let strip) = openToken.kind else { throw unexpected(openToken, expecting: "'{{else'") }
        try checkNesting(nesting, at: openToken)
        index += 1
        let call = try parseCall(nesting: nesting, at: openToken)
        let parameters = try parseBlockParameters()
        let openClose = try expectClose()
        let block = ParsedBlock(
            call: call, program: nil, inverse: nil, openStrip: StripFlags(open: strip, close: openClose), isRaw: false)
        try parseBodies(of: block, parameters: parameters, nesting: nesting)
        return block
    }

    private mutating func parseBlockParameters() throws(TemplateSyntaxError) -> [String] {
        guard index < tokens.count, case .openBlockParameters = tokens[index].kind else { return [] }
        let openToken = tokens[index]
        index += 1
        var names: [String] = []
        while index < tokens.count, case .identifier(let name, bracketed: false) = tokens[index].kind {
            names.append(name)
            index += 1
        }
        guard index < tokens.count, case .closeBlockParameters = tokens[index].kind, !names.isEmpty else {
            if index < tokens.count {
                throw unexpected(tokens[index], expecting: names.isEmpty ? "block parameter names after 'as |'" : "'|'")
            }
            throw error("unclosed block parameters: expected '|'", at: openToken)
        }
        index += 1
        return names
    }

    private mutating func parseRawBlock(nesting: Int) throws(TemplateSyntaxError) -> ParsedBlock {
        let openToken = tokens[index]
        try checkNesting(nesting, at: openToken)
        index += 1
        let call = try parseCall(nesting: nesting, at: openToken)
        _ = try expectClose()
        guard index + 1 < tokens.count, case .rawContent(let content) = tokens[index].kind,
            case .rawBlockEnd(let name) = tokens[index + 1].kind
        else {
            throw error("unclosed raw block '{{{{\(call.path.original)}}}}'", at: openToken)
        }
        guard name == call.path.original else {
            throw error(
                "raw block '{{{{\(call.path.original)}}}}' is closed by '{{{{/\(name)}}}}'", at: tokens[index + 1])
        }
        index += 2
        return ParsedBlock(
            call: call, program: ParsedProgram(body: [.content(ParsedContent(content))]), inverse: nil,
            openStrip: StripFlags(), isRaw: true)
    }

    // MARK: Partials

    private mutating func parsePartial(nesting: Int, strip: Bool) throws(TemplateSyntaxError) -> ParsedPartial {
        let openToken = tokens[index]
        index += 1
        if index < tokens.count, case .openSubexpression = tokens[index].kind {
            throw error("dynamic partials ({{> (expression)}}) are not supported in PromptLab templates", at: openToken)
        }
        let name = try parseCallee(nesting: nesting).original
        let (parameters, hash) = try parseArguments(nesting: nesting)
        guard parameters.count <= 1 else {
            throw error(
                "the partial '\(name)' is given \(parameters.count) context arguments; a partial takes at most one",
                at: openToken)
        }
        let closeStrip = try expectClose()
        partials.append(PartialReference(name: name, line: openToken.line, column: openToken.column))
        return ParsedPartial(
            name: name, context: parameters.first, hash: hash, strip: StripFlags(open: strip, close: closeStrip),
            line: openToken.line, column: openToken.column)
    }

    // MARK: Expressions

    /// `name params… key=value…` after a tag's opening.
    private mutating func parseCall(nesting: Int, at token: Token) throws(TemplateSyntaxError) -> CallSyntax {
        let path = try parseCallee(nesting: nesting)
        let (parameters, hash) = try parseArguments(nesting: nesting)
        return CallSyntax(path: path, parameters: parameters, hash: hash, line: token.line, column: token.column)
    }

    /// What a tag calls or prints: a path, an `@` path, or a literal read as a name (`{{"a b"}}`).
    private mutating func parseCallee(nesting: Int) throws(TemplateSyntaxError) -> PathSyntax {
        guard index < tokens.count else { throw endError(expecting: "a name") }
        let token = tokens[index]
        switch token.kind {
        case .identifier:
            return try parsePath(isData: false)
        case .data:
            index += 1
            return try parsePath(isData: true)
        case .string(let text), .number(let text):
            index += 1
            return literalPath(text)
        case .boolean(let value):
            index += 1
            return literalPath(value ? "true" : "false")
        case .null:
            index += 1
            return literalPath("null")
        case .undefined:
            index += 1
            return literalPath("undefined")
        default:
            throw unexpected(token, expecting: "a name")
        }
    }

    private mutating func literalPath(_ name: String) -> PathSyntax {
        PathSyntax(
            start: .context(depth: 0), segments: [PathSegment(name)], original: name, helperSlot: helperSlot(name),
            isPlainContextLookup: true)
    }

    private mutating func helperSlot(_ name: String) -> Int {
        if let slot = helperSlots[name] { return slot }
        helperSlots[name] = helperNames.count
        helperNames.append(name)
        return helperNames.count - 1
    }

    /// `a.b/c`, `../a`, `this.a`, `[any key]`, `list.0`; after `@` for data paths.
    private mutating func parsePath(isData: Bool) throws(TemplateSyntaxError) -> PathSyntax {
        guard index < tokens.count else { throw endError(expecting: "a name") }
        let first = tokens[index]
        guard case .identifier(let firstName, let firstBracketed) = first.kind else {
            throw unexpected(first, expecting: isData ? "a name after '@'" : "a name")
        }
        index += 1
        var parts = [(name: firstName, bracketed: firstBracketed)]
        var original = (isData ? "@" : "") + firstName
        while index < tokens.count, case .separator(let separator) = tokens[index].kind {
            guard index + 1 < tokens.count, let segment = segmentText(tokens[index + 1].kind) else {
                throw error("expected a name after '\(original)\(separator)'", at: tokens[index])
            }
            index += 2
            parts.append(segment)
            original += String(separator) + segment.name
        }

        var depth = 0
        var scoped = false
        var segments: [PathSegment] = []
        for (offset, part) in parts.enumerated() {
            if !part.bracketed && (part.name == ".." || part.name == "." || part.name == "this") {
                guard segments.isEmpty else {
                    throw error("invalid path '\(original)': '..', '.' and 'this' may only start a path", at: first)
                }
                if part.name == ".." {
                    depth += 1
                } else if offset == 0 {
                    scoped = true
                }
            } else {
                segments.append(PathSegment(part.name))
            }
        }
        if isData {
            return PathSyntax(
                start: .data(depth: depth), segments: segments, original: original, helperSlot: nil,
                isPlainContextLookup: false)
        }
        if depth == 0 && !scoped, let name = segments.first?.name {
            for (distance, scope) in scopes.reversed().enumerated() {
                if let position = scope.firstIndex(of: name) {
                    return PathSyntax(
                        start: .blockParameter(scope: distance, index: position), segments: Array(segments.dropFirst()),
                        original: original, helperSlot: nil, isPlainContextLookup: false)
                }
            }
        }
        let simple = depth == 0 && !scoped && segments.count == 1
        return PathSyntax(
            start: .context(depth: depth), segments: segments, original: original,
            helperSlot: simple ? helperSlot(segments[0].name) : nil,
            isPlainContextLookup: depth == 0 && !scoped && !segments.isEmpty)
    }

    /// A token that may follow a separator: a name, or a number or keyword used as a key (`list.0`).
    private func segmentText(_ kind: TokenKind) -> (name: String, bracketed: Bool)? {
        switch kind {
        case .identifier(let name, let bracketed): (name, bracketed)
        case .number(let text): (text, true)
        case .boolean(let value): (value ? "true" : "false", true)
        case .null: ("null", true)
        case .undefined: ("undefined", true)
        default: nil
        }
    }

    /// Positional parameters, then `key=value` pairs.
    private mutating func parseArguments(nesting: Int) throws(TemplateSyntaxError) -> ([ExpressionSyntax], [HashArgument]) {
        var parameters: [ExpressionSyntax] = []
        var hash: [HashArgument] = []
        while index < tokens.count {
            let token = tokens[index]
            if case .identifier(let key, _) = token.kind, index + 1 < tokens.count, case .equals = tokens[index + 1].kind {
                index += 2
                hash.append(HashArgument(key: key, value: try parseParameter(nesting: nesting)))
                continue
            }
            guard startsParameter(token.kind) else { break }
            if !hash.isEmpty {
                throw error("positional arguments must come before 'key=value' arguments", at: token)
            }
            parameters.append(try parseParameter(nesting: nesting))
        }
        return (parameters, hash)
    }

    private func startsParameter(_ kind: TokenKind) -> Bool {
        switch kind {
        case .identifier, .data, .string, .number, .boolean, .null, .undefined, .openSubexpression: true
        default: false
        }
    }

    private mutating func parseParameter(nesting: Int) throws(TemplateSyntaxError) -> ExpressionSyntax {
        guard index < tokens.count else { throw endError(expecting: "a value") }
        let token = tokens[index]
        switch token.kind {
        case .identifier:
            return .path(try parsePath(isData: false))
        case .data:
            index += 1
            return .path(try parsePath(isData: true))
        case .string(let text):
            index += 1
            return .literal(LiteralValue(value: .string(text)))
        case .number(let text):
            index += 1
            return .literal(LiteralValue(value: numberValue(text)))
        case .boolean(let value):
            index += 1
            return .literal(LiteralValue(value: .bool(value)))
        case .null:
            index += 1
            return .literal(LiteralValue(value: .null))
        case .undefined:
            index += 1
            return .literal(LiteralValue(value: nil))
        case .openSubexpression:
            try checkNesting(nesting + 1, at: token)
            index += 1
            let call = try parseCall(nesting: nesting + 1, at: token)
            guard index < tokens.count, case .closeSubexpression = tokens[index].kind else {
                if index < tokens.count { throw unexpected(tokens[index], expecting: "')'") }
                throw error("unclosed subexpression: expected ')'", at: token)
            }
            index += 1
            return .subexpression(call)
        default:
            throw unexpected(token, expecting: "a value")
        }
    }

    /// Integers that fit become `.int`; others, and decimals, `.double` (huge ones are infinite).
    private func numberValue(_ text: String) -> TemplateValue {
        if !text.contains("."), let integer = Int(text) { return .int(integer) }
        return .double(Double(text) ?? .nan)
    }

    private mutating func expectClose() throws(TemplateSyntaxError) -> Bool {
        guard index < tokens.count else { throw endError(expecting: "'}}'") }
        guard case .close(let strip) = tokens[index].kind else { throw unexpected(tokens[index], expecting: "'}}'") }
        index += 1
        return strip
    }

    // MARK: Errors

    private func error(_ message: String, at token: Token) -> TemplateSyntaxError {
        TemplateSyntaxError(message: message, line: token.line, column: token.column)
    }

    private func endError(expecting expected: String) -> TemplateSyntaxError {
        TemplateSyntaxError(message: "unexpected end of template: expected \(expected)", line: endLine, column: endColumn)
    }

    private func unexpected(_ token: Token, expecting expected: String) -> TemplateSyntaxError {
        error("unexpected \(describe(token.kind)): expected \(expected)", at: token)
    }

    private func describe(_ kind: TokenKind) -> String {
        switch kind {
        case .text: "text"
        case .comment: "comment"
        case .open(let opening, _):
            switch opening {
            case .mustache: "'{{'"
            case .tripleMustache: "'{{{'"
            case .block: "'{{#'"
            case .invertedSection: "'{{^'"
            case .elseChain: "'{{else'"
            case .blockEnd: "'{{/'"
            case .partial: "'{{>'"
            case .rawBlock: "'{{{{'"
            }
        case .inverse: "'{{else}}'"
        case .close: "'}}'"
        case .rawContent: "raw content"
        case .rawBlockEnd(let name): "'{{{{/\(name)}}}}'"
        case .identifier(let name, _): "'\(name)'"
        case .separator(let separator): "'\(separator)'"
        case .data: "'@'"
        case .equals: "'='"
        case .string(let text): "string \"\(text)\""
        case .number(let text): "number \(text)"
        case .boolean(let value): "'\(value)'"
        case .null: "'null'"
        case .undefined: "'undefined'"
        case .openSubexpression: "'('"
        case .closeSubexpression: "')'"
        case .openBlockParameters: "'as |'"
        case .closeBlockParameters: "'|'"
        }
    }
}
