#!/usr/bin/python3
"""End-to-end benchmark of `modelwatch profile` and `modelwatch drift` against the SciPy
reference doing the same tests, on the files of bench/gen_drift_data.py (1M rows x 20 numeric +
5 categorical columns per side). Called by bench/run.sh.

Timed, each --runs times, alternating, after one untimed read of the inputs into the page cache
(wall time around the process, time.perf_counter; CPU time, user + system, from the children's
rusage: on a shared machine the wall time of a multi-threaded command depends on the load, its
CPU time much less; peak RSS with `/usr/bin/time -f '%e %M'`, or the child's rusage without GNU
time):
  profile             modelwatch profile --input drift_ref_1m.csv --output ref.mwprof
  profile_slice       the same on the first 100k rows (memory must not grow with the rows)
  drift_ks            modelwatch drift --reference ref.csv --current cur.csv --method ks  (exact)
  drift_auto          the same with the default methods (--method auto)                   (exact)
  drift_profiles_auto modelwatch drift --reference ref.mwprof --current cur.mwprof    (sketches)
  drift_profiles_ks   the same with --method ks
  scipy               this script's `scipy` mode in one Python process: pandas.read_csv of both
                      files, then per numeric column scipy.stats.ks_2samp and
                      scipy.stats.wasserstein_distance, per categorical column
                      scipy.stats.chi2_contingency on the 2 x k counts (correction=False, as
                      modelwatch's chi-square; it matters for 2 x 2 only); reports its import /
                      read / compute phases.
Ratios: SciPy total / modelwatch drift exact total, medians (the target is >= 20x), and best
runs (the commands with the cores to themselves, on a shared machine).
Agreement: KS statistic and p-value per numeric column, modelwatch (--method ks, exact) vs
ks_2samp (relative difference); normalized Wasserstein (the auto default) vs
wasserstein_distance / numpy std; chi-square statistic and p-value per categorical column
(an extra untimed `--method chi2 --columns cat_..` run); KS from the two profiles vs exact
(absolute difference; the target is <= 0.01) and vs its reported error bound.
Exit status: 1 when they disagree (results are written), 2 when a command fails.

  drift_bench.py run --build-dir B [--data-dir D] [--suffix 1m] [--runs 3] [--out F] [--note T]
  drift_bench.py scipy --reference R --current C --output O
  drift_bench.py summary [--drift bench/results/drift.json]
"""

import argparse
import datetime
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import shutil

_T_START = time.perf_counter()  # for the scipy mode's import phase

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"
sys.path.insert(0, HERE)
from metrics_bench import build_type, machine_info, measure, shown, stats  # noqa: E402

KS_STAT_TOLERANCE = 1e-12   # relative; both are a count / n
KS_P_TOLERANCE = 1e-6       # relative; the asymptotic p-value is a series
WASSERSTEIN_TOLERANCE = 1e-9
CHI2_TOLERANCE = 1e-9
PROFILE_KS_TARGET = 0.01    # absolute, KS statistic from profiles vs exact
TARGET_RATIO = 20.0


# ---------------------------------------------------------------------------------------------
# The SciPy reference (one process)

def scipy_mode(args):
    import numpy as np
    import pandas as pd
    import scipy.stats as st
    t_import = time.perf_counter()
    ref = pd.read_csv(args.reference)
    cur = pd.read_csv(args.current)
    t_read = time.perf_counter()
    columns = {}
    for name in ref.columns:
        a, b = ref[name].dropna(), cur[name].dropna()
        numeric = (pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a) and
                   pd.api.types.is_numeric_dtype(b) and not pd.api.types.is_bool_dtype(b))
        if numeric:
            x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
            ks = st.ks_2samp(x, y)
            w = st.wasserstein_distance(x, y)
            columns[name] = {"type": "numeric", "n_reference": len(x), "n_current": len(y),
                             "ks_statistic": float(ks.statistic), "ks_p_value": float(ks.pvalue),
                             "wasserstein": float(w),
                             "normalized_wasserstein": float(w / max(x.std(), 0.001))}
        else:
            # pandas reads true/false as booleans: compare the texts modelwatch sees
            ca = a.astype(str).str.lower() if pd.api.types.is_bool_dtype(a) else a.astype(str)
            cb = b.astype(str).str.lower() if pd.api.types.is_bool_dtype(b) else b.astype(str)
            va, vb = ca.value_counts(), cb.value_counts()
            keys = sorted(set(va.index) | set(vb.index))
            table = np.array([[va.get(k, 0) for k in keys], [vb.get(k, 0) for k in keys]])
            chi2, p, dof, _ = st.chi2_contingency(table, correction=False)
            columns[name] = {"type": "categorical", "n_reference": len(ca), "n_current": len(cb),
                             "categories": len(keys), "chi2_statistic": float(chi2),
                             "chi2_p_value": float(p), "dof": int(dof)}
    t_compute = time.perf_counter()
    out = {"columns": columns,
           "timing_s": {"import": round(t_import - _T_START, 4),
                        "read": round(t_read - t_import, 4),
                        "compute": round(t_compute - t_read, 4),
                        "in_process": round(t_compute - _T_START, 4)}}
    with open(args.output, "w") as f:
        json.dump(out, f, indent=1)
    print(json.dumps(out["timing_s"]))
    return 0


# ---------------------------------------------------------------------------------------------
# Agreement

def rel_diff(a, b):
    if a is None or b is None:
        return None if a is None and b is None else float("inf")
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))


def g3(x):
    return None if x is None else float(f"{x:.3g}")


def agreement(mw_ks, mw_auto, mw_chi2, mw_prof_ks, mw_prof_auto, sp):
    out = {"ks": {}, "wasserstein": {}, "chi2": {}, "profile_ks": {}, "disagreements": []}
    ok = True
    for name, s in sp["columns"].items():
        if s["type"] == "numeric":
            k = mw_ks["columns"][name]
            if k["n_reference"] != s["n_reference"] or k["n_current"] != s["n_current"]:
                ok = False
                out["disagreements"].append(
                    f"{name}: counts {k['n_reference']}/{k['n_current']} vs SciPy "
                    f"{s['n_reference']}/{s['n_current']}")
            ds, dp = rel_diff(k["statistic"], s["ks_statistic"]), rel_diff(k["p_value"],
                                                                            s["ks_p_value"])
            out["ks"][name] = {"modelwatch": [k["statistic"], k["p_value"]],
                               "scipy": [s["ks_statistic"], s["ks_p_value"]],
                               "statistic_rel_diff": g3(ds), "p_value_rel_diff": g3(dp)}
            if not (ds <= KS_STAT_TOLERANCE and dp <= KS_P_TOLERANCE):
                ok = False
                out["disagreements"].append(f"{name}: KS {k['statistic']!r}, p {k['p_value']!r} vs "
                                            f"SciPy {s['ks_statistic']!r}, p {s['ks_p_value']!r}")
            a = mw_auto["columns"][name]
            if a["method"] == "wasserstein":
                dw = rel_diff(a["statistic"], s["normalized_wasserstein"])
                out["wasserstein"][name] = {"modelwatch": a["statistic"],
                                            "scipy": s["normalized_wasserstein"],
                                            "rel_diff": g3(dw)}
                if not dw <= WASSERSTEIN_TOLERANCE:
                    ok = False
                    out["disagreements"].append(f"{name}: normalized Wasserstein "
                                                f"{a['statistic']!r} vs {s['normalized_wasserstein']!r}")
            p = mw_prof_ks["columns"][name]
            diff = abs(p["statistic"] - s["ks_statistic"])
            out["profile_ks"][name] = {"profile": p["statistic"], "exact": s["ks_statistic"],
                                       "abs_diff": g3(diff), "error_bound": p.get("error_bound"),
                                       "within_bound": diff <= (p.get("error_bound") or 0) + 1e-12}
            if diff > PROFILE_KS_TARGET:
                ok = False
                out["disagreements"].append(f"{name}: KS from profiles {p['statistic']!r} vs exact "
                                            f"{s['ks_statistic']!r} (> {PROFILE_KS_TARGET})")
        else:
            c = mw_chi2["columns"][name]
            if c["method"] != "chi2":
                out["chi2"][name] = {"modelwatch_method": c["method"]}
                continue
            ds, dp = rel_diff(c["statistic"], s["chi2_statistic"]), rel_diff(c["p_value"],
                                                                              s["chi2_p_value"])
            out["chi2"][name] = {"modelwatch": [c["statistic"], c["p_value"]],
                                 "scipy": [s["chi2_statistic"], s["chi2_p_value"]],
                                 "statistic_rel_diff": g3(ds), "p_value_rel_diff": g3(dp)}
            if not (ds <= CHI2_TOLERANCE and dp <= max(CHI2_TOLERANCE, KS_P_TOLERANCE)):
                ok = False
                out["disagreements"].append(f"{name}: chi2 {c['statistic']!r}, p {c['p_value']!r}"
                                            f" vs SciPy {s['chi2_statistic']!r}, "
                                            f"p {s['chi2_p_value']!r}")

    def worst(table, key):
        vals = [v[key] for v in table.values() if v.get(key) is not None]
        return max(vals, default=None)

    out["max"] = {"ks_statistic_rel_diff": worst(out["ks"], "statistic_rel_diff"),
                  "ks_p_value_rel_diff": worst(out["ks"], "p_value_rel_diff"),
                  "normalized_wasserstein_rel_diff": worst(out["wasserstein"], "rel_diff"),
                  "chi2_statistic_rel_diff": worst(out["chi2"], "statistic_rel_diff"),
                  "chi2_p_value_rel_diff": worst(out["chi2"], "p_value_rel_diff"),
                  "profile_ks_abs_diff": worst(out["profile_ks"], "abs_diff"),
                  "profile_ks_error_bound": worst(out["profile_ks"], "error_bound")}
    out["profile_ks_all_within_bound"] = all(v["within_bound"] for v in out["profile_ks"].values())
    # Verdicts (not part of the pass/fail: a statistic within its bound may still cross a
    # threshold).
    def drifted(report):
        return sorted(n for n, c in report["columns"].items() if c["drift"])

    out["drifted_columns"] = {"auto_exact": drifted(mw_auto), "auto_profiles": drifted(mw_prof_auto),
                              "ks_exact": drifted(mw_ks), "ks_profiles": drifted(mw_prof_ks)}
    out["warnings"] = []
    for method in ("auto", "ks"):
        e, p = out["drifted_columns"][f"{method}_exact"], out["drifted_columns"][f"{method}_profiles"]
        if e != p:
            out["warnings"].append(f"--method {method}: exact flags {len(e)} columns, profiles "
                                   f"{len(p)} (only from profiles: {sorted(set(p) - set(e))}; only "
                                   f"exact: {sorted(set(e) - set(p))})")
    out["agree"] = ok
    return ok, out


# ---------------------------------------------------------------------------------------------
# The benchmark

def count_rows(path):
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b"")) - 1


def run(args):
    build_dir = os.path.abspath(args.build_dir)
    mw = os.path.join(build_dir, "modelwatch")
    ref = os.path.join(args.data_dir, f"drift_ref_{args.suffix}.csv")
    cur = os.path.join(args.data_dir, f"drift_cur_{args.suffix}.csv")
    small = os.path.join(args.data_dir, f"drift_ref_{args.small_suffix}.csv")
    for path in (ref, cur, small):
        if not os.path.exists(path):
            raise RuntimeError(f"{path} missing (bench/gen_drift_data.py)")
    results = {
        "machine": machine_info(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "build_type": build_type(build_dir),
        "runs_per_command": args.runs,
        "timing": "wall seconds per process, end to end (start, imports, CSV parsing, tests, "
                  "JSON output); files in the page cache; peak RSS in MiB",
        "load_average_start": os.getloadavg(),
    }
    if args.note:
        results["note"] = args.note
    tmp = tempfile.mkdtemp(prefix="mw-drift-bench-")
    try:
        t = lambda name: os.path.join(tmp, name)  # noqa: E731
        ref_prof, cur_prof, small_prof = t("ref.mwprof"), t("cur.mwprof"), t("ref_small.mwprof")
        commands = {
            "profile": [mw, "profile", "--input", ref, "--output", ref_prof],
            "profile_slice": [mw, "profile", "--input", small, "--output", small_prof],
            "drift_ks": [mw, "drift", "--reference", ref, "--current", cur, "--method", "ks",
                         "--format", "json", "--output", t("ks.json")],
            "drift_auto": [mw, "drift", "--reference", ref, "--current", cur,
                           "--format", "json", "--output", t("auto.json")],
            "drift_profiles_auto": [mw, "drift", "--reference", ref_prof, "--current", cur_prof,
                                    "--format", "json", "--output", t("prof_auto.json")],
            "drift_profiles_ks": [mw, "drift", "--reference", ref_prof, "--current", cur_prof,
                                  "--method", "ks", "--format", "json",
                                  "--output", t("prof_ks.json")],
            "scipy": [PYTHON, os.path.abspath(__file__), "scipy", "--reference", ref,
                      "--current", cur, "--output", t("scipy.json")],
        }
        for path in (ref, cur, small):  # into the page cache, untimed
            with open(path, "rb") as f:
                while f.read(1 << 24):
                    pass
        # The current side's profile, untimed (the timed `profile` writes the reference's).
        measure([mw, "profile", "--input", cur, "--output", cur_prof], t("p.out"), t("p.err"))
        walls = {k: [] for k in commands}
        cpus = {k: [] for k in commands}  # user + system seconds: wall depends on the load
        rss = {k: 0.0 for k in commands}
        sp_phases = []
        for i in range(args.runs):
            for tool, cmd in commands.items():
                out = t(f"{tool}.out")
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                wall, peak = measure(cmd, out, t(f"{tool}.err"))
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                walls[tool].append(wall)
                cpus[tool].append(after.ru_utime + after.ru_stime -
                                  before.ru_utime - before.ru_stime)
                rss[tool] = max(rss[tool], peak)
                if tool == "scipy":
                    with open(out) as f:
                        sp_phases.append(json.loads(f.read().strip().splitlines()[-1]))
                print(f"  run {i + 1}/{args.runs} {tool:<20} {wall:8.2f} s "
                      f"{cpus[tool][-1]:8.2f} s CPU {peak:8.0f} MiB", file=sys.stderr, flush=True)
        reports = {}
        for key in ("ks", "auto", "prof_auto", "prof_ks", "scipy"):
            with open(t(f"{key}.json")) as f:
                reports[key] = json.load(f)
        cats = [n for n, c in reports["scipy"]["columns"].items() if c["type"] == "categorical"]
        chi2_cmd = [mw, "drift", "--reference", ref, "--current", cur, "--method", "chi2",
                    "--columns", ",".join(cats), "--format", "json", "--output", t("chi2.json")]
        measure(chi2_cmd, t("c.out"), t("c.err"))
        with open(t("chi2.json")) as f:
            reports["chi2"] = json.load(f)
        ok, agree = agreement(reports["ks"], reports["auto"], reports["chi2"], reports["prof_ks"],
                              reports["prof_auto"], reports["scipy"])
        for d in agree["disagreements"]:
            print(f"drift_bench: {d}", file=sys.stderr)
        for w in agree["warnings"]:
            print(f"drift_bench: warning: {w}", file=sys.stderr)
        times = {k: stats(v) for k, v in walls.items()}
        sp = times["scipy"]["median"]
        results.update({
            "files": {
                name: {"file": os.path.relpath(p), "mb": round(os.path.getsize(p) / 1e6, 1),
                       "rows": rows}
                for name, p, rows in (("reference", ref, reports["ks"]["n_reference"]),
                                      ("current", cur, reports["ks"]["n_current"]),
                                      ("reference_slice", small, count_rows(small)))},
            "columns": {"numeric": sum(c["type"] == "numeric"
                                       for c in reports["scipy"]["columns"].values()),
                        "categorical": len(cats)},
            "times_s": times,
            "cpu_s": {k: stats(v) for k, v in cpus.items()},
            "scipy_phases_median_s": {k: round(statistics.median(p[k] for p in sp_phases), 3)
                                      for k in ("import", "read", "compute", "in_process")},
            "ratios": {
                "scipy_over_drift_ks": round(sp / times["drift_ks"]["median"], 1),
                "scipy_over_drift_auto": round(sp / times["drift_auto"]["median"], 1),
                "scipy_over_drift_profiles_auto": round(
                    sp / times["drift_profiles_auto"]["median"], 1),
                "target": TARGET_RATIO,
                "target_met_exact_ks": sp / times["drift_ks"]["median"] >= TARGET_RATIO,
                # Best runs: what the commands take with the cores to themselves, on a shared
                # machine (the medians count the runs that got one core).
                "scipy_best_over_drift_ks_best": round(
                    times["scipy"]["best"] / times["drift_ks"]["best"], 1),
                "scipy_best_over_drift_auto_best": round(
                    times["scipy"]["best"] / times["drift_auto"]["best"], 1),
            },
            "peak_rss_mb": {k: round(v, 1) for k, v in rss.items()},
            "profile_bytes": {"reference": os.path.getsize(ref_prof),
                              "reference_slice": os.path.getsize(small_prof)},
            "agreement": agree,
            "commands": {k: " ".join(shown(a, tmp) for a in v)
                         for k, v in list(commands.items()) + [("chi2_agreement", chi2_cmd)]},
        })
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results["load_average_end"] = os.getloadavg()
    results["agree"] = ok
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out + ".tmp", "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    os.replace(args.out + ".tmp", args.out)
    return 0 if ok else 1


def summary(args):
    with open(args.drift) as f:
        r = json.load(f)
    m, t = r["machine"], r["times_s"]
    rows = r["files"]["reference"]["rows"]
    print(f"\nmodelwatch drift/profile vs SciPy ({rows:,} vs {r['files']['current']['rows']:,} rows,"
          f" {r['columns']['numeric']} numeric + {r['columns']['categorical']} categorical columns;"
          f" {m['nproc']} x {m['model_name']}; median of {r['runs_per_command']})")
    cpu = r.get("cpu_s", {})
    print(f"  {'command':<22}{'wall':>10}{'CPU':>10}{'peak RSS':>12}")
    for k, v in t.items():
        c = f"{cpu[k]['median']:>8.2f} s" if k in cpu else f"{'-':>10}"
        print(f"  {k:<22}{v['median']:>8.2f} s{c}{r['peak_rss_mb'][k]:>8.0f} MiB")
    ph = r["scipy_phases_median_s"]
    print(f"  scipy phases: import {ph['import']:.2f} s, read {ph['read']:.2f} s, "
          f"compute {ph['compute']:.2f} s")
    ra = r["ratios"]
    print(f"  SciPy / modelwatch drift: --method ks {ra['scipy_over_drift_ks']}x, auto "
          f"{ra['scipy_over_drift_auto']}x, from profiles {ra['scipy_over_drift_profiles_auto']}x"
          f" (target >= {ra['target']:.0f}x exact: {'met' if ra['target_met_exact_ks'] else 'NOT met'})")
    f = r["files"]
    print(f"  profile size: {r['profile_bytes']['reference']:,} bytes ({rows:,} rows), "
          f"{r['profile_bytes']['reference_slice']:,} bytes ({f['reference_slice']['rows']:,} rows)")
    mx = r["agreement"]["max"]
    print(f"  agreement: KS statistic rel {mx['ks_statistic_rel_diff']}, p-value rel "
          f"{mx['ks_p_value_rel_diff']}, normalized W rel {mx['normalized_wasserstein_rel_diff']},"
          f" chi2 rel {mx['chi2_statistic_rel_diff']}; KS from profiles abs "
          f"{mx['profile_ks_abs_diff']} (bound {mx['profile_ks_error_bound']}) -> "
          f"{'ok' if r.get('agree') else 'FAILED'}")
    dc = r["agreement"]["drifted_columns"]
    print(f"  drifted columns: auto exact {len(dc['auto_exact'])}, auto profiles "
          f"{len(dc['auto_profiles'])}, ks exact {len(dc['ks_exact'])}, ks profiles "
          f"{len(dc['ks_profiles'])} of {r['columns']['numeric'] + r['columns']['categorical']}")
    if "scipy_best_over_drift_ks_best" in ra:
        print(f"  best runs: --method ks {ra['scipy_best_over_drift_ks_best']}x, auto "
              f"{ra['scipy_best_over_drift_auto_best']}x")
    for w in r["agreement"]["warnings"]:
        print(f"  warning: {w}")
    if r.get("note"):
        print(f"  note: {r['note']}")
    print(f"  (load average {r['load_average_start'][0]:.1f} at start, "
          f"{r['load_average_end'][0]:.1f} at end)")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("run")
    p.add_argument("--build-dir", required=True)
    p.add_argument("--data-dir", default=os.path.join(HERE, "data"))
    p.add_argument("--suffix", default="1m", help="files DATA_DIR/drift_{ref,cur}_SUFFIX.csv")
    p.add_argument("--small-suffix", default="100k", help="the slice DATA_DIR/drift_ref_SUFFIX.csv")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--out", default=os.path.join(HERE, "results", "drift.json"))
    p.add_argument("--note", default="", help="recorded as `note` (e.g. that the machine was shared)")
    s = sub.add_parser("scipy")
    s.add_argument("--reference", required=True)
    s.add_argument("--current", required=True)
    s.add_argument("--output", required=True)
    u = sub.add_parser("summary")
    u.add_argument("--drift", default=os.path.join(HERE, "results", "drift.json"))
    args = ap.parse_args()
    if args.cmd == "scipy":
        return scipy_mode(args)
    try:
        return run(args) if args.cmd == "run" else summary(args)
    except RuntimeError as e:
        print(f"drift_bench: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
