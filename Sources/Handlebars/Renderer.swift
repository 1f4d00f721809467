/// Renders templates with a set of helpers and partials. Cheap to keep and share: it holds no
/// state between calls.
public struct Renderer: Sendable {
    public var helpers: [String: Helper]
    /// Partials by the name their tags use (`{{> shared/tone}}` uses "shared/tone").
    public var partials: [String: Template]
    public var limits: TemplateLimits

    public init(helpers: [String: Helper] = [:], partials: [String: Template] = [:], limits: TemplateLimits = TemplateLimits()) {
        self.helpers = helpers
        self.partials = partials
        self.limits = limits
    }

    /// Renders `template`; adjacent text pieces are merged.
    /// - Parameters:
    ///   - context: The root context (`this` at the top, and `@root`).
    ///   - data: The `@` variables (`@state`, `@auth`, …). `@root` is the context unless given here.
    /// - Throws: `TemplateRenderError` for an unknown helper or partial, a helper's own error, or
    ///   a limit reached, with the position of the tag.
    public func render(
        _ template: Template, context: TemplateValue, data: [String: TemplateValue] = [:]
    ) throws(TemplateRenderError) -> Rendering {
        let session = RenderSession(renderer: self, template: template, context: context, data: data)
        var output = OutputBuffer()
        try session.render(template.program, into: &output)
        try session.checkOutputSize(output, line: 1, column: 1)
        return Rendering(pieces: output.finish(), missingNames: session.missingNames)
    }
}
