import Foundation

/// Converts dates to and from the text stored in the database.
///
/// Times are stored as ISO 8601 UTC text with milliseconds,
/// `2026-11-30T01:45:12.345Z`, which sorts correctly as text, is understood by
/// SQLite's date functions (`julianday(finished_at)`) and by
/// `pandas.to_datetime`, and is readable in the `sqlite3` shell.
///
/// The conversion is done by hand rather than with a `DateFormatter`, because
/// it runs twice per recorded response and must not slow bulk inserts down.
enum Timestamp {
    private static let millisecondsPerDay: Int64 = 86_400_000

    /// `2026-11-30T01:45:12.345Z` for the given date (rounded to the millisecond;
    /// years outside 0...9999 are clamped to that range).
    static func string(from date: Date) -> String {
        let parts = Parts(date)
        return String(unsafeUninitializedCapacity: 24) { buffer in
            write(parts.year, width: 4, into: buffer, at: 0)
            buffer[4] = UInt8(ascii: "-")
            write(parts.month, width: 2, into: buffer, at: 5)
            buffer[7] = UInt8(ascii: "-")
            write(parts.day, width: 2, into: buffer, at: 8)
            buffer[10] = UInt8(ascii: "T")
            write(parts.hour, width: 2, into: buffer, at: 11)
            buffer[13] = UInt8(ascii: ":")
            write(parts.minute, width: 2, into: buffer, at: 14)
            buffer[16] = UInt8(ascii: ":")
            write(parts.second, width: 2, into: buffer, at: 17)
            buffer[19] = UInt8(ascii: ".")
            write(parts.millisecond, width: 3, into: buffer, at: 20)
            buffer[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    /// `20261130-014512` for the given date, as used in run ids.
    static func compactUTC(_ date: Date) -> String {
        let parts = Parts(Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
        return String(unsafeUninitializedCapacity: 15) { buffer in
            write(parts.year, width: 4, into: buffer, at: 0)
            write(parts.month, width: 2, into: buffer, at: 4)
            write(parts.day, width: 2, into: buffer, at: 6)
            buffer[8] = UInt8(ascii: "-")
            write(parts.hour, width: 2, into: buffer, at: 9)
            write(parts.minute, width: 2, into: buffer, at: 11)
            write(parts.second, width: 2, into: buffer, at: 13)
            return 15
        }
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff][Z]` (a space may replace the `T`), as
    /// written by ``string(from:)`` or by SQLite's `datetime()`; always UTC.
    ///
    /// - Returns: The date, or `nil` if the text has another shape.
    static func date(from text: String) -> Date? {
        var utf8 = Array(text.utf8)
        if utf8.last == UInt8(ascii: "Z") { utf8.removeLast() }
        guard utf8.count >= 19,
            utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"),
            utf8[10] == UInt8(ascii: "T") || utf8[10] == UInt8(ascii: " "),
            utf8[13] == UInt8(ascii: ":"), utf8[16] == UInt8(ascii: ":"),
            let year = number(utf8, 0, 4), let month = number(utf8, 5, 2), let day = number(utf8, 8, 2),
            let hour = number(utf8, 11, 2), let minute = number(utf8, 14, 2), let second = number(utf8, 17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var milliseconds: Int64 = 0
        if utf8.count > 19 {
            guard utf8[19] == UInt8(ascii: "."), utf8.count > 20 else { return nil }
            var scale: Int64 = 100
            for byte in utf8[20...] {
                guard let digit = digitValue(byte) else { return nil }
                milliseconds += Int64(digit) * scale
                scale /= 10
            }
        }
        let days = daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        let total =
            days * millisecondsPerDay
            + Int64(hour) * 3_600_000 + Int64(minute) * 60_000 + Int64(second) * 1000 + milliseconds
        return Date(timeIntervalSince1970: Double(total) / 1000)
    }

    // MARK: - Calendar arithmetic

    /// The UTC calendar fields of a date, to the millisecond.
    private struct Parts {
        var year, month, day, hour, minute, second, millisecond: Int

        init(_ date: Date) {
            let total = Int64((date.timeIntervalSince1970 * 1000).rounded())
            var days = total / Timestamp.millisecondsPerDay
            var rest = total % Timestamp.millisecondsPerDay
            if rest < 0 {
                days -= 1
                rest += Timestamp.millisecondsPerDay
            }
            (year, month, day) = Timestamp.civilFromDays(days)
            if year < 0 || year > 9999 {
                (year, month, day, rest) = year < 0 ? (0, 1, 1, 0) : (9999, 12, 31, Timestamp.millisecondsPerDay - 1)
            }
            hour = Int(rest / 3_600_000)
            minute = Int(rest / 60_000 % 60)
            second = Int(rest / 1000 % 60)
            millisecond = Int(rest % 1000)
        }
    }

    /// The proleptic Gregorian date of a count of days since 1970-01-01.
    ///
    /// Works in 400-year eras of 146,097 days, with years starting on 1 March
    /// so that the leap day falls at the end of the year.
    private static func civilFromDays(_ days: Int64) -> (Int, Int, Int) {
        let shifted = days + 719_468  // days from 0000-03-01 to 1970-01-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153  // 0 = March ... 11 = February
        let day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        let month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    /// The count of days since 1970-01-01 of a proleptic Gregorian date; the inverse of ``civilFromDays(_:)``.
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let marchYear = month <= 2 ? year - 1 : year
        let era = (marchYear >= 0 ? marchYear : marchYear - 399) / 400
        let yearOfEra = marchYear - era * 400
        let marchMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * marchMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    // MARK: - Digits

    /// Writes `value` as `width` zero-padded decimal digits at `offset`.
    private static func write(_ value: Int, width: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        var rest = value
        var index = offset + width - 1
        while index >= offset {
            buffer[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
            index -= 1
        }
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }

    private static func number(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for byte in bytes[start..<(start + count)] {
            guard let digit = digitValue(byte) else { return nil }
            value = value * 10 + digit
        }
        return value
    }
}
