import GitKit
import PromptLab

/// Small formatting helpers shared by subcommands.
enum Formatting {
    /// `2026-11-30 14:05 +0100`, computed without locale data.
    static func date(_ time: Int64, offsetMinutes: Int32) -> String {
        let t = LocalTime(time, offsetMinutes: offsetMinutes)
        return "\(t.year)-\(pad(t.month))-\(pad(t.day)) \(pad(t.hour)):\(pad(t.minute)) \(t.offset(separator: ""))"
    }

    /// ISO 8601, such as `2026-11-30T14:05:09+01:00`.
    static func isoDate(_ time: Int64, offsetMinutes: Int32) -> String {
        let t = LocalTime(time, offsetMinutes: offsetMinutes)
        return "\(t.year)-\(pad(t.month))-\(pad(t.day))T\(pad(t.hour)):\(pad(t.minute)):\(pad(t.second))\(t.offset(separator: ":"))"
    }

    /// A moment broken into calendar fields in the author's own time zone.
    private struct LocalTime {
        var year, month, day, hour, minute, second: Int
        var offsetMinutes: Int

        init(_ time: Int64, offsetMinutes: Int32) {
            let local = time + Int64(offsetMinutes) * 60
            let days = Int(local.floorDiv(86_400))
            let seconds = Int(local - Int64(days) * 86_400)
            (year, month, day) = Formatting.civil(fromDays: days)
            (hour, minute, second) = (seconds / 3600, seconds % 3600 / 60, seconds % 60)
            self.offsetMinutes = Int(offsetMinutes)
        }

        /// `+0100` or `+01:00`.
        func offset(separator: String) -> String {
            let sign = offsetMinutes < 0 ? "-" : "+"
            let off = abs(offsetMinutes)
            return sign + Formatting.pad(off / 60) + separator + Formatting.pad(off % 60)
        }
    }

    fileprivate static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    fileprivate static func civil(fromDays z0: Int) -> (Int, Int, Int) {
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

extension Int64 {
    func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}

/// Builds JSON output with keys in a stable, readable order.
typealias JSON = PromptValue

extension PromptValue {
    static func text(_ s: String?) -> PromptValue { s.map(PromptValue.string) ?? .null }
    static func number(_ n: Int?) -> PromptValue { n.map(PromptValue.int) ?? .null }
}
