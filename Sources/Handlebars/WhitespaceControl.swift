// Whitespace control and standalone lines, exactly as Handlebars.js 4 applies them
// (compiler/whitespace-control.js): `~` strips all whitespace on its side; a line holding only a
// block tag, `{{else}}`, a comment or a partial (and whitespace) disappears with its newline; a
// standalone partial remembers its indentation. Recursion follows block nesting, which the parser
// has bounded.

/// What a statement asks of its neighbours.
private struct StripRequest {
    var open = false
    var close = false
    var openStandalone = false
    var closeStandalone = false
    var inlineStandalone = false
}

enum WhitespaceControl {
    static func apply(to root: ParsedProgram) {
        visit(root, isRoot: true)
    }

    private static func visit(_ program: ParsedProgram, isRoot: Bool) {
        let body = program.body
        for index in body.indices {
            guard let strip = request(for: body[index]) else { continue }
            let previousIsWhitespace = isPreviousWhitespace(body, before: index, isRoot: isRoot)
            let nextIsWhitespace = isNextWhitespace(body, after: index, isRoot: isRoot)
            let openStandalone = strip.openStandalone && previousIsWhitespace
            let closeStandalone = strip.closeStandalone && nextIsWhitespace
            let inlineStandalone = strip.inlineStandalone && previousIsWhitespace && nextIsWhitespace

            if strip.close { omitRight(body, after: index, multiple: true) }
            if strip.open { omitLeft(body, before: index, multiple: true) }

            if inlineStandalone {
                omitRight(body, after: index)
                if omitLeft(body, before: index), case .partial(let partial) = body[index],
                    case .content(let previous) = body[index - 1]
                {
                    partial.indent = trailingIndentation(previous.original)
                }
            }
            if openStandalone, case .block(let block) = body[index], let first = block.program ?? block.inverse {
                omitRight(first.body, after: nil)
                omitLeft(body, before: index)
            }
            if closeStandalone, case .block(let block) = body[index], let last = block.inverse ?? block.program {
                omitRight(body, after: index)
                omitLeft(last.body, before: nil)
            }
        }
    }

    private static func request(for statement: ParsedStatement) -> StripRequest? {
        switch statement {
        case .content:
            return nil
        case .mustache(_, let strip):
            return StripRequest(open: strip.open, close: strip.close)
        case .comment(let strip):
            return StripRequest(open: strip.open, close: strip.close, inlineStandalone: true)
        case .partial(let partial):
            return StripRequest(open: partial.strip.open, close: partial.strip.close, inlineStandalone: true)
        case .block(let block):
            return visitBlock(block)
        }
    }

    private static func visitBlock(_ block: ParsedBlock) -> StripRequest? {
        if let program = block.program { visit(program, isRoot: false) }
        if let inverse = block.inverse { visit(inverse, isRoot: false) }
        guard let program = block.program ?? block.inverse else { return nil }
        let inverse = block.program != nil ? block.inverse : nil
        var firstInverse = inverse
        var lastInverse = inverse
        if let chain = inverse, chain.chained {
            firstInverse = chainedBlock(in: chain, last: false)?.program
            // As Handlebars does: follow the chain through each link's main body.
            var link = chain
            while link.chained, let next = chainedBlock(in: link, last: true)?.program { link = next }
            lastInverse = link
        }

        let strip = StripRequest(
            open: block.openStrip.open, close: block.closeStrip.close,
            openStandalone: isNextWhitespace(program.body, after: nil, isRoot: false),
            closeStandalone: isPreviousWhitespace((firstInverse ?? program).body, before: nil, isRoot: false))

        if block.openStrip.close { omitRight(program.body, after: nil, multiple: true) }
        if inverse != nil {
            if block.inverseStrip.open { omitLeft(program.body, before: nil, multiple: true) }
            if block.inverseStrip.close, let firstInverse { omitRight(firstInverse.body, after: nil, multiple: true) }
            if block.closeStrip.open, let lastInverse { omitLeft(lastInverse.body, before: nil, multiple: true) }
            // A standalone `{{else}}` line.
            if let firstInverse, isPreviousWhitespace(program.body, before: nil, isRoot: false),
                isNextWhitespace(firstInverse.body, after: nil, isRoot: false)
            {
                omitLeft(program.body, before: nil)
                omitRight(firstInverse.body, after: nil)
            }
        } else if block.closeStrip.open {
            omitLeft(program.body, before: nil, multiple: true)
        }
        return strip
    }

    private static func chainedBlock(in program: ParsedProgram, last: Bool) -> ParsedBlock? {
        guard case .block(let block) = last ? program.body.last : program.body.first else { return nil }
        return block
    }

    // MARK: - Standalone tests

    /// Whether the text before `index` (or the body's end) ends a line: its trailing whitespace
    /// holds a newline, or, at the very start of the root, is all there is.
    private static func isPreviousWhitespace(_ body: [ParsedStatement], before index: Int?, isRoot: Bool) -> Bool {
        let position = index ?? body.count
        guard position - 1 >= 0 else { return isRoot }
        guard case .content(let previous) = body[position - 1] else { return false }
        let startOfRoot = position - 2 < 0 && isRoot
        for scalar in previous.original.unicodeScalars.reversed() {
            if scalar == "\n" { return true }
            if !isJavaScriptWhitespace(scalar) { return false }
        }
        return startOfRoot
    }

    /// Whether the text after `index` (or the body's start) starts with whitespace up to a newline,
    /// or, at the very end of the root, is all whitespace.
    private static func isNextWhitespace(_ body: [ParsedStatement], after index: Int?, isRoot: Bool) -> Bool {
        let position = (index ?? -1) + 1
        guard position < body.count else { return isRoot }
        guard case .content(let next) = body[position] else { return false }
        let endOfRoot = position + 1 >= body.count && isRoot
        for scalar in next.original.unicodeScalars {
            if scalar == "\n" { return true }
            if !isJavaScriptWhitespace(scalar) { return false }
        }
        return endOfRoot
    }

    // MARK: - Stripping

    /// Strips the start of the text after `index` (the body's first statement for nil): all
    /// whitespace when `multiple`, else spaces and tabs up to and including one newline.
    private static func omitRight(_ body: [ParsedStatement], after index: Int?, multiple: Bool = false) {
        let position = index.map { $0 + 1 } ?? 0
        guard position < body.count, case .content(let content) = body[position] else { return }
        if !multiple && content.rightStripped { return }
        let scalars = content.value.unicodeScalars
        var start = scalars.startIndex
        if multiple {
            while start < scalars.endIndex, isJavaScriptWhitespace(scalars[start]) { start = scalars.index(after: start) }
        } else {
            while start < scalars.endIndex, scalars[start] == " " || scalars[start] == "\t" { start = scalars.index(after: start) }
            if start < scalars.endIndex, scalars[start] == "\r" { start = scalars.index(after: start) }
            if start < scalars.endIndex, scalars[start] == "\n" { start = scalars.index(after: start) }
        }
        guard start != scalars.startIndex else {
            content.rightStripped = false
            return
        }
        content.value = String(scalars[start...])
        content.rightStripped = true
    }

    /// Strips the end of the text before `index` (the body's last statement for nil): all
    /// whitespace when `multiple`, else trailing spaces and tabs. Returns whether it stripped.
    @discardableResult
    private static func omitLeft(_ body: [ParsedStatement], before index: Int?, multiple: Bool = false) -> Bool {
        let position = (index ?? body.count) - 1
        guard position >= 0, case .content(let content) = body[position] else { return false }
        if !multiple && content.leftStripped { return false }
        let scalars = content.value.unicodeScalars
        var end = scalars.endIndex
        while end > scalars.startIndex {
            let previous = scalars.index(before: end)
            let strippable = multiple ? isJavaScriptWhitespace(scalars[previous]) : scalars[previous] == " " || scalars[previous] == "\t"
            guard strippable else { break }
            end = previous
        }
        guard end != scalars.endIndex else {
            content.leftStripped = false
            return false
        }
        content.value = String(scalars[..<end])
        content.leftStripped = true
        return true
    }

    /// The spaces and tabs that end `text`.
    private static func trailingIndentation(_ text: String) -> String {
        let scalars = text.unicodeScalars
        var start = scalars.endIndex
        while start > scalars.startIndex {
            let previous = scalars.index(before: start)
            guard scalars[previous] == " " || scalars[previous] == "\t" else { break }
            start = previous
        }
        return String(scalars[start...])
    }
}

/// JavaScript's `\s`.
func isJavaScriptWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x09...0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF: true
    default: false
    }
}

// MARK: - Final form

extension ParsedProgram {
    /// The renderable program: comments dropped, adjacent text merged, empty text removed.
    func compiled() -> ProgramSyntax {
        var nodes: [NodeSyntax] = []
        var text = ""
        func flush() {
            if !text.isEmpty { nodes.append(.text(text)) }
            text = ""
        }
        for statement in body {
            switch statement {
            case .content(let content):
                text += content.value
            case .comment:
                continue
            case .mustache(let call, _):
                flush()
                nodes.append(.output(call))
            case .block(let block):
                flush()
                nodes.append(
                    .block(
                        BlockSyntax(
                            call: block.call, program: block.program?.compiled(), inverse: block.inverse?.compiled(),
                            isRaw: block.isRaw)))
            case .partial(let partial):
                flush()
                nodes.append(
                    .partial(
                        PartialSyntax(
                            name: partial.name, context: partial.context, hash: partial.hash, indent: partial.indent,
                            line: partial.line, column: partial.column)))
            }
        }
        flush()
        return ProgramSyntax(nodes: nodes, declaresBlockParameters: declaresBlockParameters)
    }
}
