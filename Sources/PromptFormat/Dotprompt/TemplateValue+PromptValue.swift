import Handlebars

extension TemplateValue {
    /// The value a template sees for a prompt value. Objects keep their key order.
    public init(_ value: PromptValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(TemplateValue.init))
        case .object(let pairs): self = .object(TemplateObject(pairs.map { ($0.key, TemplateValue($0.value)) }))
        }
    }
}

extension PromptValue {
    /// The prompt value for a template value (marker arguments, metadata).
    public init(_ value: TemplateValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(PromptValue.init))
        case .object(let object): self = .object(object.map { (key: $0.key, value: PromptValue($0.value)) })
        }
    }
}
