import Foundation
import Handlebars

/// JSON as JavaScript's `JSON.stringify` writes it, which is what Dotprompt's `{{json}}` helper prints:
/// keys in order, `"` `\` and control characters escaped (others, `/` and non-ASCII included, written as
/// they are), numbers in JavaScript's shortest form, and `indent` spaces per level with `": "` after keys.
enum JavaScriptJSON {
    static func stringify(_ value: TemplateValue, indent: Int) -> String {
        var out = ""
        write(value, indent: indent, level: 0, into: &out)
        return out
    }

    private static func write(_ value: TemplateValue, indent: Int, level: Int, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? number(d) : "null"
        case .string(let s): quote(s, into: &out)
        case .array(let items):
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                newline(indent: indent, level: level + 1, into: &out)
                write(item, indent: indent, level: level + 1, into: &out)
            }
            newline(indent: indent, level: level, into: &out)
            out += "]"
        case .object(let object):
            guard object.count > 0 else {
                out += "{}"
                return
            }
            out += "{"
            var first = true
            for (key, item) in object {
                if !first { out += "," }
                first = false
                newline(indent: indent, level: level + 1, into: &out)
                quote(key, into: &out)
                out += indent > 0 ? ": " : ":"
                write(item, indent: indent, level: level + 1, into: &out)
            }
            newline(indent: indent, level: level, into: &out)
            out += "}"
        }
    }

    private static func newline(indent: Int, level: Int, into out: inout String) {
        guard indent > 0 else { return }
        out += "\n"
        out += String(repeating: " ", count: indent * level)
    }

    private static func quote(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case let s where s.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(s.value, radix: 16).count) + String(s.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// A finite number as JavaScript prints it: integers without a fraction, otherwise the shortest
    /// round-tripping digits, with an exponent from 1e21 and below 1e-6.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-Infinity" : "Infinity") }
        if value == 0 { return "0" }
        if value == value.rounded(), abs(value) < 1e21 {
            return String(format: "%.0f", value)
        }
        // Swift's description is the shortest round-tripping form; adjust its exponent style to JavaScript's.
        var text = "\(value)"
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            var mantissa = String(text[..<e])
            var exponent = String(text[text.index(after: e)...])
            if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
            if exponent.hasPrefix("+") { exponent.removeFirst() }
            let power = Int(exponent) ?? 0
            if power >= -6 && power < 21 {
                // JavaScript writes these without an exponent.
                text = Decimal(string: text).map { "\($0)" } ?? text
            } else {
                text = mantissa + "e" + (power >= 0 ? "+" : "") + String(power)
            }
        }
        return text
    }

    /// JavaScript's `===` on values: same type and value (numbers compared as numbers); lists and objects
    /// compare by content, since templates cannot hold references.
    static func strictlyEqual(_ a: TemplateValue, _ b: TemplateValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)): Double(x) == y
        default: a == b
        }
    }
}
