import Foundation

// MARK: - Generators

/// SplitMix64 (Steele, Lea and Flood 2014): a tiny generator used to expand one
/// 64-bit seed into the state of ``Xoshiro256StarStar``.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator from a seed; every seed, including 0, is valid.
    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** (Blackman and Vigna 2018), the seeded generator behind every
/// resampling in this module. The same seed gives the same stream on every platform.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a generator whose state is filled from `SplitMix64(seed:)`.
    public init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire 2019).
    /// - Precondition: `bound > 0`, as for `Int.random(in:)`.
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }
}

// MARK: - Binomial and multinomial sampling

extension Xoshiro256StarStar {
    /// An exact draw from Binomial(`trials`, `probability`).
    ///
    /// Uses inversion from zero when min(p, 1−p)·n < 30 and otherwise BTPE
    /// (Kachitvichyanukul and Schmeiser 1988, "Binomial random variate generation"),
    /// whose final accept/reject step here compares against the exact pmf ratio.
    public mutating func nextBinomial(trials n: Int, probability p: Double) -> Int {
        if n <= 0 || p <= 0 { return 0 }
        if p >= 1 { return n }
        let r = min(p, 1 - p)
        let draw = Double(n) * r < 30 ? binomialByInversion(n: n, r: r) : binomialBTPE(n: n, r: r)
        return p > 0.5 ? n - draw : draw
    }

    /// Inversion: walk up the pmf from 0 until the uniform is used up. Requires n·r < 30.
    private mutating func binomialByInversion(n: Int, r: Double) -> Int {
        let q = 1 - r
        let ratio = r / q
        let scaled = Double(n + 1) * ratio
        let start = exp(Double(n) * log1p(-r))
        while true {
            var u = nextUniform()
            var mass = start
            var x = 0
            while x <= n {
                if u < mass { return x }
                u -= mass
                x += 1
                mass *= scaled / Double(x) - ratio
            }
            // Rounding left a sliver of u unused: draw again.
        }
    }

    /// BTPE for n·r ≥ 30 with r ≤ ½. Returns the number of successes with probability r.
    private mutating func binomialBTPE(n: Int, r: Double) -> Int {
        let nd = Double(n)
        let q = 1 - r
        let fm = nd * r + r
        let mode = fm.rounded(.down)
        let npq = nd * r * q
        let p1 = (2.195 * npq.squareRoot() - 4.6 * q).rounded(.down) + 0.5
        let xm = mode + 0.5
        let xl = xm - p1
        let xr = xm + p1
        let c = 0.134 + 20.5 / (15.3 + mode)
        var a = (fm - xl) / (fm - xl * r)
        let lambdaLeft = a * (1 + 0.5 * a)
        a = (xr - fm) / (xr * q)
        let lambdaRight = a * (1 + 0.5 * a)
        let p2 = p1 * (1 + 2 * c)
        let p3 = p2 + c / lambdaLeft
        let p4 = p3 + c / lambdaRight

        while true {
            let u = nextUniform() * p4
            var v = nextUniform()
            var y: Double
            if u <= p1 {
                // Triangular centre: always accepted.
                y = (xm - p1 * v + u).rounded(.down)
                if y >= 0 && y <= nd { return Int(y) }
                continue
            } else if u <= p2 {
                // Parallelograms beside the triangle.
                let x = xl + (u - p1) / c
                v = v * c + 1 - abs(mode - x + 0.5) / p1
                if v > 1 { continue }
                y = x.rounded(.down)
            } else if u <= p3 {
                // Left exponential tail.
                y = (xl + log(v) / lambdaLeft).rounded(.down)
                if !(y >= 0) { continue }
                v *= (u - p2) * lambdaLeft
            } else {
                // Right exponential tail.
                y = (xr - log(v) / lambdaRight).rounded(.down)
                if !(y <= nd) { continue }
                v *= (u - p3) * lambdaRight
            }
            if y < 0 || y > nd { continue }

            // Accept y if v ≤ f(y)/f(mode).
            let distance = abs(y - mode)
            if distance <= 20 || distance >= npq / 2 - 1 {
                // Evaluate the pmf ratio by its recurrence.
                let s = r / q
                let scaled = s * (nd + 1)
                var ratio = 1.0
                if mode < y {
                    var i = mode + 1
                    while i <= y {
                        ratio *= scaled / i - s
                        i += 1
                    }
                } else if mode > y {
                    var i = y + 1
                    while i <= mode {
                        ratio /= scaled / i - s
                        i += 1
                    }
                }
                if v <= ratio { return Int(y) }
                continue
            }
            // Squeeze with bounds on ln f(y)/f(mode), then the exact value if needed.
            let logV = log(v)
            let rho = (distance / npq) * ((distance * (distance / 3 + 0.625) + 1.0 / 6) / npq + 0.5)
            let t = -distance * distance / (2 * npq)
            if logV < t - rho { return Int(y) }
            if logV > t + rho { continue }
            let logRatio =
                SpecialFunctions.logGamma(mode + 1) + SpecialFunctions.logGamma(nd - mode + 1)
                - SpecialFunctions.logGamma(y + 1) - SpecialFunctions.logGamma(nd - y + 1)
                + (y - mode) * log(r / q)
            if logV <= logRatio { return Int(y) }
        }
    }

    /// An exact multinomial draw of `total` items over categories with the given
    /// weights, by sequential conditional binomial draws. O(k) draws for k categories.
    ///
    /// - Parameters:
    ///   - total: Number of items to distribute.
    ///   - weights: Non-negative integer weights (for a bootstrap, the observed counts).
    ///   - counts: Receives one count per category; resized to `weights.count`.
    public mutating func nextMultinomial(total: Int, weights: [Int], into counts: inout [Int]) {
        if counts.count != weights.count { counts = [Int](repeating: 0, count: weights.count) }
        var remainingItems = total
        var remainingWeight = weights.reduce(0, +)
        for index in weights.indices {
            let weight = weights[index]
            if remainingItems == 0 || weight == 0 {
                counts[index] = 0
            } else if weight >= remainingWeight {
                counts[index] = remainingItems
                remainingItems = 0
            } else {
                let draw = nextBinomial(
                    trials: remainingItems, probability: Double(weight) / Double(remainingWeight))
                counts[index] = draw
                remainingItems -= draw
            }
            remainingWeight -= weight
        }
    }
}
