/// Bounds that keep parsing and rendering of untrusted templates finite and off the stack's edge.
public struct TemplateLimits: Sendable, Hashable {
    /// The deepest nesting of blocks, inverted sections, `{{else …}}` chains and subexpressions
    /// a template may have, checked while parsing, before recursing. Rendering also checks it for
    /// block bodies nested through partials, so the stack depth stays bounded by this plus
    /// `maximumPartialDepth`.
    public var maximumNesting = 100
    /// How deep partials may include partials while rendering; this also ends include cycles.
    public var maximumPartialDepth = 32
    /// How many block bodies and partials one render call may render in total.
    public var maximumIterations = 100_000
    /// The largest output one render call may produce, in UTF-8 bytes.
    public var maximumOutputBytes = 64 << 20

    public init() {}
}

/// A template that is not valid Handlebars, or uses something PromptLab does not support.
public struct TemplateSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong and, where it helps, what was expected.
    public var message: String
    /// 1-based line of the offending tag or character.
    public var line: Int
    /// 1-based column, counted in Characters.
    public var column: Int

    public init(message: String, line: Int, column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column): \(message)" }
}

/// A failure while rendering: an unknown helper or partial, a helper's error, or a limit reached.
public struct TemplateRenderError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    /// 1-based line of the tag that failed.
    public var line: Int
    /// 1-based column of the tag that failed, counted in Characters.
    public var column: Int

    public init(message: String, line: Int, column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column): \(message)" }
}
