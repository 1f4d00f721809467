import Foundation

/// The one JSON contract every `--format json` output, the web app and the serving API follow.
///
/// Outputs are `Codable` values; their property names become snake_case keys (`costUSD` →
/// `cost_usd`), and each top-level document carries ``schemaVersion`` as `schema_version`.
/// Fields are only ever added; a change that removes or renames one raises the version.
/// Keys that are user data (a case's variables, a prompt's config) are kept verbatim: such
/// values encode their keys as ``VerbatimKey``, which the key strategy leaves alone.
/// The shapes are documented in `docs/json-output.md`.
public enum JSONOutput {
    /// The version of every output document's shape.
    public static let schemaVersion = 1

    /// Encodes `value` as JSON with snake_case keys, `null` for unknown values, sorted keys and
    /// a trailing newline (see ``OutputEncoder``).
    public static func text<Value: Encodable>(_ value: Value, pretty: Bool = true) throws -> String {
        do {
            return try OutputEncoder(pretty: pretty).encode(value) + "\n"
        } catch {
            throw PromptLabError(.failure, "cannot encode the output as JSON: \(error)")
        }
    }

    /// A decoder for documents this module wrote (tests, clients).
    public static func decode<Value: Decodable>(_ type: Value.Type, from text: String) throws -> Value {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(type, from: Data(text.utf8))
    }

    /// A JSON string literal for `text`: quotes, backslashes and control characters escaped.
    public static func quoted(_ text: String) -> String {
        // Fast path: nothing to escape.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) { return "\"" + text + "\"" }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                out += "\\u" + String(c.value, radix: 16).leftPadded(to: 4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// `costUSD` → `cost_usd`, `p95Ms` → `p95_ms`, `schemaVersion` → `schema_version`.
    public static func snakeCase(_ key: String) -> String {
        if let ascii = asciiSnakeCase(key) { return ascii }
        var result = ""
        let characters = Array(key)
        for (index, character) in characters.enumerated() {
            if character.isUppercase {
                let previous = index > 0 ? characters[index - 1] : nil
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                let startsWord = previous.map { $0.isLowercase || $0.isNumber } ?? false
                let endsAcronym = (previous?.isUppercase ?? false) && (next?.isLowercase ?? false)
                if index > 0 && (startsWord || endsAcronym) { result.append("_") }
                result += character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}

extension JSONOutput {
    /// ``snakeCase(_:)`` on bytes for ASCII keys (every Swift property name here): encoding a page
    /// of documents converts thousands of keys, and Character's Unicode properties cost more
    /// than the rest of the encoding.
    static func asciiSnakeCase(_ key: String) -> String? {
        let bytes = Array(key.utf8)
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        func upper(_ byte: UInt8) -> Bool { (65...90).contains(byte) }
        func lower(_ byte: UInt8) -> Bool { (97...122).contains(byte) }
        func digit(_ byte: UInt8) -> Bool { (48...57).contains(byte) }
        guard bytes.contains(where: upper) else { return key }
        var result = [UInt8]()
        result.reserveCapacity(bytes.count + 4)
        for (index, byte) in bytes.enumerated() {
            guard upper(byte) else {
                result.append(byte)
                continue
            }
            let previous: UInt8? = index > 0 ? bytes[index - 1] : nil
            let next: UInt8? = index + 1 < bytes.count ? bytes[index + 1] : nil
            let startsWord = previous.map { lower($0) || digit($0) } ?? false
            let endsAcronym = previous.map(upper) == true && next.map(lower) == true
            if index > 0 && (startsWord || endsAcronym) { result.append(95) }
            result.append(byte + 32)
        }
        return String(decoding: result, as: UTF8.self)
    }
}

/// A coding key written exactly as given: user data keys, and keys already in snake_case.
public struct VerbatimKey: CodingKey, Sendable {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(_ string: String) { stringValue = string }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { return nil }
}

/// The one date format of every output: ISO 8601 in UTC with milliseconds.
public enum Timestamps {
    /// `2026-11-30T14:05:09.123Z`.
    public static func iso8601(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        let seconds = Int64(clamping: Int64(exactly: (milliseconds / 1000).rounded(.down)) ?? 0)
        let fraction = Int(milliseconds - Double(seconds) * 1000)
        let fields = CalendarFields(seconds: seconds, offsetMinutes: 0)
        return fields.iso8601(separatorOffset: false, fraction: fraction)
    }

    /// A git time in its author's own offset: `2026-11-30T14:05:09+01:00`.
    public static func iso8601(seconds: Int64, offsetMinutes: Int32) -> String {
        CalendarFields(seconds: seconds, offsetMinutes: offsetMinutes).iso8601(separatorOffset: true, fraction: nil)
    }

    /// A git time for people: `2026-11-30 14:05 +0100`.
    public static func short(seconds: Int64, offsetMinutes: Int32) -> String {
        let t = CalendarFields(seconds: seconds, offsetMinutes: offsetMinutes)
        return
            "\(String(t.year).leftPadded(to: 4))-\(pad(t.month))-\(pad(t.day)) \(pad(t.hour)):\(pad(t.minute)) \(t.offset(separator: ""))"
    }

    /// A moment broken into calendar fields at a fixed UTC offset, without locale data.
    ///
    /// Times from git objects can be anything a remote sent (`Int64.min` included), so the
    /// arithmetic clamps to years 0–9999 instead of trapping.
    struct CalendarFields {
        var year, month, day, hour, minute, second: Int
        var offsetMinutes: Int

        init(seconds: Int64, offsetMinutes: Int32) {
            let limit: Int64 = 253_402_300_799  // 9999-12-31T23:59:59Z
            let offset = Int64(max(-24 * 60, min(24 * 60, offsetMinutes)))
            let local = max(-62_167_219_200, min(limit, max(-62_167_219_200, min(limit, seconds)) + offset * 60))
            let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
            let secondsOfDay = Int(local - days * 86_400)
            (year, month, day) = Self.civil(fromDays: Int(days))
            (hour, minute, second) = (secondsOfDay / 3600, secondsOfDay % 3600 / 60, secondsOfDay % 60)
            self.offsetMinutes = Int(offset)
        }

        func iso8601(separatorOffset: Bool, fraction: Int?) -> String {
            var text = "\(String(year).leftPadded(to: 4))-\(pad(month))-\(pad(day))T\(pad(hour)):\(pad(minute)):\(pad(second))"
            if let fraction { text += "." + String(fraction).leftPadded(to: 3) }
            return text + (separatorOffset ? offset(separator: ":") : "Z")
        }

        /// `+0100` or `+01:00`.
        func offset(separator: String) -> String {
            let sign = offsetMinutes < 0 ? "-" : "+"
            let off = abs(offsetMinutes)
            return sign + pad(off / 60) + separator + pad(off % 60)
        }

        /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
        static func civil(fromDays z0: Int) -> (Int, Int, Int) {
            let z = z0 + 719_468
            let era = (z >= 0 ? z : z - 146_096) / 146_097
            let doe = z - era * 146_097
            let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
            let mp = (5 * doy + 2) / 153
            let d = doy - (153 * mp + 2) / 5 + 1
            let m = mp < 10 ? mp + 3 : mp - 9
            return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
        }
    }

    static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
