import Handlebars
import Testing

/// Renders `source` with `context` and the given partials and helpers; returns the text.
func render(
    _ source: String, _ context: TemplateValue = [:], partials: [String: String] = [:], helpers: [String: Helper] = [:],
    data: [String: TemplateValue] = [:], limits: TemplateLimits = TemplateLimits()
) throws -> String {
    try rendering(source, context, partials: partials, helpers: helpers, data: data, limits: limits).text
}

func rendering(
    _ source: String, _ context: TemplateValue = [:], partials: [String: String] = [:], helpers: [String: Helper] = [:],
    data: [String: TemplateValue] = [:], limits: TemplateLimits = TemplateLimits()
) throws -> Rendering {
    var parsedPartials: [String: Template] = [:]
    for (name, partialSource) in partials { parsedPartials[name] = try Template(partialSource, limits: limits) }
    let renderer = Renderer(helpers: helpers, partials: parsedPartials, limits: limits)
    return try renderer.render(try Template(source, limits: limits), context: context, data: data)
}

@Suite struct BasicTests {
    @Test func printsVariables() throws {
        #expect(try render("Hello {{name}}!", ["name": "World"]) == "Hello World!")
        #expect(try render("{{a}}{{{a}}}{{&a}}", ["a": "<b>&"]) == "<b>&<b>&<b>&")
    }
}
