#!/usr/bin/python3
"""The scikit-learn equivalent of `modelwatch metrics`: the reference side of `make bench`.

Reads a CSV with pandas and computes what `modelwatch metrics --task binary|multiclass` reports
(docs/cli.md), the way a data scientist would write it: confusion_matrix, accuracy,
balanced_accuracy, precision/recall/F1 per average mode (precision_recall_fscore_support once
per mode: binary (binary task only), micro, macro, weighted, per class), specificity (binary),
matthews_corrcoef, cohen_kappa_score, roc_auc_score, average_precision_score, log_loss,
brier_score_loss (multiclass: mean over rows of the summed squared differences) and the expected
calibration error (numpy; 10 equal-width bins assigned as calibration_curve(strategy='uniform');
multiclass: top-label confidence).

Prints one JSON line: timings (import, read, compute, total; seconds) and the key values. With
--output FILE it also writes every value as JSON (keys as in modelwatch's report).

Usage:
  /usr/bin/python3 bench/sklearn_metrics.py --task binary --input bench/data/binary_10m.csv \\
      --label-col label --pred-col prediction --score-col score
  /usr/bin/python3 bench/sklearn_metrics.py --task multiclass --input bench/data/multiclass_10m.csv \\
      --label-col label --pred-col prediction --score-prefix p_
"""

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    brier_score_loss,
    cohen_kappa_score,
    confusion_matrix,
    log_loss,
    matthews_corrcoef,
    precision_recall_fscore_support,
    roc_auc_score,
)
from sklearn.preprocessing import label_binarize  # noqa: E402

T_IMPORTED = time.perf_counter()


def expected_calibration_error(correct, confidence, n_bins):
    """sum_b n_b/n |mean(correct)_b - mean(confidence)_b|, bins as calibration_curve 'uniform'."""
    bins = np.linspace(0.0, 1.0, n_bins + 1)
    binids = np.searchsorted(bins[1:-1], confidence)
    bin_conf = np.bincount(binids, weights=confidence, minlength=n_bins)
    bin_true = np.bincount(binids, weights=correct, minlength=n_bins)
    return float(np.sum(np.abs(bin_true - bin_conf)) / len(confidence))


def classification_metrics(y, y_pred, labels, pos_label, binary):
    out = {
        "accuracy": accuracy_score(y, y_pred),
        "balanced_accuracy": balanced_accuracy_score(y, y_pred),
    }
    prf = {"precision": {}, "recall": {}, "f1": {}}
    averages = (["binary"] if binary else []) + ["micro", "macro", "weighted", None]
    for average in averages:
        extra = {"pos_label": pos_label} if average == "binary" else {"labels": labels}
        p, r, f, support = precision_recall_fscore_support(
            y, y_pred, average=average, zero_division="warn", **extra)
        key = average or "per_class"
        if average is None:
            p, r, f = ({str(c): float(v) for c, v in zip(labels, a)} for a in (p, r, f))
            out["support"] = {str(c): int(s) for c, s in zip(labels, support)}
        prf["precision"][key], prf["recall"][key], prf["f1"][key] = p, r, f
    out.update(prf)
    cm = confusion_matrix(y, y_pred, labels=labels)
    if binary:
        neg = 1 - list(labels).index(pos_label)
        tn_plus_fp = cm[neg].sum()
        out["specificity"] = cm[neg, neg] / tn_plus_fp if tn_plus_fp else None
    out["mcc"] = matthews_corrcoef(y, y_pred)
    out["cohen_kappa"] = cohen_kappa_score(y, y_pred, labels=labels)
    return out, cm


def binary_score_metrics(y, score, pos_label, ece_bins):
    y_true = (y == pos_label).astype(int)
    return {
        "roc_auc": roc_auc_score(y_true, score),
        "average_precision": average_precision_score(y_true, score),
        "log_loss": log_loss(y_true, score),
        "brier": brier_score_loss(y_true, score),
        "ece": expected_calibration_error(y_true, score, ece_bins),
    }


def multiclass_score_metrics(y, proba, classes, ece_bins):
    y_onehot = label_binarize(y, classes=classes)
    top = proba.argmax(axis=1)
    return {
        "roc_auc": {
            "macro": roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=classes),
            "weighted": roc_auc_score(y, proba, multi_class="ovr", average="weighted",
                                      labels=classes),
        },
        "average_precision": {"macro": average_precision_score(y_onehot, proba, average="macro")},
        "log_loss": log_loss(y, proba, labels=classes),
        "brier": float(np.mean(np.sum((proba - y_onehot) ** 2, axis=1))),
        "ece": expected_calibration_error((classes[top] == y).astype(float), proba.max(axis=1),
                                          ece_bins),
    }


def to_jsonable(v):
    if isinstance(v, dict):
        return {k: to_jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, np.ndarray)):
        return [to_jsonable(x) for x in v]
    if v is None or isinstance(v, (str, bool)):
        return v
    if isinstance(v, (int, np.integer)):
        return int(v)
    v = float(v)
    return None if np.isnan(v) else v


def main():
    ap = argparse.ArgumentParser(description="scikit-learn reference for `modelwatch metrics`")
    ap.add_argument("--task", choices=["binary", "multiclass"], required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--label-col", required=True)
    ap.add_argument("--pred-col", required=True)
    ap.add_argument("--score-col", help="binary: column with P(positive)")
    ap.add_argument("--score-prefix", help="multiclass: column PREFIX+LABEL holds P(LABEL)")
    ap.add_argument("--positive-label", default="1")
    ap.add_argument("--ece-bins", type=int, default=10)
    ap.add_argument("--output", help="write every value to this JSON file")
    args = ap.parse_args()

    t_read = time.perf_counter()
    df = pd.read_csv(args.input)
    t_compute = time.perf_counter()

    y = df[args.label_col].to_numpy()
    y_pred = df[args.pred_col].to_numpy()
    labels = np.unique(np.concatenate([y, y_pred]))
    binary = args.task == "binary"
    pos_label = None
    if binary:
        pos_label = type(labels[0].item())(args.positive_label) if labels.dtype.kind in "iuf" \
            else args.positive_label

    # sklearn warns about zero division etc.; modelwatch reports those as warnings too.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        metrics, cm = classification_metrics(y, y_pred, labels, pos_label, binary)
        if binary and args.score_col:
            metrics.update(binary_score_metrics(y, df[args.score_col].to_numpy(), pos_label,
                                                args.ece_bins))
        elif not binary and args.score_prefix:
            columns = [c for c in df.columns if c.startswith(args.score_prefix)]
            suffixes = [c[len(args.score_prefix):] for c in columns]
            if labels.dtype.kind in "iuf":
                suffixes = [labels.dtype.type(s) for s in suffixes]
            order = np.argsort(suffixes, kind="stable")
            classes = np.array(suffixes)[order]
            proba = df[[columns[i] for i in order]].to_numpy()
            metrics.update(multiclass_score_metrics(y, proba, classes, args.ece_bins))
    t_end = time.perf_counter()

    report = {
        "task": args.task,
        "n": int(len(df)),
        "labels": [str(c) for c in labels],
        "metrics": to_jsonable(metrics),
        "confusion_matrix": {"labels": [str(c) for c in labels], "matrix": cm.tolist()},
        "warnings": sorted({str(w.message) for w in caught}),
    }
    if args.output:
        with open(args.output, "w") as f:
            json.dump(report, f, indent=1)
            f.write("\n")

    m = report["metrics"]
    roc = m.get("roc_auc")
    line = {
        "tool": "sklearn",
        "task": args.task,
        "input": args.input,
        "n": report["n"],
        "timing_s": {
            "import": round(T_IMPORTED - T_START, 4),
            "read": round(t_compute - t_read, 4),
            "compute": round(t_end - t_compute, 4),
            "total": round(t_end - T_START, 4),
        },
        "accuracy": m["accuracy"],
        "balanced_accuracy": m["balanced_accuracy"],
        "f1_macro": m["f1"]["macro"],
        "mcc": m["mcc"],
        "cohen_kappa": m["cohen_kappa"],
        "roc_auc": roc["macro"] if isinstance(roc, dict) else roc,
        "log_loss": m.get("log_loss"),
        "brier": m.get("brier"),
        "ece": m.get("ece"),
    }
    print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
