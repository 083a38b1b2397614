#!/usr/bin/python3
"""Generates the golden cases for `modelwatch metrics` from scikit-learn.

Run with Debian's interpreter, which has python3-sklearn (1.2.1), numpy and scipy:

    /usr/bin/python3 tests/golden/gen_metrics.py [--out-dir DIR]

It writes, for every case, a data file (`<case>.csv` or `<case>.ndjson`) and `<case>.json`:

    {"description": "...", "args": ["metrics", ...], "input": "<case>.csv", "expected": {...}}

`args` is the command line without --input/--format/--output; `expected` follows the JSON schema of
`modelwatch metrics --format json` (docs/), holding scikit-learn's values. The golden test
(golden_metrics_test.cc) runs every case in-process and compares each key of `expected`.

The output is deterministic: fixed seeds, floats written with repr (shortest round trip), no
timestamps. check_generator.sh regenerates into a temporary folder and diffs against the committed
files, so edit this script and regenerate rather than editing the data.

Definitions that are not a single scikit-learn call (they are the documented semantics of
modelwatch) are spelled out in the helpers below: label formatting, specificity, --zero-division nan,
ECE binning, multiclass ROC AUC / average precision with classes absent from the truth, multiclass
Brier score.
"""

import argparse
import json
import math
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn import metrics as skm

EPS = float(np.finfo(float).eps)


# ----------------------------------------------------------------------------------------------
# Formatting


def label_key(v):
    """A label as modelwatch prints it (per_class keys and the "labels" arrays, always JSON
    strings): strings as they are, integral numbers like a Python int ("1" for 1 and 1.0), other
    numbers as repr ("0.5")."""
    if isinstance(v, (str, np.str_)):
        return str(v)
    f = float(v)
    if f.is_integer():
        return str(int(f))
    return repr(f)


def num(x):
    """A metric value as JSON: None for undefined (NaN), else a Python float."""
    if x is None:
        return None
    x = float(x)
    if math.isnan(x):
        return None
    assert math.isfinite(x), x
    return x


def cell(v):
    """A data value as CSV text."""
    if isinstance(v, (str, np.str_)):
        assert "," not in v and '"' not in v and "\n" not in v
        return str(v)
    if isinstance(v, (bool, np.bool_)):
        raise TypeError("no booleans in data files")
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return repr(float(v))


def ndjson_value(v):
    if isinstance(v, (str, np.str_)):
        return str(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    return float(v)


def dumps(obj, indent=0):
    """Compact, stable JSON: objects one key a line, arrays of scalars on one line."""
    pad = "  " * indent
    if obj is None:
        return "null"
    if isinstance(obj, bool):
        return "true" if obj else "false"
    if isinstance(obj, int):
        return str(obj)
    if isinstance(obj, float):
        assert math.isfinite(obj), obj
        return repr(obj)
    if isinstance(obj, str):
        return json.dumps(obj)
    if isinstance(obj, list):
        if all(not isinstance(x, (dict, list)) for x in obj):
            return "[" + ", ".join(dumps(x) for x in obj) + "]"
        inner = ",\n".join(pad + "  " + dumps(x, indent + 1) for x in obj)
        return "[\n" + inner + "\n" + pad + "]"
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        inner = ",\n".join(
            pad + "  " + json.dumps(str(k)) + ": " + dumps(v, indent + 1) for k, v in obj.items()
        )
        return "{\n" + inner + "\n" + pad + "}"
    raise TypeError(type(obj))


# ----------------------------------------------------------------------------------------------
# Reference computations


def ece_value(conf, correct, bins):
    """Expected calibration error with bins from np.linspace(0, 1, bins + 1), right-closed."""
    conf = np.asarray(conf, dtype=float)
    correct = np.asarray(correct, dtype=float)
    n = len(conf)
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.searchsorted(edges[1:-1], conf, side="left")
    total = 0.0
    for b in range(bins):
        m = idx == b
        nb = int(m.sum())
        if nb == 0:
            continue
        total += nb / n * abs(correct[m].mean() - conf[m].mean())
    return total


def prf_block(y, pred, classes, display, zd, beta, task, pos_label):
    """precision / recall / f1 / fbeta dicts for one zero_division setting (0 or 1)."""
    out = {}
    fns = [
        ("precision", lambda **kw: skm.precision_score(y, pred, **kw)),
        ("recall", lambda **kw: skm.recall_score(y, pred, **kw)),
        ("f1", lambda **kw: skm.f1_score(y, pred, **kw)),
    ]
    if beta is not None:
        fns.append(("fbeta", lambda **kw: skm.fbeta_score(y, pred, beta=beta, **kw)))
    for name, fn in fns:
        d = {}
        if task == "binary":
            d["binary"] = float(fn(labels=classes, pos_label=pos_label, average="binary",
                                   zero_division=zd))
        for avg in ("micro", "macro", "weighted"):
            d[avg] = float(fn(labels=classes, average=avg, zero_division=zd))
        per = fn(labels=classes, average=None, zero_division=zd)
        d["per_class"] = {label_key(c): float(v) for c, v in zip(display, per)}
        out[name] = d
    if task == "binary":
        # Specificity = recall of "not positive"; 0/0 (no negatives in the truth) follows
        # zero_division like any recall.
        out["specificity"] = float(
            skm.recall_score(y != pos_label, pred != pos_label, pos_label=True,
                             average="binary", zero_division=zd))
    return out


def merge_nan(a, b):
    """For --zero-division nan: values where zero_division=0 and =1 differ become null."""
    if isinstance(a, dict):
        return {k: merge_nan(a[k], b[k]) for k in a}
    return a if a == b else None


def classification_expected(y, pred, task, *, pos_label=None, classes=None, zero_division="warn",
                            beta=None, scores=None, ece_bins=10, score_mode=None):
    y = np.asarray(y)
    pred = np.asarray(pred)
    if classes is None:
        classes = np.unique(np.concatenate([y, pred]))
    classes = list(classes)
    n = len(y)
    display = classes
    if y.dtype.kind == "f" and not all(float(c).is_integer() for c in classes):
        # scikit-learn rejects non-integral float labels ("continuous"); compute on the indices
        # of the classes and print the values.
        codes = {float(c): i for i, c in enumerate(classes)}
        y = np.array([codes[float(v)] for v in y])
        pred = np.array([codes[float(v)] for v in pred])
        assert pos_label is None
        classes = list(range(len(classes)))

    if zero_division == "nan":
        prf = merge_nan(prf_block(y, pred, classes, display, 0, beta, task, pos_label),
                        prf_block(y, pred, classes, display, 1, beta, task, pos_label))
    else:
        zd = 0 if zero_division == "warn" else int(zero_division)
        prf = prf_block(y, pred, classes, display, zd, beta, task, pos_label)

    m = {}
    m["accuracy"] = num(skm.accuracy_score(y, pred))
    m["balanced_accuracy"] = num(skm.balanced_accuracy_score(y, pred))
    for name in ("precision", "recall", "f1", "fbeta"):
        if name in prf:
            m[name] = {k: (num(v) if not isinstance(v, dict) else {kk: num(vv)
                                                                  for kk, vv in v.items()})
                       for k, v in prf[name].items()}
    if task == "binary":
        m["specificity"] = num(prf["specificity"])
    m["mcc"] = num(skm.matthews_corrcoef(y, pred))
    m["cohen_kappa"] = num(skm.cohen_kappa_score(y, pred, labels=classes))
    m["support"] = {label_key(d): int((y == c).sum()) for c, d in zip(classes, display)}

    if scores is not None:
        if task == "binary":
            m.update(binary_score_metrics(y == pos_label, scores, ece_bins))
        else:
            m.update(multiclass_score_metrics(y, classes, scores, ece_bins))

    expected = {"task": task, "n": n, "labels": [label_key(c) for c in display]}
    if scores is not None:
        expected["score_mode"] = score_mode or "exact"
    expected["metrics"] = m
    cm = skm.confusion_matrix(y, pred, labels=classes)
    expected["confusion_matrix"] = {
        "labels": [label_key(c) for c in display],
        "matrix": [[int(v) for v in row] for row in cm],
    }
    return expected


def binary_score_metrics(yb, p, ece_bins):
    yb = np.asarray(yb).astype(int)
    p = np.asarray(p, dtype=float)
    out = {}
    out["roc_auc"] = num(skm.roc_auc_score(yb, p)) if 0 < yb.sum() < len(yb) else None
    out["average_precision"] = num(skm.average_precision_score(yb, p)) if yb.sum() > 0 else None
    q = np.clip(p, EPS, 1 - EPS)
    out["log_loss"] = num(skm.log_loss(yb, np.column_stack([1 - q, q]), labels=[0, 1]))
    out["brier"] = num(skm.brier_score_loss(yb, p, pos_label=1))
    out["ece"] = num(ece_value(p, yb, ece_bins))
    return out


def multiclass_score_metrics(y, classes, P, ece_bins):
    P = np.asarray(P, dtype=float)
    y = np.asarray(y)
    k = len(classes)
    assert P.shape == (len(y), k)
    aucs, weights, aps = [], [], []
    for j, c in enumerate(classes):
        yk = (y == c).astype(int)
        pos = int(yk.sum())
        if 0 < pos < len(y):
            aucs.append(skm.roc_auc_score(yk, P[:, j]))
            weights.append(pos)
        if pos > 0:
            aps.append(skm.average_precision_score(yk, P[:, j]))
    out = {}
    if aucs:
        macro = float(np.mean(aucs))
        weighted = float(np.average(aucs, weights=weights))
        # Where every class has positives and negatives, this is exactly scikit-learn's OvR.
        if len(aucs) == k and k > 2 and list(classes) == sorted(classes):
            ref_m = skm.roc_auc_score(y, P, multi_class="ovr", average="macro", labels=classes)
            ref_w = skm.roc_auc_score(y, P, multi_class="ovr", average="weighted", labels=classes)
            assert abs(ref_m - macro) <= 1e-12 and abs(ref_w - weighted) <= 1e-12, (macro, ref_m)
        out["roc_auc"] = {"macro": num(macro), "weighted": num(weighted)}
    else:
        out["roc_auc"] = {"macro": None, "weighted": None}
    out["average_precision"] = {"macro": num(np.mean(aps)) if aps else None}
    # log_loss binarizes with the labels *sorted* (LabelBinarizer), so the columns of P must be in
    # sorted order too, whatever the --labels order.
    order = sorted(range(k), key=lambda j: classes[j])
    out["log_loss"] = num(skm.log_loss(y, P[:, order], labels=[classes[j] for j in order]))
    onehot = np.array([[1.0 if yi == c else 0.0 for c in classes] for yi in y])
    out["brier"] = num(np.mean(np.sum((P - onehot) ** 2, axis=1)))
    top = np.array(classes, dtype=object)[P.argmax(axis=1)]
    correct = np.array([a == b for a, b in zip(top, y)], dtype=float)
    out["ece"] = num(ece_value(P.max(axis=1), correct, ece_bins))
    return out


def regression_expected(y, yhat):
    y = np.asarray(y, dtype=float)
    yhat = np.asarray(yhat, dtype=float)
    mse = skm.mean_squared_error(y, yhat)
    return {
        "task": "regression",
        "n": len(y),
        "metrics": {
            "mae": num(skm.mean_absolute_error(y, yhat)),
            "mse": num(mse),
            "rmse": num(math.sqrt(mse)),
            "mape": num(skm.mean_absolute_percentage_error(y, yhat)),
            "median_ae": num(skm.median_absolute_error(y, yhat)),
            "r2": num(skm.r2_score(y, yhat)),
            "explained_variance": num(skm.explained_variance_score(y, yhat)),
            "max_error": num(skm.max_error(y, yhat)),
        },
    }


# ----------------------------------------------------------------------------------------------
# Data


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def binary_data(rng, n, base_rate=0.5, threshold=0.5):
    """Truth from a logistic model, a noisy but informative score, prediction = score >= t."""
    x = rng.normal(size=n)
    b = math.log(base_rate / (1 - base_rate))
    y = (rng.random(n) < sigmoid(2.0 * x + b)).astype(int)
    p = sigmoid(2.0 * x + b + rng.normal(scale=0.7, size=n))
    pred = (p >= threshold).astype(int)
    return y, pred, p


def multiclass_data(rng, n, k, flip=0.05):
    """Truth drawn from softmax(Z); scores softmax(Z + noise); prediction mostly argmax."""
    z = rng.normal(scale=1.5, size=(n, k))
    ptrue = softmax(z)
    y = np.array([rng.choice(k, p=row) for row in ptrue])
    P = softmax(z + rng.normal(scale=0.5, size=(n, k)))
    pred = P.argmax(axis=1)
    flips = rng.random(n) < flip
    pred[flips] = rng.integers(0, k, size=int(flips.sum()))
    return y, pred, P


def normalize_rows(P):
    P = np.asarray(P, dtype=float)
    return P / P.sum(axis=1, keepdims=True)


# ----------------------------------------------------------------------------------------------
# Writer


class Writer:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.names = []

    def write_table(self, name, fmt, columns):
        """columns: list of (column name, sequence of values)."""
        lengths = {len(v) for _, v in columns}
        assert len(lengths) == 1, lengths
        n = lengths.pop()
        fname = f"{name}.{fmt}"
        with open(os.path.join(self.out_dir, fname), "w", newline="\n") as f:
            if fmt == "csv":
                f.write(",".join(c for c, _ in columns) + "\n")
                for i in range(n):
                    f.write(",".join(cell(v[i]) for _, v in columns) + "\n")
            else:
                for i in range(n):
                    obj = {c: ndjson_value(v[i]) for c, v in columns}
                    f.write(json.dumps(obj, separators=(",", ":")) + "\n")
        return fname

    def case(self, name, description, args, columns, expected, fmt="csv"):
        assert name not in self.names, name
        assert all(a not in ("--input", "--format", "--output") for a in args)
        self.names.append(name)
        fname = self.write_table(name, fmt, columns)
        doc = {"description": description, "args": ["metrics"] + list(args), "input": fname,
               "expected": expected}
        with open(os.path.join(self.out_dir, f"{name}.json"), "w", newline="\n") as f:
            f.write(dumps(doc) + "\n")


def cls_args(task, label_col="label", pred_col="pred", extra=()):
    return ["--task", task, "--label-col", label_col, "--pred-col", pred_col] + list(extra)


# ----------------------------------------------------------------------------------------------
# Cases


def binary_cases(w):
    # Random balanced binary with scores.
    rng = np.random.default_rng(101)
    y, pred, p = binary_data(rng, 2000)
    w.case("binary_balanced", "random balanced binary, labels 0/1, with scores",
           cls_args("binary", extra=["--score-col", "score"]),
           [("label", y), ("pred", pred), ("score", p)],
           classification_expected(y, pred, "binary", pos_label=1, scores=p))

    # Imbalanced: 1% positives.
    rng = np.random.default_rng(102)
    n = 5000
    y = np.zeros(n, dtype=int)
    y[rng.choice(n, size=50, replace=False)] = 1
    p = np.clip(rng.beta(1, 12, size=n) + 0.35 * y * rng.random(n), 0, 1)
    pred = (p >= 0.2).astype(int)
    w.case("binary_imbalanced", "binary, 1% positives (50 of 5000), with scores",
           cls_args("binary", extra=["--score-col", "score"]),
           [("label", y), ("pred", pred), ("score", p)],
           classification_expected(y, pred, "binary", pos_label=1, scores=p))

    # Positive class never predicted: precision 0/0.
    rng = np.random.default_rng(103)
    y, _, p = binary_data(rng, 300, base_rate=0.3)
    pred = np.zeros_like(y)
    w.case("binary_positive_absent_from_pred",
           "binary, the positive class is never predicted (precision is 0/0)",
           cls_args("binary", extra=["--score-col", "score"]),
           [("label", y), ("pred", pred), ("score", p)],
           classification_expected(y, pred, "binary", pos_label=1, scores=p))

    # Positive class absent from the truth: recall 0/0, ROC AUC and AP undefined.
    rng = np.random.default_rng(104)
    _, pred, p = binary_data(rng, 300, base_rate=0.2)
    y = np.zeros_like(pred)
    w.case("binary_positive_absent_from_truth",
           "binary, no positive in the truth (recall 0/0, roc_auc and average_precision null)",
           cls_args("binary", extra=["--score-col", "score"]),
           [("label", y), ("pred", pred), ("score", p)],
           classification_expected(y, pred, "binary", pos_label=1, scores=p))

    # Tied scores: rounded to one decimal.
    rng = np.random.default_rng(105)
    y, pred, p = binary_data(rng, 1000)
    p = np.round(p, 1)
    w.case("binary_tied_scores", "binary, scores rounded to one decimal (many ties)",
           cls_args("binary", extra=["--score-col", "score"]),
           [("label", y), ("pred", pred), ("score", p)],
           classification_expected(y, pred, "binary", pos_label=1, scores=p))

    # All scores equal.
    rng = np.random.default_rng(106)
    y, pred, _ = binary_data(rng, 200)
    p = np.full(len(y), 0.3)
    w.case("binary_all_scores_equal", "binary, every score is 0.3 (roc_auc 0.5)",
           cls_args("binary", extra=["--score-col", "score"]),
           [("label", y), ("pred", pred), ("score", p)],
           classification_expected(y, pred, "binary", pos_label=1, scores=p))

    # One class only.
    rng = np.random.default_rng(107)
    p = rng.random(50)
    ones = np.ones(50, dtype=int)
    w.case("binary_one_class_positive",
           "binary, truth and prediction all 1 (no negatives: specificity 0/0, roc_auc null)",
           cls_args("binary", extra=["--score-col", "score"]),
           [("label", ones), ("pred", ones), ("score", p)],
           classification_expected(ones, ones, "binary", pos_label=1, scores=p))
    zeros = np.zeros(50, dtype=int)
    w.case("binary_one_class_negative",
           "binary, truth and prediction all 0 (positive label 1 absent; labels is [0])",
           cls_args("binary", extra=["--score-col", "score"]),
           [("label", zeros), ("pred", zeros), ("score", p)],
           classification_expected(zeros, zeros, "binary", pos_label=1, scores=p))

    # String labels with --positive-label.
    rng = np.random.default_rng(108)
    yi, predi, p = binary_data(rng, 800)
    names = np.array(["cat", "dog"])
    y, pred = names[yi], names[predi]
    w.case("binary_string_labels", "binary, labels cat/dog, --positive-label dog, with scores",
           cls_args("binary", "truth", "predicted",
                    ["--positive-label", "dog", "--score-col", "p_dog"]),
           [("truth", y), ("predicted", pred), ("p_dog", p)],
           classification_expected(y, pred, "binary", pos_label="dog", scores=p))

    rng = np.random.default_rng(109)
    yi, predi, p = binary_data(rng, 600, base_rate=0.25)
    names = np.array(["ham", "spam"])
    y, pred = names[yi], names[predi]
    w.case("binary_string_labels_ndjson",
           "binary NDJSON, labels ham/spam as JSON strings, --positive-label spam",
           cls_args("binary", "label", "prediction",
                    ["--input-format", "ndjson", "--positive-label", "spam", "--score-col",
                     "score"]),
           [("label", y), ("prediction", pred), ("score", p)],
           classification_expected(y, pred, "binary", pos_label="spam", scores=p), fmt="ndjson")

    # Numeric labels written 1 in the truth and 1.0 in the prediction: the same class.
    rng = np.random.default_rng(110)
    y, predi, p = binary_data(rng, 400)
    pred = predi.astype(float)
    w.case("binary_int_float_mix",
           "binary, truth written 0/1 and prediction 0.0/1.0: same classes by value",
           cls_args("binary", extra=["--score-col", "score"]),
           [("label", y), ("pred", pred), ("score", p)],
           classification_expected(y, pred, "binary", pos_label=1, scores=p))

    # --positive-label 0: the score column is P(0).
    rng = np.random.default_rng(111)
    yi, predi, p = binary_data(rng, 700, base_rate=0.4)
    y, pred = 1 - yi, 1 - predi  # class 0 is the "event"
    w.case("binary_positive_label_0", "binary, --positive-label 0, score = P(label == 0)",
           cls_args("binary", extra=["--positive-label", "0", "--score-col", "p0"]),
           [("label", y), ("pred", pred), ("p0", p)],
           classification_expected(y, pred, "binary", pos_label=0, scores=p))

    # Labels -1/1, default positive label 1.
    rng = np.random.default_rng(112)
    yi, predi, p = binary_data(rng, 500)
    y, pred = 2 * yi - 1, 2 * predi - 1
    w.case("binary_minus1_plus1", "binary, labels -1/1, default positive label 1",
           cls_args("binary", extra=["--score-col", "score"]),
           [("label", y), ("pred", pred), ("score", p)],
           classification_expected(y, pred, "binary", pos_label=1, scores=p))

    # --labels in a non-sorted order.
    rng = np.random.default_rng(113)
    y, pred, p = binary_data(rng, 500)
    w.case("binary_labels_order", "binary, --labels 1,0 (per_class and matrix in that order)",
           cls_args("binary", extra=["--labels", "1,0", "--score-col", "score"]),
           [("label", y), ("pred", pred), ("score", p)],
           classification_expected(y, pred, "binary", pos_label=1, classes=[1, 0], scores=p))

    # --zero-division: the positive class is never predicted and class 2... (binary: pred all 0).
    rng = np.random.default_rng(114)
    y, _, _ = binary_data(rng, 120, base_rate=0.3)
    pred = np.zeros_like(y)
    for zd in ("0", "1", "nan"):
        w.case(f"binary_zero_division_{zd}",
               f"binary, positive never predicted, --zero-division {zd}",
               cls_args("binary", extra=["--zero-division", zd]),
               [("label", y), ("pred", pred)],
               classification_expected(y, pred, "binary", pos_label=1, zero_division=zd))
    ones = np.ones(40, dtype=int)
    w.case("binary_zero_division_nan_one_class",
           "binary, truth and prediction all 1, --zero-division nan (specificity null)",
           cls_args("binary", extra=["--zero-division", "nan"]),
           [("label", ones), ("pred", ones)],
           classification_expected(ones, ones, "binary", pos_label=1, zero_division="nan"))

    # --beta.
    rng = np.random.default_rng(115)
    y, pred, _ = binary_data(rng, 900, base_rate=0.35, threshold=0.4)
    for beta in ("0.5", "2"):
        w.case(f"binary_beta_{beta.replace('.', '_')}", f"binary, --beta {beta}, no scores",
               cls_args("binary", extra=["--beta", beta]),
               [("label", y), ("pred", pred)],
               classification_expected(y, pred, "binary", pos_label=1, beta=float(beta)))

    # --ece-bins, with scores sitting exactly on bin edges (linspace edges and i/B).
    for bins, seed in ((5, 116), (15, 117)):
        rng = np.random.default_rng(seed)
        y, pred, p = binary_data(rng, 1000)
        edges = np.linspace(0, 1, bins + 1)
        special = np.concatenate([edges, np.arange(bins + 1) / bins, [0.1 + 0.2, 0.7, 0.6]])
        p[: len(special)] = special
        w.case(f"binary_ece_bins_{bins}", f"binary, --ece-bins {bins}, scores on the bin edges",
               cls_args("binary", extra=["--score-col", "score", "--ece-bins", str(bins)]),
               [("label", y), ("pred", pred), ("score", p)],
               classification_expected(y, pred, "binary", pos_label=1, scores=p,
                                       ece_bins=bins))
    rng = np.random.default_rng(118)
    y, pred, p = binary_data(rng, 400)
    special = np.array([0.1 + 0.2, 0.3, 0.6000000000000001, 0.6, 0.7000000000000001, 0.7,
                        0.0, 1.0, 0.1, 0.5, 0.9, 1.0 - EPS / 2, EPS])
    p[: len(special)] = special
    w.case("binary_ece_edges_default_bins",
           "binary, default 10 bins, scores on both np.linspace edges and i/10",
           cls_args("binary", extra=["--score-col", "score"]),
           [("label", y), ("pred", pred), ("score", p)],
           classification_expected(y, pred, "binary", pos_label=1, scores=p))

    # Scores 0 and 1 exactly (log loss clipping).
    rng = np.random.default_rng(119)
    y, pred, p = binary_data(rng, 300)
    p = np.where(rng.random(300) < 0.3, pred.astype(float), p)
    p[:4] = [0.0, 1.0, 0.0, 1.0]
    y[:4] = [1, 0, 0, 1]
    w.case("binary_scores_zero_one", "binary, scores exactly 0 and 1, some confidently wrong",
           cls_args("binary", extra=["--score-col", "score"]),
           [("label", y), ("pred", pred), ("score", p)],
           classification_expected(y, pred, "binary", pos_label=1, scores=p))

    # NDJSON with numbers.
    rng = np.random.default_rng(120)
    y, pred, p = binary_data(rng, 500)
    w.case("binary_ndjson", "binary NDJSON, numeric labels, with scores",
           cls_args("binary", "label", "prediction",
                    ["--input-format", "ndjson", "--score-col", "score"]),
           [("label", y), ("prediction", pred), ("score", p)],
           classification_expected(y, pred, "binary", pos_label=1, scores=p), fmt="ndjson")

    # Histogram score mode: expected holds the exact values; the test allows the error bound.
    rng = np.random.default_rng(121)
    y, pred, p = binary_data(rng, 5000, base_rate=0.3)
    w.case("binary_histogram", "binary, --score-mode histogram (roc_auc/AP within error_bounds)",
           cls_args("binary", extra=["--score-col", "score", "--score-mode", "histogram"]),
           [("label", y), ("pred", pred), ("score", p)],
           classification_expected(y, pred, "binary", pos_label=1, scores=p,
                                   score_mode="histogram"))
    rng = np.random.default_rng(122)
    y, pred, p = binary_data(rng, 3000, base_rate=0.1)
    w.case("binary_histogram_64_bins",
           "binary, --score-mode histogram --histogram-bins 64 (roc_auc/AP within error_bounds)",
           cls_args("binary", extra=["--score-col", "score", "--score-mode", "histogram",
                                     "--histogram-bins", "64"]),
           [("label", y), ("pred", pred), ("score", p)],
           classification_expected(y, pred, "binary", pos_label=1, scores=p,
                                   score_mode="histogram"))


def score_columns(classes, P, prefix="p_"):
    return [(prefix + label_key(c), P[:, j]) for j, c in enumerate(classes)]


def multiclass_cases(w):
    sizes = {2: 1000, 3: 1500, 5: 1000, 10: 800, 20: 400, 50: 200}
    for seed, (k, n) in enumerate(sizes.items(), start=201):
        rng = np.random.default_rng(seed)
        y, pred, P = multiclass_data(rng, n, k)
        classes = list(range(k))
        w.case(f"multiclass_{k}_classes", f"multiclass, {k} classes 0..{k - 1}, --score-prefix p_",
               cls_args("multiclass", extra=["--score-prefix", "p_"]),
               [("label", y), ("pred", pred)] + score_columns(classes, P),
               classification_expected(y, pred, "multiclass", scores=P))

    # No scores.
    rng = np.random.default_rng(210)
    y, pred, _ = multiclass_data(rng, 600, 4, flip=0.3)
    w.case("multiclass_no_scores", "multiclass, 4 classes, no score columns",
           cls_args("multiclass"), [("label", y), ("pred", pred)],
           classification_expected(y, pred, "multiclass"))

    # A class predicted but absent from the truth (with scores for it).
    rng = np.random.default_rng(211)
    y, pred, P = multiclass_data(rng, 900, 4)
    y[y == 3] = 0
    pred[:7] = 3
    w.case("multiclass_class_absent_from_truth",
           "multiclass, class 3 predicted but never true (left out of roc_auc and AP)",
           cls_args("multiclass", extra=["--score-prefix", "p_"]),
           [("label", y), ("pred", pred)] + score_columns(range(4), P),
           classification_expected(y, pred, "multiclass", scores=P))

    # A class in the truth but never predicted.
    rng = np.random.default_rng(212)
    y, pred, P = multiclass_data(rng, 900, 4)
    pred[pred == 2] = 1
    w.case("multiclass_class_absent_from_pred",
           "multiclass, class 2 true but never predicted (precision 0/0)",
           cls_args("multiclass", extra=["--score-prefix", "p_"]),
           [("label", y), ("pred", pred)] + score_columns(range(4), P),
           classification_expected(y, pred, "multiclass", scores=P))

    # --labels in a non-sorted order, string labels, scores by prefix.
    rng = np.random.default_rng(213)
    yi, predi, P = multiclass_data(rng, 700, 3)
    names = np.array(["bird", "cat", "dog"])
    y, pred = names[yi], names[predi]
    order = ["dog", "bird", "cat"]
    Po = P[:, [2, 0, 1]]
    w.case("multiclass_labels_order",
           "multiclass, string labels, --labels dog,bird,cat (non-sorted order)",
           cls_args("multiclass", extra=["--labels", "dog,bird,cat", "--score-prefix", "p_"]),
           [("label", y), ("pred", pred)] + score_columns(order, Po),
           classification_expected(y, pred, "multiclass", classes=order, scores=Po))

    # String labels, NDJSON.
    rng = np.random.default_rng(214)
    yi, predi, P = multiclass_data(rng, 600, 3)
    names = np.array(["cat", "dog", "fox"])
    y, pred = names[yi], names[predi]
    w.case("multiclass_string_ndjson", "multiclass NDJSON, labels cat/dog/fox, --score-prefix p_",
           cls_args("multiclass", "label", "prediction",
                    ["--input-format", "ndjson", "--score-prefix", "p_"]),
           [("label", y), ("prediction", pred)] + score_columns(list(names), P),
           classification_expected(y, pred, "multiclass", scores=P), fmt="ndjson")

    # --score-cols LABEL=COL.
    rng = np.random.default_rng(215)
    y, pred, P = multiclass_data(rng, 500, 3)
    w.case("multiclass_score_cols", "multiclass, --score-cols 0=prob_zero,1=prob_one,2=prob_two",
           cls_args("multiclass",
                    extra=["--score-cols", "0=prob_zero,1=prob_one,2=prob_two"]),
           [("label", y), ("pred", pred), ("prob_two", P[:, 2]), ("prob_zero", P[:, 0]),
            ("prob_one", P[:, 1])],
           classification_expected(y, pred, "multiclass", scores=P))

    # Tied scores (multiples of 1/8, so rows sum to 1 exactly), ties in the argmax too.
    rng = np.random.default_rng(216)
    n, k = 800, 3
    y = rng.integers(0, k, size=n)
    splits = [(4, 2, 2), (2, 4, 2), (2, 2, 4), (8, 0, 0), (3, 3, 2), (6, 1, 1), (1, 1, 6),
              (4, 4, 0), (0, 4, 4)]
    rows = []
    for yi in y:
        s = np.array(splits[rng.integers(0, len(splits))])
        s = s[rng.permutation(k)]
        if rng.random() < 0.5:  # lean towards the truth half the time
            top = int(s.argmax())
            s[[top, yi]] = s[[yi, top]]
        rows.append(s)
    P = np.array(rows, dtype=float) / 8.0
    pred = P.argmax(axis=1)
    w.case("multiclass_tied_scores",
           "multiclass, scores in multiples of 1/8 (ties within and across rows; argmax ties"
           " go to the first class)",
           cls_args("multiclass", extra=["--score-prefix", "p_"]),
           [("label", y), ("pred", pred)] + score_columns(range(k), P),
           classification_expected(y, pred, "multiclass", scores=P))

    # Non-integral numeric labels.
    rng = np.random.default_rng(217)
    yi, predi, _ = multiclass_data(rng, 300, 3, flip=0.2)
    vals = np.array([0.5, 1.5, 2.25])
    w.case("multiclass_float_labels", "multiclass, labels 0.5/1.5/2.25 (keys use repr)",
           cls_args("multiclass"), [("label", vals[yi]), ("pred", vals[predi])],
           classification_expected(vals[yi], vals[predi], "multiclass"))

    # --zero-division with classes absent from truth and from prediction.
    rng = np.random.default_rng(218)
    y, pred, _ = multiclass_data(rng, 200, 5, flip=0.1)
    y[y == 4] = 0      # class 4: predicted, never true -> recall 0/0
    pred[pred == 3] = 1  # class 3: true, never predicted -> precision 0/0
    for zd in ("0", "1", "nan"):
        w.case(f"multiclass_zero_division_{zd}",
               f"multiclass, class 3 never predicted, class 4 never true, --zero-division {zd}",
               cls_args("multiclass", extra=["--zero-division", zd]),
               [("label", y), ("pred", pred)],
               classification_expected(y, pred, "multiclass", zero_division=zd))

    # --beta.
    rng = np.random.default_rng(219)
    y, pred, _ = multiclass_data(rng, 700, 4, flip=0.2)
    for beta in ("0.5", "2"):
        w.case(f"multiclass_beta_{beta.replace('.', '_')}", f"multiclass, --beta {beta}",
               cls_args("multiclass", extra=["--beta", beta]),
               [("label", y), ("pred", pred)],
               classification_expected(y, pred, "multiclass", beta=float(beta)))

    # --ece-bins.
    for bins, seed in ((5, 220), (15, 221)):
        rng = np.random.default_rng(seed)
        y, pred, P = multiclass_data(rng, 800, 4)
        w.case(f"multiclass_ece_bins_{bins}", f"multiclass, top-label ECE with --ece-bins {bins}",
               cls_args("multiclass", extra=["--score-prefix", "p_", "--ece-bins", str(bins)]),
               [("label", y), ("pred", pred)] + score_columns(range(4), P),
               classification_expected(y, pred, "multiclass", scores=P, ece_bins=bins))

    # Histogram score mode.
    rng = np.random.default_rng(222)
    y, pred, P = multiclass_data(rng, 2000, 4)
    w.case("multiclass_histogram",
           "multiclass, --score-mode histogram (roc_auc/AP within error_bounds)",
           cls_args("multiclass", extra=["--score-prefix", "p_", "--score-mode", "histogram"]),
           [("label", y), ("pred", pred)] + score_columns(range(4), P),
           classification_expected(y, pred, "multiclass", scores=P, score_mode="histogram"))


def regression_cases(w):
    def case(name, description, y, yhat, fmt="csv"):
        extra = ["--input-format", "ndjson"] if fmt == "ndjson" else []
        w.case(name, description,
               ["--task", "regression", "--label-col", "y", "--pred-col", "yhat"] + extra,
               [("y", y), ("yhat", yhat)], regression_expected(y, yhat), fmt=fmt)

    rng = np.random.default_rng(301)
    y = rng.normal(10, 3, size=1000)
    case("regression_random_even_n", "regression, 1000 rows (even n: median of two middles)",
         y, y + rng.normal(0, 1, size=1000))
    rng = np.random.default_rng(302)
    y = rng.normal(-5, 2, size=999)
    case("regression_random_odd_n", "regression, 999 rows (odd n)",
         y, 0.9 * y + rng.normal(0, 1.5, size=999))
    rng = np.random.default_rng(303)
    y = np.round(rng.normal(0, 2, size=500), 0)
    y[:25] = 0.0
    case("regression_zeros_in_y", "regression, many y == 0 (MAPE divides by machine epsilon)",
         y, y + rng.normal(0, 0.5, size=500))
    rng = np.random.default_rng(304)
    y = rng.normal(100, 10, size=800)
    yhat = y + rng.normal(0, 2, size=800)
    yhat[[5, 77, 400]] = [1e6, -3e5, 250.0]
    y[600] = -1e4
    case("regression_outliers", "regression, a few huge errors", y, yhat)
    rng = np.random.default_rng(305)
    case("regression_constant_y", "regression, constant y, imperfect prediction (r2 = 0)",
         np.full(300, 4.0), 4.0 + rng.normal(0, 1, size=300))
    case("regression_constant_y_perfect", "regression, constant y predicted exactly (r2 = 1)",
         np.full(64, 4.0), np.full(64, 4.0))
    rng = np.random.default_rng(306)
    y = rng.gamma(2.0, 3.0, size=400)
    case("regression_ndjson", "regression NDJSON", y, y * 1.1 + rng.normal(0, 1, size=400),
         fmt="ndjson")
    case("regression_single_row", "regression, one row (r2 undefined -> null)",
         np.array([3.0]), np.array([2.5]))
    rng = np.random.default_rng(307)
    y = rng.integers(-20, 20, size=200)
    case("regression_integers", "regression, integer y and prediction", y,
         y + rng.integers(-3, 4, size=200))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=os.path.join(here, "metrics"))
    args = ap.parse_args()
    if sklearn.__version__ != "1.2.1":
        print(f"warning: golden data is defined against scikit-learn 1.2.1, "
              f"this is {sklearn.__version__}", file=sys.stderr)
    os.makedirs(args.out_dir, exist_ok=True)
    for f in os.listdir(args.out_dir):
        if f.endswith((".csv", ".ndjson", ".json")):
            os.remove(os.path.join(args.out_dir, f))
    w = Writer(args.out_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero-division and single-class warnings are expected
        with np.errstate(all="ignore"):
            binary_cases(w)
            multiclass_cases(w)
            regression_cases(w)
    print(f"wrote {len(w.names)} cases to {args.out_dir}")


if __name__ == "__main__":
    main()
