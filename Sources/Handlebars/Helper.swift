/// A helper a template can call: `{{name args}}`, `{{#name args}}…{{/name}}`, or `(name args)`.
///
/// The body runs synchronously during rendering. Helpers take precedence over context values of
/// the same name, and over the built-in helpers (`if`, `unless`, `each`, `with`, `lookup`).
public struct Helper: Sendable {
    /// One reference for the closures, so the renderer copies a helper (once per tag) with one retain.
    private final class Storage: Sendable {
        let body: @Sendable (HelperCall) throws -> HelperOutput
        let marker: (name: String, check: @Sendable ([TemplateValue], TemplateObject) -> String?)?

        init(
            body: @escaping @Sendable (HelperCall) throws -> HelperOutput,
            marker: (name: String, check: @Sendable ([TemplateValue], TemplateObject) -> String?)?
        ) {
            self.body = body
            self.marker = marker
        }
    }

    private let storage: Storage
    var body: @Sendable (HelperCall) throws -> HelperOutput { storage.body }
    /// For a marker helper: the marker's name and the check of its arguments (see ``marker(_:check:)``).
    var marker: (name: String, check: @Sendable ([TemplateValue], TemplateObject) -> String?)? { storage.marker }

    /// - Parameter body: Runs for each call. It may throw `TemplateRenderError` (use the call's
    ///   `line` and `column`); any other error becomes a `TemplateRenderError` at the tag. (The
    ///   closure's errors are untyped so that closures with `try` need no annotation.)
    public init(_ body: @escaping @Sendable (HelperCall) throws -> HelperOutput) {
        storage = Storage(body: body, marker: nil)
    }

    /// A helper that only places a marker named `name`, carrying its evaluated arguments
    /// (Dotprompt's `{{role "user"}}`). The renderer builds the marker itself, without a
    /// ``HelperCall``: prompts place dozens of these per render.
    ///
    /// - Parameter check: Why the arguments are wrong (an error at the tag), or nil.
    public static func marker(
        _ name: String, check: @escaping @Sendable (_ parameters: [TemplateValue], _ hash: TemplateObject) -> String? = { _, _ in nil }
    ) -> Helper {
        Helper(
            body: { call in
                if let problem = check(call.parameters, call.hash) {
                    throw TemplateRenderError(message: problem, line: call.line, column: call.column)
                }
                return .pieces([.marker(TemplateMarker(name: name, arguments: call.parameters, hash: call.hash))])
            }, marker: (name, check))
    }

    private init(
        body: @escaping @Sendable (HelperCall) throws -> HelperOutput,
        marker: (name: String, check: @Sendable ([TemplateValue], TemplateObject) -> String?)?
    ) {
        storage = Storage(body: body, marker: marker)
    }

    func call(_ call: HelperCall) throws(TemplateRenderError) -> HelperOutput {
        do {
            return try body(call)
        } catch let error as TemplateRenderError {
            throw error
        } catch {
            throw TemplateRenderError(message: "helper '\(call.name)' failed: \(error)", line: call.line, column: call.column)
        }
    }
}

/// What a helper returns.
public enum HelperOutput: Sendable {
    /// Output to insert as it is, markers included (a block helper's rendered body, for example).
    case pieces([OutputPiece])
    /// A value: printed as text (`{{helper}}`), or passed on when the helper is a subexpression.
    case value(TemplateValue)
}

/// One call of a helper: its arguments and, for block helpers, the bodies it may render.
///
/// Valid only while the helper runs; `block()` and `inverse()` render into the same render call
/// (they count against its limits).
public struct HelperCall {
    public let name: String
    /// Positional arguments; a missing variable is `.null`.
    public let parameters: [TemplateValue]
    /// `key=value` arguments.
    public let hash: TemplateObject
    /// The context (`this`) at the tag.
    public let context: TemplateValue
    /// 1-based position of the tag.
    public let line: Int
    public let column: Int
    /// Whether the helper was called as a block (`{{#name}}…{{/name}}`).
    public let isBlock: Bool

    let session: RenderSession
    let program: ProgramSyntax?
    let inverseProgram: ProgramSyntax?

    /// The `@` variables visible at the tag (`@root`, `@index`, render data, …), innermost first.
    public var data: [String: TemplateValue] { session.visibleData() }

    /// Renders the block's body (Handlebars' `options.fn`); empty when the helper is not a block.
    /// - Parameters:
    ///   - context: The body's context; nil keeps the current one (and `../` keeps its meaning).
    ///   - data: `@` variables to add for the body.
    ///   - blockParameters: Values for the block's `as |a b|` parameters, in order.
    public func block(
        _ context: TemplateValue? = nil, data: [String: TemplateValue] = [:], blockParameters: [TemplateValue] = []
    ) throws(TemplateRenderError) -> [OutputPiece] {
        try render(program, context: context, data: data, blockParameters: blockParameters)
    }

    /// Renders the `{{else}}` part (Handlebars' `options.inverse`); empty if there is none.
    public func inverse(_ context: TemplateValue? = nil) throws(TemplateRenderError) -> [OutputPiece] {
        try render(inverseProgram, context: context, data: [:], blockParameters: [])
    }

    private func render(
        _ body: ProgramSyntax?, context: TemplateValue?, data: [String: TemplateValue], blockParameters: [TemplateValue]
    ) throws(TemplateRenderError) -> [OutputPiece] {
        guard let body else { return [] }
        var output = OutputBuffer()
        try session.renderBody(
            body, context: context, frame: data.isEmpty ? nil : .values(data), blockParameters: blockParameters,
            line: line, column: column, into: &output)
        return output.finish()
    }
}
