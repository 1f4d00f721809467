import Foundation
internal import GRDB

/// Reads a row's columns left to right, so that decoding code lists the
/// columns in the same order as the `SELECT` that produced them.
///
/// Every read is checked: a NULL in a non-optional column, a value of the
/// wrong type or unreadable text becomes a ``StoreError`` of kind
/// ``StoreError/Kind/corrupt`` instead of a crash.
struct ColumnReader {
    private let row: Row
    private var index = 0

    init(_ row: Row) {
        self.row = row
    }

    /// The next column as `Value` (use an optional type for nullable columns).
    mutating func next<Value: DatabaseValueConvertible>(_ type: Value.Type = Value.self) throws -> Value {
        defer { index += 1 }
        do {
            return try row.decode(Value.self, atIndex: index)
        } catch {
            throw unreadable(String(describing: row[index] ?? "NULL"))
        }
    }

    /// The next column as a boolean stored as 0 or 1.
    mutating func nextBool() throws -> Bool {
        try next(Int.self) != 0
    }

    /// The next column as an optional boolean stored as 0, 1 or NULL.
    mutating func nextOptionalBool() throws -> Bool? {
        try next(Int?.self).map { $0 != 0 }
    }

    /// The next column as a timestamp written by ``Timestamp/string(from:)``.
    mutating func nextDate() throws -> Date {
        let text = try next(String.self)
        guard let date = Timestamp.date(from: text) else { throw unreadable(text, offset: -1) }
        return date
    }

    /// The next column as an optional timestamp.
    mutating func nextOptionalDate() throws -> Date? {
        guard let text = try next(String?.self) else { return nil }
        guard let date = Timestamp.date(from: text) else { throw unreadable(text, offset: -1) }
        return date
    }

    /// The next column as a `String`-backed enum.
    mutating func nextEnum<Value: RawRepresentable>(_ type: Value.Type) throws -> Value where Value.RawValue == String {
        let text = try next(String.self)
        guard let value = Value(rawValue: text) else { throw unreadable(text, offset: -1) }
        return value
    }

    /// The next column as an optional `String`-backed enum.
    mutating func nextOptionalEnum<Value: RawRepresentable>(_ type: Value.Type) throws -> Value? where Value.RawValue == String {
        guard let text = try next(String?.self) else { return nil }
        guard let value = Value(rawValue: text) else { throw unreadable(text, offset: -1) }
        return value
    }

    private func unreadable(_ value: String, offset: Int = 0) -> StoreError {
        let column = row.columnNames.dropFirst(index + offset).first ?? "column \(index + offset)"
        return StoreError(
            .corrupt,
            "results database holds an unreadable value in column '\(column)'",
            hint: "the file may have been edited by hand; restore it from a backup or start a new results file",
            detail: "value: \(value.prefix(80))")
    }
}
