import Foundation
import Testing

@testable import PromptLabStats

@Suite("Distributions against scipy.stats")
struct DistributionTests {
    let fixtures = Fixtures.shared.distributions

    @Test func normalQuantile() {
        for c in fixtures.normalQuantile {
            #expect(isClose(Normal.quantile(c.p), c.quantile, rel: 1e-13, abs: 1e-15), "p = \(c.p)")
        }
        #expect(Normal.quantile(0) == -.infinity)
        #expect(Normal.quantile(1) == .infinity)
        #expect(Normal.quantile(1.5).isNaN)
    }

    @Test func normalCDF() {
        for c in fixtures.normalCdf {
            #expect(isClose(Normal.cdf(c.x), c.cdf, rel: 1e-13), "x = \(c.x)")
            #expect(isClose(Normal.sf(c.x), c.sf, rel: 1e-13), "x = \(c.x)")
        }
    }

    @Test func studentT() {
        for c in fixtures.studentT {
            #expect(isClose(StudentT.quantile(c.p, df: c.df), c.quantile, rel: 1e-10), "p = \(c.p), df = \(c.df)")
            #expect(isClose(StudentT.cdf(c.x, df: c.df), c.cdf, rel: 1e-11), "x = \(c.x), df = \(c.df)")
            #expect(isClose(StudentT.sf(c.x, df: c.df), c.sf, rel: 1e-11), "x = \(c.x), df = \(c.df)")
        }
    }

    @Test func beta() {
        for c in fixtures.beta {
            #expect(isClose(BetaDistribution.cdf(c.x, a: c.a, b: c.b), c.cdf, rel: 1e-9, abs: 1e-300), "a = \(c.a), b = \(c.b), x = \(c.x)")
            #expect(isClose(BetaDistribution.sf(c.x, a: c.a, b: c.b), c.sf, rel: 1e-9, abs: 1e-300), "a = \(c.a), b = \(c.b), x = \(c.x)")
            #expect(isClose(BetaDistribution.quantile(c.q, a: c.a, b: c.b), c.quantile, rel: 1e-9), "a = \(c.a), b = \(c.b), q = \(c.q)")
        }
    }

    @Test func binomial() {
        for c in fixtures.binomial {
            #expect(isClose(Binomial.pmf(c.k, n: c.n, p: c.p), c.pmf, rel: 1e-11, abs: 1e-300), "k = \(c.k), n = \(c.n), p = \(c.p)")
            #expect(isClose(Binomial.cdf(c.k, n: c.n, p: c.p), c.cdf, rel: 1e-10, abs: 1e-300), "k = \(c.k), n = \(c.n), p = \(c.p)")
            #expect(isClose(Binomial.sf(c.k, n: c.n, p: c.p), c.sf, rel: 1e-10, abs: 1e-300), "k = \(c.k), n = \(c.n), p = \(c.p)")
            #expect(Binomial.quantile(c.q, n: c.n, p: c.p) == c.quantile, "q = \(c.q), n = \(c.n), p = \(c.p)")
        }
    }

    @Test func chiSquare() {
        for c in fixtures.chi2 {
            #expect(isClose(ChiSquared.cdf(c.x, df: c.df), c.cdf, rel: 1e-11), "x = \(c.x), df = \(c.df)")
            #expect(isClose(ChiSquared.sf(c.x, df: c.df), c.sf, rel: 1e-11), "x = \(c.x), df = \(c.df)")
        }
    }

    @Test func logGamma() {
        // Γ(n) = (n − 1)! and Γ(½) = √π.
        var factorial = 1.0
        for n in 1...30 {
            #expect(isClose(SpecialFunctions.logGamma(Double(n)), log(factorial), rel: 1e-14, abs: 1e-14), "n = \(n)")
            factorial *= Double(n)
        }
        #expect(isClose(SpecialFunctions.logGamma(0.5), 0.5 * log(Double.pi), rel: 1e-14))
        #expect(SpecialFunctions.logGamma(-1).isNaN)
    }
}
