// One render call's state. Rendering recurses once per nested block or partial; the parser bounds
// block nesting and `maximumPartialDepth` bounds partials, so the depth is at most their product.

/// A data frame: `@` variables added by `{{#each}}` or by a helper.
enum DataFrame {
    case values([String: TemplateValue])
    /// `{{#each}}`'s `@index`, `@first`, `@last` and `@key`, computed when read.
    case loop(index: Int, count: Int, key: TemplateValue)
}

/// The built-in helpers of Handlebars.js.
enum BuiltinHelper: String {
    case `if`
    case unless
    case each
    case with
    case lookup
}

/// A helper name resolved against a renderer's helpers.
enum ResolvedHelper {
    case none
    case builtin(BuiltinHelper)
    case custom(Helper)
}

/// The hot state is marked `@exclusivity(unchecked)`: the dynamic exclusivity checks cost a tenth
/// of the render time, and they cannot fire here, since a session is used by one render call on
/// one thread and no access to its state is ever held across a call that accesses it again (state
/// is only read, appended to or assigned, never passed `inout`).
final class RenderSession {
    private let renderer: Renderer
    private let limits: TemplateLimits
    /// The contexts that `../` climbs: the current one last. Restarted by each partial.
    @exclusivity(unchecked) private var contexts: [TemplateValue]
    /// The contexts of the templates that included the current partial, innermost last: a name no
    /// context of the partial has is looked up there too (Mustache's rule, see `lookup`).
    @exclusivity(unchecked) private var enclosingContexts: [TemplateValue] = []
    @exclusivity(unchecked) private var dataFrames: [DataFrame]
    /// Values of `as |…|` parameters, innermost declaring block last. Restarted by each partial.
    @exclusivity(unchecked) private var blockParameterFrames: [[TemplateValue]] = []
    /// Helpers for the helper names of the template being rendered.
    @exclusivity(unchecked) private var helpers: [ResolvedHelper]
    private var resolvedHelpers: [ObjectIdentifier: [ResolvedHelper]] = [:]
    @exclusivity(unchecked) private var bodiesRendered = 0
    private var partialDepth = 0
    /// Block bodies being rendered, counted through partials: bounded by `maximumNesting` so that
    /// partials including partials cannot multiply the stack depth.
    @exclusivity(unchecked) private var blockDepth = 0
    private(set) var missingNames: [String] = []
    private var missingNameSet: Set<String> = []

    init(renderer: Renderer, template: Template, context: TemplateValue, data: [String: TemplateValue]) {
        self.renderer = renderer
        limits = renderer.limits
        contexts = [context]
        var base = data
        if base["root"] == nil { base["root"] = context }
        dataFrames = [.values(base)]
        helpers = []
        helpers = resolveHelpers(of: template)
    }

    private func resolveHelpers(of template: Template) -> [ResolvedHelper] {
        let key = ObjectIdentifier(template.program)
        if let resolved = resolvedHelpers[key] { return resolved }
        let resolved = zip(template.helperNames, template.builtinHelpers).map { name, builtin -> ResolvedHelper in
            if let helper = renderer.helpers.isEmpty ? nil : renderer.helpers[name] { return .custom(helper) }
            if let builtin { return .builtin(builtin) }
            return .none
        }
        resolvedHelpers[key] = resolved
        return resolved
    }

    // MARK: - Programs

    func render(_ program: ProgramSyntax, into output: inout OutputBuffer) throws(TemplateRenderError) {
        for node in program.nodes {
            switch node {
            case .text(let text):
                output.append(text)
            case .output(let call):
                try renderOutput(call, into: &output)
                try checkOutputSize(output, line: call.line, column: call.column)
            case .block(let block):
                try renderBlock(block, into: &output)
            case .partial(let partial):
                try renderPartial(partial, into: &output)
            }
        }
    }

    /// Renders a block body with an optional new context, data frame and block parameters.
    /// Every call counts against `maximumIterations`.
    func renderBody(
        _ program: ProgramSyntax, context: TemplateValue?, frame: DataFrame?, blockParameters: [TemplateValue],
        line: Int, column: Int, into output: inout OutputBuffer
    ) throws(TemplateRenderError) {
        try countBody(line: line, column: column)
        guard blockDepth < limits.maximumNesting else {
            throw TemplateRenderError(
                message: "blocks are nested more than \(limits.maximumNesting) deep while rendering "
                    + "(counting the blocks of partials that include each other)",
                line: line, column: column)
        }
        blockDepth += 1
        if let context {
            contexts.append(context)
        }
        if let frame { dataFrames.append(frame) }
        if program.declaresBlockParameters { blockParameterFrames.append(blockParameters) }
        defer {
            blockDepth -= 1
            if context != nil {
                contexts.removeLast()
            }
            if frame != nil { dataFrames.removeLast() }
            if program.declaresBlockParameters { blockParameterFrames.removeLast() }
        }
        try render(program, into: &output)
        try checkOutputSize(output, line: line, column: column)
    }

    private func countBody(line: Int, column: Int) throws(TemplateRenderError) {
        bodiesRendered += 1
        guard bodiesRendered <= limits.maximumIterations else {
            throw TemplateRenderError(
                message: "the template renders more than \(limits.maximumIterations) block bodies "
                    + "(loops and partials together); is a list larger than expected?",
                line: line, column: column)
        }
    }

    func checkOutputSize(_ output: OutputBuffer, line: Int, column: Int) throws(TemplateRenderError) {
        guard output.byteCount <= limits.maximumOutputBytes else {
            throw TemplateRenderError(
                message: "the output is larger than \(limits.maximumOutputBytes) bytes", line: line, column: column)
        }
    }

    // MARK: - Mustaches

    private func isNotHelper(_ slot: Int) -> Bool {
        if case .none = helpers[slot] { return true }
        return false
    }

    private func helper(for path: PathSyntax) -> ResolvedHelper {
        guard let slot = path.helperSlot else { return .none }
        return helpers[slot]
    }

    private func renderOutput(_ call: CallSyntax, into output: inout OutputBuffer) throws(TemplateRenderError) {
        let path = call.path
        // The common case, `{{name}}` reading the current context, without the general machinery.
        // A key the current context lacks goes to `lookup`, which tries the enclosing contexts.
        if let key = path.contextKey, !call.hasArguments, path.helperSlot.map(isNotHelper) ?? true,
            case .object(let object) = contexts[contexts.count - 1], let value = object[key]
        {
            output.append(value)
            return
        }
        let resolved = helper(for: path)
        if case .none = resolved {
            guard !call.hasArguments else { throw unknownHelper(call) }
            if let value = lookup(call.path, recordingMissing: true) { output.append(value) }
            return
        }
        if case .custom(let helper) = resolved, let marker = helper.marker {
            output.append(.marker(try makeMarker(marker.name, check: marker.check, call: call)))
            return
        }
        switch try callHelper(resolved, call: call) {
        case .pieces(let pieces): output.append(contentsOf: pieces)
        case .value(let value): output.append(value)
        }
    }

    private func unknownHelper(_ call: CallSyntax) -> TemplateRenderError {
        TemplateRenderError(
            message: "unknown helper '\(call.path.original)'", line: call.line, column: call.column)
    }

    /// Calls a helper outside a block: in `{{helper …}}` or `(helper …)`.
    private func callHelper(_ resolved: ResolvedHelper, call: CallSyntax) throws(TemplateRenderError) -> HelperOutput {
        switch resolved {
        case .none:
            throw unknownHelper(call)
        case .custom(let helper):
            return try helper.call(try makeHelperCall(call, program: nil, inverse: nil))
        case .builtin(let builtin):
            let parameters = try evaluateParameters(call)
            switch builtin {
            case .lookup:
                return .value(Self.lookupHelper(parameters) ?? .null)
            case .if, .unless, .with:
                // Handlebars runs these with empty bodies outside a block: they print nothing.
                guard parameters.count == 1 else { throw wrongArgumentCount(builtin, call) }
                return .value(.string(""))
            case .each:
                guard !parameters.isEmpty else { throw wrongArgumentCount(builtin, call) }
                return .value(.string(""))
            }
        }
    }

    private func wrongArgumentCount(_ builtin: BuiltinHelper, _ call: CallSyntax) -> TemplateRenderError {
        let message =
            builtin == .each
            ? "'#each' needs a list or object to iterate over" : "'#\(builtin.rawValue)' takes exactly one argument"
        return TemplateRenderError(message: message, line: call.line, column: call.column)
    }

    /// `lookup obj field`: `obj[field]`, with numbers indexing arrays; a false-y `obj` is returned as is.
    private static func lookupHelper(_ parameters: [TemplateValue?]) -> TemplateValue? {
        guard let object = parameters.first ?? nil else { return nil }
        switch object {
        case .null, .bool(false), .string(""): return object
        case .int(0): return object
        case .double(let value) where value == 0 || value.isNaN: return object
        default: break
        }
        let field = parameters.count > 1 ? parameters[1] : nil
        let key: String
        switch field {
        case .string(let name): key = name
        case .int(let number): key = String(number)
        case .double(let number): key = javaScriptNumberText(number)
        case .bool(let flag): key = flag ? "true" : "false"
        default: return nil
        }
        return member(of: object, PathSegment(key))
    }

    /// A marker helper's marker, built without a ``HelperCall``.
    private func makeMarker(
        _ name: String, check: ([TemplateValue], TemplateObject) -> String?, call: CallSyntax
    ) throws(TemplateRenderError) -> TemplateMarker {
        var parameters: [TemplateValue] = []
        parameters.reserveCapacity(call.parameters.count)
        for parameter in call.parameters { parameters.append(try evaluate(parameter) ?? .null) }
        var hash = TemplateObject()
        if !call.hash.isEmpty {
            var pairs: [(String, TemplateValue)] = []
            for argument in call.hash { pairs.append((argument.key, try evaluate(argument.value) ?? .null)) }
            hash = TemplateObject(pairs)
        }
        if let problem = check(parameters, hash) {
            throw TemplateRenderError(message: problem, line: call.line, column: call.column)
        }
        return TemplateMarker(name: name, arguments: parameters, hash: hash)
    }

    private func makeHelperCall(
        _ call: CallSyntax, program: ProgramSyntax?, inverse: ProgramSyntax?
    ) throws(TemplateRenderError) -> HelperCall {
        let parameters = try evaluateParameters(call).map { $0 ?? .null }
        var hash = TemplateObject()
        if !call.hash.isEmpty {
            var pairs: [(String, TemplateValue)] = []
            pairs.reserveCapacity(call.hash.count)
            for argument in call.hash { pairs.append((argument.key, try evaluate(argument.value) ?? .null)) }
            hash = TemplateObject(pairs)
        }
        return HelperCall(
            name: call.path.original, parameters: parameters, hash: hash, context: currentContext,
            line: call.line, column: call.column, isBlock: program != nil || inverse != nil, session: self,
            program: program, inverseProgram: inverse)
    }

    private var currentContext: TemplateValue { contexts[contexts.count - 1] }

    // MARK: - Expressions

    private func evaluateParameters(_ call: CallSyntax) throws(TemplateRenderError) -> [TemplateValue?] {
        var values: [TemplateValue?] = []
        values.reserveCapacity(call.parameters.count)
        for parameter in call.parameters { values.append(try evaluate(parameter)) }
        return values
    }

    private func evaluateHash(_ call: CallSyntax, _ key: String) throws(TemplateRenderError) -> TemplateValue? {
        for argument in call.hash where argument.key == key { return try evaluate(argument.value) }
        return nil
    }

    /// A parameter's value; nil when it is missing (`undefined`).
    private func evaluate(_ expression: ExpressionSyntax) throws(TemplateRenderError) -> TemplateValue? {
        switch expression {
        case .literal(let literal):
            return literal.value
        case .path(let path):
            return lookup(path, recordingMissing: false)
        case .subexpression(let call):
            switch try callHelper(helper(for: call.path), call: call) {
            case .value(let value): return value
            case .pieces(let pieces): return .string(Rendering(pieces: pieces, missingNames: []).text)
            }
        }
    }

    /// Follows a path; nil when some key is absent, an index is out of range, or a value is not
    /// an object or array.
    private func lookup(_ path: PathSyntax, recordingMissing: Bool) -> TemplateValue? {
        var value: TemplateValue
        let segments = path.segments
        var next = 0
        switch path.start {
        case .context(let depth):
            guard depth < contexts.count else { return nil }
            value = contexts[contexts.count - 1 - depth]
            if depth == 0, path.isPlainContextLookup, let first = segments.first, Self.member(of: value, first) == nil {
                // Mustache's rule, Handlebars' `compat` mode: a name the current context lacks is looked up in
                // the enclosing contexts, innermost first, so `{{#note}}({{note}}){{/note}}` and a root variable
                // used inside `{{#each}}` render as they do in Mustache. Only when no context has the name is it
                // missing, and then it is a variable the root lacks.
                if let enclosing = enclosingContext(having: first) {
                    value = enclosing
                } else if recordingMissing {
                    recordMissing(first.name)
                }
            }
        case .data(let depth):
            guard let first = segments.first, let found = dataValue(first.name, depth: depth) else { return nil }
            value = found
            next = 1
        case .blockParameter(let scope, let index):
            let frame = blockParameterFrames.count - 1 - scope
            guard frame >= 0, index < blockParameterFrames[frame].count else { return nil }
            value = blockParameterFrames[frame][index]
        }
        while next < segments.count {
            guard let member = Self.member(of: value, segments[next]) else { return nil }
            value = member
            next += 1
        }
        return value
    }

    /// The innermost enclosing context (below the current one, then the includers') that has `first`.
    private func enclosingContext(having first: PathSegment) -> TemplateValue? {
        var index = contexts.count - 2
        while index >= 0 {
            if Self.member(of: contexts[index], first) != nil { return contexts[index] }
            index -= 1
        }
        index = enclosingContexts.count - 1
        while index >= 0 {
            if Self.member(of: enclosingContexts[index], first) != nil { return enclosingContexts[index] }
            index -= 1
        }
        return nil
    }

    private static func member(of value: TemplateValue, _ segment: PathSegment) -> TemplateValue? {
        switch value {
        case .object(let object):
            return object[segment.name]
        case .array(let items):
            if let index = segment.index { return index < items.count ? items[index] : nil }
            return segment.name == "length" ? .int(items.count) : nil
        case .string(let string):
            return segment.name == "length" ? .int(string.utf16.count) : nil
        default:
            return nil
        }
    }

    private func recordMissing(_ name: String) {
        if missingNameSet.insert(name).inserted { missingNames.append(name) }
    }

    private func dataValue(_ name: String, depth: Int) -> TemplateValue? {
        var index = dataFrames.count - 1 - depth
        while index >= 0 {
            switch dataFrames[index] {
            case .values(let values):
                if let value = values[name] { return value }
            case .loop(let position, let count, let key):
                switch name {
                case "index": return .int(position)
                case "first": return .bool(position == 0)
                case "last": return .bool(position == count - 1)
                case "key": return key
                default: break
                }
            }
            index -= 1
        }
        return nil
    }

    /// All `@` variables visible now, inner frames overriding outer ones.
    func visibleData() -> [String: TemplateValue] {
        var data: [String: TemplateValue] = [:]
        for frame in dataFrames {
            switch frame {
            case .values(let values):
                data.merge(values) { _, new in new }
            case .loop(let position, let count, let key):
                data["index"] = .int(position)
                data["first"] = .bool(position == 0)
                data["last"] = .bool(position == count - 1)
                data["key"] = key
            }
        }
        return data
    }

    // MARK: - Blocks

    private func renderBlock(_ block: BlockSyntax, into output: inout OutputBuffer) throws(TemplateRenderError) {
        let call = block.call
        switch helper(for: call.path) {
        case .custom(let helper):
            let helperCall = try makeHelperCall(call, program: block.program ?? emptyProgram, inverse: block.inverse)
            switch try helper.call(helperCall) {
            case .pieces(let pieces): output.append(contentsOf: pieces)
            case .value(let value): output.append(value)
            }
        case .builtin(let builtin):
            try renderBuiltin(builtin, block: block, into: &output)
        case .none:
            if block.isRaw {
                if let program = block.program { try render(program, into: &output) }
                return
            }
            guard !call.hasArguments else { throw unknownHelper(call) }
            try renderSection(block, value: lookup(call.path, recordingMissing: true), into: &output)
        }
        try checkOutputSize(output, line: call.line, column: call.column)
    }

    private let emptyProgram = ProgramSyntax(nodes: [], declaresBlockParameters: false)

    private func body(
        _ program: ProgramSyntax?, of block: BlockSyntax, context: TemplateValue? = nil, frame: DataFrame? = nil,
        parameters: @autoclosure () -> [TemplateValue] = [], into output: inout OutputBuffer
    ) throws(TemplateRenderError) {
        guard let program else { return }
        try renderBody(
            program, context: context, frame: frame,
            blockParameters: program.declaresBlockParameters ? parameters() : [],
            line: block.call.line, column: block.call.column, into: &output)
    }

    private func renderBuiltin(_ builtin: BuiltinHelper, block: BlockSyntax, into output: inout OutputBuffer) throws(TemplateRenderError) {
        let call = block.call
        let parameters = try evaluateParameters(call)
        switch builtin {
        case .if, .unless:
            guard parameters.count == 1 else { throw wrongArgumentCount(builtin, call) }
            let condition = parameters[0] ?? .null
            var holds = condition.isTruthy
            if !holds, case .int = condition, try evaluateHash(call, "includeZero")?.isTruthy == true { holds = true }
            if !holds, case .double(let number) = condition, number == 0,
                try evaluateHash(call, "includeZero")?.isTruthy == true
            {
                holds = true
            }
            if builtin == .unless { holds.toggle() }
            try body(holds ? block.program : block.inverse, of: block, into: &output)
        case .with:
            guard parameters.count == 1 else { throw wrongArgumentCount(builtin, call) }
            let value = parameters[0] ?? .null
            if value.isEmptyValue {
                try body(block.inverse, of: block, into: &output)
            } else {
                try body(block.program, of: block, context: value, parameters: [value], into: &output)
            }
        case .each:
            guard !parameters.isEmpty else { throw wrongArgumentCount(builtin, call) }
            try renderEach(parameters[0], block: block, into: &output)
        case .lookup:
            if let value = Self.lookupHelper(parameters) { output.append(value) }
        }
    }

    private func renderEach(_ value: TemplateValue?, block: BlockSyntax, into output: inout OutputBuffer) throws(TemplateRenderError) {
        switch value {
        case .array(let items) where !items.isEmpty:
            guard let program = block.program else { return }
            let declares = program.declaresBlockParameters
            let line = block.call.line
            let column = block.call.column
            for position in items.indices {
                let item = items[position]
                try renderBody(
                    program, context: item, frame: .loop(index: position, count: items.count, key: .int(position)),
                    blockParameters: declares ? [item, .int(position)] : [], line: line, column: column, into: &output)
            }
        case .object(let object) where !object.isEmpty:
            for (position, (key, item)) in object.enumerated() {
                try body(
                    block.program, of: block, context: item,
                    frame: .loop(index: position, count: object.count, key: .string(key)),
                    parameters: [item, .string(key)], into: &output)
            }
        default:
            try body(block.inverse, of: block, into: &output)
        }
    }

    /// `{{#name}}` where `name` is not a helper, as Mustache sections work: iterate a list, render
    /// once for `true` or with another true value as context, else render the inverse.
    private func renderSection(_ block: BlockSyntax, value: TemplateValue?, into output: inout OutputBuffer) throws(TemplateRenderError) {
        guard let value, value.isTruthy else {
            try body(block.inverse, of: block, into: &output)
            return
        }
        switch value {
        case .bool:
            try body(block.program, of: block, into: &output)
        case .array:
            try renderEach(value, block: block, into: &output)
        default:
            try body(block.program, of: block, context: value, parameters: [value], into: &output)
        }
    }

    // MARK: - Partials

    private func renderPartial(_ partial: PartialSyntax, into output: inout OutputBuffer) throws(TemplateRenderError) {
        guard let template = renderer.partials[partial.name] else {
            throw TemplateRenderError(message: "unknown partial '\(partial.name)'", line: partial.line, column: partial.column)
        }
        guard partialDepth < limits.maximumPartialDepth else {
            throw TemplateRenderError(
                message: "partials are nested more than \(limits.maximumPartialDepth) deep at '\(partial.name)'; "
                    + "does a partial include itself?",
                line: partial.line, column: partial.column)
        }
        try countBody(line: partial.line, column: partial.column)

        var context = currentContext
        if let expression = partial.context {
            context = try evaluate(expression) ?? .object(TemplateObject())
        }
        if !partial.hash.isEmpty {
            var pairs: [(String, TemplateValue)] = []
            if case .object(let object) = context { pairs = Array(zip(object.keys, object.values)) }
            for argument in partial.hash { pairs.append((argument.key, try evaluate(argument.value) ?? .null)) }
            context = .object(TemplateObject(pairs))
        }

        let savedContexts = contexts
        let savedEnclosing = enclosingContexts
        let savedParameters = blockParameterFrames
        let savedHelpers = helpers
        enclosingContexts += contexts
        contexts = [context]
        blockParameterFrames = []
        helpers = resolveHelpers(of: template)
        partialDepth += 1
        defer {
            contexts = savedContexts
            enclosingContexts = savedEnclosing
            blockParameterFrames = savedParameters
            helpers = savedHelpers
            partialDepth -= 1
        }
        if partial.indent.isEmpty {
            try render(template.program, into: &output)
        } else {
            var inner = OutputBuffer()
            try render(template.program, into: &inner)
            output.append(contentsOf: Self.indent(inner.finish(), by: partial.indent))
        }
        try checkOutputSize(output, line: partial.line, column: partial.column)
    }

    /// Prefixes every line of a standalone partial's output with the tag's indentation, as
    /// Handlebars does: every line that has content or is followed by another line.
    static func indent(_ pieces: [OutputPiece], by indent: String) -> [OutputPiece] {
        var result: [OutputPiece] = []
        var atLineStart = true
        for piece in pieces {
            guard case .text(let text) = piece else {
                result.append(piece)
                continue
            }
            var indented = ""
            for character in text.unicodeScalars {
                if atLineStart {
                    indented += indent
                    atLineStart = false
                }
                indented.unicodeScalars.append(character)
                if character == "\n" { atLineStart = true }
            }
            result.append(.text(indented))
        }
        return result
    }
}
