/// What a template reads and includes, with the blocks around each use: the input for checks that run
/// before rendering (PromptLab's commit checks hold every variable to the prompt's declared inputs).
public struct TemplateOutline: Sendable {
    /// A block that changes the context for what is inside it, as written.
    public enum ContextChange: Sendable, Hashable {
        /// `{{#each path}}`: each item of `path`.
        case each(String)
        /// `{{#with path}}`: `path`.
        case with(String)
        /// `{{#path}}` where `path` is not a helper: each item when it is a list, itself when it is an
        /// object, the same context when it is `true`.
        case section(String)
        /// A context the outline cannot name (a subexpression, a literal, a partial's context argument).
        case unknown
    }

    /// A variable read: the first key of a path looked up from a context.
    public struct VariableUse: Sendable, Hashable {
        /// The first key (`customer` for `{{customer.name}}`).
        public let name: String
        public let line: Int
        public let column: Int
        /// The context changes between the template's root and the use that the path does not climb out
        /// of with `../`, outermost first. Empty when the path is looked up in the root context.
        public let contexts: [ContextChange]
    }

    /// A partial tag.
    public struct PartialUse: Sendable, Hashable {
        public let name: String
        public let line: Int
        public let column: Int
        /// How deeply the tag is nested in blocks.
        public let depth: Int
        /// The context changes around the tag; a context argument (`{{> card customer}}`) adds one.
        public let contexts: [ContextChange]
        /// Keys the tag's hash (`name=value`) adds over the context.
        public let hashKeys: [String]
    }

    /// A call of a helper, with the arguments that are literals (nil where an argument is a path or a
    /// subexpression), so a caller can check them before rendering (`{{role "robot"}}`).
    public struct HelperCall: Sendable, Hashable {
        public let name: String
        public let literalParameters: [TemplateValue?]
        public let line: Int
        public let column: Int
    }

    public let variables: [VariableUse]
    public let partials: [PartialUse]
    public let helperCalls: [HelperCall]
}

extension Template {
    /// The template's variable reads and partial tags. `helpers` are the names the renderer treats as helpers
    /// besides the built-in ones (`if`, `unless`, `each`, `with`, `lookup`, `log`).
    public func outline(helpers: Set<String>) -> TemplateOutline {
        var walker = OutlineWalker(helpers: helpers.union(["if", "unless", "each", "with", "lookup", "log"]))
        walker.walk(program, frames: [], depth: 0)
        return TemplateOutline(variables: walker.variables, partials: walker.partials, helperCalls: walker.helperCalls)
    }
}

private struct OutlineWalker {
    let helpers: Set<String>
    var variables = [TemplateOutline.VariableUse]()
    var partials = [TemplateOutline.PartialUse]()
    var helperCalls = [TemplateOutline.HelperCall]()

    mutating func walk(_ program: ProgramSyntax?, frames: [TemplateOutline.ContextChange], depth: Int) {
        guard let program else { return }
        for node in program.nodes {
            switch node {
            case .text: continue
            case .output(let call):
                use(call, frames: frames, printsPath: true)
            case .block(let block):
                if block.isRaw { continue }
                let name = block.call.path.original
                let isHelper = block.call.path.helperSlot != nil && helpers.contains(name)
                use(block.call, frames: frames, printsPath: !isHelper)
                var inner = frames
                if isHelper {
                    if name == "each" || name == "with" {
                        let change: TemplateOutline.ContextChange
                        if case .path(let path)? = block.call.parameters.first, let written = Self.rootPath(path, frames: frames) {
                            change = name == "each" ? .each(written) : .with(written)
                        } else {
                            change = .unknown
                        }
                        inner.append(change)
                    }
                } else if let written = Self.rootPath(block.call.path, frames: frames) {
                    inner.append(.section(written))
                } else {
                    inner.append(.unknown)
                }
                walk(block.program, frames: inner, depth: depth + 1)
                walk(block.inverse, frames: frames, depth: depth + 1)
            case .partial(let partial):
                var around = frames
                if let context = partial.context {
                    expression(context, frames: frames)
                    around.append(.unknown)
                }
                for argument in partial.hash { expression(argument.value, frames: frames) }
                partials.append(
                    .init(
                        name: partial.name, line: partial.line, column: partial.column, depth: depth, contexts: around,
                        hashKeys: partial.hash.map(\.key)))
            }
        }
    }

    /// Records what a tag reads: its path (unless it names a helper) and every path among its arguments.
    private mutating func use(_ call: CallSyntax, frames: [TemplateOutline.ContextChange], printsPath: Bool) {
        let isHelper = call.path.helperSlot != nil && helpers.contains(call.path.original)
        if isHelper {
            helperCalls.append(
                .init(
                    name: call.path.original,
                    literalParameters: call.parameters.map { if case .literal(let literal) = $0 { literal.value } else { nil } },
                    line: call.line, column: call.column))
        }
        if printsPath && !isHelper || (!isHelper && call.hasArguments == false) {
            record(call.path, line: call.line, column: call.column, frames: frames)
        }
        for parameter in call.parameters { expression(parameter, frames: frames, line: call.line, column: call.column) }
        for argument in call.hash { expression(argument.value, frames: frames, line: call.line, column: call.column) }
    }

    private mutating func expression(
        _ expression: ExpressionSyntax, frames: [TemplateOutline.ContextChange], line: Int = 0, column: Int = 0
    ) {
        switch expression {
        case .literal: return
        case .path(let path): record(path, line: line, column: column, frames: frames)
        case .subexpression(let call):
            if !(call.path.helperSlot != nil && helpers.contains(call.path.original)) {
                record(call.path, line: call.line, column: call.column, frames: frames)
            }
            for parameter in call.parameters { self.expression(parameter, frames: frames, line: call.line, column: call.column) }
            for argument in call.hash { self.expression(argument.value, frames: frames, line: call.line, column: call.column) }
        }
    }

    private mutating func record(_ path: PathSyntax, line: Int, column: Int, frames: [TemplateOutline.ContextChange]) {
        guard case .context(let up) = path.start, let first = path.segments.first, path.isPlainContextLookup, up <= frames.count
        else { return }
        variables.append(.init(name: first.name, line: line, column: column, contexts: Array(frames.prefix(frames.count - up))))
    }

    /// The path as written when it starts at the root context (no enclosing frames left after `../`).
    private static func rootPath(_ path: PathSyntax, frames: [TemplateOutline.ContextChange]) -> String? {
        guard case .context(let up) = path.start, up >= frames.count, !path.segments.isEmpty else { return nil }
        return path.segments.map(\.name).joined(separator: ".")
    }
}
