#!/usr/bin/python3
"""Generates the benchmark inputs of `make bench` (deterministic: same seed, same bytes).

  binary_10m.csv      label,prediction,score
                      label 0/1 with ~30% positives; score = P(positive), a sigmoid of a noisy
                      logit whose mean depends on the label (ROC AUC ~0.955, accuracy ~0.90),
                      written like C's '%.6g'; prediction = (written score >= 0.5).
  multiclass_10m.csv  label,prediction,p_0,...,p_9
                      10 imbalanced classes; p_k a softmax of noisy logits (accuracy ~0.71,
                      one-vs-rest ROC AUC ~0.96), written like '%.7g', so that every row sums
                      to 1 within 1e-6 (7 digits: |sum - 1| <= 5e-7 by relative rounding);
                      prediction = argmax of the written p_k, except ~3% of rows that predict the
                      runner-up (as a cost-sensitive decision rule would).

Usage: /usr/bin/python3 bench/gen_metrics_data.py [--rows N] [--out-dir DIR]
                                                  [--only binary|multiclass] [--force]
With --rows other than 10M the files are named after N: binary_1m.csv, multiclass_200k.csv,
binary_1234.csv. Existing files are kept unless --force. Files are written to a temporary name
and renamed when complete, so an interrupted run leaves no truncated input behind.

Speed: rows are generated and formatted in chunks with vectorized numpy (a fixed-width character
matrix per chunk plus a mask of the characters to keep): ~5 s for the 10M-row binary file and
~40 s for the multiclass one on one core, where np.savetxt would take minutes.
"""

import argparse
import os
import sys
import time

import numpy as np

SEED = 20261124
# Rows per chunk: small enough for the caches, and fixed so that a file depends only on N and seed.
CHUNK_ROWS = 1 << 17
NUM_CLASSES = 10


def size_suffix(n):
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


# ---------------------------------------------------------------------------------------------
# Vectorized '%.<sig>g' for values in [0, 1].
#
# Returns (chars, keep, value): chars is an (n, 16) uint8 matrix holding each field followed by a
# ',' column (and padding), keep marks the characters to write (left to right), value is the
# double the text denotes (what a correct parser reads back). Matches printf's '%.<sig>g'
# (4 <= sig <= 8) for x in [0, 1] with x >= 1e-99: fixed notation for exponents -4..-1,
# scientific 'd.ddde-XY' below, trailing zeros and a bare '.' removed, "0" and "1" for the ends.
# (Rounding of exact decimal ties may differ from glibc in the last digit; immaterial here.)
#
# Every step is a contiguous column operation or a 1-D table lookup (2-D fancy indexing and
# broadcast comparisons are 10x slower). Layout of a row:
#   fixed       "0." + "000" + the sig digits of m + ","; keep skips (3 - leading zeros) "0"s.
#   scientific  d0 "." d1..d(sig-1) "e-" X Y ","
# Which characters to keep depends only on (notation, leading zeros, digits kept): a table of
# 16-byte masks, looked up as two uint64 halves.
_W = 16
_DIGITS4 = np.array([list(f"{i:04d}".encode()) for i in range(10000)],
                    dtype=np.uint8).view(np.uint32).ravel()  # 4 ASCII digits per entry
_TRAILING_ZEROS4 = np.array([0] + [len(f"{i:04d}") - len(f"{i:04d}".rstrip("0"))
                                   for i in range(1, 10000)], dtype=np.int8)
_POW10 = 10.0 ** np.arange(0, 120)


def _keep_table(sig):
    """Masks: key 0 = "0"/"1"; 1 + lead * sig + (kept - 1) = fixed; 1 + 4 * sig + (kept - 1) =
    scientific. Returned as two uint64 columns."""
    t = np.zeros((1 + 5 * sig, _W), dtype=bool)
    comma = sig + 5
    t[0, [0, comma]] = True
    for lead in range(4):
        for kept in range(1, sig + 1):
            row = t[1 + lead * sig + kept - 1]
            row[[0, 1]] = True
            row[5 - lead : 5 + kept] = True
            row[comma] = True
    for kept in range(1, sig + 1):
        row = t[1 + 4 * sig + kept - 1]
        row[0] = True
        row[1 : kept + 1] = kept > 1  # "." and d1..d(kept-1)
        row[sig + 1 : comma + 1] = True  # "e-XY,"
    halves = t.view(np.uint64)
    return np.ascontiguousarray(halves[:, 0]), np.ascontiguousarray(halves[:, 1])


_KEEP_TABLES = {}


def format_g(x, sig):
    assert 4 <= sig <= 8
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    zero = x <= 0.0
    safe = x.copy()
    safe[zero] = 0.5
    e = np.floor(np.log10(safe)).astype(np.int32)
    m = np.rint(safe * _POW10[sig - 1 - e]).astype(np.int32)
    lo, hi = 10 ** (sig - 1), 10 ** sig
    # log10 may be off by one next to powers of ten; rounding may carry into a new digit.
    under = m < lo
    if under.any():
        e[under] -= 1
        m[under] = np.rint(safe[under] * _POW10[sig - 1 - e[under]]).astype(np.int32)
    over = m >= hi
    e[over] += 1
    m[over] //= 10
    one = (e >= 0) & ~zero  # x rounds to 1 (x <= 1)
    ends = zero | one
    # m / 10^k with both exact (k <= 22) is correctly rounded: the same double a parser gets.
    value = m / _POW10[sig - 1 - np.minimum(e, 0)]
    value[zero] = 0.0
    value[one] = 1.0

    # The sig digits of m as characters, via a table of 4-digit groups; trailing zero count.
    m_hi = m // 10000
    m_lo = m - m_hi * 10000
    digits = np.empty((n, 8), dtype=np.uint8)
    digits.view(np.uint32)[:, 0] = _DIGITS4[m_hi]
    digits.view(np.uint32)[:, 1] = _DIGITS4[m_lo]
    digits = digits[:, 8 - sig :]
    tz = _TRAILING_ZEROS4[m_lo]
    lo_zero = m_lo == 0
    tz[lo_zero] = 4 + _TRAILING_ZEROS4[m_hi[lo_zero]]
    kept = sig - tz  # significant digits written, >= 1

    sci = (e < -4) & ~zero
    chars = np.empty((n, _W), dtype=np.uint8)
    # fixed layout (and "0"/"1" in column 0)
    chars[:, 0] = ord("0")
    chars[one, 0] = ord("1")
    chars[:, 1] = ord(".")
    chars[:, 2:5] = ord("0")
    chars[:, 5 : 5 + sig] = digits
    chars[:, sig + 5] = ord(",")
    chars[:, sig + 6 :] = ord(" ")  # padding, never kept
    # scientific rows (scores below 1e-4: few)
    rows = np.nonzero(sci)[0]
    if rows.size:
        sc = chars[rows]
        sc[:, 0] = digits[rows, 0]
        sc[:, 2 : sig + 1] = digits[rows, 1:]
        ex = np.minimum(-e[rows], 99)
        sc[:, sig + 1] = ord("e")
        sc[:, sig + 2] = ord("-")
        sc[:, sig + 3] = ex // 10 + ord("0")
        sc[:, sig + 4] = ex % 10 + ord("0")
        chars[rows] = sc

    if sig not in _KEEP_TABLES:
        _KEEP_TABLES[sig] = _keep_table(sig)
    t0, t1 = _KEEP_TABLES[sig]
    lead = np.clip(-e - 1, 0, 3)
    key = 1 + lead * sig + kept - 1
    key[sci] = 1 + 4 * sig + kept[sci] - 1
    key[ends] = 0
    keep = np.empty((n, 2), dtype=np.uint64)
    keep[:, 0] = t0[key]
    keep[:, 1] = t1[key]
    return chars, keep.view(bool), value


def int_fields(columns):
    """Single-digit non-negative int columns as 'a,b,' characters: an (n, 2 * len) matrix."""
    n = columns[0].shape[0]
    out = np.full((n, 2 * len(columns)), ord(","), dtype=np.uint8)
    for i, c in enumerate(columns):
        assert c.min() >= 0 and c.max() <= 9
        out[:, 2 * i] = c.astype(np.uint8) + ord("0")
    return out


def rows_to_bytes(prefix, chars, keep, newline_col):
    """prefix: (n, k) always-kept characters; chars/keep: (n, w) from format_g. Column
    newline_col of chars (the ',' format_g wrote after a row's last field) becomes the newline."""
    chars[:, newline_col] = ord("\n")
    all_chars = np.concatenate([prefix, chars], axis=1)
    all_keep = np.concatenate([np.ones(prefix.shape, dtype=bool), keep], axis=1)
    return all_chars[all_keep].tobytes()  # boolean indexing walks row by row, left to right


def binary_chunk(rng, n):
    label = (rng.random(n) < 0.30).astype(np.int64)
    # Class-conditional logits: positives centred at +1.3, negatives at -1.4, unit-ish noise with
    # a heavier tail (a mix of two widths), then a mild miscalibration (temperature 0.9).
    width = np.where(rng.random(n) < 0.9, 1.0, 2.0)
    logit = np.where(label == 1, 1.3, -1.4) + width * rng.standard_normal(n)
    score = 1.0 / (1.0 + np.exp(-logit / 0.9))
    score = np.clip(score, 1e-15, 1.0)
    chars, keep, value = format_g(score, 6)
    prediction = (value >= 0.5).astype(np.int64)
    return rows_to_bytes(int_fields([label, prediction]), chars, keep, 6 + 5)


CLASS_PRIOR = np.array([0.22, 0.16, 0.13, 0.11, 0.09, 0.08, 0.07, 0.06, 0.05, 0.03])


def multiclass_chunk(rng, n):
    label = rng.choice(NUM_CLASSES, size=n, p=CLASS_PRIOR)
    logits = 1.1 * rng.standard_normal((n, NUM_CLASSES)) + np.log(CLASS_PRIOR)[None, :]
    logits[np.arange(n), label] += 2.4
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    # All n * 10 probabilities in one call; row-major, so each row's 10 fields are adjacent.
    chars, keep, value = format_g(p.reshape(-1), 7)
    written = value.reshape(n, NUM_CLASSES)
    top2 = np.argpartition(-written, 1, axis=1)[:, :2]  # [argmax, runner-up] (ties: any)
    prediction = np.where(rng.random(n) < 0.03, top2[:, 1], top2[:, 0])
    w = chars.shape[1] * NUM_CLASSES
    return rows_to_bytes(int_fields([label, prediction]), chars.reshape(n, w), keep.reshape(n, w),
                         w - _W + 7 + 5)


def write_file(path, header, make_chunk, rows, seed):
    rng = np.random.default_rng(seed)
    tmp = path + ".tmp"
    t0 = time.perf_counter()
    with open(tmp, "wb") as f:
        f.write(header.encode())
        done = 0
        while done < rows:
            n = min(CHUNK_ROWS, rows - done)
            f.write(make_chunk(rng, n))
            done += n
    os.replace(tmp, path)
    mb = os.path.getsize(path) / 1e6
    print(f"gen_metrics_data: wrote {path} ({rows} rows, {mb:.0f} MB, "
          f"{time.perf_counter() - t0:.1f} s)", file=sys.stderr)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000, help="rows per file (default 10M)")
    ap.add_argument("--out-dir", default=os.path.join(here, "data"))
    ap.add_argument("--only", choices=["binary", "multiclass"])
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--force", action="store_true", help="rewrite existing files")
    args = ap.parse_args()
    if args.rows < 1:
        ap.error("--rows must be positive")
    os.makedirs(args.out_dir, exist_ok=True)
    suffix = size_suffix(args.rows)
    jobs = [
        ("binary", "label,prediction,score\n", binary_chunk, args.seed),
        ("multiclass",
         "label,prediction," + ",".join(f"p_{k}" for k in range(NUM_CLASSES)) + "\n",
         multiclass_chunk, args.seed + 1),
    ]
    for name, header, fn, seed in jobs:
        if args.only and args.only != name:
            continue
        path = os.path.join(args.out_dir, f"{name}_{suffix}.csv")
        if os.path.exists(path) and not args.force:
            print(f"gen_metrics_data: {path} exists, kept", file=sys.stderr)
            continue
        write_file(path, header, fn, args.rows, seed)


if __name__ == "__main__":
    main()
