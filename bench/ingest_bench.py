#!/usr/bin/python3
"""Ingest benchmark of `modelwatch serve`: NDJSON batches posted over loopback HTTP with durable
acknowledgements (DESIGN.md §7: >= 500k events/s on 2 cores). Called by bench/run.sh.

Each measured run starts a fresh daemon on a fresh store (so that runs do not inherit each other's
table size):
  1. writes a configuration (one binary model `bench` with 10 declared numeric features f0..f9,
     default windows [5m, 1h], storage.sync full or normal, the store in a temporary directory on
     disk, listen 127.0.0.1:0) and a pool of --pool-batches distinct batches of --batch-events
     NDJSON events: id, features, prediction, score, latency_ms and, with --ts hour, ts uniform
     in the hour before the pool was written (millisecond precision); with --ts arrival no ts,
     so the daemon stamps the arrival time (event times then only increase);
  2. starts `modelwatch serve`, reads the port it printed, waits for GET /v1/ready;
  3. runs the load generator (bench/ingest_client.cc, target mw_ingest_client): N keep-alive
     connections, one thread each, closed loop, --warmup seconds then --duration seconds measured.
     It gives every event a run-wide unique id (duplicates are not stored and would flatter the
     numbers; growing, or scattered with --ids random), counts only 200 replies' "accepted", and records request latency and the daemon's
     CPU time (/proc/PID/stat) over the measured phase;
  4. reads the daemon's peak RSS (VmHWM) and checks durability: GET /v1/models must report exactly
     the events the client saw acknowledged (warm-up and drain included), and so must
     SELECT count(*) FROM predictions after SIGTERM (the clean stop).
Runs are ordered repetition by repetition, each visiting every (sync, connections) pair, so that
changes in the machine's load spread over all of them. The client runs on the same 2 cores as the
daemon: events per daemon CPU-second is the steadier figure; events/s is what this machine
sustained with the client beside it.

Exit status: 1 when the durability check fails or a run saw errors (results are written), 2 when
a command fails.

  ingest_bench.py run [--build-dir build] [--runs 3] [--connections 2,4,8] [--syncs full,normal]
                      [--ts hour,arrival] [--duration 20] [--warmup 3] [--out F]
                      [--ids sequential|random]
      --ids random: event ids scattered like random UUIDs (a fixed permutation of the run's
      event numbers) instead of growing ones; the store's worst case (docs/storage.md)
  ingest_bench.py profile [--build-dir build] [--ts hour] [--sync full] [--connections 4]
                      [--seconds 8] [--results F]
      perf record of the daemon under load; each sample goes to the first category of
      PROFILE_CATEGORIES in its call chain; the breakdown is printed and, with --results, added
      to that file's "profile" (a later `run` keeps it)
  ingest_bench.py summary [--ingest bench/results/ingest.json]
"""

import argparse
import datetime
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from metrics_bench import build_type, machine_info  # noqa: E402

TARGET_EVENTS_PER_S = 500_000
MODEL = "bench"
FEATURES = [f"f{i}" for i in range(10)]
TIMING = ("closed-loop load over loopback from bench/ingest_client.cc (one thread and keep-alive "
          "connection each) on the same 2 cores as the daemon: the client and the daemon compete "
          "for CPU, and the machine is shared with other jobs (see load_average_start). "
          "events_per_s counts the events of 200 replies received in the measured phase "
          "(after the warm-up); latency is send-to-reply of each 200 request; daemon CPU is "
          "utime + stime of the whole process over the measured phase, so events per daemon "
          "CPU-second is the steadier figure; it still moves with the CPU the background window "
          "evaluation gets (each pass rescans every open window from the store, then it waits "
          "1 s, so a pass costs more as the windows fill), so the HTTP threads' CPU (which run the ingest handlers: parse, insert, "
          "commit) is reported apart: events per HTTP-thread CPU-second. Peak RSS is the "
          "daemon's VmHWM in MiB.")


# ---------------------------------------------------------------------------------------------
# Binaries

def daemon_binary(build_dir):
    path = os.path.join(build_dir, "modelwatch")
    ok = os.access(path, os.X_OK) and subprocess.run(
        [path, "serve", "--help"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
    if not ok:
        print(f"ingest_bench: building {path} (serve missing or stale)", file=sys.stderr)
        jobs = "1" if os.getloadavg()[0] >= (os.cpu_count() or 2) else "2"
        subprocess.run(["cmake", "--build", build_dir, "-j", jobs, "--target", "modelwatch"],
                       check=True)
    return path


def client_binary(build_dir):
    """build_dir/bench/mw_ingest_client (built with CMake when missing); without Google Benchmark
    the bench/ directory is not configured, so fall back to compiling the one file into
    bench/data/."""
    path = os.path.join(build_dir, "bench", "mw_ingest_client")
    source = os.path.join(HERE, "ingest_client.cc")
    if os.access(path, os.X_OK) and os.path.getmtime(path) >= os.path.getmtime(source):
        return path
    r = subprocess.run(["cmake", "--build", build_dir, "--target", "mw_ingest_client"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode == 0 and os.access(path, os.X_OK):
        return path
    path = os.path.join(HERE, "data", "mw_ingest_client")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if not (os.access(path, os.X_OK) and os.path.getmtime(path) >= os.path.getmtime(source)):
        cxx = os.environ.get("CXX", "c++")
        subprocess.run([cxx, "-O2", "-std=c++20", "-pthread", source, "-o", path], check=True)
    return path


# ---------------------------------------------------------------------------------------------
# One daemon

def write_config(tmp, sync):
    db = os.path.join(tmp, "ingest.db")
    features = ", ".join(f"{f}: numeric" for f in FEATURES)
    config = os.path.join(tmp, "modelwatch.yaml")
    with open(config, "w") as f:
        f.write(f"""# written by bench/ingest_bench.py
server: {{listen: "127.0.0.1:0"}}
storage: {{path: {db}, sync: {sync}}}
models:
  {MODEL}:
    task: binary
    features: {{{features}}}
""")
    return config, db


def write_pool(path, batches, batch_events, seed, ts_mode="hour"):
    """NDJSON events with placeholder ids "ev-<13 digits>" that the client overwrites. ts_mode
    "hour": ts uniform in the last hour; "arrival": no ts (the daemon stamps the arrival time)."""
    rnd = random.Random(seed)
    now = time.time()
    scales = [1, 10, 100, 1000, 0.01, 1, 50, 5, 1e4, 0.5]  # feature magnitudes differ, as in life
    with open(path, "w") as f:
        for i in range(batches * batch_events):
            t = now - rnd.uniform(0, 3600)
            ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z"
            feats = ",".join(f'"{name}":{rnd.gauss(0, 1) * s:.6g}' for name, s in zip(FEATURES, scales))
            score = rnd.random()
            ts_field = f'"ts":"{ts}",' if ts_mode == "hour" else ""
            f.write(f'{{"id":"ev-{i:013d}",{ts_field}"features":{{{feats}}},'
                    f'"prediction":{int(score >= 0.5)},"score":{score:.6f},'
                    f'"latency_ms":{rnd.lognormvariate(2.0, 0.5):.3f}}}\n')


class Daemon:
    def __init__(self, binary, config, log_path):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen([binary, "serve", "--config", config], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.pid = self.proc.pid
        self.port = None
        deadline = time.time() + 60
        while self.port is None:
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"modelwatch serve did not start: {self.tail()}")
            with open(log_path) as f:
                m = re.search(r"listening on http://[^ ]*:(\d+) ", f.read())
            if m:
                self.port = int(m.group(1))
            else:
                time.sleep(0.05)
        while True:
            try:
                if self.get("/v1/ready")[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError(f"modelwatch serve is not ready: {self.tail()}")
            time.sleep(0.05)

    def tail(self):
        with open(self.log_path) as f:
            return f.read()[-2000:]

    def get(self, path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=60) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, None

    def status(self):
        """VmHWM and VmRSS in MiB."""
        out = {}
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    out[key] = round(int(value.split()[0]) / 1024, 1)
        return out

    def cpu_s(self):
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, timeout=300):
        t = time.perf_counter()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            rc = None
        self.log.close()
        return rc, time.perf_counter() - t


def stored_predictions(daemon):
    status, body = daemon.get("/v1/models")
    if status != 200:
        raise RuntimeError(f"GET /v1/models answered {status}")
    return sum(v["predictions"] for m in body["models"] if m["name"] == MODEL
               for v in m["versions"])


def filesystem_of(path):
    """(mount point, type, device) of the mount holding path."""
    path = os.path.realpath(path)
    best = ("/", "?", "?")
    with open("/proc/mounts") as f:
        for line in f:
            dev, mnt, fstype = line.split()[:3]
            if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best[0]):
                best = (mnt, fstype, dev)
    return {"mount": best[0], "type": best[1], "device": best[2]}


def one_run(args, daemon_bin, client_bin, ts_mode, sync, connections, seed):
    tmp = tempfile.mkdtemp(prefix="mw-ingest-", dir=args.store_dir)
    try:
        config, db = write_config(tmp, sync)
        pool = os.path.join(tmp, "pool.ndjson")
        write_pool(pool, args.pool_batches, args.batch_events, seed, ts_mode)
        load = os.getloadavg()[0]
        daemon = Daemon(daemon_bin, config, os.path.join(tmp, "serve.log"))
        try:
            cpu_start = daemon.cpu_s()
            r = subprocess.run([client_bin, "--port", str(daemon.port), "--model", MODEL,
                                "--pool", pool, "--connections", str(connections),
                                "--batch-events", str(args.batch_events),
                                "--warmup", str(args.warmup), "--duration", str(args.duration),
                                "--pid", str(daemon.pid), "--ids", args.ids],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if r.returncode != 0:
                raise RuntimeError(f"mw_ingest_client failed: {r.stderr.strip()}")
            c = json.loads(r.stdout)
            mem = daemon.status()
            cpu_total = daemon.cpu_s() - cpu_start
            api_count = stored_predictions(daemon)
        finally:
            rc, stop_s = daemon.stop()
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            rows = conn.execute("SELECT count(*) FROM predictions").fetchone()[0]
        db_mb = sum(os.path.getsize(p) for p in (db, db + "-wal") if os.path.exists(p)) / 2**20
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    acknowledged = c["totals"]["accepted"]
    cpu = c["daemon_cpu_s"]
    by_thread = c.get("daemon_cpu_s_by_thread", {})
    http_cpu = by_thread.get("mw-http-io")
    return {
        "ts": ts_mode, "sync": sync, "connections": connections, "ids": args.ids,
        "load_average_start": round(load, 2),
        "events_per_s": round(c["events_per_s"]), "requests_per_s": round(c["requests_per_s"], 2),
        "latency_ms": c["latency_ms"], "errors": c["errors"], "measured_s": c["measured_s"],
        "accepted": c["accepted"], "duplicates": c["duplicates"],
        "daemon_cpu_s": cpu, "daemon_cores_used": round(cpu / c["measured_s"], 2),
        "events_per_daemon_cpu_s": round(c["accepted"] / cpu) if cpu else None,
        "daemon_cpu_s_by_thread": {k: round(v, 2) for k, v in by_thread.items()},
        "http_threads_cpu_s": http_cpu,
        "background_cpu_s": round(cpu - http_cpu, 2) if http_cpu is not None else None,
        "events_per_http_thread_cpu_s": round(c["accepted"] / http_cpu) if http_cpu else None,
        "client_cpu_s": c["client_cpu_s"], "daemon_cpu_s_whole_run": round(cpu_total, 2),
        "peak_rss_mb": mem.get("VmHWM"), "rss_end_mb": mem.get("VmRSS"),
        "stop_s": round(stop_s, 2), "stop_exit_code": rc, "store_mb": round(db_mb, 1),
        "durability": {"acknowledged": acknowledged, "duplicates_acknowledged":
                       c["totals"]["duplicates"], "api_predictions": api_count,
                       "sqlite_rows_after_stop": rows,
                       "ok": acknowledged == api_count == rows and c["totals"]["duplicates"] == 0},
    }


def stats(values, higher_is_better=True):
    values = [v for v in values if v is not None]
    if not values:
        return None
    best = max(values) if higher_is_better else min(values)
    return {"median": round(statistics.median(values), 3), "best": best, "runs": values}


def aggregate(runs):
    """{ts mode: {sync: {connections: statistics}}}."""
    out = {}
    for r in runs:
        out.setdefault(r["ts"], {}).setdefault(r["sync"], {}).setdefault(str(r["connections"]), [])
        out[r["ts"]][r["sync"]][str(r["connections"])].append(r)
    for by_sync in out.values():
        for by_n in by_sync.values():
            for n, rs in by_n.items():
                by_n[n] = {
                    "events_per_s": stats([r["events_per_s"] for r in rs]),
                    "requests_per_s": stats([r["requests_per_s"] for r in rs]),
                    "latency_p50_ms": stats([r["latency_ms"]["p50"] for r in rs], False),
                    "latency_p99_ms": stats([r["latency_ms"]["p99"] for r in rs], False),
                    "events_per_daemon_cpu_s": stats([r["events_per_daemon_cpu_s"] for r in rs]),
                    "daemon_cores_used": stats([r["daemon_cores_used"] for r in rs]),
                    "events_per_http_thread_cpu_s":
                        stats([r["events_per_http_thread_cpu_s"] for r in rs]),
                    "background_cores_used": stats([
                        round(r["background_cpu_s"] / r["measured_s"], 2)
                        for r in rs if r["background_cpu_s"] is not None]),
                    "peak_rss_mb": stats([r["peak_rss_mb"] for r in rs], False),
                    "errors": sum(sum(r["errors"].values()) for r in rs),
                }
    return out


def best_of(results, key, ts=None, sync=None):
    """(median, ts, sync, connections) of the configuration with the highest median `key`."""
    best = (0, None, None, None)
    for t, by_sync in results.items():
        for s_, by_n in by_sync.items():
            for n, a in by_n.items():
                if (ts in (None, t) and sync in (None, s_) and a[key] and
                        a[key]["median"] > best[0]):
                    best = (a[key]["median"], t, s_, int(n))
    return best


def run(args):
    build_dir = os.path.abspath(args.build_dir)
    daemon_bin = daemon_binary(build_dir)
    client_bin = client_binary(build_dir)
    ts_modes = args.ts.split(",")
    syncs = args.syncs.split(",")
    conns = [int(x) for x in args.connections.split(",")]
    store_dir = args.store_dir or tempfile.gettempdir()
    result = {
        "machine": machine_info(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "build_type": build_type(build_dir),
        "runs_per_config": args.runs,
        "ids": args.ids,
        "timing": TIMING,
        "load_average_start": list(os.getloadavg()),
        "store_filesystem": filesystem_of(store_dir),
        "config": {
            "model": f"{MODEL}: binary, {len(FEATURES)} declared numeric features, default "
                     "windows [5m, 1h] and lateness 5m, no auth, io_threads 0 (two per core, at least 4)",
            "batch_events": args.batch_events, "pool_batches": args.pool_batches,
            "event": "id (unique in the run), features f0..f9, prediction, score, latency_ms; no "
                     "version, no label",
            "ids": {"sequential": "ev-<13-digit event number>: ids that grow, as from a counter",
                    "random": "ev-<13 digits>: the event number through a fixed permutation, so "
                              "ids are scattered like random UUIDs (each lands at a random place "
                              "of the store's (model, id) index)"}[args.ids],
            "ts_modes": {"hour": "ts in every event, uniform in the hour before the run (events "
                                 "land in 13 5m windows and 1-2 1h windows, in random order)",
                         "arrival": "no ts: the daemon stamps the time of arrival (event times "
                                    "increase, as from a client that logs as it predicts)"},
            "body_bytes_per_batch": {}, "warmup_s": args.warmup, "duration_s": args.duration,
            "connections": conns, "syncs": syncs, "ts": ts_modes,
            "client": "bench/ingest_client.cc (mw_ingest_client)",
            "daemon": os.path.relpath(daemon_bin, ROOT),
            "daemon_built": datetime.datetime.fromtimestamp(
                os.path.getmtime(daemon_bin), datetime.timezone.utc).isoformat(timespec="seconds"),
        },
        "runs": [],
    }
    for ts_mode in ts_modes:
        probe = os.path.join(tempfile.gettempdir(), f"mw-ingest-probe-{os.getpid()}.ndjson")
        write_pool(probe, 1, args.batch_events, 0, ts_mode)
        result["config"]["body_bytes_per_batch"][ts_mode] = os.path.getsize(probe)
        os.unlink(probe)
    args.store_dir = store_dir
    for rep in range(args.runs):
        for ts_mode in ts_modes:
            for sync in syncs:
                for n in conns:
                    r = one_run(args, daemon_bin, client_bin, ts_mode, sync, n,
                                seed=rep * 1000 + n)
                    r["repetition"] = rep + 1
                    result["runs"].append(r)
                    print(f"  run {rep + 1}/{args.runs} ts {ts_mode:<7} sync {sync:<6} {n} "
                          f"connections: {r['events_per_s']:>9,} events/s, p50 "
                          f"{r['latency_ms']['p50']:.1f} ms, p99 {r['latency_ms']['p99']:.1f} ms, "
                          f"{r['events_per_daemon_cpu_s'] or 0:,} events/daemon CPU-s, RSS "
                          f"{r['peak_rss_mb']:.0f} MiB, durable "
                          f"{'ok' if r['durability']['ok'] else 'FAILED'}", flush=True)
    result["load_average_end"] = list(os.getloadavg())
    res = result["results"] = aggregate(result["runs"])
    full = best_of(res, "events_per_s", sync="full")
    cpu = best_of(res, "events_per_daemon_cpu_s", sync="full")
    result["target"] = {
        "events_per_s": TARGET_EVENTS_PER_S,
        "condition": "2 cores, loopback HTTP, durable acknowledgements (storage.sync full)",
        "met": full[0] >= TARGET_EVENTS_PER_S,
        "best_median_events_per_s_sync_full": {"events_per_s": full[0], "ts": full[1],
                                               "connections": full[3]},
        "shortfall_factor_sync_full": round(TARGET_EVENTS_PER_S / full[0], 1) if full[0] else None,
        "per_ts_mode": {},
        "best_median_events_per_daemon_cpu_s_sync_full": {"events_per_daemon_cpu_s": cpu[0],
                                                          "ts": cpu[1], "connections": cpu[3]},
        "daemon_cores_needed_at_that_efficiency": round(TARGET_EVENTS_PER_S / cpu[0], 2)
        if cpu[0] else None,
    }
    for ts_mode in ts_modes:
        b = best_of(res, "events_per_s", ts=ts_mode, sync="full")
        result["target"]["per_ts_mode"][ts_mode] = {
            "best_median_events_per_s_sync_full": b[0], "connections": b[3],
            "shortfall_factor": round(TARGET_EVENTS_PER_S / b[0], 1) if b[0] else None}
    durable = all(r["durability"]["ok"] for r in result["runs"])
    errors = sum(sum(r["errors"].values()) for r in result["runs"])
    result["durability"] = {
        "check": "every run: events acknowledged by 200 replies (warm-up and drain included) == "
                 "GET /v1/models predictions == SELECT count(*) FROM predictions after SIGTERM; "
                 "no duplicate acknowledged",
        "runs_checked": len(result["runs"]), "all_ok": durable,
        "events_checked": sum(r["durability"]["acknowledged"] for r in result["runs"])}
    if os.path.exists(args.out):  # keep a profile recorded earlier by `profile --results`
        try:
            with open(args.out) as f:
                old = json.load(f)
            if "profile" in old:
                result["profile"] = old["profile"]
        except (OSError, ValueError):
            pass
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(f"  written: {os.path.relpath(args.out, ROOT)}")
    return 0 if durable and errors == 0 else 1


# ---------------------------------------------------------------------------------------------
# Profile

# Where a sample of the daemon goes: the first rule (in this order) with a pattern found anywhere
# in the sample's call chain, so that the categories partition the samples.
PROFILE_CATEGORIES = [
    ("fsync", ("do_fsync", "__x64_sys_fdatasync", "__x64_sys_fsync"),
     "fsync/fdatasync in the kernel (sync full)"),
    ("sqlite_commit", ("Transaction::Commit",), "COMMIT: writing the WAL frames"),
    ("sqlite_insert", ("AppendPredictionsLocked",),
     "INSERT of the rows, unique (model, id) index, registry update, under the writer lock"),
    ("payload_encode", ("EncodedPayloads", "AppendPredictionPayload"), "binary payload encoding"),
    ("ndjson_parse", ("server::ParsePredictions",), "simdjson NDJSON parse into PredictionEvent"),
    ("feature_type_check", ("CheckAgainstModel",), "declared feature types"),
    ("cardinality_guard", ("CardinalityGuard::Admit",), "cardinality limits"),
    ("monitor_touch", ("Monitor::Touch",), "marking windows touched, per event"),
    ("ingest_other", ("IngestService::PostPredictions",), "the rest of the handler (validation, "
     "freeing the events, reply)"),
    ("evaluation_payload_decode", ("DecodePredictionPayload",),
     "background window evaluation: decoding stored payloads"),
    ("evaluation_window_metrics", ("WindowQuality::",),
     "background window evaluation: the window's metrics"),
    ("evaluation_sqlite_scan", ("ScanPredictions",),
     "background window evaluation: SQLite reading the window's rows"),
    ("evaluation_write", ("PutWindows", "PutCounters"), "background: writing windows and counters"),
    ("evaluation_other", ("Monitor::Evaluate", "Daemon::State::EvaluateOnce"),
     "background window evaluation: the rest"),
    ("http", ("HttpServer::Impl", "boost::", "tcp_", "sock_"),
     "HTTP: Beast parsing, Asio, socket I/O, reply"),
]
# Cross-cutting shares (a sample counts in every one whose pattern is in its chain, or, for
# "self", whose leaf frame matches).
PROFILE_SHARES = [
    ("sqlite_page_reads_pread", ("__libc_pread", "__x64_sys_pread64"), False,
     "SQLite reading pages through pread (page cache misses in SQLite's own cache)"),
    ("sqlite_wal_writes_pwrite", ("__libc_pwrite", "__x64_sys_pwrite64"), False,
     "SQLite writing pages through pwrite"),
    ("malloc_free_self", ("malloc", "_int_malloc", "_int_free", "free", "cfree@GLIBC_2.2.5",
                          "unlink_chunk.constprop.0", "malloc_consolidate", "realloc",
                          "_int_realloc", "__libc_malloc", "__libc_free"), True,
     "self time in glibc malloc/free"),
    ("kernel_self", ("[kernel.kallsyms]",), True, "self time in the kernel"),
]


def read_perf_script(data):
    """[(thread name, [frames leaf first as "symbol (dso)"])] of `perf script`."""
    r = subprocess.run(["perf", "script", "--no-inline", "-F", "comm,tid,ip,sym,dso", "-i", data],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True)
    samples, current = [], None
    for line in r.stdout.splitlines():
        if not line.strip():
            current = None
        elif not line[0].isspace():
            current = (line.split()[0], [])
            samples.append(current)
        elif current is not None:
            frame = line.strip().split(" ", 1)
            current[1].append(frame[1] if len(frame) > 1 else frame[0])
    return samples


def breakdown(samples):
    n = len(samples) or 1
    threads, categories, shares, leaves = {}, {}, {}, {}
    for comm, frames in samples:
        threads[comm] = threads.get(comm, 0) + 1
        chain = "\n".join(frames)
        name = next((c for c, pats, _ in PROFILE_CATEGORIES if any(p in chain for p in pats)),
                    "other")
        categories[name] = categories.get(name, 0) + 1
        leaf = frames[0] if frames else "?"
        leaf_sym = leaf.rsplit(" (", 1)[0]
        for share, pats, self_only, _ in PROFILE_SHARES:
            if self_only:
                hit = leaf_sym in pats or any(p in leaf for p in pats if p.startswith("["))
            else:
                hit = any(p in chain for p in pats)
            if hit:
                shares[share] = shares.get(share, 0) + 1
        leaves[leaf] = leaves.get(leaf, 0) + 1
    pct = lambda k: round(100.0 * k / n, 1)  # noqa: E731
    what = {c: w for c, _, w in PROFILE_CATEGORIES}
    what["other"] = "anything else"
    return {
        "samples": len(samples),
        "threads_percent": {k: pct(v) for k, v in sorted(threads.items(), key=lambda x: -x[1])},
        "categories_percent": {k: {"percent": pct(v), "what": what[k]}
                               for k, v in sorted(categories.items(), key=lambda x: -x[1])},
        "cross_cutting_percent": {s: {"percent": pct(shares.get(s, 0)), "what": w}
                                  for s, _, _, w in PROFILE_SHARES},
        "top_self": [{"percent": pct(v), "frame": k[:160]}
                     for k, v in sorted(leaves.items(), key=lambda x: -x[1])[:20]],
    }


def profile(args):
    if shutil.which("perf") is None:
        raise RuntimeError("perf not found (Debian package linux-perf)")
    build_dir = os.path.abspath(args.build_dir)
    daemon_bin = daemon_binary(build_dir)
    client_bin = client_binary(build_dir)
    out_dir = os.path.abspath(args.out_dir)
    os.makedirs(out_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="mw-ingest-", dir=args.store_dir)
    key = f"ts_{args.ts}_sync_{args.sync}_{args.connections}_connections"
    data = os.path.join(out_dir, f"perf-{key}.data")
    try:
        config, _ = write_config(tmp, args.sync)
        pool = os.path.join(tmp, "pool.ndjson")
        write_pool(pool, 32, 1000, 1, args.ts)
        daemon = Daemon(daemon_bin, config, os.path.join(tmp, "serve.log"))
        try:
            client = subprocess.Popen([client_bin, "--port", str(daemon.port), "--model", MODEL,
                                       "--pool", pool, "--connections", str(args.connections),
                                       "--warmup", str(args.after), "--duration",
                                       str(args.seconds + 1), "--pid", str(daemon.pid)],
                                      stdout=subprocess.PIPE, text=True)
            time.sleep(args.after)
            subprocess.run(["perf", "record", "-q", "--call-graph", "dwarf,16384", "-F",
                            str(args.frequency), "-p", str(daemon.pid), "-o", data, "--",
                            "sleep", str(args.seconds)],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            c = json.loads(client.communicate()[0])
        finally:
            daemon.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    prof = {
        "how": f"perf record --call-graph dwarf -F {args.frequency} -p DAEMON for {args.seconds:g} s "
               f"after {args.after:g} s of load (ts {args.ts}, sync {args.sync}, {args.connections} "
               "connections), "
               "perf script, each sample assigned to the first category found in its call chain; "
               "percentages of the daemon's on-CPU samples (off-CPU waits, such as fsync latency "
               "or the writer lock, do not appear)",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "ts": args.ts, "sync": args.sync, "connections": args.connections,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "events_per_s_during": round(c["events_per_s"]),
        "events_per_daemon_cpu_s_during":
            round(c["accepted"] / c["daemon_cpu_s"]) if c["daemon_cpu_s"] else None,
        "daemon_cores_used_during": round(c["daemon_cpu_s"] / c["measured_s"], 2),
        **breakdown(read_perf_script(data)),
    }
    print(json.dumps(prof, indent=1))
    print(f"  perf data: {os.path.relpath(data, ROOT)} (perf report -i ... --no-inline)")
    if args.results and os.path.exists(args.results):
        with open(args.results) as f:
            r = json.load(f)
        r.setdefault("profile", {})[key] = prof
        with open(args.results, "w") as f:
            json.dump(r, f, indent=2)
            f.write("\n")
        print(f"  profile added to {os.path.relpath(args.results, ROOT)}")
    return 0


# ---------------------------------------------------------------------------------------------
# Summary

def summary(args):
    with open(args.ingest) as f:
        r = json.load(f)
    m, c = r["machine"], r["config"]
    print(f"\nmodelwatch serve ingest ({c['batch_events']} events x {len(FEATURES)} features per "
          f"NDJSON batch, loopback; {m['nproc']} x {m['model_name']}; median of "
          f"{r['runs_per_config']} runs of {c['duration_s']:g} s; client on the same cores; "
          f"ids {r.get('ids', 'sequential')})")
    print(f"  {'ts':<8}{'sync':<7}{'conns':>6}{'events/s':>11}{'req/s':>8}{'p50 ms':>9}"
          f"{'p99 ms':>9}{'ev/daemon CPU-s':>17}{'ev/HTTP CPU-s':>15}{'cores':>7}{'bg':>6}"
          f"{'peak RSS':>10}{'errors':>8}")
    for ts_mode, by_sync in r["results"].items():
        for sync, by_n in by_sync.items():
            for n, a in by_n.items():
                print(f"  {ts_mode:<8}{sync:<7}{n:>6}{a['events_per_s']['median']:>11,.0f}"
                      f"{a['requests_per_s']['median']:>8.1f}{a['latency_p50_ms']['median']:>9.1f}"
                      f"{a['latency_p99_ms']['median']:>9.1f}"
                      f"{a['events_per_daemon_cpu_s']['median']:>17,.0f}"
                      f"{(a.get('events_per_http_thread_cpu_s') or {}).get('median', 0):>15,.0f}"
                      f"{a['daemon_cores_used']['median']:>7.2f}"
                      f"{(a.get('background_cores_used') or {}).get('median', 0):>6.2f}"
                      f"{a['peak_rss_mb']['median']:>6.0f} MiB{a['errors']:>8}")
    t = r["target"]
    b = t["best_median_events_per_s_sync_full"]
    print(f"  target {t['events_per_s']:,} events/s durable (sync full): "
          f"{'met' if t['met'] else 'NOT met'}; best median {b['events_per_s']:,.0f} events/s "
          f"(ts {b['ts']}, {b['connections']} connections; {t['shortfall_factor_sync_full']}x "
          f"short); " + ", ".join(f"ts {k}: {v['shortfall_factor']}x short"
                                  for k, v in t["per_ts_mode"].items()))
    d = r["durability"]
    print(f"  durability: {'ok' if d['all_ok'] else 'FAILED'} in {d['runs_checked']} runs, "
          f"{d['events_checked']:,} events (acknowledged == stored, via the API and SQLite after "
          f"stop)")
    for name, p in r.get("profile", {}).items():
        shown = ", ".join(f"{k} {v['percent']}%" for k, v in p["categories_percent"].items())
        print(f"  profile {name} (% of daemon CPU samples): {shown}")
    print(f"  (load average {r['load_average_start'][0]:.1f} at start, "
          f"{r['load_average_end'][0]:.1f} at end)")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("run")
    p.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--connections", default="2,4,8")
    p.add_argument("--syncs", default="full,normal")
    p.add_argument("--ts", default="hour,arrival", help="event time modes (see write_pool)")
    p.add_argument("--duration", type=float, default=20.0, help="measured seconds per run")
    p.add_argument("--warmup", type=float, default=3.0)
    p.add_argument("--batch-events", type=int, default=1000)
    p.add_argument("--pool-batches", type=int, default=32)
    p.add_argument("--ids", default="sequential", choices=["sequential", "random"],
                   help="event ids that grow (a counter) or are scattered (like UUIDs)")
    p.add_argument("--store-dir", help="where the temporary stores go (default: $TMPDIR or /tmp; "
                   "must be a disk for sync full to mean anything)")
    p.add_argument("--out", default=os.path.join(HERE, "results", "ingest.json"))
    q = sub.add_parser("profile")
    q.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    q.add_argument("--sync", default="full", choices=["full", "normal"])
    q.add_argument("--connections", type=int, default=4)
    q.add_argument("--ts", default="hour", choices=["hour", "arrival"])
    q.add_argument("--seconds", type=float, default=8.0, help="perf record duration")
    q.add_argument("--after", type=float, default=5.0, help="seconds of load before recording")
    q.add_argument("--frequency", type=int, default=199)
    q.add_argument("--store-dir")
    q.add_argument("--out-dir", default=os.path.join(HERE, "data", "ingest-profile"))
    q.add_argument("--results", help="add the breakdown to this results file (its 'profile')")
    s = sub.add_parser("summary")
    s.add_argument("--ingest", default=os.path.join(HERE, "results", "ingest.json"))
    args = ap.parse_args()
    try:
        return {"run": run, "profile": profile, "summary": summary}[args.cmd](args)
    except (RuntimeError, subprocess.CalledProcessError) as e:
        print(f"ingest_bench: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
