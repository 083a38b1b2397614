#!/usr/bin/python3
"""Generates the inputs of the drift/profile benchmark of `make bench` (deterministic: same seed,
same bytes).

  drift_ref_1m.csv    reference: 1,000,000 rows x (20 numeric + 5 categorical) columns
  drift_cur_1m.csv    current: 1,000,000 other rows of the same distributions, except
                        num_00  mean + 0.25 sd          (drift by every default)
                        num_05  scale x 1.5 around the mean
                        num_14  mean + 0.02 sd          (trivial: KS flags it at 1M, the
                                                        default normalized Wasserstein does not)
                        cat_1   25% of the rows of 'c0' become 'c1'
                        cat_4   2% of the rows take 20 SKUs the reference never has
  drift_ref_100k.csv  the first 100,000 rows of the reference (memory of `profile` vs rows)

Numeric columns: normal, lognormal, exponential, uniform, gamma, Student t, beta, Poisson and
negative-binomial counts, mixtures, outliers, integers and tiny scales; written like C's '%.6g'
(integers as integers); num_03 and cat_2 have 1% missing (empty fields). Categorical columns:
3, 10 (Zipf), 50 and 500 (Zipf) text values, and a true/false column.

Usage: /usr/bin/python3 bench/gen_drift_data.py [--rows N] [--out-dir DIR] [--force]
With --rows other than 1M the files are named after N (drift_ref_200k.csv, ...; the slice is
N/10 rows). Existing files are kept unless --force; files are written to a temporary name and
renamed when complete. About 30 s per 1M-row file on one core.
"""

import argparse
import os
import sys
import time

import numpy as np

SEED = 20261125
CHUNK_ROWS = 1 << 16  # fixed, so that a file depends only on N and the seed
N_NUMERIC = 20
CAT_SIZES = {"cat_0": 3, "cat_1": 10, "cat_2": 50, "cat_3": 2, "cat_4": 500}
MISSING = {"num_03": 0.01, "cat_2": 0.01}


def size_suffix(n):
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def zipf_probs(k, s=1.1):
    p = 1.0 / np.arange(1, k + 1) ** s
    return p / p.sum()


CAT_VALUES = {
    "cat_0": (np.array(["mobile", "desktop", "tablet"]), np.array([0.6, 0.3, 0.1])),
    "cat_1": (np.array([f"c{i}" for i in range(10)]), zipf_probs(10)),
    "cat_2": (np.array([f"region_{i:02d}" for i in range(50)]), np.full(50, 1 / 50)),
    "cat_3": (np.array(["true", "false"]), np.array([0.3, 0.7])),
    "cat_4": (np.array([f"sku_{i:03d}" for i in range(520)]),
              np.concatenate([zipf_probs(500), np.zeros(20)])),
}


def numeric_chunk(rng, n):
    """The 20 numeric columns of n rows, as (values, is_integer) per column."""
    c = []
    c.append(rng.normal(0, 1, n))                                     # num_00
    c.append(rng.normal(50, 10, n))                                   # num_01
    c.append(rng.lognormal(0, 1, n))                                  # num_02
    c.append(rng.exponential(2, n))                                   # num_03
    c.append(rng.uniform(0, 100, n))                                  # num_04
    c.append(rng.gamma(2, 3, n))                                      # num_05
    c.append(rng.standard_t(5, n))                                    # num_06
    c.append(rng.beta(2, 5, n))                                       # num_07
    c.append(rng.poisson(20, n).astype(float))                        # num_08 (integers)
    c.append(np.where(rng.random(n) < 0.4, rng.normal(-2, 0.5, n),
                      rng.normal(3, 1, n)))                           # num_09 bimodal
    c.append(np.where(rng.random(n) < 0.01, rng.normal(0, 50, n),
                      rng.normal(0, 1, n)))                           # num_10 outliers
    c.append(rng.chisquare(3, n))                                     # num_11
    c.append(rng.weibull(1.5, n))                                     # num_12
    c.append(rng.integers(0, 1001, n).astype(float))                  # num_13 (integers)
    c.append(rng.normal(1000, 50, n))                                 # num_14
    c.append(rng.laplace(0, 2, n))                                    # num_15
    c.append(rng.lognormal(3, 0.5, n))                                # num_16
    c.append(rng.normal(0, 0.01, n))                                  # num_17 tiny scale
    c.append(rng.negative_binomial(3, 0.2, n).astype(float))          # num_18 (integers)
    c.append(rng.logistic(10, 2, n))                                  # num_19
    return c


# Population moments of the shifted columns (the shift is in reference units).
SD_NUM_00 = 1.0
MEAN_NUM_05 = 2 * 3.0
SD_NUM_14 = 50.0


def shift_numeric(c, rng):
    c[0] = c[0] + 0.25 * SD_NUM_00
    c[5] = MEAN_NUM_05 + 1.5 * (c[5] - MEAN_NUM_05)
    c[14] = c[14] + 0.02 * SD_NUM_14


def categorical_chunk(rng, n, current):
    out = {}
    for name, (values, p) in CAT_VALUES.items():
        if current and name == "cat_4":  # 2% of the rows: SKUs the reference never has
            p = 0.98 * p + 0.02 * np.concatenate([np.zeros(500), np.full(20, 1 / 20)])
        idx = rng.choice(len(values), size=n, p=p)
        if current and name == "cat_1":  # 25% of 'c0' becomes 'c1'
            move = (idx == 0) & (rng.random(n) < 0.25)
            idx[move] = 1
        out[name] = values[idx]
    return out


def fmt_numeric(x, integer):
    if integer:
        return list(map(str, x.astype(np.int64).tolist()))
    return list(map("{:.6g}".format, x.tolist()))


def write(path, rows, current, seed_stream):
    names = [f"num_{i:02d}" for i in range(N_NUMERIC)] + list(CAT_VALUES)
    integer_cols = {8, 13, 18}
    rng = np.random.default_rng([SEED, seed_stream])
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(",".join(names) + "\n")
        done = 0
        while done < rows:
            n = min(CHUNK_ROWS, rows - done)
            num = numeric_chunk(rng, n)
            if current:
                shift_numeric(num, rng)
            cat = categorical_chunk(rng, n, current)
            cols = [fmt_numeric(x, i in integer_cols) for i, x in enumerate(num)]
            cols += [cat[k].tolist() for k in CAT_VALUES]
            for name, share in MISSING.items():
                j = names.index(name)
                col = cols[j]
                for r in np.flatnonzero(rng.random(n) < share).tolist():
                    col[r] = ""
            f.write("\n".join(map(",".join, zip(*cols))))
            f.write("\n")
            done += n
    os.replace(tmp, path)


def head(src, dst, rows):
    tmp = dst + ".tmp"
    with open(src) as f, open(tmp, "w") as g:
        g.write(f.readline())
        for _ in range(rows):
            g.write(f.readline())
    os.replace(tmp, dst)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                      "data"))
    ap.add_argument("--force", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    suffix = size_suffix(args.rows)
    small = args.rows // 10
    files = [(f"drift_ref_{suffix}.csv", lambda p: write(p, args.rows, False, 1)),
             (f"drift_cur_{suffix}.csv", lambda p: write(p, args.rows, True, 2)),
             (f"drift_ref_{size_suffix(small)}.csv",
              lambda p: head(os.path.join(args.out_dir, f"drift_ref_{suffix}.csv"), p, small))]
    for name, make in files:
        path = os.path.join(args.out_dir, name)
        if os.path.exists(path) and not args.force:
            print(f"  {name}: exists", file=sys.stderr)
            continue
        t0 = time.perf_counter()
        make(path)
        print(f"  {name}: {os.path.getsize(path) / 1e6:.0f} MB in "
              f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
