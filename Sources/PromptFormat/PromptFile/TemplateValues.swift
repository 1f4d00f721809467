import Foundation
internal import Mustache

extension PromptValue {
    /// The value as swift-mustache sees it: text for scalars (numbers in their
    /// usual spelling), `Bool` for booleans so sections can test them, and
    /// objects and lists wrapped so that inserting one (`{{customer}}`,
    /// `{{#customer}}{{.}}{{/customer}}`) writes JSON, never a Swift description.
    ///
    /// Lists count their items against `budget` each time a section iterates them.
    func templateObject(budget: RenderBudget) -> Any {
        switch self {
        case .null: return NSNull()
        case .bool(let b): return b
        case .array(let items):
            return TemplateList(items: items.map { $0.templateObject(budget: budget) }, value: self, budget: budget)
        case .object(let pairs):
            var fields = [String: Any](minimumCapacity: pairs.count)
            for (key, value) in pairs { fields[key] = value.templateObject(budget: budget) }
            return TemplateObject(fields: fields, value: self)
        default: return templateText
        }
    }
}

/// How many list items one render may visit, all sections together.
///
/// Nested sections multiply: `{{#a}}{{#a}}...{{/a}}{{/a}}` twenty deep over a
/// three-item list would render 3²⁰ times. Past the limit, lists iterate as
/// empty, so the render finishes at once, and the renderer reports the error.
final class RenderBudget {
    static let maximumItems = 100_000
    private(set) var visited = 0

    var isExceeded: Bool { visited > Self.maximumItems }

    /// Records `count` items about to be visited; false once the budget is spent.
    func spend(_ count: Int) -> Bool {
        visited += min(count, Self.maximumItems + 1)
        visited = min(visited, Self.maximumItems + 1)
        return !isExceeded
    }
}

/// An object value in a template: fields for lookups and sections, JSON when inserted.
struct TemplateObject: MustacheParent, MustacheCustomRenderable, MustacheTransformable {
    let fields: [String: Any]
    let value: PromptValue

    func child(named name: String) -> Any? { fields[name] }
    var renderText: String { value.jsonText(pretty: false) }
    var isNull: Bool { false }
    /// `count`, `empty`, `enumerated`, `sorted`, as for a dictionary.
    func transform(_ name: String) -> Any? { fields.transform(name) }
}

/// A list value in a template: iterated by sections, JSON when inserted.
struct TemplateList: MustacheSequence, MustacheParent, MustacheCustomRenderable, MustacheTransformable {
    let items: [Any]
    let value: PromptValue
    let budget: RenderBudget

    func makeIterator() -> IndexingIterator<[Any]> {
        budget.spend(items.count) ? items.makeIterator() : [Any]().makeIterator()
    }
    /// Lists have no named fields (and must not expose this wrapper's own).
    func child(named name: String) -> Any? { nil }
    var renderText: String { value.jsonText(pretty: false) }
    var isNull: Bool { false }
    /// `first`, `last`, `reversed`, `count`, `empty`, as for an array.
    func transform(_ name: String) -> Any? { items.transform(name) }
}
