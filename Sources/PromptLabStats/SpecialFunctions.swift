import Foundation

/// Special functions that the distributions are built on.
///
/// Everything here is written for positive, finite arguments. Invalid
/// arguments give `.nan`, as scipy does, rather than trapping.
public enum SpecialFunctions {

    // MARK: - Gamma

    /// The natural logarithm of the gamma function, for `x > 0`.
    ///
    /// Uses the recurrence Γ(x) = Γ(x+1)/x to move the argument to at least 10,
    /// then Stirling's series with seven correction terms (absolute error about 1e-15).
    /// Written here rather than calling the C library's `lgamma`, which writes the
    /// global `signgam` and is therefore not safe to call from several threads.
    public static func logGamma(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return x == .infinity ? .infinity : .nan }
        var z = x
        var shift = 0.0
        while z < 10 {
            shift += log(z)
            z += 1
        }
        return stirlingLogGamma(z) - shift
    }

    /// Stirling's series for log Γ(z), accurate for z ≥ 10.
    private static func stirlingLogGamma(_ z: Double) -> Double {
        let halfLogTwoPi = 0.918_938_533_204_672_741_78
        return (z - 0.5) * log(z) - z + halfLogTwoPi + stirlingCorrection(z)
    }

    /// The Stirling correction log Γ(z) − [(z − ½) ln z − z + ½ ln 2π] for z ≥ 10.
    static func stirlingCorrection(_ z: Double) -> Double {
        let w = 1 / (z * z)
        // Bernoulli-number coefficients B_{2k} / (2k (2k − 1)).
        let series =
            1.0 / 12
            - w
            * (1.0 / 360
                - w
                * (1.0 / 1260
                    - w
                    * (1.0 / 1680
                        - w
                        * (1.0 / 1188
                            - w
                            * (691.0 / 360_360
                                - w * (1.0 / 156))))))
        return series / z
    }

    /// The natural logarithm of the beta function B(a, b).
    ///
    /// When the larger argument is at least 10, ln Γ(big) − ln Γ(big + small) is formed
    /// from Stirling's series directly, which avoids cancelling two large logarithms.
    public static func logBeta(_ a: Double, _ b: Double) -> Double {
        guard a > 0, b > 0 else { return .nan }
        let big = max(a, b)
        let small = min(a, b)
        if big < 10 { return logGamma(a) + logGamma(b) - logGamma(a + b) }
        return logGamma(small) + logGammaRatio(big, small)
    }

    /// ln Γ(a) − ln Γ(a + b) for a ≥ 10 and b > 0.
    static func logGammaRatio(_ a: Double, _ b: Double) -> Double {
        -(a - 0.5) * log1p(b / a) - b * log(a + b) + b + stirlingCorrection(a) - stirlingCorrection(a + b)
    }

    /// ln(n!) − ln(√(2πn) (n/e)ⁿ), the error of Stirling's formula, for integer-valued n ≥ 1.
    static func stirlingError(_ n: Double) -> Double {
        if n > 15 { return stirlingCorrection(n) }
        let halfLogTwoPi = 0.918_938_533_204_672_741_78
        return logGamma(n + 1) - (n + 0.5) * log(n) + n - halfLogTwoPi
    }

    /// The deviance term x ln(x/m) + m − x, computed without cancellation when x ≈ m.
    static func binomialDeviance(_ x: Double, _ m: Double) -> Double {
        if abs(x - m) < 0.1 * (x + m) {
            var v = (x - m) / (x + m)
            var sum = (x - m) * v
            var term = 2 * x * v
            v *= v
            var j = 1.0
            while j < 1000 {
                term *= v
                let next = sum + term / (2 * j + 1)
                if next == sum { return next }
                sum = next
                j += 1
            }
            return sum
        }
        return x * log(x / m) + m - x
    }

    // MARK: - Incomplete beta

    /// The regularized incomplete beta function Iₓ(a, b) and its complement.
    ///
    /// - Parameters:
    ///   - a: First shape parameter, > 0.
    ///   - b: Second shape parameter, > 0.
    ///   - x: The point, in [0, 1].
    ///   - y: 1 − x, passed separately so that callers who know it exactly keep full precision.
    /// - Returns: `(lower: Iₓ(a,b), upper: 1 − Iₓ(a,b))`, each computed directly
    ///   from the side where the continued fraction converges, so that both tails are
    ///   accurate in relative terms.
    public static func regularizedIncompleteBeta(
        a: Double, b: Double, x: Double, y: Double? = nil
    ) -> (lower: Double, upper: Double) {
        let y = y ?? (1 - x)
        guard a > 0, b > 0, x >= 0, x <= 1, !a.isNaN, !b.isNaN else { return (.nan, .nan) }
        if x == 0 { return (0, 1) }
        if y == 0 { return (1, 0) }
        if x <= (a + 1) / (a + b + 2) {
            let value = betaContinuedFractionTerm(a: a, b: b, x: x, y: y)
            return (value, 1 - value)
        } else {
            let value = betaContinuedFractionTerm(a: b, b: a, x: y, y: x)
            return (1 - value, value)
        }
    }

    /// xᵃ yᵇ / (a B(a,b)) times the continued fraction for Iₓ(a, b); converges fast when
    /// x < (a+1)/(a+b+2).
    private static func betaContinuedFractionTerm(a: Double, b: Double, x: Double, y: Double) -> Double {
        let front = powerTermsOverBeta(a: a, b: b, x: x, y: y) / a
        let tiny = 1e-300
        let epsilon = 1e-15
        // Modified Lentz evaluation of the continued fraction.
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        var m = 1.0
        while m < 100_000 {
            let m2 = 2 * m
            var coefficient = m * (b - m) * x / ((a - 1 + m2) * (a + m2))
            d = 1 + coefficient * d
            if abs(d) < tiny { d = tiny }
            c = 1 + coefficient / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            coefficient = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2))
            d = 1 + coefficient * d
            if abs(d) < tiny { d = tiny }
            c = 1 + coefficient / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
            m += 1
        }
        return front * h
    }

    /// xᵃ yᵇ / B(a, b). For a, b ≥ 10 it is written with Stirling's series and the
    /// deviance terms, x^a y^b / B(a,b) = √(ab / (2π(a+b))) · exp(−D(a, (a+b)x) − D(b, (a+b)y)
    /// + c(a+b) − c(a) − c(b)), which keeps full precision when a and b are large.
    static func powerTermsOverBeta(a: Double, b: Double, x: Double, y: Double) -> Double {
        if a >= 10 && b >= 10 {
            let total = a + b
            let exponent =
                -binomialDeviance(a, total * x) - binomialDeviance(b, total * y)
                + stirlingCorrection(total) - stirlingCorrection(a) - stirlingCorrection(b)
            return exp(exponent) * (a * b / (2 * Double.pi * total)).squareRoot()
        }
        // Take the logarithm of whichever of x and y is further from 1.
        let logX = x < 0.5 ? log(x) : log1p(-y)
        let logY = y < 0.5 ? log(y) : log1p(-x)
        return exp(a * logX + b * logY - logBeta(a, b))
    }

    // MARK: - Incomplete gamma

    /// The regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 − P(a, x).
    public static func regularizedIncompleteGamma(a: Double, x: Double) -> (lower: Double, upper: Double) {
        guard a > 0, x >= 0, !a.isNaN, !x.isNaN else { return (.nan, .nan) }
        if x == 0 { return (0, 1) }
        if x == .infinity { return (1, 0) }
        let logFront = a * log(x) - x - logGamma(a)
        if x < a + 1 {
            // Power series for P.
            var term = 1 / a
            var sum = term
            var k = 1.0
            while k < 100_000 {
                term *= x / (a + k)
                sum += term
                if abs(term) < abs(sum) * 1e-17 { break }
                k += 1
            }
            let lower = exp(logFront) * sum
            return (lower, 1 - lower)
        }
        // Continued fraction for Q (Lentz).
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        var i = 1.0
        while i < 100_000 {
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
            i += 1
        }
        let upper = exp(logFront) * h
        return (1 - upper, upper)
    }

    // MARK: - Root finding

    /// Solves `f(x) = 0` for an increasing function on `[lower, upper]` by Newton steps
    /// that fall back to bisection whenever a step leaves the bracket.
    ///
    /// - Parameters:
    ///   - start: First guess; clamped into the bracket.
    ///   - lower: A finite point with `f(lower) ≤ 0`.
    ///   - upper: A finite point with `f(upper) ≥ 0`.
    ///   - f: Returns the residual and its derivative.
    static func solveIncreasing(
        start: Double, lower: Double, upper: Double,
        _ f: (Double) -> (value: Double, slope: Double)
    ) -> Double {
        var lo = lower
        var hi = upper
        var x = min(max(start, lo), hi)
        for _ in 0..<300 {
            let (value, slope) = f(x)
            if value == 0 { return x }
            if value < 0 { lo = x } else { hi = x }
            var next = x - value / slope
            if !(next > lo && next < hi) || !next.isFinite {
                next = 0.5 * (lo + hi)
            }
            if abs(next - x) <= 4 * Double.ulpOfOne * max(abs(x), 1e-300) { return next }
            if hi - lo <= 4 * Double.ulpOfOne * max(abs(lo), abs(hi)) { return next }
            x = next
        }
        return x
    }
}
