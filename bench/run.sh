#!/usr/bin/env bash
# `make bench`: the metrics engine against scikit-learn and drift/profile against SciPy, end to
# end, and the microbenchmarks.
#
# Usage: bench/run.sh BUILD_DIR          (BUILD_DIR holds modelwatch and bench/mw_core_bench)
#
#  1. Generates bench/data/{binary,multiclass}_10m.csv if missing (bench/gen_metrics_data.py;
#     deterministic; about a minute on first run; bench/data/ is git-ignored).
#  2. Runs `modelwatch metrics` (exact and --score-mode histogram) and bench/sklearn_metrics.py on
#     each file, RUNS times alternating, checks that they agree (accuracy, ROC AUC; every other
#     shared value is compared and listed) and writes bench/results/metrics.json: wall time
#     (median, best, runs), ratio sklearn/modelwatch, peak RSS (bench/metrics_bench.py).
#  3. Runs mw_core_bench (3 repetitions, aggregates) into bench/results/core.json.
#  4. Generates bench/data/drift_{ref,cur}_1m.csv (+ drift_ref_100k.csv) if missing
#     (bench/gen_drift_data.py: 1M rows x 20 numeric + 5 categorical columns; deterministic) and
#     runs `modelwatch profile` / `modelwatch drift` (exact and from profiles) against the SciPy
#     reference, RUNS times alternating, into bench/results/drift.json (bench/drift_bench.py):
#     wall time, ratios, peak RSS, profile size, agreement of KS / Wasserstein / chi-square.
#  5. Starts `modelwatch serve` on loopback and posts NDJSON batches of 1000 events x 10 features
#     with bench/ingest_client.cc (mw_ingest_client) over 2, 4 and 8 keep-alive connections, for
#     storage.sync full and normal, with event times spread over the last hour and stamped on
#     arrival, RUNS times each, a fresh store per run (bench/ingest_bench.py) into
#     bench/results/ingest.json: events/s, request latency p50/p99, events per daemon CPU-second,
#     peak RSS, and a durability check (acknowledged == stored) per run. About 15 minutes.
#     Then the same with ids scattered like random UUIDs (--ids random; 2 and 8 connections,
#     sync full) into bench/results/ingest_random_ids.json, and what one prediction costs SQLite
#     in the store's row layout and in chunked layouts (mw_store_layout_bench) into
#     bench/results/store_layouts.json.
#  6. Prints a summary table.
# The two tools run on the same machine in the same session, so the ratios are meaningful even
# when absolute times are noisy (other jobs, 2 cores).
#
# Environment:
#   MW_BENCH_ROWS=N       rows per file (default 10000000); other sizes use their own data files
#                         (binary_1m.csv, ...) and write their results to bench/data/results/
#                         (ignored), so that a quick run does not replace the committed results
#   MW_BENCH_RUNS=N       runs of each command (default 3; metrics, drift and ingest)
#   MW_BENCH_SKIP_CORE=1  skip mw_core_bench
#   MW_BENCH_SKIP_METRICS=1  skip the metrics part (and its data)
#   MW_BENCH_SKIP_DRIFT=1    skip the drift/profile part
#   MW_BENCH_DRIFT_ROWS=N rows per drift file (default 1000000); other sizes write their results
#                         to bench/data/results/drift-SUFFIX.json, as MW_BENCH_ROWS does
#   MW_BENCH_SKIP_INGEST=1   skip the ingest part
#   MW_BENCH_SKIP_PROBES=1   skip the probes part (mw_probes_bench: host + 10 processes at 1 Hz)
#   MW_BENCH_PROBES_SECONDS=N  seconds of the probes run (default 60; other values write to
#                         bench/data/results/probes-Ns.json)
#   MW_BENCH_INGEST_SECONDS=N  measured seconds per ingest run (default 20); other values write
#                         to bench/data/results/ingest-Ns.json. The stores go to $TMPDIR (or
#                         /tmp), which must be a disk, not a tmpfs, for sync full to mean anything
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: bench/run.sh BUILD_DIR" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."  # the repository root: paths in the results are relative to it

PY=/usr/bin/python3  # Debian's interpreter: the one that sees python3-sklearn (DESIGN.md §9)
rows=${MW_BENCH_ROWS:-10000000}
runs=${MW_BENCH_RUNS:-3}
results=bench/results

if [[ ! -x "$build_dir/modelwatch" ]]; then
  echo "bench/run.sh: $build_dir/modelwatch not found; build first (make build)" >&2
  exit 1
fi
if ! "$PY" -c 'import numpy, pandas, sklearn' 2>/dev/null; then
  echo "bench/run.sh: $PY cannot import numpy, pandas and sklearn; run scripts/install-deps" >&2
  exit 1
fi
if [[ ! -x /usr/bin/time ]]; then
  echo "bench/run.sh: /usr/bin/time (Debian package 'time') not found: peak RSS from getrusage" >&2
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt" 2>/dev/null || true)
case "$build_type" in
  Release | RelWithDebInfo | MinSizeRel) ;;
  *) echo "bench/run.sh: warning: $build_dir is a '${build_type:-unknown}' build; numbers will be poor" >&2 ;;
esac

# Data file names follow gen_metrics_data.py: binary_10m.csv, binary_1m.csv, binary_5k.csv, ...
if ((rows % 1000000 == 0)); then
  suffix="$((rows / 1000000))m"
elif ((rows % 1000 == 0)); then
  suffix="$((rows / 1000))k"
else
  suffix="$rows"
fi
if ((rows == 10000000)); then
  metrics_out=$results/metrics.json
  core_out=$results/core.json
else
  results=bench/data/results
  metrics_out=$results/metrics-$suffix.json
  core_out=$results/core.json
fi
mkdir -p bench/data "$results"

status=0
written=""
if [[ "${MW_BENCH_SKIP_METRICS:-0}" != 1 ]]; then
  echo "== data: bench/data/{binary,multiclass}_$suffix.csv"
  "$PY" bench/gen_metrics_data.py --rows "$rows"  # keeps existing files

  echo "== modelwatch metrics vs scikit-learn ($runs runs each, alternating)"
  "$PY" bench/metrics_bench.py run --build-dir "$build_dir" --suffix "$suffix" --runs "$runs" \
    --out "$metrics_out" || status=$?
  if ((status > 1)); then
    echo "bench/run.sh: the end-to-end benchmark failed" >&2
    exit 1
  fi
  written=$metrics_out
fi
core_bench="$build_dir/bench/mw_core_bench"
if [[ "${MW_BENCH_SKIP_CORE:-0}" != 1 ]]; then
  if [[ -x "$core_bench" ]]; then
    echo "== mw_core_bench"
    "$core_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
      --benchmark_out="$core_out" --benchmark_out_format=json
    written="${written:+$written, }$core_out"
  else
    echo "bench/run.sh: $core_bench not built (Google Benchmark missing?); skipped" >&2
  fi
fi

drift_status=0
if [[ "${MW_BENCH_SKIP_DRIFT:-0}" != 1 ]]; then
  drift_rows=${MW_BENCH_DRIFT_ROWS:-1000000}
  if ((drift_rows % 1000000 == 0)); then
    drift_suffix="$((drift_rows / 1000000))m"
  elif ((drift_rows % 1000 == 0)); then
    drift_suffix="$((drift_rows / 1000))k"
  else
    drift_suffix="$drift_rows"
  fi
  slice_rows=$((drift_rows / 10))  # gen_drift_data.py also writes the first tenth of the reference
  if ((slice_rows % 1000000 == 0)); then
    slice_suffix="$((slice_rows / 1000000))m"
  elif ((slice_rows % 1000 == 0)); then
    slice_suffix="$((slice_rows / 1000))k"
  else
    slice_suffix="$slice_rows"
  fi
  if ((drift_rows == 1000000)); then
    drift_out=bench/results/drift.json
  else
    drift_out=bench/data/results/drift-$drift_suffix.json
  fi
  mkdir -p "$(dirname "$drift_out")"
  echo "== data: bench/data/drift_{ref,cur}_$drift_suffix.csv, drift_ref_$slice_suffix.csv"
  "$PY" bench/gen_drift_data.py --rows "$drift_rows"  # keeps existing files
  echo "== modelwatch profile/drift vs SciPy ($runs runs each, alternating)"
  "$PY" bench/drift_bench.py run --build-dir "$build_dir" --suffix "$drift_suffix" \
    --small-suffix "$slice_suffix" --runs "$runs" --out "$drift_out" || drift_status=$?
  if ((drift_status > 1)); then
    echo "bench/run.sh: the drift benchmark failed" >&2
    exit 1
  fi
  written="${written:+$written, }$drift_out"
fi

ingest_status=0
if [[ "${MW_BENCH_SKIP_INGEST:-0}" != 1 ]]; then
  ingest_seconds=${MW_BENCH_INGEST_SECONDS:-20}
  if ((ingest_seconds == 20)); then
    ingest_out=bench/results/ingest.json
  else
    ingest_out=bench/data/results/ingest-${ingest_seconds}s.json
  fi
  mkdir -p "$(dirname "$ingest_out")"
  echo "== modelwatch serve ingest over loopback ($runs runs of ${ingest_seconds} s per configuration)"
  "$PY" bench/ingest_bench.py run --build-dir "$build_dir" --runs "$runs" \
    --duration "$ingest_seconds" --out "$ingest_out" || ingest_status=$?
  if ((ingest_status > 1)); then
    echo "bench/run.sh: the ingest benchmark failed" >&2
    exit 1
  fi
  written="${written:+$written, }$ingest_out"
  random_out=${ingest_out%.json}_random_ids.json
  echo "== the same with ids scattered like random UUIDs"
  "$PY" bench/ingest_bench.py run --build-dir "$build_dir" --runs "$runs" --ids random \
    --connections 2,8 --syncs full --duration "$ingest_seconds" --out "$random_out" ||
    ingest_status=$?
  if ((ingest_status > 1)); then
    echo "bench/run.sh: the ingest benchmark (random ids) failed" >&2
    exit 1
  fi
  written="${written:+$written, }$random_out"
  echo "== what one prediction costs SQLite per table layout"
  "$build_dir/bench/mw_store_layout_bench" --dir "${TMPDIR:-/tmp}" >bench/results/store_layouts.json
  written="${written:+$written, }bench/results/store_layouts.json"
fi

if [[ "${MW_BENCH_SKIP_PROBES:-0}" != 1 ]]; then
  probes_seconds=${MW_BENCH_PROBES_SECONDS:-60}
  echo "== probes: host + 10 processes and their cgroups at 1 Hz for ${probes_seconds} s"
  probes_out=bench/results/probes.json
  if ((probes_seconds != 60)); then
    probes_out=bench/data/results/probes-${probes_seconds}s.json
    mkdir -p bench/data/results
  fi
  "$build_dir/bench/mw_probes_bench" --targets 10 --interval-ms 1000 \
    --duration-s "$probes_seconds" >"$probes_out.line"
  "$PY" - "$probes_out.line" "$probes_out" <<'PYEOF'
import json, os, platform, sys, time
line = json.load(open(sys.argv[1]))
line["machine"] = {"nproc": os.cpu_count(), "kernel": platform.release()}
line["date"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
line["target_cpu_percent_of_one_core"] = 0.1
json.dump(line, open(sys.argv[2], "w"), indent=2)
print("probes: %.4f%% of one core (target < 0.1%%), one round p50 %d us, p99 %d us" %
      (line["cpu_percent_of_one_core"], line["round_us"]["p50"], line["round_us"]["p99"]))
PYEOF
  rm -f "$probes_out.line"
  written="${written:+$written, }$probes_out"
fi

echo "== summary (written: $written)"
if [[ "${MW_BENCH_SKIP_METRICS:-0}" != 1 ]]; then
  "$PY" bench/metrics_bench.py summary --metrics "$metrics_out" --core "$core_out"
  if ((status != 0)); then
    echo "bench/run.sh: modelwatch and scikit-learn DISAGREE (see 'agreement' in $metrics_out)" >&2
  fi
fi
if [[ "${MW_BENCH_SKIP_DRIFT:-0}" != 1 ]]; then
  "$PY" bench/drift_bench.py summary --drift "$drift_out"
  if ((drift_status != 0)); then
    echo "bench/run.sh: modelwatch drift and SciPy DISAGREE (see 'agreement' in $drift_out)" >&2
  fi
fi
if [[ "${MW_BENCH_SKIP_INGEST:-0}" != 1 ]]; then
  "$PY" bench/ingest_bench.py summary --ingest "$ingest_out"
  if ((ingest_status != 0)); then
    echo "bench/run.sh: ingest: durability check FAILED or requests failed (see 'durability' and" \
      "'errors' in $ingest_out)" >&2
  fi
fi
if ((status == 0 && drift_status != 0)); then
  status=$drift_status
fi
if ((status == 0 && ingest_status != 0)); then
  status=$ingest_status
fi
exit "$status"
