import Foundation
import Testing

@testable import PromptLabStore

/// The text form of stored dates.
@Suite struct TimestampTests {
    @Test func formatsUTCWithMilliseconds() {
        #expect(Timestamp.string(from: Date(milliseconds: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.string(from: Date(milliseconds: 1_795_999_912_345)) == "2026-11-30T00:51:52.345Z")
        #expect(Timestamp.string(from: Date(milliseconds: 951_782_400_000)) == "2000-02-29T00:00:00.000Z")
        #expect(Timestamp.string(from: Date(milliseconds: -1)) == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp.compactUTC(Date(milliseconds: 1_795_999_912_999)) == "20261130-005152")
    }

    @Test func parsesWhatItWritesAndWhatSQLiteWrites() throws {
        for milliseconds: Int64 in [0, 1, 999, 951_782_400_000, 1_795_999_912_345, 4_102_444_799_999, -86_400_001] {
            let date = Date(milliseconds: milliseconds)
            #expect(Timestamp.date(from: Timestamp.string(from: date)) == date)
        }
        // SQLite's datetime() form, and more fractional digits than we write.
        #expect(Timestamp.date(from: "2026-11-30 00:51:52") == Date(milliseconds: 1_795_999_912_000))
        #expect(Timestamp.date(from: "2026-11-30T00:51:52.345678Z") == Date(milliseconds: 1_795_999_912_345))
        for bad in ["", "yesterday", "2026-13-01T00:00:00Z", "2026-11-30T00:51", "2026-11-30T00:51:52.Z"] {
            #expect(Timestamp.date(from: bad) == nil, "\(bad)")
        }
    }

    @Test func agreesWithFoundationOverManyDates() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let date = Date(milliseconds: Int64.random(in: 0...4_102_444_800_000, using: &generator))
            #expect(Timestamp.string(from: date) == formatter.string(from: date))
        }
    }
}
