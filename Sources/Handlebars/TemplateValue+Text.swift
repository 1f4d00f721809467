// How a value prints in `{{value}}`: as Handlebars.js would print it with `noEscape`, except that
// arrays and objects print as compact JSON (PromptLab's documented choice; JavaScript would print
// "a,b" and "[object Object]").

extension TemplateValue {
    /// The text `{{value}}` inserts: strings as they are, numbers as JavaScript prints them,
    /// `true`/`false`, nothing for null, compact JSON (keys in order) for arrays and objects.
    public var templateText: String {
        var text = ""
        appendTemplateText(to: &text)
        return text
    }

    func appendTemplateText(to text: inout String) {
        switch self {
        case .null: break
        case .bool(let value): text += value ? "true" : "false"
        case .int(let value): text += String(value)
        case .double(let value): text += javaScriptNumberText(value)
        case .string(let value): text += value
        case .array, .object: appendJSON(to: &text)
        }
    }

    /// Compact JSON as `JSON.stringify` writes it: keys in order, numbers as JavaScript prints
    /// them, NaN and infinities as `null`.
    public var jsonText: String {
        var text = ""
        appendJSON(to: &text)
        return text
    }

    func appendJSON(to text: inout String) {
        // Iterative, so a deeply nested value cannot overflow the stack.
        enum Step {
            case value(TemplateValue)
            case literal(String)
        }
        var pending: [Step] = [.value(self)]
        while let step = pending.popLast() {
            switch step {
            case .literal(let literal):
                text += literal
            case .value(.null):
                text += "null"
            case .value(.bool(let value)):
                text += value ? "true" : "false"
            case .value(.int(let value)):
                text += String(value)
            case .value(.double(let value)):
                text += value.isFinite ? javaScriptNumberText(value) : "null"
            case .value(.string(let value)):
                appendJSONString(value, to: &text)
            case .value(.array(let items)):
                text += "["
                pending.append(.literal("]"))
                for (offset, item) in items.enumerated().reversed() {
                    pending.append(.value(item))
                    if offset > 0 { pending.append(.literal(",")) }
                }
            case .value(.object(let object)):
                text += "{"
                pending.append(.literal("}"))
                for offset in object.keys.indices.reversed() {
                    pending.append(.value(object.values[offset]))
                    var key = ""
                    if offset > 0 { key += "," }
                    appendJSONString(object.keys[offset], to: &key)
                    key += ":"
                    pending.append(.literal(key))
                }
            }
        }
    }
}

private func appendJSONString(_ string: String, to text: inout String) {
    text += "\""
    var plainStart = string.unicodeScalars.startIndex
    let scalars = string.unicodeScalars
    var index = scalars.startIndex
    while index < scalars.endIndex {
        let scalar = scalars[index]
        let escape: String? =
            switch scalar {
            case "\"": "\\\""
            case "\\": "\\\\"
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            case "\u{8}": "\\b"
            case "\u{C}": "\\f"
            default: scalar.value < 0x20 ? "\\u00" + hexDigits(scalar.value) : nil
            }
        if let escape {
            text += String(scalars[plainStart..<index])
            text += escape
            plainStart = scalars.index(after: index)
        }
        index = scalars.index(after: index)
    }
    text += String(scalars[plainStart..<scalars.endIndex])
    text += "\""
}

private func hexDigits(_ value: UInt32) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(value >> 4) & 0xF], digits[Int(value) & 0xF]])
}

/// `Number.prototype.toString()` for a double: `1` not `1.0`, `1e+21`, `1.5e-7`, `NaN`.
///
/// Swift's `description` already gives the shortest digits that round-trip (as JavaScript
/// requires); only the layout differs, so the digits and exponent are taken from it and laid out
/// by the rules of ECMAScript's Number::toString.
func javaScriptNumberText(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
    if value == 0 { return "0" }
    if value.rounded(.towardZero) == value, let integer = Int(exactly: value) { return String(integer) }

    let sign = value < 0 ? "-" : ""
    let description = value.magnitude.description
    var mantissa = Substring(description)
    var exponent = 0
    if let marker = description.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        mantissa = description[..<marker]
        exponent = Int(description[description.index(after: marker)...]) ?? 0
    }
    let integerPart = mantissa.prefix { $0 != "." }
    let fractionPart = mantissa.drop { $0 != "." }.dropFirst()
    var digits = Array(integerPart + fractionPart)
    // The decimal point sits after `point` digits: value = 0.d1d2… × 10^point.
    var point = integerPart.count + exponent
    while let first = digits.first, first == "0" {
        digits.removeFirst()
        point -= 1
    }
    while let last = digits.last, last == "0" { digits.removeLast() }
    guard !digits.isEmpty else { return "0" }

    let count = digits.count
    if count <= point && point <= 21 {
        return sign + String(digits) + String(repeating: "0", count: point - count)
    }
    if 0 < point && point <= 21 {
        return sign + String(digits[..<point]) + "." + String(digits[point...])
    }
    if -6 < point && point <= 0 {
        return sign + "0." + String(repeating: "0", count: -point) + String(digits)
    }
    let shown = point - 1
    let exponentText = (shown < 0 ? "-" : "+") + String(shown.magnitude)
    let significand = count == 1 ? String(digits) : String(digits[0]) + "." + String(digits[1...])
    return sign + significand + "e" + exponentText
}
