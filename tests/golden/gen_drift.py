#!/usr/bin/python3
"""Generates the golden cases for modelwatch's drift tests from SciPy 1.10.1 and numpy 1.24.

Run with Debian's interpreter (python3-scipy, python3-numpy):

    /usr/bin/python3 tests/golden/gen_drift.py [--out-dir DIR]

It writes one text file per case into tests/golden/drift/ (golden_drift_test.cc reads them). A
file is a list of lines `key value value ...`, whitespace separated; floats are written with repr
(shortest round trip), integers in decimal, lines starting with '#' are comments. The first key is
`kind`:

  numeric          `reference`, `current` samples and, from SciPy / numpy on them:
                   ks_2samp (statistic, p-value, the method actually used, location, sign),
                   cramervonmises_2samp (when both samples have >= 2 values),
                   wasserstein_distance, numpy.std(reference), the normalized Wasserstein,
                   numpy.histogram_bin_edges(concat, 'sturges'), numpy.histogram counts, and on
                   those counts PSI, Jensen-Shannon (natural log and base 2), Hellinger and
                   chi2_contingency (bins empty on both sides dropped).
  categorical      `reference_counts`, `current_counts` and chi2_contingency / PSI /
                   Jensen-Shannon / Hellinger on them.
  binary           `counts x_ref n_ref x_cur n_cur` and the pooled two-proportion z test.
  weighted         weighted wasserstein_distance.
  multiple_testing `p_values` and their Bonferroni / Benjamini-Hochberg adjustments.
  special          one line per special-function value (`kstwo_sf n d value`, ...), and
                   `ks_pvalue n1 n2 d method statistic pvalue method_used`: the p-value stage of
                   ks_2samp for a given statistic, via SciPy's own helpers.

Definitions that are not a single SciPy call are modelwatch's documented semantics
(docs/drift-tests.md) and spelled out below: PSI (Evidently's formula, empty proportions replaced
by 1e-4), Hellinger, the z test (pooled, 2 * norm.sf(|z|), statistic 0 / p-value 1 when the pooled
proportion is 0 or 1), Benjamini-Hochberg (step-up, cumulative minimum, capped at 1), and the
dropping of categories that are empty on both sides before chi2_contingency.

The output is deterministic (fixed seeds, repr floats); check_generator.sh (drift scipy 1.10.1)
regenerates into a temporary folder and diffs, so edit this script and regenerate rather than editing the data.
"""

import argparse
import math
import os
import sys
import warnings

import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial import distance
from scipy.stats import _stats_py
from scipy.stats._hypotests import _cdf_cvm_inf

PSI_FILL = 1e-4


def fmt(v):
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, str):
        return v
    return repr(float(v))


class Case:
    def __init__(self, name, kind, description):
        self.name = name
        self.lines = [f"# {description}", f"kind {kind}"]

    def add(self, key, *values):
        flat = []
        for v in values:
            if isinstance(v, np.ndarray) and v.ndim == 0:
                v = v[()]
            if isinstance(v, (list, tuple, np.ndarray)):
                flat.extend(fmt(x) for x in v)
            else:
                flat.append(fmt(v))
        self.lines.append(" ".join([key] + flat))

    def write(self, out_dir):
        with open(os.path.join(out_dir, self.name + ".txt"), "w") as f:
            f.write("\n".join(self.lines) + "\n")


# ----------------------------------------------------------------------------------------------
# modelwatch's definitions that are not one SciPy call


def psi(ref_counts, cur_counts):
    """Evidently's PSI on proportions count / total, zero proportions replaced by 1e-4,
    terms added with Python's sum() in bin order."""
    ref = np.asarray(ref_counts, dtype=float)
    cur = np.asarray(cur_counts, dtype=float)
    ref_p = ref / np.sum(ref)
    cur_p = cur / np.sum(cur)

    def sub_psi(r, c):
        if c == 0:
            c = PSI_FILL
        if r == 0:
            r = PSI_FILL
        return (r - c) * np.log(r / c)

    return sum(sub_psi(ref_p[i], cur_p[i]) for i in range(len(ref_p)))


def hellinger(ref_counts, cur_counts):
    p = np.asarray(ref_counts, dtype=float)
    q = np.asarray(cur_counts, dtype=float)
    p = p / np.sum(p)
    q = q / np.sum(q)
    return np.sqrt(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2)) / np.sqrt(2)


def chi2_homogeneity(ref_counts, cur_counts):
    """chi2_contingency(correction=False) on the 2 x k table without the categories that are
    empty on both sides; (0, 1, 0) when at most one category remains."""
    ref = np.asarray(ref_counts, dtype=float)
    cur = np.asarray(cur_counts, dtype=float)
    keep = (ref != 0) | (cur != 0)
    table = np.array([ref[keep], cur[keep]])
    if table.shape[1] <= 1:
        return 0.0, 1.0, 0
    res = stats.chi2_contingency(table, correction=False)
    return float(res.statistic), float(res.pvalue), int(res.dof)


def z_test(x1, n1, x2, n2):
    p1 = x1 / n1
    p2 = x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    var = pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2)
    if not var > 0:
        return 0.0, 1.0
    z = (p2 - p1) / np.sqrt(var)
    return float(z), float(min(1.0, 2 * stats.norm.sf(abs(z))))


def benjamini_hochberg(p):
    p = np.asarray(p, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adj = np.minimum.accumulate(scaled[::-1])[::-1]
    adj = np.minimum(adj, 1.0)
    out = np.empty(m)
    out[order] = adj
    return out


def ks_with_method(x, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = stats.ks_2samp(x, y)
    fell_back = any("Exact calculation unsuccessful" in str(w.message) for w in caught)
    exact = max(len(x), len(y)) <= 10000 and not fell_back
    return res, ("exact" if exact else "asymp")


# ----------------------------------------------------------------------------------------------
# Case families


def numeric_case(out, name, description, ref, cur):
    ref = np.asarray(ref, dtype=float)
    cur = np.asarray(cur, dtype=float)
    c = Case(name, "numeric", description)
    c.add("reference", ref)
    c.add("current", cur)
    ks, method = ks_with_method(ref, cur)
    c.add("ks_statistic", ks.statistic)
    c.add("ks_pvalue", ks.pvalue)
    c.add("ks_method", method)
    c.add("ks_location", ks.statistic_location)
    c.add("ks_sign", int(ks.statistic_sign))
    if len(ref) >= 2 and len(cur) >= 2:
        cvm = stats.cramervonmises_2samp(ref, cur)
        c.add("cvm_statistic", cvm.statistic)
        c.add("cvm_pvalue", cvm.pvalue)
        c.add("cvm_method", "exact" if max(len(ref), len(cur)) <= 20 else "asymptotic")
    w = stats.wasserstein_distance(ref, cur)
    c.add("wasserstein", w)
    sd = np.std(ref)
    c.add("reference_std", sd)
    c.add("wasserstein_norm", w / max(sd, 0.001))
    edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
    rc = np.histogram(ref, edges)[0]
    cc = np.histogram(cur, edges)[0]
    c.add("sturges_edges", edges)
    c.add("reference_bin_counts", rc)
    c.add("current_bin_counts", cc)
    add_count_measures(c, rc, cc)
    out.append(c)


def add_count_measures(c, rc, cc):
    c.add("psi", psi(rc, cc))
    c.add("jensenshannon", distance.jensenshannon(rc, cc))
    c.add("jensenshannon_base2", distance.jensenshannon(rc, cc, base=2))
    c.add("hellinger", hellinger(rc, cc))
    stat, p, dof = chi2_homogeneity(rc, cc)
    c.add("chi2_statistic", stat)
    c.add("chi2_pvalue", p)
    c.add("chi2_dof", dof)


def categorical_case(out, name, description, rc, cc):
    c = Case(name, "categorical", description)
    c.add("reference_counts", list(rc))
    c.add("current_counts", list(cc))
    add_count_measures(c, np.asarray(rc), np.asarray(cc))
    out.append(c)


def r3(x):
    """Rounded to 3 decimals: short text for the large cases (and ties)."""
    return np.round(np.asarray(x, dtype=float), 3)


def numeric_cases(out):
    rng = np.random.default_rng(20240601)
    numeric_case(out, "num_normal_same", "N(0,1) vs N(0,1), 200 each",
                 rng.normal(size=200), rng.normal(size=200))
    numeric_case(out, "num_normal_shift_small", "N(0,1) 500 vs N(0.2,1) 400",
                 rng.normal(size=500), rng.normal(0.2, size=400))
    numeric_case(out, "num_normal_shift_large_equal_n", "N(0,1) vs N(1,1), 1000 each: tiny exact p",
                 rng.normal(size=1000), rng.normal(1.0, size=1000))
    numeric_case(out, "num_normal_shift_unequal_tiny_p",
                 "N(0,1) 300 vs N(1.5,1) 250: exact p ~1e-32 (no 1e-16 floor)",
                 rng.normal(size=300), rng.normal(1.5, size=250))
    numeric_case(out, "num_scale_change", "N(0,1) 800 vs N(0,1.5) 600",
                 rng.normal(size=800), rng.normal(0, 1.5, size=600))
    numeric_case(out, "num_cauchy_heavy_tails", "Cauchy 500 vs Cauchy+0.3 500",
                 rng.standard_cauchy(500), rng.standard_cauchy(500) + 0.3)
    numeric_case(out, "num_student_t2_vs_normal", "t(2) 700 vs N(0,1) 900",
                 rng.standard_t(2, size=700), rng.normal(size=900))
    numeric_case(out, "num_lognormal", "lognormal(0,1) 400 vs lognormal(0.1,1.1) 450",
                 rng.lognormal(0, 1, 400), rng.lognormal(0.1, 1.1, 450))
    numeric_case(out, "num_poisson_ties", "Poisson(3) 300 vs Poisson(3.3) 320: many ties",
                 rng.poisson(3, 300), rng.poisson(3.3, 320))
    numeric_case(out, "num_three_values", "values in {0,1,2}, 1000 each",
                 rng.integers(0, 3, 1000), rng.choice(3, 1000, p=[0.3, 0.3, 0.4]))
    numeric_case(out, "num_identical_samples", "the same 100 values on both sides",
                 *(lambda a: (a, a.copy()))(rng.normal(size=100)))
    numeric_case(out, "num_constant_identical", "every value is 3.5 on both sides",
                 np.full(40, 3.5), np.full(30, 3.5))
    numeric_case(out, "num_constant_different", "all 1.0 vs all 2.0",
                 np.full(25, 1.0), np.full(30, 2.0))
    numeric_case(out, "num_disjoint_supports", "U(0,1) 50 vs U(2,3) 60",
                 rng.uniform(0, 1, 50), rng.uniform(2, 3, 60))
    numeric_case(out, "num_disjoint_small", "U(0,1) 12 vs U(2,3) 15: exact CvM at its extreme",
                 rng.uniform(0, 1, 12), rng.uniform(2, 3, 15))
    numeric_case(out, "num_huge_magnitudes", "N(1e12, 1e9) vs N(1e12 + 1e8, 1e9), 300 each",
                 rng.normal(1e12, 1e9, 300), rng.normal(1e12 + 1e8, 1e9, 300))
    numeric_case(out, "num_tiny_magnitudes", "N(0, 1e-9) 150 vs N(1e-10, 1e-9) 170",
                 rng.normal(0, 1e-9, 150), rng.normal(1e-10, 1e-9, 170))
    numeric_case(out, "num_tiny_spread_std_floor", "spread below 0.001: normalized by 0.001",
                 1 + rng.normal(0, 1e-4, 80), 1 + rng.normal(1e-4, 1e-4, 90))
    numeric_case(out, "num_exact_fallback_5",
                 "1..5 vs 1.5..5.5: d = 1/5, the exact series gives 1 + 2e-16, SciPy falls back "
                 "to asymp", np.arange(1.0, 6.0), np.arange(1.0, 6.0) + 0.5)
    numeric_case(out, "num_exact_fallback_1000", "0..999 vs 0.5..999.5: exact fails, asymp",
                 np.arange(1000.0), np.arange(1000.0) + 0.5)
    # Tiny samples, 1..10, and the exact CvM around its switch (max(n) <= 20).
    for n1, n2 in [(1, 1), (1, 2), (2, 1), (1, 10), (2, 2), (2, 3), (3, 5), (5, 3), (4, 4),
                   (6, 9), (7, 10), (10, 10), (10, 9), (20, 20), (20, 19), (13, 20), (21, 20),
                   (20, 21), (25, 30)]:
        numeric_case(out, f"num_tiny_{n1}_{n2}", f"N(0,1) {n1} vs N(0.5,1) {n2}",
                     rng.normal(size=n1), rng.normal(0.5, size=n2))
    numeric_case(out, "num_tiny_ties_cvm", "integers 0..3, 8 vs 9: midranks in the exact CvM",
                 rng.integers(0, 4, 8), rng.integers(0, 4, 9))
    numeric_case(out, "num_tiny_ties_cvm_unequal", "integers 0..2, 11 vs 17 (lcm 187)",
                 rng.integers(0, 3, 11), rng.integers(0, 3, 17))
    # Around the exact / asymptotic switch of ks_2samp (max(n) <= 10000 is exact).
    numeric_case(out, "num_switch_9000_12000", "9000 vs 12000: asymp", r3(rng.normal(size=9000)),
                 r3(rng.normal(0.03, size=12000)))
    numeric_case(out, "num_switch_10000_10000", "10000 vs 10000: exact (equal sizes)",
                 r3(rng.normal(size=10000)), r3(rng.normal(0.03, size=10000)))
    numeric_case(out, "num_switch_10000_9999", "10000 vs 9999: exact (lattice recursion)",
                 r3(rng.normal(size=10000)), r3(rng.normal(0.04, size=9999)))
    numeric_case(out, "num_switch_10001_10001", "10001 vs 10001: asymp",
                 r3(rng.normal(size=10001)), r3(rng.normal(0.02, size=10001)))
    numeric_case(out, "num_switch_10000_10001", "10000 vs 10001: asymp",
                 r3(rng.normal(size=10000)), r3(rng.normal(size=10001)))
    base = r3(rng.normal(size=10001))
    near = base.copy()
    near[:15] = r3(rng.normal(3, 1, 15))
    numeric_case(out, "num_near_identical_large",
                 "10001 vs the same with 15 values moved: asymp, tiny d (Durbin matrix, n = 5000)",
                 base, near)
    numeric_case(out, "num_asymp_tiny_p", "12000 vs 11000, shift 0.3: asymp, Smirnov sum",
                 r3(rng.normal(size=12000)), r3(rng.normal(0.3, size=11000)))
    numeric_case(out, "num_asymp_null_large", "11000 vs 11000 same distribution: Pelz-Good",
                 r3(rng.normal(size=11000)), r3(rng.normal(size=11000)))
    numeric_case(out, "num_exact_very_small_p", "5000 vs 5000, shift 0.5: exact p ~1e-81",
                 r3(rng.normal(size=5000)), r3(rng.normal(0.5, size=5000)))


def categorical_cases(out):
    rng = np.random.default_rng(7)
    categorical_case(out, "cat_basic", "three categories", [100, 200, 300], [110, 190, 320])
    categorical_case(out, "cat_one_side_only", "categories present on one side only",
                     [50, 0, 30, 20], [40, 25, 0, 20])
    categorical_case(out, "cat_empty_both_sides", "a category empty on both sides is dropped",
                     [10, 0, 5, 7], [12, 0, 3, 9])
    categorical_case(out, "cat_single_category", "one category: statistic 0, p-value 1",
                     [100], [50])
    categorical_case(out, "cat_single_after_drop", "one non-empty category", [0, 100, 0],
                     [0, 50, 0])
    categorical_case(out, "cat_identical", "identical counts", [5, 10, 15, 20], [5, 10, 15, 20])
    categorical_case(out, "cat_proportional", "proportional counts", [5, 10, 15, 20],
                     [50, 100, 150, 200])
    categorical_case(out, "cat_many", "60 categories, random counts",
                     rng.integers(0, 200, 60).tolist(), rng.integers(0, 200, 60).tolist())
    categorical_case(out, "cat_tiny_p", "very different: p ~ 1e-250",
                     [5000, 100, 3000, 10], [100, 5000, 20, 3000])
    categorical_case(out, "cat_underflow_p", "p below the double range (0 or denormal)",
                     [50000, 10, 40000], [10, 50000, 30])
    categorical_case(out, "cat_large_counts", "counts up to 1e8",
                     [123456789, 98765432, 55555555], [123456000, 98770000, 55550000])
    categorical_case(out, "cat_two_disjoint", "disjoint supports", [30, 0], [0, 40])
    categorical_case(out, "cat_many_dof", "2000 categories (dof 1999)",
                     rng.integers(1, 50, 2000).tolist(), rng.integers(1, 50, 2000).tolist())


def binary_cases(out):
    for name, desc, args in [
        ("bin_small_shift", "30% vs 35%", (300, 1000, 350, 1000)),
        ("bin_unequal_sizes", "12/40 vs 900/2000", (12, 40, 900, 2000)),
        ("bin_tiny_p", "50% vs 90%: deep tail", (500, 1000, 900, 1000)),
        ("bin_very_tiny_p", "10% vs 90%, 5000 each", (500, 5000, 4500, 5000)),
        ("bin_equal", "equal proportions", (20, 100, 40, 200)),
        ("bin_all_negative", "no positives anywhere: 0 / 1", (0, 100, 0, 50)),
        ("bin_all_positive", "only positives: 0 / 1", (100, 100, 50, 50)),
        ("bin_one_side_all", "0% vs 100%", (0, 10, 10, 10)),
        ("bin_single_obs", "1/1 vs 0/1", (1, 1, 0, 1)),
    ]:
        c = Case(name, "binary", desc)
        c.add("counts", *args)
        z, p = z_test(*args)
        c.add("z_statistic", z)
        c.add("z_pvalue", p)
        out.append(c)


def weighted_cases(out):
    rng = np.random.default_rng(11)
    for i, (nu, nv) in enumerate([(5, 7), (50, 40), (300, 200)]):
        u = rng.normal(size=nu)
        v = rng.normal(0.3, size=nv)
        uw = rng.uniform(0, 2, nu)
        vw = rng.integers(0, 5, nv).astype(float)
        vw[0] = 1.0
        c = Case(f"weighted_{i}", "weighted", f"weighted wasserstein, {nu} vs {nv} values")
        c.add("u_values", u)
        c.add("u_weights", uw)
        c.add("v_values", v)
        c.add("v_weights", vw)
        c.add("wasserstein", stats.wasserstein_distance(u, v, uw, vw))
        out.append(c)


def multiple_testing_cases(out):
    rng = np.random.default_rng(3)
    lists = [
        [0.01, 0.04, 0.03, 0.2, 0.5, 0.001],
        [0.05, 0.05, 0.05, 0.05],
        [0.0, 1.0, 0.5, 0.0, 1e-300, 0.9999],
        [0.3],
        rng.uniform(0, 0.1, 50).tolist() + rng.uniform(0, 1, 50).tolist(),
    ]
    for i, p in enumerate(lists):
        c = Case(f"multiple_testing_{i}", "multiple_testing", f"{len(p)} p-values")
        c.add("p_values", p)
        c.add("bonferroni", np.minimum(np.asarray(p) * len(p), 1.0))
        c.add("benjamini_hochberg", benjamini_hochberg(p))
        out.append(c)


def ks_pvalue_stage(n1, n2, d, mode):
    """The part of ks_2samp after the statistic, two-sided, through SciPy's helpers."""
    g = math.gcd(n1, n2)
    n1g, n2g = n1 // g, n2 // g
    if mode == "auto":
        mode = "exact" if max(n1, n2) <= 10000 else "asymp"
    elif mode == "exact" and n1g >= np.iinfo(np.int32).max / n2g:
        mode = "asymp"
    prob = None
    if mode == "exact":
        success, d, prob = _stats_py._attempt_exact_2kssamp(n1, n2, g, d, "two-sided")
        if not success:
            mode = "asymp"
    if mode == "asymp":
        m, n = sorted([float(n1), float(n2)], reverse=True)
        en = m * n / (m + n)
        prob = stats.kstwo.sf(d, np.round(en))
    return d, float(np.clip(prob, 0, 1)), mode


def special_cases(out):
    rng = np.random.default_rng(99)
    c = Case("special_functions", "special", "special functions behind the p-values")
    for n in [1, 2, 3, 5, 10, 20, 50, 100, 140, 141, 200, 500, 1000, 5000, 20000, 100000, 100001,
              300000, 1000000, 1000001, 5000000]:
        few = n >= 300000  # the Smirnov sum costs O(n): fewer points for the largest n
        ds = np.concatenate([rng.uniform(0.5 / n, 1, 4),
                             np.sqrt(rng.uniform(0, 5, 3 if few else 6) / n),
                             np.sqrt(rng.uniform(5, 400, 1 if few else 3) / n),
                             [1.0 / n, 0.75 / n, 0.5 / n, 1 - 1.0 / n, 0.5, 0.49]])
        for d in ds:
            d = float(d)
            if 0 < d < 1:
                c.add("kstwo_sf", n, d, stats.kstwo.sf(d, n))
    for n in [1, 2, 5, 10, 50, 200, 1012, 1013, 5000, 100000, 1000000, 2000000]:
        k = 2 if n == 1000000 else 4
        for d in rng.uniform(0, 1, k).tolist() + np.sqrt(rng.uniform(0, 3, k) / n).tolist():
            c.add("smirnov_sf", n, d, special.smirnov(n, d))
    for x in np.concatenate([rng.uniform(0, 3, 12), [0.03, 0.05, 0.1, 0.82, 0.83, 5.0, 10.0]]):
        c.add("kolmogorov_sf", x, special.kolmogorov(x))
    for df in [1, 2, 3, 4, 5, 9, 10, 29, 99, 1000, 9999, 100000]:
        for x in np.concatenate([rng.uniform(0, 3 * df, 3),
                                 [df * 0.5, df, df * 1.5, df + 40 * np.sqrt(df), 1e-3, 1e-8]]):
            c.add("chi2_sf", df, x, stats.chi2.sf(x, df))
    for a, x in [(0.5, 0.1), (0.5, 30.0), (3.0, 2.0), (50.0, 80.0), (1e4, 1.02e4), (1e5, 9.9e4)]:
        c.add("gammaincc", a, x, special.gammaincc(a, x))
    for nu in [0.0, 0.25, 0.75, 1.0, 1.25, 2.5]:
        for x in np.concatenate([rng.uniform(0, 4, 4), [1e-5, 0.1, 2.0, 2.001, 10.0, 50.0, 300.0,
                                                        700.0]]):
            c.add("kv", nu, x, special.kv(nu, x))
    for x in np.concatenate([rng.uniform(0.003, 3, 12), [0.003, 0.01, 0.5, 1.0, 2.0, 4.0, 6.0]]):
        c.add("cvm_inf_cdf", x, _cdf_cvm_inf(x))
    for z in np.concatenate([rng.uniform(-10, 40, 12), [0.0, 0.5, 0.7071, 1.0, 5.0, 20.0, 37.0,
                                                        38.5]]):
        c.add("norm_sf", z, stats.norm.sf(z))
    # The p-value stage of ks_2samp on the lattice of (n1, n2), for sizes without data files.
    pairs = [(1, 1), (3, 7), (10, 10), (17, 23), (60, 100), (100, 60), (250, 250), (499, 500),
             (1000, 7), (3000, 2999), (9999, 10000), (10000, 10000), (2, 10000), (10000, 10001),
             (20000, 30000), (100000, 100000), (1000000, 2000000), (5000000, 5000000)]
    for n1, n2 in pairs:
        lcm = n1 * n2 // math.gcd(n1, n2)
        for frac in [0.0, 0.01, 0.03, 0.08, 0.2, 0.5, 0.9, 1.0]:
            h = round(frac * lcm)
            d = h / lcm if lcm < 10**12 else frac
            for mode in ["auto", "exact", "asymp"]:
                if mode == "exact" and max(n1, n2) > 20000:
                    continue
                if mode != "asymp" and max(n1, n2) > 5000 and frac > 0.08:
                    continue  # the lattice recursion costs O(n1 n2 d): keep the test fast
                stat, p, used = ks_pvalue_stage(n1, n2, d, mode)
                c.add("ks_pvalue", n1, n2, d, mode, stat, p, used)
    out.append(c)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=os.path.join(here, "drift"))
    args = ap.parse_args()
    if scipy.__version__ != "1.10.1":
        print(f"warning: golden data is defined against SciPy 1.10.1, this is "
              f"{scipy.__version__}", file=sys.stderr)
    os.makedirs(args.out_dir, exist_ok=True)
    for f in os.listdir(args.out_dir):
        if f.endswith(".txt"):
            os.remove(os.path.join(args.out_dir, f))
    out = []
    with np.errstate(all="ignore"):
        numeric_cases(out)
        categorical_cases(out)
        binary_cases(out)
        weighted_cases(out)
        multiple_testing_cases(out)
        special_cases(out)
    names = [c.name for c in out]
    assert len(names) == len(set(names)), "duplicate case names"
    for c in out:
        c.write(args.out_dir)
    print(f"wrote {len(out)} cases to {args.out_dir}")


if __name__ == "__main__":
    main()
