/// GrowthBook's published hashing, reproduced bit for bit so that an application using a GrowthBook SDK
/// with the same seed and unit lands in the same bucket as PromptLab.
///
/// The reference is the JavaScript SDK (`packages/sdk-js/src/util.ts`, functions `hashFnv32a` and `hash`):
/// <https://github.com/growthbook/growthbook/blob/main/packages/sdk-js/src/util.ts>.
///
/// Strings are hashed as UTF-16 code units, as JavaScript's `charCodeAt` sees them, and without Unicode
/// normalisation. For text inside the Basic Multilingual Plane a code unit is a code point, so every SDK
/// agrees. A character outside it (most emoji, for example) is two code units (a surrogate pair);
/// the Python SDK before 4.0 hashed it as one code point and so put such units in a different bucket than
/// the JavaScript SDK and PromptLab do.
public enum GrowthBookHash {
    /// FNV-1a, 32-bit, over the UTF-16 code units of `text`.
    public static func fnv1a32(_ text: String) -> UInt32 {
        var hasher = FNV1a32()
        hasher.combine(text)
        return hasher.value
    }

    /// The bucket in [0, 1) that GrowthBook's `hash(seed, value, version)` gives a unit.
    ///
    /// Version 2 (the default for new GrowthBook experiments) has 10,000 buckets and is unbiased;
    /// version 1 has 1,000 and is kept only so older experiments can be matched.
    /// - Returns: `k / 10000` (version 2) or `k / 1000` (version 1); `nil` for any other version,
    ///   where GrowthBook returns `null` and includes nobody.
    public static func bucket(seed: String, unit: String, version: Int = 2) -> Double? {
        switch version {
        case 2: return bucketV2(seed: seed, unit: unit)
        case 1: return bucketV1(seed: seed, unit: unit)
        default: return nil
        }
    }

    /// Version 2: `fnv1a32(String(fnv1a32(seed + unit))) % 10000 / 10000`.
    static func bucketV2(seed: String, unit: String) -> Double {
        // FNV-1a is a fold over code units, so hashing seed then unit equals hashing their concatenation,
        // without building the concatenated string.
        var inner = FNV1a32()
        inner.combine(seed)
        inner.combine(unit)
        var outer = FNV1a32()
        outer.combineDecimalDigits(of: inner.value)
        return Double(outer.value % 10_000) / 10_000
    }

    /// Version 1: `fnv1a32(unit + seed) % 1000 / 1000` (note the reversed order).
    static func bucketV1(seed: String, unit: String) -> Double {
        var hasher = FNV1a32()
        hasher.combine(unit)
        hasher.combine(seed)
        return Double(hasher.value % 1_000) / 1_000
    }
}
