#!/usr/bin/python3
"""End-to-end benchmark of `modelwatch metrics` against the scikit-learn script doing the same
(bench/sklearn_metrics.py), on the files of bench/gen_metrics_data.py. Called by bench/run.sh.

For each dataset the commands run --runs times, alternating (modelwatch, scikit-learn, modelwatch
--score-mode histogram, modelwatch, ...), after one untimed read of the file into the page cache
so that no tool pays for the disk. Wall time is measured around the process (time.perf_counter),
peak RSS with `/usr/bin/time -f '%e %M'` (or, without GNU time, the child's rusage from
os.wait4). Both are end to end: process start, imports, parsing, metrics, output.

Sanity: modelwatch and scikit-learn must agree on accuracy and ROC AUC (exact mode: within 1e-9;
histogram mode: within the reported error bound); every other shared value is compared too and
listed in the results. Exit status: 1 when they disagree (results are written), 2 when a command
fails (nothing is written).

  metrics_bench.py run --build-dir B --data-dir D --suffix 10m --runs 3 --out bench/results/metrics.json
  metrics_bench.py summary --metrics bench/results/metrics.json [--core bench/results/core.json]
"""

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PYTHON = "/usr/bin/python3"
GNU_TIME = "/usr/bin/time"
HERE = os.path.dirname(os.path.abspath(__file__))

DATASETS = {
    "binary": {
        "task": "binary",
        "columns": ["--label-col", "label", "--pred-col", "prediction", "--score-col", "score"],
    },
    "multiclass": {
        "task": "multiclass",
        "columns": ["--label-col", "label", "--pred-col", "prediction", "--score-prefix", "p_"],
    },
}
EXACT_TOLERANCE = 1e-9
# Values computed in different orders of summation (log loss, Brier, ECE, ...) may differ in the
# last bits; beyond this they are reported as differences.
OTHER_TOLERANCE = 1e-7


def machine_info():
    model = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_gib = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_gib = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "model_name": model, "memory_gib": mem_gib,
            "kernel": platform.release()}


def build_type(build_dir):
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith("CMAKE_BUILD_TYPE:"):
                    return line.split("=", 1)[1].strip() or "(none)"
    except OSError:
        pass
    return None


def measure(cmd, stdout_path, stderr_path):
    """Runs cmd; returns (wall seconds, peak RSS MiB). Raises on a non-zero exit."""
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        if os.access(GNU_TIME, os.X_OK):
            with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
                t0 = time.perf_counter()
                rc = subprocess.run([GNU_TIME, "-f", "%e %M", "-o", tf.name] + cmd,
                                    stdout=out, stderr=err).returncode
                wall = time.perf_counter() - t0
                fields = tf.read().split()
            rss_kib = int(fields[-1]) if fields else 0
        else:  # getrusage of the child, via wait4
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=out, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
            rc = proc.returncode
            rss_kib = usage.ru_maxrss  # KiB on Linux
    if rc != 0:
        with open(stderr_path, errors="replace") as f:
            tail = f.read()[-2000:]
        raise RuntimeError(f"exit status {rc}: {' '.join(cmd)}\n{tail}")
    return wall, rss_kib / 1024.0


def stats(values):
    return {"median": round(statistics.median(values), 4), "best": round(min(values), 4),
            "runs": [round(v, 4) for v in values]}


def flatten(d, prefix=""):
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        elif isinstance(v, (int, float)) and not isinstance(v, bool) or v is None:
            out[key] = v
    return out


def compare(mw_report, sk_report, histogram):
    """Compares every metric both reports have. Returns (ok, details)."""
    mw = flatten(mw_report["metrics"])
    sk = flatten(sk_report["metrics"])
    bounds = flatten(mw_report.get("error_bounds", {})) if histogram else {}
    details = {"max_abs_diff": {}, "disagreements": []}
    ok = mw_report["n"] == sk_report["n"]
    if not ok:
        details["disagreements"].append(f"n: {mw_report['n']} vs {sk_report['n']}")
    if mw_report["confusion_matrix"]["matrix"] != sk_report["confusion_matrix"]["matrix"]:
        ok = False
        details["disagreements"].append("confusion_matrix differs")
    for key in sorted(set(mw) & set(sk)):
        a, b = mw[key], sk[key]
        if a is None or b is None:
            if (a is None) != (b is None):
                details["disagreements"].append(f"{key}: {a} vs {b}")
            continue
        diff = abs(a - b)
        details["max_abs_diff"][key] = float(f"{diff:.3g}")
        sanity = key in ("accuracy", "roc_auc", "roc_auc.macro", "roc_auc.weighted")
        if key in bounds:  # histogram estimate: within its bound
            tolerance = bounds[key] + 1e-12
        elif sanity:
            tolerance = EXACT_TOLERANCE
        else:
            tolerance = OTHER_TOLERANCE * max(1.0, abs(b))
        if not diff <= tolerance:
            details["disagreements"].append(f"{key}: modelwatch {a!r} vs sklearn {b!r}"
                                            f" (|diff| {diff:.3g} > {tolerance:.3g})")
            if sanity:
                ok = False
    diffs = details.pop("max_abs_diff")
    details["values_compared"] = len(diffs)
    details["max_abs_diff"] = max(diffs.values(), default=0.0)
    details["nonzero_diffs"] = {k: v for k, v in diffs.items() if v != 0.0}
    missing = sorted(set(sk) - set(mw))
    if missing:
        details["missing_in_modelwatch"] = missing
    details["agree"] = ok
    return ok, details


def shown(arg, tmp):
    """A command argument as recorded in the results: paths relative to the working directory
    (the repository root), the temporary directory as $TMP."""
    if arg.startswith(tmp):
        return "$TMP" + arg[len(tmp):]
    if os.path.isabs(arg) and arg.startswith(os.getcwd() + os.sep):
        return os.path.relpath(arg)
    return arg


def run(args):
    build_dir = os.path.abspath(args.build_dir)
    modelwatch = os.path.join(build_dir, "modelwatch")
    results = {
        "machine": machine_info(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "build_type": build_type(build_dir),
        "runs_per_command": args.runs,
        "timing": "wall seconds per process, end to end (start, imports, CSV parsing, metrics, "
                  "JSON output); file in the page cache; peak RSS in MiB",
        "load_average_start": os.getloadavg()[0],
    }
    all_ok = True
    tmp = tempfile.mkdtemp(prefix="mw-bench-")
    try:
        for name, spec in DATASETS.items():
            path = os.path.join(args.data_dir, f"{name}_{args.suffix}.csv")
            shown_path = os.path.relpath(path)
            base = ["metrics", "--task", spec["task"], "--input", path] + spec["columns"]
            commands = {
                "modelwatch": [modelwatch] + base + ["--format", "json", "--output",
                                                     os.path.join(tmp, "mw.json")],
                "sklearn": [PYTHON, os.path.join(HERE, "sklearn_metrics.py")] + base[1:] +
                           ["--output", os.path.join(tmp, "sk.json")],
                "modelwatch_histogram": [modelwatch] + base + [
                    "--score-mode", "histogram", "--format", "json", "--output",
                    os.path.join(tmp, "mwh.json")],
            }
            with open(path, "rb") as f:  # into the page cache, untimed
                while f.read(1 << 24):
                    pass
            walls = {k: [] for k in commands}
            rss = {k: 0.0 for k in commands}
            sk_phases = []
            for i in range(args.runs):
                for tool, cmd in commands.items():
                    out = os.path.join(tmp, f"{tool}.out")
                    wall, peak = measure(cmd, out, os.path.join(tmp, f"{tool}.err"))
                    walls[tool].append(wall)
                    rss[tool] = max(rss[tool], peak)
                    if tool == "sklearn":
                        with open(out) as f:
                            sk_phases.append(json.loads(f.read().strip().splitlines()[-1])["timing_s"])
                    print(f"  {name:<10} run {i + 1}/{args.runs} {tool:<21} {wall:8.2f} s "
                          f"{peak:8.0f} MiB", file=sys.stderr, flush=True)
            reports = {}
            for tool, file in (("modelwatch", "mw.json"), ("sklearn", "sk.json"),
                               ("modelwatch_histogram", "mwh.json")):
                with open(os.path.join(tmp, file)) as f:
                    reports[tool] = json.load(f)
            ok_exact, agree_exact = compare(reports["modelwatch"], reports["sklearn"], False)
            ok_hist, agree_hist = compare(reports["modelwatch_histogram"], reports["sklearn"], True)
            all_ok = all_ok and ok_exact and ok_hist
            for label, agreement in (("exact", agree_exact), ("histogram", agree_hist)):
                for d in agreement["disagreements"]:
                    print(f"metrics_bench: {name} ({label}): {d}", file=sys.stderr)
            mw_s, sk_s, mwh_s = (stats(walls[k]) for k in
                                 ("modelwatch", "sklearn", "modelwatch_histogram"))
            rows = reports["modelwatch"]["n"]
            results[name] = {
                "file": shown_path,
                "file_mb": round(os.path.getsize(path) / 1e6, 1),
                "rows": rows,
                "modelwatch_s": mw_s,
                "sklearn_s": sk_s,
                "ratio_median": round(sk_s["median"] / mw_s["median"], 1),
                "ratio_best": round(sk_s["best"] / mw_s["best"], 1),
                "modelwatch_peak_rss_mb": round(rss["modelwatch"], 1),
                "sklearn_peak_rss_mb": round(rss["sklearn"], 1),
                "modelwatch_rows_per_s": round(rows / mw_s["median"]),
                "modelwatch_histogram_s": mwh_s,
                "ratio_median_histogram": round(sk_s["median"] / mwh_s["median"], 1),
                "modelwatch_histogram_peak_rss_mb": round(rss["modelwatch_histogram"], 1),
                "sklearn_phases_median_s": {
                    k: round(statistics.median(p[k] for p in sk_phases), 3)
                    for k in ("import", "read", "compute")},
                "agreement": {"exact": agree_exact, "histogram": agree_hist},
                "commands": {k: " ".join(shown(a, tmp) for a in v) for k, v in commands.items()},
                "key_values": {
                    "accuracy": reports["sklearn"]["metrics"]["accuracy"],
                    "roc_auc": reports["sklearn"]["metrics"].get("roc_auc"),
                },
            }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results["rows"] = results["binary"]["rows"]
    results["load_average_end"] = os.getloadavg()[0]
    results["agree"] = all_ok
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out + ".tmp", "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    os.replace(args.out + ".tmp", args.out)
    return 0 if all_ok else 1


def human_rate(x):
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if x >= scale:
            return f"{x / scale:.1f}{unit}"
    return f"{x:.0f}"


def summary(args):
    with open(args.metrics) as f:
        r = json.load(f)
    m = r["machine"]
    print(f"\nmodelwatch metrics vs scikit-learn ({r['rows']:,} rows; {m['nproc']} x "
          f"{m['model_name']}; median of {r['runs_per_command']}; wall time end to end)")
    print(f"  {'dataset':<22}{'modelwatch':>12}{'sklearn':>12}{'ratio':>9}"
          f"{'mw RSS':>11}{'sk RSS':>11}")
    for name in DATASETS:
        d = r.get(name)
        if not d:
            continue
        print(f"  {name:<22}{d['modelwatch_s']['median']:>10.2f} s{d['sklearn_s']['median']:>10.2f} s"
              f"{d['ratio_median']:>8.1f}x{d['modelwatch_peak_rss_mb']:>7.0f} MiB"
              f"{d['sklearn_peak_rss_mb']:>7.0f} MiB")
        print(f"  {name + ' (histogram)':<22}{d['modelwatch_histogram_s']['median']:>10.2f} s"
              f"{'':>12}{d['ratio_median_histogram']:>8.1f}x"
              f"{d['modelwatch_histogram_peak_rss_mb']:>7.0f} MiB")
    print(f"  agreement with scikit-learn: {'ok' if r.get('agree') else 'FAILED'}"
          f"  (load average {r['load_average_start']:.1f} at start, "
          f"{r['load_average_end']:.1f} at end)")
    if args.core and os.path.exists(args.core):
        with open(args.core) as f:
            core = json.load(f)
        print("\nmw_core_bench (median of repetitions, CPU time)")
        for b in core.get("benchmarks", []):
            if b.get("aggregate_name", "median") != "median":
                continue
            name = b["name"].removesuffix("_median")
            rate = b.get("items_per_second")
            per = f"{1e9 / rate:7.1f} ns/item" if rate else ""
            print(f"  {name:<54}{human_rate(rate) + ' items/s' if rate else '':>18}  {per}")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("run")
    p.add_argument("--build-dir", required=True)
    p.add_argument("--data-dir", default=os.path.join(HERE, "data"))
    p.add_argument("--suffix", default="10m", help="files DATA_DIR/{binary,multiclass}_SUFFIX.csv")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--out", default=os.path.join(HERE, "results", "metrics.json"))
    s = sub.add_parser("summary")
    s.add_argument("--metrics", default=os.path.join(HERE, "results", "metrics.json"))
    s.add_argument("--core")
    args = ap.parse_args()
    try:
        return run(args) if args.cmd == "run" else summary(args)
    except RuntimeError as e:  # a command failed: no results
        print(f"metrics_bench: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
