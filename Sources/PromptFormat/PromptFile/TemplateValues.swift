import Foundation
internal import Mustache

extension PromptValue {
    /// The value as swift-mustache sees it: text for scalars (numbers in their
    /// usual spelling), `Bool` for booleans so sections can test them, and
    /// objects and lists wrapped so that inserting one (`{{customer}}`,
    /// `{{#customer}}{{.}}{{/customer}}`) writes JSON, never a Swift description.
    var templateObject: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let b): return b
        case .array(let items): return TemplateList(items: items.map(\.templateObject), value: self)
        case .object(let pairs):
            var fields = [String: Any](minimumCapacity: pairs.count)
            for (key, value) in pairs { fields[key] = value.templateObject }
            return TemplateObject(fields: fields, value: self)
        default: return templateText
        }
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

    func makeIterator() -> IndexingIterator<[Any]> { items.makeIterator() }
    /// Lists have no named fields (and must not expose this wrapper's own).
    func child(named name: String) -> Any? { nil }
    var renderText: String { value.jsonText(pretty: false) }
    var isNull: Bool { false }
    /// `first`, `last`, `reversed`, `count`, `empty`, as for an array.
    func transform(_ name: String) -> Any? { items.transform(name) }
}
