import Foundation

// Probability distributions used by the tests: cumulative distribution (`cdf`),
// survival function (`sf` = 1 − cdf, computed directly so that small upper tails
// keep their precision) and quantile (inverse cdf). Names follow scipy.stats.

// MARK: - Normal

/// The standard normal distribution.
public enum Normal {
    /// The density φ(x).
    public static func pdf(_ x: Double) -> Double {
        exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
    }

    private static let sqrtHalf = 0.707_106_781_186_547_524_40

    /// Φ(x) = P(Z ≤ x).
    public static func cdf(_ x: Double) -> Double {
        let scaled = x * sqrtHalf
        if abs(scaled) < sqrtHalf { return 0.5 + 0.5 * erf(scaled) }
        return x < 0 ? 0.5 * erfc(-scaled) : 1 - 0.5 * erfc(scaled)
    }

    /// 1 − Φ(x) = P(Z > x).
    public static func sf(_ x: Double) -> Double {
        cdf(-x)
    }

    /// The quantile Φ⁻¹(p) (scipy's `ndtri`).
    ///
    /// Starts from the Abramowitz–Stegun 26.2.23 approximation and polishes it with
    /// Halley steps on the tail probability, which gives full double precision.
    public static func quantile(_ p: Double) -> Double {
        guard p >= 0, p <= 1 else { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p == 0.5 { return 0 }
        let tail = min(p, 1 - p)
        // Solve sf(y) = tail for y > 0.
        let t = (-2 * log(tail)).squareRoot()
        var y =
            t - (2.515_517 + 0.802_853 * t + 0.010_328 * t * t)
            / (1 + 1.432_788 * t + 0.189_269 * t * t + 0.001_308 * t * t * t)
        y = max(y, 1e-12)
        for _ in 0..<8 {
            let residual = sf(y) - tail
            let density = pdf(y)
            guard density > 0 else { break }
            let newton = -residual / density
            let step = newton / (1 + 0.5 * y * newton)
            y -= step
            if abs(step) <= 1e-15 * abs(y) { break }
        }
        return p < 0.5 ? -y : y
    }

    /// Φ⁻¹(1 − q), accurate when q is tiny.
    public static func upperQuantile(_ q: Double) -> Double {
        -quantile(q)
    }
}

// MARK: - Student's t

/// Student's t distribution with `df` degrees of freedom.
public enum StudentT {
    /// The density at `t`.
    public static func pdf(_ t: Double, df: Double) -> Double {
        let logDensity =
            SpecialFunctions.logGamma((df + 1) / 2) - SpecialFunctions.logGamma(df / 2)
            - 0.5 * log(df * Double.pi) - (df + 1) / 2 * log1p(t * t / df)
        return exp(logDensity)
    }

    /// P(T ≤ t).
    public static func cdf(_ t: Double, df: Double) -> Double {
        guard df > 0, !t.isNaN else { return .nan }
        if t == .infinity { return 1 }
        if t == -.infinity { return 0 }
        let tail = lowerTail(-abs(t), df: df)
        return t < 0 ? tail : 1 - tail
    }

    /// P(T > t).
    public static func sf(_ t: Double, df: Double) -> Double {
        cdf(-t, df: df)
    }

    /// P(T ≤ −|t|) through the incomplete beta function, with x and 1 − x formed exactly.
    private static func lowerTail(_ t: Double, df: Double) -> Double {
        let t2 = t * t
        let x = df / (df + t2)
        let y = t2 / (df + t2)
        return 0.5 * SpecialFunctions.regularizedIncompleteBeta(a: df / 2, b: 0.5, x: x, y: y).lower
    }

    /// The quantile: the t with P(T ≤ t) = p.
    public static func quantile(_ p: Double, df: Double) -> Double {
        guard p >= 0, p <= 1, df > 0 else { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p == 0.5 { return 0 }
        let tail = min(p, 1 - p)
        // Find y > 0 with sf(y) = tail; sf is decreasing so solve tail − sf(y) = 0.
        var upper = max(1.0, -Normal.quantile(tail) * 2)
        while sf(upper, df: df) > tail { upper *= 2 }
        let start = -Normal.quantile(tail)
        let y = SpecialFunctions.solveIncreasing(start: start, lower: 0, upper: upper) { y in
            (tail - sf(y, df: df), pdf(y, df: df))
        }
        return p < 0.5 ? -y : y
    }
}

// MARK: - Beta

/// The beta distribution with shape parameters `a` and `b`.
public enum BetaDistribution {
    /// The density at `x`.
    public static func pdf(_ x: Double, a: Double, b: Double) -> Double {
        guard x > 0, x < 1 else {
            if x == 0 { return a < 1 ? .infinity : (a == 1 ? b : 0) }
            if x == 1 { return b < 1 ? .infinity : (b == 1 ? a : 0) }
            return 0
        }
        return exp((a - 1) * log(x) + (b - 1) * log1p(-x) - SpecialFunctions.logBeta(a, b))
    }

    /// P(X ≤ x).
    public static func cdf(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        return SpecialFunctions.regularizedIncompleteBeta(a: a, b: b, x: x).lower
    }

    /// P(X > x).
    public static func sf(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 1 }
        if x >= 1 { return 0 }
        return SpecialFunctions.regularizedIncompleteBeta(a: a, b: b, x: x).upper
    }

    /// The quantile: the x with P(X ≤ x) = p.
    public static func quantile(_ p: Double, a: Double, b: Double) -> Double {
        guard p >= 0, p <= 1, a > 0, b > 0 else { return .nan }
        if p == 0 { return 0 }
        if p == 1 { return 1 }
        let mean = a / (a + b)
        return SpecialFunctions.solveIncreasing(start: mean, lower: 0, upper: 1) { x in
            let residual = p < 0.5 ? cdf(x, a: a, b: b) - p : (1 - p) - sf(x, a: a, b: b)
            return (residual, pdf(x, a: a, b: b))
        }
    }
}

// MARK: - Binomial

/// The binomial distribution with `n` trials and success probability `p`.
public enum Binomial {
    /// P(X = k), by Loader's saddle-point expansion, which keeps full relative
    /// precision even for large n (the method R and scipy use).
    public static func pmf(_ k: Int, n: Int, p: Double) -> Double {
        guard n >= 0, p >= 0, p <= 1 else { return .nan }
        if k < 0 || k > n { return 0 }
        let q = 1 - p
        if p == 0 { return k == 0 ? 1 : 0 }
        if q == 0 { return k == n ? 1 : 0 }
        if k == 0 { return exp(Double(n) * log1p(-p)) }
        if k == n { return exp(Double(n) * log(p)) }
        let nd = Double(n)
        let kd = Double(k)
        let rest = nd - kd
        let exponent =
            SpecialFunctions.stirlingError(nd) - SpecialFunctions.stirlingError(kd)
            - SpecialFunctions.stirlingError(rest)
            - SpecialFunctions.binomialDeviance(kd, nd * p)
            - SpecialFunctions.binomialDeviance(rest, nd * q)
        return exp(exponent) * (nd / (2 * Double.pi * kd * rest)).squareRoot()
    }

    /// P(X ≤ k).
    public static func cdf(_ k: Int, n: Int, p: Double) -> Double {
        guard n >= 0, p >= 0, p <= 1 else { return .nan }
        if k < 0 { return 0 }
        if k >= n { return 1 }
        return SpecialFunctions.regularizedIncompleteBeta(
            a: Double(n - k), b: Double(k + 1), x: 1 - p, y: p
        ).lower
    }

    /// P(X > k).
    public static func sf(_ k: Int, n: Int, p: Double) -> Double {
        guard n >= 0, p >= 0, p <= 1 else { return .nan }
        if k < 0 { return 1 }
        if k >= n { return 0 }
        return SpecialFunctions.regularizedIncompleteBeta(
            a: Double(k + 1), b: Double(n - k), x: p, y: 1 - p
        ).lower
    }

    /// The smallest k with P(X ≤ k) ≥ q (scipy's `binom.ppf`).
    public static func quantile(_ q: Double, n: Int, p: Double) -> Int {
        guard q >= 0, q <= 1, n >= 0 else { return -1 }
        if q == 0 { return 0 }
        let guess = Double(n) * p + Normal.quantile(q) * (Double(n) * p * (1 - p)).squareRoot()
        var k = min(max(Int(guess.isFinite ? guess.rounded() : 0), 0), n)
        while k > 0 && cdf(k - 1, n: n, p: p) >= q { k -= 1 }
        while k < n && cdf(k, n: n, p: p) < q { k += 1 }
        return k
    }
}

// MARK: - Chi-square

/// The chi-square distribution with `df` degrees of freedom.
public enum ChiSquared {
    /// P(X ≤ x).
    public static func cdf(_ x: Double, df: Double) -> Double {
        if x <= 0 { return 0 }
        return SpecialFunctions.regularizedIncompleteGamma(a: df / 2, x: x / 2).lower
    }

    /// P(X > x).
    public static func sf(_ x: Double, df: Double) -> Double {
        if x <= 0 { return 1 }
        return SpecialFunctions.regularizedIncompleteGamma(a: df / 2, x: x / 2).upper
    }
}
