/// A partial a template includes, and where its tag is.
public struct PartialReference: Sendable, Hashable {
    public var name: String
    public var line: Int
    public var column: Int

    public init(name: String, line: Int, column: Int) {
        self.name = name
        self.line = line
        self.column = column
    }
}

/// A parsed Handlebars template (a syntax tree). Parse once, render many times; immutable and
/// `Sendable`.
///
/// The dialect is Handlebars.js 4 as Dotprompt uses it (`noEscape: true`), without decorators,
/// inline partials, partial blocks and dynamic partials.
/// See <https://handlebarsjs.com/guide/> for the language.
public struct Template: Sendable {
    /// Every static partial this template includes, with the position of its tag, in source order
    /// (for checks before rendering).
    public let partials: [PartialReference]
    /// The deepest block nesting in this template (blocks, inverted sections, else chains,
    /// subexpressions); 0 for a template without blocks.
    public let nestingDepth: Int

    let program: ProgramSyntax
    /// The names that may be helpers, indexed by `PathSyntax.helperSlot`; a renderer resolves
    /// them once per render instead of once per tag.
    let helperNames: [String]
    /// The built-in helper each helper name refers to, if any (looked up once, here).
    let builtinHelpers: [BuiltinHelper?]

    /// Parses `source`.
    /// - Throws: `TemplateSyntaxError` with the line and column of the problem.
    public init(_ source: String, limits: TemplateLimits = TemplateLimits()) throws(TemplateSyntaxError) {
        let tokens = try Tokenizer.tokenize(source)
        var locator = SourceLocator(bytes: Array(source.utf8))
        var parser = Parser(tokens: tokens, limits: limits, end: locator.location(of: source.utf8.count))
        let parsed = try parser.parseTemplate()
        WhitespaceControl.apply(to: parsed)
        program = parsed.compiled()
        partials = parser.partials
        nestingDepth = parser.deepestNesting
        helperNames = parser.helperNames
        builtinHelpers = helperNames.map(BuiltinHelper.init(rawValue:))
    }
}
