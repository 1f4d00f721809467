import Foundation

extension RunRecord {
    /// Makes a new run identifier such as `r-20261130-014512-3fa9`.
    ///
    /// The identifier is the UTC time to the second followed by 16 random
    /// bits in hex, so identifiers sort by creation time and two runs started
    /// in the same second are still told apart (a collision needs the same
    /// second and the same 1-in-65,536 suffix; ``ResultsStore/createRun(_:variants:cases:)``
    /// then fails with ``StoreError/Kind/runAlreadyExists`` rather than mixing runs).
    ///
    /// - Parameter date: The creation time; now by default.
    /// - Returns: An identifier matching `r-YYYYMMDD-HHMMSS-xxxx`.
    public static func makeID(at date: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        return makeID(at: date, using: &generator)
    }

    /// Makes a run identifier with a caller-supplied random number generator.
    ///
    /// - Parameters:
    ///   - date: The creation time.
    ///   - generator: The source of the 16-bit suffix (seed it in tests).
    /// - Returns: An identifier matching `r-YYYYMMDD-HHMMSS-xxxx`.
    public static func makeID(at date: Date, using generator: inout some RandomNumberGenerator) -> String {
        let time = Timestamp.compactUTC(date)
        let suffix = UInt16.random(in: .min ... .max, using: &generator)
        let hex = String(suffix, radix: 16)
        return "r-\(time)-\(String(repeating: "0", count: 4 - hex.count))\(hex)"
    }
}
