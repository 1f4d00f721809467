#!/usr/bin/env python3
"""Generate golden values for the online (rollout) readout tests.

Usage (from anywhere):

    pip install numpy scipy statsmodels        # gbstats too, for the optional cross-checks
    python3 Tests/PromptLabStatsTests/Online/Fixtures/make-online-fixtures.py

Writes online-readout.json next to this script. The data are drawn from a fixed numpy seed,
so the file only changes when this script or the libraries change. The Swift tests read the
JSON and need no Python.

Oracles:
- ratio metrics: statsmodels OLS on the per-observation values with cluster-robust standard
  errors by unit (the delta-method variance of sum(x)/sum(m) is exactly that), and the
  delta-method formula written out with numpy covariances;
- sample ratio mismatch: scipy.stats.chisquare;
- always-valid intervals and p-values: the mSPRT closed form of STATS.md written out in numpy
  (no library has the variance prior or the per-arm effective n). With an even split and no
  prior, the two-sample values are also checked against GrowthBook's gbstats
  SequentialTwoSidedTTest (n = both arms, tuning doubled) when gbstats is installed;
- units needed: a brute-force scan over n of the closed-form p-value.
"""

import json
import math
import pathlib
import warnings

import numpy as np
import scipy
import statsmodels
import statsmodels.api as sm
from scipy import stats

try:  # Optional: GrowthBook's own implementation, for cross-checks only (never changes the output).
    from gbstats.frequentist.tests import SequentialConfig, SequentialTwoSidedTTest
    from gbstats.models.statistics import RatioStatistic, SampleMeanStatistic
    from gbstats.utils import check_srm

    HAVE_GBSTATS = True
except ImportError:  # pragma: no cover
    HAVE_GBSTATS = False

OUT = pathlib.Path(__file__).resolve().parent / "online-readout.json"
rng = np.random.default_rng(20250611)


def f(x):
    """A plain float for JSON; None for NaN or an infinite bound."""
    if x is None:
        return None
    x = float(x)
    return None if (math.isnan(x) or math.isinf(x)) else x


def close(a, b, rel=1e-9):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


# ----------------------------------------------------------------------------------------------
# Ratio metrics


def unit_sums(pairs):
    """The six sums of UnitMetricSums from per-unit (x_u, m_u)."""
    x = np.array([p[0] for p in pairs], dtype=float)
    m = np.array([p[1] for p in pairs], dtype=float)
    return {
        "units": len(pairs),
        "sum_value": float(x.sum()),
        "sum_value_squared": float((x * x).sum()),
        "sum_count": float(m.sum()),
        "sum_count_squared": float((m * m).sum()),
        "sum_value_count": float((x * m).sum()),
    }


def ratio_from_sums(s):
    """R and var(R-hat) from the sums, by the delta-method formula (n - 1 denominators)."""
    n = s["units"]
    r = s["sum_value"] / s["sum_count"]
    if n < 2:
        return r, 0.0
    mbar = s["sum_count"] / n
    xbar = s["sum_value"] / n
    sxx = (s["sum_value_squared"] - n * xbar * xbar) / (n - 1)
    smm = (s["sum_count_squared"] - n * mbar * mbar) / (n - 1)
    sxm = (s["sum_value_count"] - n * xbar * mbar) / (n - 1)
    return r, max(sxx - 2 * r * sxm + r * r * smm, 0.0) / (n * mbar * mbar)


def ratio_case(name, observations):
    """observations: a list per unit of that unit's observed values."""
    pairs = [(float(np.sum(v)), float(len(v))) for v in observations]
    y = np.concatenate([np.asarray(v, dtype=float) for v in observations])
    groups = np.concatenate([np.full(len(v), i) for i, v in enumerate(observations)])
    fit = sm.OLS(y, np.ones_like(y)).fit(cov_type="cluster", cov_kwds={"groups": groups})
    mean = float(fit.params[0])
    variance = float(fit.bse[0] ** 2)

    # The delta method with numpy's covariances: the same number by another road.
    x = np.array([p[0] for p in pairs])
    m = np.array([p[1] for p in pairs])
    cov = np.cov(np.vstack([x, m]), ddof=1)
    r = x.sum() / m.sum()
    delta = (cov[0, 0] - 2 * r * cov[0, 1] + r * r * cov[1, 1]) / (len(x) * m.mean() ** 2)
    assert close(delta, variance, 1e-10), (name, delta, variance)
    assert close(r, mean, 1e-12)
    if np.all(m == 1):
        assert close(variance, np.var(x, ddof=1) / len(x), 1e-10)
    if HAVE_GBSTATS:
        s = unit_sums(pairs)
        gb = RatioStatistic(
            n=s["units"],
            m_statistic=SampleMeanStatistic(n=s["units"], sum=s["sum_value"], sum_squares=s["sum_value_squared"]),
            d_statistic=SampleMeanStatistic(n=s["units"], sum=s["sum_count"], sum_squares=s["sum_count_squared"]),
            m_d_sum_of_products=s["sum_value_count"],
        )
        assert close(gb.mean, mean, 1e-12) and close(gb.variance / s["units"], variance, 1e-9), name
    return {
        "name": name,
        "units": [[p[0], p[1]] for p in pairs],
        "mean": mean,
        "variance_of_mean": variance,
    }


def ratio_cases():
    cases = []
    cases.append(ratio_case("five units, handmade", [[1, 2], [1], [3, 1, 0, 3], [0], [2, 2, 1]]))
    cases.append(ratio_case("two units", [[4.0, 2.0], [1.0]]))
    conv = rng.binomial(1, 0.3, size=40)
    cases.append(ratio_case("conversion, one observation per unit", [[v] for v in conv]))
    clicks = [rng.binomial(1, 0.12, size=1 + rng.poisson(2)) for _ in range(30)]
    cases.append(ratio_case("click-through per request", clicks))
    latency = [rng.lognormal(6.5, 0.6, size=rng.integers(1, 9)) for _ in range(50)]
    cases.append(ratio_case("latency per request, lognormal", latency))
    scores = [rng.normal(-0.2, 1.5, size=rng.integers(1, 5)) for _ in range(12)]
    cases.append(ratio_case("signed scores", scores))
    heavy = [rng.binomial(1, 0.05, size=m) for m in [1] * 25 + [40, 60, 120]]
    cases.append(ratio_case("a few heavy users", heavy))
    return cases


# ----------------------------------------------------------------------------------------------
# Sample ratio mismatch


def srm_case(units, weights):
    arms = [i for i, w in enumerate(weights) if w > 0]
    obs = np.array([units[i] for i in arms], dtype=float)
    w = np.array([weights[i] for i in arms], dtype=float)
    expected = obs.sum() * w / w.sum()
    chi2, p = stats.chisquare(obs, expected)
    if HAVE_GBSTATS and all(x > 0 for x in weights):
        assert close(check_srm(list(units), list(weights)), p, 1e-9)
    return {
        "units": list(units),
        "weights": list(weights),
        "chi_square": float(chi2),
        "degrees_of_freedom": len(arms) - 1,
        "p_value": float(p),
    }


def srm_cases():
    ref = srm_case([10400, 9600], [0.5, 0.5])
    assert close(ref["chi_square"], 32.0, 1e-12) and abs(ref["p_value"] - 1.5e-8) < 0.1e-8
    return [
        ref,
        srm_case([5050, 4950], [50, 50]),
        srm_case([9050, 950], [0.9, 0.1]),
        srm_case([3300, 3350, 3350], [1, 1, 1]),
        srm_case([1000, 1100, 2000], [0.25, 0.25, 0.5]),
        srm_case([500, 520, 7], [0.5, 0.5, 0]),
        srm_case([2600, 2450, 2520, 2430], [0.25, 0.25, 0.25, 0.25]),
        srm_case([1, 0], [0.5, 0.5]),
    ]


# ----------------------------------------------------------------------------------------------
# Always-valid (mSPRT) results, written out from STATS.md


def rho(alpha, tuning):
    return math.sqrt((-2 * math.log(alpha) + math.log(1 - 2 * math.log(alpha))) / tuning)


def msprt(mean, sigma, n, alpha, tuning):
    """(lower, upper, p) of the closed form; sigma = 0 gives no information."""
    r = rho(alpha, tuning)
    if sigma <= 0:
        return -math.inf, math.inf, 1.0
    spread = n * r * r + 1
    half = sigma * math.sqrt(2 * spread * math.log(math.sqrt(spread) / alpha) / (n * n * r * r))
    p = min(1.0, math.sqrt(spread) * math.exp(-r * r * n * n * mean * mean / (2 * sigma * sigma * spread)))
    return mean - half, mean + half, p


def shrunk_sigma(plugin_variance, n, prior_variance, prior_weight):
    """sqrt of ((n - 1) s^2 + w s0^2) / (n - 1 + w): the variance prior of SequentialPrior."""
    denominator = n - 1 + prior_weight
    if denominator <= 0:
        return 0.0
    return math.sqrt(((n - 1) * plugin_variance + prior_weight * prior_variance) / denominator)


def arm_expected(s, alpha, tuning, bound, minimum):
    n = s["units"]
    r, var = ratio_from_sums(s)
    prior_weight = 1.0 if bound is not None else 0.0
    prior_variance = bound * bound / 4 if bound is not None else 0.0
    sigma = shrunk_sigma(n * var, n, prior_variance, prior_weight)
    lower, upper, p = msprt(r, sigma, n, alpha, tuning)
    below = n < minimum
    if below:
        lower, upper, p = -math.inf, math.inf, 1.0
    return {
        "mean": r,
        "standard_error": math.sqrt(var),
        "sigma": sigma,
        "lower": f(lower),
        "upper": f(upper),
        "p_value": p,
        "below_minimum": below,
    }


def difference_expected(c, t, alpha, tuning, bound, minimum):
    rc, vc = ratio_from_sums(c)
    rt, vt = ratio_from_sums(t)
    nc, nt = c["units"], t["units"]
    n = math.floor(2 * nc * nt / (nc + nt))
    delta = rt - rc
    variance = vc + vt
    prior_weight = 1.0 if bound is not None else 0.0
    prior_variance = bound * bound / 2 if bound is not None else 0.0
    sigma = shrunk_sigma(n * variance, n, prior_variance, prior_weight)
    lower, upper, p = msprt(delta, sigma, n, alpha, tuning)
    below = min(nc, nt) < minimum
    if below:
        lower, upper, p = -math.inf, math.inf, 1.0
    se = math.sqrt(variance)
    naive = min(1.0, 2 * stats.norm.sf(abs(delta) / se)) if se > 0 else 1.0
    relative = None
    if rc != 0:
        factor_t = 1 / rc**2
        factor_c = rt**2 / rc**4
        rel_var = factor_t * vt + factor_c * vc
        rel_sigma = shrunk_sigma(n * rel_var, n, prior_variance * (factor_t + factor_c), prior_weight)
        rl, ru, rp = msprt(delta / rc, rel_sigma, n, alpha, tuning)
        if below:
            rl, ru, rp = -math.inf, math.inf, 1.0
        relative = {"estimate": delta / rc, "sigma": rel_sigma, "lower": f(rl), "upper": f(ru), "p_value": rp}
    return {
        "difference": delta,
        "standard_error": se,
        "effective_units": n,
        "sigma": sigma,
        "rho": rho(alpha, tuning),
        "lower": f(lower),
        "upper": f(upper),
        "p_value": p,
        "fixed_horizon_p_value": float(naive),
        "below_minimum": below,
        "relative": relative,
    }


def gbstats_check(c, t, alpha, tuning, expected):
    """GrowthBook counts both arms and tunes in total units: with an even split and S doubled,
    its interval and p-value are ours (no prior)."""
    if not HAVE_GBSTATS:
        return

    def stat(s):
        return RatioStatistic(
            n=s["units"],
            m_statistic=SampleMeanStatistic(n=s["units"], sum=s["sum_value"], sum_squares=s["sum_value_squared"]),
            d_statistic=SampleMeanStatistic(n=s["units"], sum=s["sum_count"], sum_squares=s["sum_count_squared"]),
            m_d_sum_of_products=s["sum_value_count"],
        )

    for kind in ["absolute", "relative"]:
        config = SequentialConfig(alpha=alpha, sequential_tuning_parameter=2 * tuning, difference_type=kind)
        test = SequentialTwoSidedTTest(stat(c), stat(t), config)
        ours = expected if kind == "absolute" else expected["relative"]
        lo, hi = test.confidence_interval
        assert close(lo, ours["lower"], 1e-9) and close(hi, ours["upper"], 1e-9), (kind, lo, hi, ours)
        assert close(test.p_value, ours["p_value"], 1e-9), (kind, test.p_value, ours["p_value"])


def binary_sums(units, conversions):
    return {
        "units": units,
        "sum_value": float(conversions),
        "sum_value_squared": float(conversions),
        "sum_count": float(units),
        "sum_count_squared": float(units),
        "sum_value_count": float(conversions),
    }


def per_request_sums(units, rate_draw, mean_requests, value_draw):
    pairs = []
    for _ in range(units):
        m = 1 + rng.poisson(mean_requests - 1)
        pairs.append((float(np.sum(value_draw(m))), float(m)))
    return unit_sums(pairs)


def sequential_cases():
    arms = []
    for name, sums, alpha, tuning, bound, minimum in [
        ("conversion 0.31 over 5000 units", binary_sums(5000, 1550), 0.05, 5000, 1.0, 100),
        ("conversion, no prior", binary_sums(5000, 1550), 0.05, 5000, None, 100),
        ("latency per request", per_request_sums(400, None, 3, lambda m: rng.lognormal(6.5, 0.5, m)), 0.05, 1000, None, 100),
        ("below the minimum", binary_sums(60, 20), 0.05, 1000, 1.0, 100),
        ("one unit with a prior", binary_sums(1, 1), 0.05, 100, 1.0, 1),
        ("one unit, unbounded", binary_sums(1, 1), 0.1, 100, None, 1),
    ]:
        arms.append(
            {
                "name": name,
                "sums": sums,
                "alpha": alpha,
                "tuning": tuning,
                "bound": bound,
                "minimum_units": minimum,
                "expected": arm_expected(sums, alpha, tuning, bound, minimum),
            }
        )

    lat = lambda mu: (lambda m: rng.lognormal(mu, 0.5, m))
    clicks = lambda p: (lambda m: rng.binomial(1, p, m).astype(float))
    specs = [
        ("conversion 0.30 vs 0.32, even split, prior", binary_sums(5000, 1500), binary_sums(5000, 1600), 0.05, 5000, 1.0, 100, False),
        ("conversion 0.30 vs 0.32, even split, no prior", binary_sums(5000, 1500), binary_sums(5000, 1600), 0.05, 5000, None, 100, True),
        ("conversion, 90/10 split", binary_sums(9000, 2700), binary_sums(1000, 330), 0.05, 2000, 1.0, 100, False),
        ("conversion, alpha 0.1, short tuning", binary_sums(800, 240), binary_sums(820, 290), 0.1, 200, 1.0, 100, False),
        (
            "latency per request, even split",
            per_request_sums(300, None, 3, lat(6.5)),
            per_request_sums(300, None, 3, lat(6.6)),
            0.05, 1000, None, 100, True,
        ),
        (
            "click-through per request, uneven",
            per_request_sums(180, None, 4, clicks(0.10)),
            per_request_sums(220, None, 4, clicks(0.13)),
            0.05, 500, 1.0, 100, False,
        ),
        ("below the minimum", binary_sums(60, 20), binary_sums(70, 40), 0.05, 1000, 1.0, 100, False),
        ("control mean 0", binary_sums(200, 0), binary_sums(200, 12), 0.05, 1000, 1.0, 100, False),
        (
            "GrowthBook's reference inputs",
            {"units": 3000, "sum_value": 1396.87, "sum_value_squared": 52377.9767, "sum_count": 3000.0, "sum_count_squared": 3000.0, "sum_value_count": 1396.87},
            {"units": 3461, "sum_value": 2422.7, "sum_value_squared": 134698.29, "sum_count": 3461.0, "sum_count_squared": 3461.0, "sum_value_count": 2422.7},
            0.05, 5000, None, 100, False,
        ),
    ]
    differences = []
    for name, c, t, alpha, tuning, bound, minimum, check in specs:
        expected = difference_expected(c, t, alpha, tuning, bound, minimum)
        if check:
            gbstats_check(c, t, alpha, tuning, expected)
        differences.append(
            {
                "name": name,
                "control": c,
                "treatment": t,
                "alpha": alpha,
                "tuning": tuning,
                "bound": bound,
                "minimum_units": minimum,
                "expected": expected,
            }
        )
    return arms, differences


# ----------------------------------------------------------------------------------------------
# Units needed


def log_p(n, effect, sigma, alpha, tuning):
    r2 = rho(alpha, tuning) ** 2
    spread = n * r2 + 1
    return 0.5 * np.log(spread) - effect * effect / (2 * sigma * sigma) * r2 * n * n / spread


def units_needed_case(effect, sigma, current, alpha, tuning, minimum, limit=20_000_000):
    start = max(current, minimum, 1)
    n = np.arange(start, limit + 1, dtype=float)
    hits = np.nonzero(log_p(n, effect, sigma, alpha, tuning) < math.log(alpha))[0]
    more = int(n[hits[0]]) - current if len(hits) else None
    if more is None:  # ln p rises then falls once, so p(cap) >= alpha means no n up to the cap works.
        assert log_p(1e9, effect, sigma, alpha, tuning) >= math.log(alpha)
    return {
        "effect": effect,
        "sigma": sigma,
        "current_units": current,
        "alpha": alpha,
        "tuning": tuning,
        "minimum_units": minimum,
        "more_units": more,
    }


def units_needed_cases():
    return [
        units_needed_case(0.02, 0.65, 2000, 0.05, 5000, 100),
        units_needed_case(0.02, 0.65, 0, 0.05, 5000, 100),
        units_needed_case(0.2, 1.0, 50, 0.05, 1000, 100),
        units_needed_case(0.5, 1.0, 10, 0.05, 100, 100),  # already there at the minimum
        units_needed_case(-0.01, 0.4, 12345, 0.1, 20000, 100),
        units_needed_case(30.0, 900.0, 700, 0.05, 2000, 100),
        units_needed_case(1e-5, 1.0, 100, 0.05, 1000, 100),  # beyond the cap
    ]


def main():
    warnings.simplefilter("error")
    arms, differences = sequential_cases()
    data = {
        "generated_by": "Tests/PromptLabStatsTests/Online/Fixtures/make-online-fixtures.py",
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "statsmodels": statsmodels.__version__},
        "ratio": ratio_cases(),
        "srm": srm_cases(),
        "arm_estimates": arms,
        "differences": differences,
        "units_needed": units_needed_cases(),
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT} (gbstats cross-checks: {'done' if HAVE_GBSTATS else 'skipped'})")


if __name__ == "__main__":
    main()
