import Testing

@testable import PromptRollouts

@Suite("Hashing and bucketing match GrowthBook's SDKs")
struct GrowthBookCompatibilityTests {
    let fixture = GrowthBookFixture.shared

    @Test func fixtureCoversEveryKindOfCase() {
        #expect(fixture.fnv1a32.count >= 20)
        #expect(fixture.fnv1a32.contains { $0.text.isEmpty })
        #expect(fixture.hash.count >= 40)
        #expect(fixture.hash.contains { $0.seed.isEmpty } && fixture.hash.contains { $0.value.isEmpty })
        #expect(fixture.hash.contains { $0.source == "growthbook cases.json" })
        #expect(fixture.bucketRanges.count >= 10)
        #expect(fixture.chooseVariation.count >= 15)
        #expect(fixture.assignments.map(\.units.count) == [200, 200, 200])
    }

    @Test func fnv1a32MatchesForASCIIAndBMPText() {
        for c in fixture.fnv1a32 {
            #expect(GrowthBookHash.fnv1a32(c.text) == c.hash, "\(c.text.debugDescription)")
        }
    }

    /// Outside the BMP PromptLab follows the JavaScript SDK (UTF-16 code units), not older Python SDKs (code points).
    @Test func fnv1a32HashesSurrogatePairsLikeJavaScript() {
        for c in fixture.fnv1a32Astral {
            #expect(GrowthBookHash.fnv1a32(c.text) == c.hash, "\(c.text.debugDescription)")
            #expect(GrowthBookHash.fnv1a32(c.text) != c.codePointHash, "\(c.text.debugDescription)")
        }
    }

    @Test func fnv1a32DoesNotNormaliseUnicode() {
        // "é" precomposed and decomposed are equal Swift strings but different code units, as in JavaScript.
        let precomposed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        #expect(precomposed == decomposed)
        #expect(GrowthBookHash.fnv1a32(precomposed) != GrowthBookHash.fnv1a32(decomposed))
    }

    @Test func bucketMatchesHashVersionsOneAndTwo() {
        for c in fixture.hash {
            let bucket = GrowthBookHash.bucket(seed: c.seed, unit: c.value, version: c.version)
            let label = "\(c.source): hash(\(c.seed.debugDescription), \(c.value.debugDescription), \(c.version))"
            if let expected = c.bucket {
                #expect(bucket.map { nearlyEqual($0, expected) } == true, "\(label) = \(String(describing: bucket)), want \(expected)")
            } else {
                #expect(bucket == nil, "\(label)")
            }
        }
    }

    @Test func bucketDefaultsToVersionTwoAndRefusesOtherVersions() {
        #expect(GrowthBookHash.bucket(seed: "seed", unit: "a") == 0.0505)
        for version in [Int.min, -1, 0, 3, 99, Int.max] {
            #expect(GrowthBookHash.bucket(seed: "seed", unit: "a", version: version) == nil)
        }
    }

    @Test func bucketRangesMatchGetBucketRanges() {
        for c in fixture.bucketRanges {
            let ranges = GrowthBookBucketing.ranges(variationCount: c.count, coverage: c.coverage, weights: c.weights)
            #expect(nearlyEqual(ranges, c.ranges), "\(c.name): \(ranges)")
        }
    }

    @Test func chooseVariationMatches() {
        for c in fixture.chooseVariation {
            let arm = GrowthBookBucketing.chooseVariation(bucket: c.bucket, ranges: bucketRanges(c.ranges))
            #expect(arm == c.arm, "\(c.name)")
        }
    }

    @Test func fullAssignmentMatchesForEveryUnit() throws {
        for split in fixture.assignments {
            let traffic = try TrafficSplit(weights: split.weights, coverage: split.coverage)
            // Exact, not approximate: an ulp of difference moves the unit sitting on a boundary bucket.
            #expect(traffic.weights == split.shares, "\(split.name)")
            #expect(nearlyEqual(traffic.ranges, split.ranges), "\(split.name): \(traffic.ranges)")
            for unit in split.units {
                let assignment = RolloutAssigner.assign(unit: unit.unit, seed: split.seed, split: traffic)
                #expect(nearlyEqual(assignment.bucket, unit.bucket), "\(split.name), \(unit.unit.debugDescription)")
                #expect(assignment.arm == unit.arm, "\(split.name), \(unit.unit.debugDescription)")
            }
        }
    }

    /// Shares such as [0.06, 0.57, 0.37] add up to 0.9999999999999999; they must be kept as given, not divided by
    /// their sum, or the units in buckets 0.06 and 0.63 would get another arm than in GrowthBook.
    @Test func everyBucketNextToABoundaryLandsLikeGrowthBook() throws {
        for c in fixture.boundarySplits {
            let split = try TrafficSplit(weights: c.weights, coverage: c.coverage)
            #expect(split.weights == c.shares, "\(c.weights)")
            #expect(nearlyEqual(split.ranges, c.ranges), "\(c.weights): \(split.ranges)")
            for b in c.buckets {
                #expect(split.arm(forBucket: b.bucket) == b.arm, "\(c.weights) at coverage \(c.coverage), bucket \(b.bucket)")
            }
        }
    }

    @Test func boundaryBucketsOfAThreeWaySplitLandLikeGrowthBook() throws {
        // 0.34 + 0.8 * 0.33 is 0.6040000000000001 in binary, so bucket 0.604 is still in arm 1.
        let split = try TrafficSplit(weights: [34, 33, 33], coverage: 0.8)
        #expect(split.arm(forBucket: 0.2719) == 0)
        #expect(split.arm(forBucket: 0.272) == nil)
        #expect(split.arm(forBucket: 0.34) == 1)
        #expect(split.arm(forBucket: 0.604) == 1)
        #expect(split.arm(forBucket: 0.6041) == nil)
        #expect(split.arm(forBucket: 0.67) == 2)
        #expect(split.arm(forBucket: 0.934) == nil)
    }

    @Test func anEmptyUnitIsNeverEnrolled() throws {
        // GrowthBook skips users whose hash attribute is empty.
        let split = try TrafficSplit(weights: [1])
        let assignment = RolloutAssigner.assign(unit: "", seed: "greeting-prompt", split: split)
        #expect(assignment.arm == nil)
        #expect(assignment.bucket == GrowthBookHash.bucket(seed: "greeting-prompt", unit: ""))
    }
}
