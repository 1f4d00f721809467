// The parsed form of a template, ready to render: paths are split, literals converted, helper
// names numbered and whitespace control applied, so rendering never looks at source text again.

/// Where a path starts looking.
enum PathStart: Sendable, Equatable {
    /// The context `depth` context changes up (`../` repeated `depth` times).
    case context(depth: Int)
    /// The `@` variables, `depth` data frames up (`@../index`).
    case data(depth: Int)
    /// A block parameter (`as |item index|`): `scope` declaring blocks out, parameter `index`.
    case blockParameter(scope: Int, index: Int)
}

struct PathSegment: Sendable, Equatable {
    let name: String
    /// The name read as an array index, when it is one (`list.0`, `list.[2]`).
    let index: Int?

    init(_ name: String) {
        self.name = name
        index = name.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ? Int(name) : nil
    }
}

final class PathSyntax: Sendable {
    let start: PathStart
    /// The keys to follow from the start (for block parameters, after the parameter itself).
    let segments: [PathSegment]
    /// The path as written (`../name`, `shared/tone`); names partials and matches closing tags.
    let original: String
    /// For a bare single name that could be a helper: its slot in the template's helper names.
    let helperSlot: Int?
    /// A lookup in the current context that is not `this`-scoped: reported in `missingNames`
    /// when that context is the root and lacks the first key.
    let isPlainContextLookup: Bool
    /// For a plain one-name lookup in the current context (`{{name}}`), the name.
    let contextKey: String?

    init(start: PathStart, segments: [PathSegment], original: String, helperSlot: Int?, isPlainContextLookup: Bool) {
        self.start = start
        self.segments = segments
        self.original = original
        self.helperSlot = helperSlot
        self.isPlainContextLookup = isPlainContextLookup
        contextKey =
            isPlainContextLookup && start == .context(depth: 0) && segments.count == 1 ? segments[0].name : nil
    }
}

/// A literal argument; nil is `undefined`.
struct LiteralValue: Sendable {
    let value: TemplateValue?
}

indirect enum ExpressionSyntax: Sendable {
    case path(PathSyntax)
    case literal(LiteralValue)
    case subexpression(CallSyntax)
}

struct HashArgument: Sendable {
    let key: String
    let value: ExpressionSyntax
}

/// What a tag calls or prints: `name params… key=value…`.
final class CallSyntax: Sendable {
    let path: PathSyntax
    let parameters: [ExpressionSyntax]
    let hash: [HashArgument]
    let line: Int
    let column: Int
    let hasArguments: Bool

    init(path: PathSyntax, parameters: [ExpressionSyntax], hash: [HashArgument], line: Int, column: Int) {
        self.path = path
        self.parameters = parameters
        self.hash = hash
        self.line = line
        self.column = column
        hasArguments = !parameters.isEmpty || !hash.isEmpty
    }
}

final class ProgramSyntax: Sendable {
    let nodes: [NodeSyntax]
    /// Whether the block that owns this body declared `as |…|` parameters for it.
    let declaresBlockParameters: Bool

    init(nodes: [NodeSyntax], declaresBlockParameters: Bool) {
        self.nodes = nodes
        self.declaresBlockParameters = declaresBlockParameters
    }
}

final class BlockSyntax: Sendable {
    let call: CallSyntax
    /// The body before `{{else}}` (for `{{^x}}`, the `{{else}}` part, as in Handlebars).
    let program: ProgramSyntax?
    let inverse: ProgramSyntax?
    /// `{{{{raw}}}}…{{{{/raw}}}}`: the program is the verbatim content.
    let isRaw: Bool

    init(call: CallSyntax, program: ProgramSyntax?, inverse: ProgramSyntax?, isRaw: Bool) {
        self.call = call
        self.program = program
        self.inverse = inverse
        self.isRaw = isRaw
    }
}

final class PartialSyntax: Sendable {
    let name: String
    let context: ExpressionSyntax?
    let hash: [HashArgument]
    /// The indentation of a standalone partial tag, applied to every line it renders.
    let indent: String
    let line: Int
    let column: Int

    init(name: String, context: ExpressionSyntax?, hash: [HashArgument], indent: String, line: Int, column: Int) {
        self.name = name
        self.context = context
        self.hash = hash
        self.indent = indent
        self.line = line
        self.column = column
    }
}

enum NodeSyntax: Sendable {
    case text(String)
    /// `{{x}}`, `{{{x}}}`, `{{helper args}}`.
    case output(CallSyntax)
    case block(BlockSyntax)
    case partial(PartialSyntax)
}
