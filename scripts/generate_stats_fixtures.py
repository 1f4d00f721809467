#!/usr/bin/env python3
"""Generate golden values for the PromptLabStats tests from scipy and statsmodels.

Usage (from the repository root):

    pip install numpy scipy statsmodels
    python3 scripts/generate_stats_fixtures.py

Writes Tests/PromptLabStatsTests/Fixtures/stats_fixtures.json. The data are random
but drawn from a fixed numpy seed, so the file only changes when the library
versions or this script change. The Swift tests read the JSON and need no Python.

Where scipy or statsmodels has no function for a formula in docs (STATS.md), the
oracle below is written out in numpy from the formula itself: mSPRT, the power
formulas, and the Bradley-Terry loss (minimised with scipy.optimize).
"""

import json
import pathlib
import warnings

import numpy as np
import scipy
import statsmodels
import statsmodels.api as sm
from scipy import optimize, stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "PromptLabStatsTests" / "Fixtures" / "stats_fixtures.json"
rng = np.random.default_rng(20240607)


def f(x):
    """A plain float for JSON (None for NaN)."""
    x = float(x)
    return None if np.isnan(x) else x


def floats(xs):
    return [float(x) for x in xs]


# MARK: - Distributions

def distributions():
    normal = []
    ps = [1e-300, 1e-100, 1e-20, 1e-10, 1e-6, 0.001, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3,
          0.5, 0.6, 0.8, 0.9, 0.95, 0.975, 0.99, 0.999, 1 - 1e-6, 1 - 1e-10]
    ps += list(rng.uniform(0, 1, 20))
    for p in ps:
        normal.append({"p": float(p), "quantile": float(stats.norm.ppf(p))})
    normal_cdf = []
    for x in list(rng.normal(0, 3, 25)) + [-37.0, -20.0, -8.0, 0.0, 8.0]:
        normal_cdf.append({"x": float(x), "cdf": float(stats.norm.cdf(x)), "sf": float(stats.norm.sf(x))})

    student = []
    for _ in range(40):
        df = float(rng.choice([1, 2, 3, 4, 5, 9, 14, 29, 49, 99, 999, 99999])) if rng.uniform() < 0.7 else float(rng.uniform(0.5, 60))
        p = float(rng.choice([0.0005, 0.005, 0.025, 0.05, 0.1, 0.9, 0.95, 0.975, 0.995])) if rng.uniform() < 0.5 else float(rng.uniform(0.001, 0.999))
        x = float(rng.normal(0, 4))
        student.append({"df": df, "p": p, "quantile": float(stats.t.ppf(p, df)),
                        "x": x, "cdf": float(stats.t.cdf(x, df)), "sf": float(stats.t.sf(x, df))})

    beta = []
    for _ in range(40):
        if rng.uniform() < 0.5:
            w, l = int(rng.integers(0, 300)), int(rng.integers(0, 300))
            a, b = w + 1.0, l + 1.0
        elif rng.uniform() < 0.5:
            w = int(rng.integers(0, 60000))
            l = int(max(0, w + rng.normal(0, 3 * np.sqrt(w + 1))))
            a, b = w + 1.0, l + 1.0
        else:
            a, b = float(rng.uniform(0.2, 20)), float(rng.uniform(0.2, 20))
        x = 0.5 if rng.uniform() < 0.5 else float(rng.uniform(0.01, 0.99))
        q = float(rng.uniform(0.01, 0.99))
        beta.append({"a": a, "b": b, "x": x, "cdf": float(stats.beta.cdf(x, a, b)),
                     "sf": float(stats.beta.sf(x, a, b)), "q": q,
                     "quantile": float(stats.beta.ppf(q, a, b))})

    binom = []
    for _ in range(40):
        n = int(rng.choice([1, 5, 12, 40, 100, 1000, 100000])) if rng.uniform() < 0.6 else int(rng.integers(1, 3000))
        p = float(rng.uniform(0.001, 0.999)) if rng.uniform() < 0.8 else 0.5
        k = int(np.clip(round(rng.normal(n * p, 2 * np.sqrt(n * p * (1 - p)) + 1)), 0, n))
        q = float(rng.uniform(0.001, 0.999))
        binom.append({"n": n, "p": p, "k": k, "pmf": float(stats.binom.pmf(k, n, p)),
                      "cdf": float(stats.binom.cdf(k, n, p)), "sf": float(stats.binom.sf(k, n, p)),
                      "q": q, "quantile": int(stats.binom.ppf(q, n, p))})

    chi2 = []
    for _ in range(25):
        df = float(rng.choice([1, 1, 1, 2, 3, 7, 30]))
        x = float(rng.exponential(3 * df))
        chi2.append({"df": df, "x": x, "cdf": float(stats.chi2.cdf(x, df)), "sf": float(stats.chi2.sf(x, df))})
    return {"normal_quantile": normal, "normal_cdf": normal_cdf, "student_t": student,
            "beta": beta, "binomial": binom, "chi2": chi2}


# MARK: - Proportions and binary tests

def binomial_tests():
    out = []
    for i in range(40):
        n = int(rng.integers(1, 400)) if i % 4 else int(rng.integers(400, 20000))
        p = 0.5 if i % 3 == 0 else float(rng.uniform(0.02, 0.98))
        k = int(np.clip(round(rng.normal(n * p, 1.5 * np.sqrt(n * p * (1 - p)) + 1)), 0, n))
        alternative = ["two-sided", "two-sided", "less", "greater"][i % 4]
        out.append({"k": k, "n": n, "p": p, "alternative": alternative,
                    "pvalue": float(stats.binomtest(k, n, p, alternative=alternative).pvalue)})
    return out


def wilson():
    out = []
    for i in range(40):
        n = int(rng.integers(1, 60)) if i % 2 else int(rng.integers(60, 100000))
        k = int(rng.integers(0, n + 1)) if i % 7 else (0 if i % 2 else n)
        level = [0.95, 0.95, 0.9, 0.99][i % 4]
        ci = stats.binomtest(k, n).proportion_ci(level, method="wilson")
        out.append({"k": k, "n": n, "level": level, "lower": float(ci.low), "upper": float(ci.high)})
    return out


def mcnemar_cases():
    out = []
    for i in range(40):
        scale = [5, 20, 100, 1000][i % 4]
        table = rng.integers(0, scale, size=(2, 2))
        if table[0, 1] + table[1, 0] == 0:
            table[0, 1] = 1
        exact = mcnemar(table, exact=True)
        chi = mcnemar(table, exact=False, correction=True)
        out.append({"table": table.tolist(), "exact_p": float(exact.pvalue), "exact_statistic": float(exact.statistic),
                    "chi2": float(chi.statistic), "chi2_p": float(chi.pvalue)})
    return out


def sign_and_win_rate():
    out = []
    for i in range(40):
        n = int(rng.integers(2, 80)) if i % 3 else int(rng.integers(80, 5000))
        probs = rng.dirichlet([2, 1, 2])
        counts = rng.multinomial(n, probs)
        w, t, l = (int(c) for c in counts)
        s = np.array([1.0] * w + [0.5] * t + [0.0] * l)
        level = 0.95 if i % 5 else 0.9
        res = stats.ttest_1samp(s, 0.5)
        ci = res.confidence_interval(level)
        sign = stats.binomtest(w, w + l, 0.5).pvalue if w + l > 0 else 1.0
        out.append({"wins": w, "ties": t, "losses": l, "level": level, "rate": float(s.mean()),
                    "se": float(stats.sem(s)), "lower": f(ci.low), "upper": f(ci.high),
                    "sign_p": float(sign), "chance_to_beat": float(stats.beta.sf(0.5, w + 1, l + 1))})
    return out


# MARK: - Paired tests

def paired_t():
    out = []
    for i in range(40):
        n = int(rng.integers(2, 25)) if i % 2 else int(rng.integers(25, 400))
        control = rng.normal(5, 2, n)
        if i % 3 == 0:
            control = np.round(control)
            variant = control + rng.integers(-2, 3, n)
        else:
            variant = control + rng.normal(rng.uniform(-0.5, 0.5), rng.uniform(0.2, 2), n)
        control, variant = np.round(control, 6), np.round(variant, 6)
        if np.all(variant - control == (variant - control)[0]):
            variant[0] += 1
        level = 0.95 if i % 4 else 0.99
        res = stats.ttest_rel(variant, control)
        ci = res.confidence_interval(level)
        out.append({"control": floats(control), "variant": floats(variant), "level": level,
                    "statistic": float(res.statistic), "pvalue": float(res.pvalue), "df": int(res.df),
                    "lower": float(ci.low), "upper": float(ci.high)})
    return out


def auto_method(d):
    """scipy's choice for method='auto' (scipy/stats/_wilcoxon.py)."""
    if len(d) > 50:
        return "asymptotic"
    nz = d[d != 0]
    has_ties = len(np.unique(np.abs(nz))) < len(nz)
    if not has_ties and np.all(d != 0):
        return "exact"
    if len(d) <= 13:
        return "permutation"
    return "asymptotic"


def wilcoxon_cases():
    out = []
    configs = []
    for i in range(120):
        kind = i % 6
        if kind == 0:      # continuous, no ties: exact under auto for n <= 50
            n = int(rng.integers(5, 50))
            d = np.round(rng.normal(rng.uniform(-0.5, 0.8), 1, n), 6)
        elif kind == 1:    # integer score differences: ties and zeros
            n = int(rng.integers(14, 90))
            d = rng.integers(-3, 5, n).astype(float)
        elif kind == 2:    # small with ties: permutation under auto
            n = int(rng.integers(4, 14))
            d = rng.integers(-3, 4, n).astype(float)
        elif kind == 3:    # large continuous
            n = int(rng.integers(51, 300))
            d = np.round(rng.normal(0.15, 1, n), 6)
        elif kind == 4:    # half-point differences (means of two repeats)
            n = int(rng.integers(10, 60))
            d = rng.integers(-6, 7, n) / 2.0
        else:              # small continuous, exact
            n = int(rng.integers(5, 20))
            d = np.round(rng.normal(0.5, 1, n), 6)
        if np.all(d == 0):
            d[0] = 1.0
        configs.append(d)
    for i, d in enumerate(configs):
        zero_method = "wilcox" if (i + i // 6) % 2 == 0 else "pratt"
        if zero_method == "wilcox" and np.count_nonzero(d) == 0:
            continue
        choices = [("auto", False)]
        if i % 3 == 0:
            choices.append(("asymptotic", i % 2 == 1))
        if i % 5 == 0 and len(d) <= 50:
            choices.append(("exact", False))
        alternative = ["two-sided", "two-sided", "two-sided", "less", "greater"][i % 5]
        for method, correction in choices:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = stats.wilcoxon(d, zero_method=zero_method, method=method,
                                     correction=correction, alternative=alternative)
            resolved = auto_method(d) if method == "auto" else method
            out.append({"d": floats(d), "zero_method": zero_method, "method": method,
                        "resolved_method": resolved, "correction": correction,
                        "alternative": alternative, "statistic": float(res.statistic),
                        "pvalue": float(res.pvalue),
                        "z": f(getattr(res, "zstatistic", np.nan))})
    return out


# MARK: - Multiplicity, clustering, summaries

def holm_cases():
    out = []
    for i in range(30):
        m = int(rng.integers(1, 12))
        p = rng.uniform(0, 0.2, m) ** rng.uniform(0.5, 3)
        if i % 4 == 0 and m > 1:
            p[1] = p[0]  # a tie
        reject, adjusted, _, _ = multipletests(p, alpha=0.05, method="holm")
        out.append({"p": floats(p), "adjusted": floats(adjusted), "reject": [bool(r) for r in reject]})
    return out


def clustered_cases():
    out = []
    for i in range(30):
        c = int(rng.integers(2, 60))
        repeats = rng.integers(1, 6, c)
        clusters = np.repeat(np.arange(c), repeats)
        rng.shuffle(clusters)
        if i % 2 == 0:
            rate = rng.uniform(0.05, 0.95, c)
            values = (rng.uniform(0, 1, len(clusters)) < rate[clusters]).astype(float)
            if values.min() == values.max():
                values[0] = 1 - values[0]
        else:
            values = np.round(rng.normal(0, 1, c)[clusters] + rng.normal(5, 1, len(clusters)), 6)
        model = sm.OLS(values, np.ones(len(values))).fit(cov_type="cluster", cov_kwds={"groups": clusters})
        entry = {"values": floats(values), "clusters": [int(x) for x in clusters],
                 "mean": float(model.params[0]), "se": float(model.bse[0])}
        if i % 2 == 0:
            p = values.mean()
            n_eff = p * (1 - p) / model.bse[0] ** 2
            low, high = proportion_confint(p * n_eff, n_eff, alpha=0.05, method="wilson")
            entry.update({"effective_n": float(n_eff), "wilson_lower": float(low), "wilson_upper": float(high)})
        out.append(entry)
    return out


def summary_cases():
    out = []
    for i in range(25):
        n = int(rng.integers(1, 300))
        values = np.round(rng.lognormal(5, 1, n), 3) if i % 2 else rng.integers(10, 2000, n).astype(float)
        out.append({"values": floats(values), "mean": float(np.mean(values)),
                    "p50": float(np.percentile(values, 50)), "p95": float(np.percentile(values, 95)),
                    "sd": float(np.std(values, ddof=1)) if n > 1 else 0.0})
    return out


# MARK: - Bootstrap

def bootstrap_cases():
    out = []
    for i in range(24):
        n = int(rng.integers(15, 120))
        if i % 3 == 0:
            d = rng.choice([-1.0, 0.0, 1.0], n, p=rng.dirichlet([2, 3, 2]))
            step = 1.0 / n
        elif i % 3 == 1:
            d = rng.integers(-4, 6, n).astype(float)
            step = 1.0 / n
        else:
            d = np.round(rng.lognormal(0, 0.8, n) - rng.lognormal(0, 0.8, n), 6)
            step = 0.0
        if np.all(d == d[0]):
            d[0] += 1
        method = "BCa" if i % 2 == 0 else "percentile"
        level = 0.95 if i % 4 < 2 else 0.9
        res = stats.bootstrap((d,), np.mean, method=method, confidence_level=level,
                              n_resamples=20000, rng=np.random.default_rng(1000 + i))
        se = float(res.standard_error)
        out.append({"d": floats(d), "method": method.lower(), "level": level, "resamples": 20000,
                    "lower": float(res.confidence_interval.low), "upper": float(res.confidence_interval.high),
                    "standard_error": se, "tolerance": 0.15 * se + step})
    return out


def bca_formula_cases():
    """BCa applied to a fixed bootstrap distribution, through scipy's own BCa routine."""
    from scipy.stats import _resampling
    from scipy._lib._array_api import array_namespace

    out = []
    for i in range(10):
        n = int(rng.integers(8, 25))
        d = np.round(rng.gamma(1.5, 1, n) - 1, 4)
        theta_b = np.array([rng.choice(d, n).mean() for _ in range(300)])
        level = 0.95 if i % 2 == 0 else 0.9
        alpha = (1 - level) / 2
        xp = array_namespace(d)
        a1, a2, a_hat = _resampling._bca_interval((d,), np.mean, axis=-1, alpha=alpha,
                                                  theta_hat_b=theta_b, batch=None, xp=xp)
        a1, a2 = float(np.squeeze(a1)), float(np.squeeze(a2))
        low, high = stats.quantile(theta_b, np.array([a1, a2]))
        p_low, p_high = stats.quantile(theta_b, np.array([alpha, 1 - alpha]))
        jack = np.array([np.delete(d, j).mean() for j in range(n)])
        out.append({"d": floats(d), "bootstrap": floats(theta_b), "jackknife": floats(jack), "level": level,
                    "alpha1": a1, "alpha2": a2, "acceleration": float(np.squeeze(a_hat)),
                    "lower": float(low), "upper": float(high),
                    "percentile_lower": float(p_low), "percentile_upper": float(p_high)})
    return out


# MARK: - Bradley-Terry

def bt_fit(k, control, tallies):
    alpha = np.log(10)
    free = [v for v in range(k) if v != control]

    def unpack(x):
        r = np.zeros(k)
        r[free] = x
        return r

    def loss_grad(x):
        r = unpack(x)
        loss, grad = 0.0, np.zeros(k)
        for a, b, w, t, l in tallies:
            z = alpha * (r[a] - r[b])
            s, n = w + t / 2, w + t + l
            loss -= s * -np.logaddexp(0, -z) + (n - s) * -np.logaddexp(0, z)
            g = (n * scipy.special.expit(z) - s) * alpha
            grad[a] += g
            grad[b] -= g
        return loss, grad[free]

    res = optimize.minimize(loss_grad, np.zeros(k - 1), jac=True, method="BFGS",
                            options={"gtol": 1e-11, "maxiter": 10000})
    return unpack(res.x)


def bradley_terry_cases():
    out = []
    for i in range(25):
        k = int(rng.integers(3, 8))
        control = int(rng.integers(0, k))
        strength = rng.normal(0, 0.6, k)
        tallies = []
        for a in range(k):
            for b in range(a + 1, k):
                if i % 3 == 0 and rng.uniform() < 0.3 and b != a + 1:
                    continue  # leave some pairs unobserved, keeping the chain connected
                n = int(rng.integers(5, 80))
                pa = 1 / (1 + np.exp(-(strength[a] - strength[b])))
                tie = rng.uniform(0.05, 0.3)
                w, t, l = rng.multinomial(n, [pa * (1 - tie), tie, (1 - pa) * (1 - tie)])
                if w == 0 and l == 0:
                    w = 1
                tallies.append([a, b, int(w), int(t), int(l)])
        r = bt_fit(k, control, tallies)
        out.append({"variants": k, "control": control, "tallies": tallies,
                    "theta": floats(r * np.log(10)), "elo": floats(400 * r + 1000)})
    return out


# MARK: - Sequential and power

def msprt_cases():
    out = []
    for i in range(30):
        n = int(rng.integers(2, 100000))
        sigma = float(rng.uniform(0.1, 5))
        mu = float(rng.normal(0, 3 * sigma / np.sqrt(n)))
        alpha = float(rng.choice([0.05, 0.01, 0.1]))
        tuning = float(rng.choice([100, 1000, 5000, 20000]))
        rho = np.sqrt((-2 * np.log(alpha) + np.log(1 - 2 * np.log(alpha))) / tuning)
        half = sigma * np.sqrt(2 * (n * rho**2 + 1) * np.log(np.sqrt(n * rho**2 + 1) / alpha) / (n**2 * rho**2))
        p = min(1.0, np.sqrt(n * rho**2 + 1) * np.exp(-rho**2 * n**2 * mu**2 / (2 * sigma**2 * (n * rho**2 + 1))))
        out.append({"mean": mu, "sigma": sigma, "n": n, "alpha": alpha, "tuning": tuning,
                    "rho": float(rho), "lower": float(mu - half), "upper": float(mu + half), "pvalue": float(p)})
    return out


def independent_cases():
    out = []
    for _ in range(20):
        a = rng.normal(rng.uniform(0, 5), rng.uniform(0.5, 4), int(rng.integers(5, 5000)))
        b = rng.normal(rng.uniform(0, 5), rng.uniform(0.5, 4), int(rng.integers(5, 5000)))
        a, b = np.round(a, 4), np.round(b, 4)
        diff = b.mean() - a.mean()
        se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        one = stats.ttest_ind(b, a, equal_var=False, alternative="greater")
        two = stats.ttest_ind(b, a, equal_var=False)
        ci = two.confidence_interval(0.95)
        out.append({"a": [float(a.sum()), float((a**2).sum()), len(a)], "b": [float(b.sum()), float((b**2).sum()), len(b)],
                    "difference": float(diff), "se": float(se), "df": float(two.df),
                    "one_sided_p": float(one.pvalue), "two_sided_p": float(two.pvalue),
                    "lower": float(ci.low), "upper": float(ci.high)})
    return out


def power_cases():
    connor, numeric, win = [], [], []
    for i in range(30):
        alpha = float(rng.choice([0.05, 0.01, 0.1]))
        power = float(rng.choice([0.8, 0.9, 0.5]))
        za, zb = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
        p10, p01 = rng.uniform(0.01, 0.5, 2)
        if abs(p10 - p01) < 0.005:
            p10 += 0.02
        pd, delta = p10 + p01, p10 - p01
        n = (za * np.sqrt(pd) + zb * np.sqrt(pd - delta**2)) ** 2 / delta**2
        cases = int(rng.integers(10, 5000))

        def connor_n(x):
            return (za * np.sqrt(pd) + zb * np.sqrt(pd - x**2)) ** 2 / x**2
        mde = optimize.brentq(lambda x: connor_n(x) - cases, 1e-9, pd, xtol=1e-14) if connor_n(pd) <= cases else None
        connor.append({"p10": float(p10), "p01": float(p01), "alpha": alpha, "power": power, "n": float(n),
                       "cases": cases, "mde": mde})

        omega2, va, vb = rng.uniform(0.1, 4, 3)
        k = int(rng.integers(1, 6))
        var_d = omega2 + (va + vb) / k
        d = float(rng.uniform(0.05, 1.5))
        numeric.append({"delta": d, "omega2": float(omega2), "var_a": float(va), "var_b": float(vb), "repeats": k,
                        "alpha": alpha, "power": power, "n": float((za + zb) ** 2 * var_d / d**2),
                        "cases": cases, "mde": float((za + zb) * np.sqrt(var_d / cases))})

        p = float(rng.uniform(0.52, 0.95)) if i % 2 else float(rng.uniform(0.05, 0.48))
        nw = ((za * 0.5 + zb * np.sqrt(p * (1 - p))) / (p - 0.5)) ** 2
        non_tied = int(rng.integers(2, 3000))

        def win_n(x):
            return ((za * 0.5 + zb * np.sqrt(x * (1 - x))) / (x - 0.5)) ** 2
        wmde = optimize.brentq(lambda x: win_n(x) - non_tied, 0.5 + 1e-12, 1 - 1e-12, xtol=1e-14) if win_n(1 - 1e-12) <= non_tied else None
        win.append({"p": p, "alpha": alpha, "power": power, "n": float(nw), "non_tied": non_tied, "mde": wmde})
    return {"connor": connor, "numeric": numeric, "win_rate": win}


# MARK: - Agreement between reviewers

def agreement_cases():
    """Cohen's and Fleiss' kappa from statsmodels. A separate generator, so that adding
    these cases leaves every earlier value of the file unchanged."""
    from statsmodels.stats.inter_rater import cohens_kappa, fleiss_kappa

    local = np.random.default_rng(20261201)
    cohen, fleiss = [], []
    for i in range(30):
        n = int(local.integers(2, 120))
        k = 3 if i % 3 else int(local.integers(2, 5))
        first = local.integers(0, k, n)
        # The second reviewer copies the first with some probability, else answers at random.
        copy = local.uniform(size=n) < local.uniform(0, 0.9)
        second = np.where(copy, first, local.integers(0, k, n))
        table = np.zeros((k, k))
        for a, b in zip(first, second):
            table[a, b] += 1
        if i == 0:
            first, second = np.zeros(n, dtype=int), np.zeros(n, dtype=int)  # p_e = 1: kappa undefined
            table = np.zeros((k, k))
            table[0, 0] = n
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = cohens_kappa(table)
        total = table.sum()
        observed = np.trace(table) / total
        expected = float((table.sum(axis=1) / total) @ (table.sum(axis=0) / total))
        cohen.append({"first": [int(x) for x in first], "second": [int(x) for x in second], "categories": k,
                      "kappa": f(res["kappa"]), "observed": float(observed), "expected": expected})
    for i in range(20):
        n = int(local.integers(2, 80))
        k = int(local.integers(2, 5))
        m = int(local.integers(3, 7))
        truth = local.integers(0, k, n)
        ratings = np.where(local.uniform(size=(n, m)) < local.uniform(0, 0.9), truth[:, None], local.integers(0, k, (n, m)))
        table = np.stack([np.bincount(row, minlength=k) for row in ratings])
        fleiss.append({"counts": table.tolist(), "kappa": float(fleiss_kappa(table, method="fleiss"))})
    return {"cohen": cohen, "fleiss": fleiss}


def dump(value, depth=0):
    """JSON with one test case per line, so that a regeneration diffs case by case."""
    pad = " " * (depth + 1)
    if isinstance(value, dict) and depth < 2:
        items = [f"{pad}{json.dumps(k)}: {dump(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"
    if isinstance(value, list) and value and isinstance(value[0], dict):
        items = [pad + json.dumps(v, separators=(",", ":")) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * depth + "]"
    return json.dumps(value, separators=(",", ":"))


def main():
    fixtures = {
        "generator": {"numpy": np.__version__, "scipy": scipy.__version__, "statsmodels": statsmodels.__version__},
        "distributions": distributions(),
        "binomial_test": binomial_tests(),
        "wilson": wilson(),
        "mcnemar": mcnemar_cases(),
        "win_rate": sign_and_win_rate(),
        "paired_t": paired_t(),
        "wilcoxon": wilcoxon_cases(),
        "holm": holm_cases(),
        "clustered": clustered_cases(),
        "summary": summary_cases(),
        "bootstrap": bootstrap_cases(),
        "bca_formula": bca_formula_cases(),
        "bradley_terry": bradley_terry_cases(),
        "msprt": msprt_cases(),
        "independent": independent_cases(),
        "power": power_cases(),
        "agreement": agreement_cases(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(dump(fixtures) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
