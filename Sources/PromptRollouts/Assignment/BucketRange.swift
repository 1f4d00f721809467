/// The half-open slice `[start, end)` of the bucket line that one arm receives.
public struct BucketRange: Sendable, Equatable, Codable {
    public var start: Double
    public var end: Double

    public init(start: Double, end: Double) {
        self.start = start
        self.end = end
    }

    /// Whether `bucket` falls in this range; the end is excluded, as in GrowthBook's `inRange`.
    public func contains(_ bucket: Double) -> Bool {
        start <= bucket && bucket < end
    }
}
