#!/usr/bin/python3
"""Integration tests of `modelwatch serve`: the real binary on a free loopback port.

Run by ctest (tests/CMakeLists.txt) as: serve_test.py BUILD_DIR/modelwatch [TEST_NAME...]
Uses only the Python standard library, plus Debian's prometheus/promtool when installed (the
Prometheus test is skipped, and says so, when they are not). Every daemon and Prometheus it
starts listens on 127.0.0.1 and is stopped at the end.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

BINARY = None  # set from argv

BASE_TS = 1767225600  # 2026-01-01T00:00:00Z: a window boundary for 1m and 1h


def resource_limit_of(pid):
    """The soft RLIMIT_NOFILE of a process, from /proc/PID/limits."""
    with open("/proc/%d/limits" % pid) as f:
        for line in f:
            if line.startswith("Max open files"):
                return int(line.split()[3])
    raise AssertionError("no 'Max open files' in /proc/%d/limits" % pid)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    """One `modelwatch serve` process with its own directory, config and database."""

    def __init__(self, workdir, config_text):
        self.workdir = workdir
        self.port = free_port()
        self.config_path = os.path.join(workdir, "modelwatch.yaml")
        with open(self.config_path, "w") as f:
            f.write(config_text.replace("PORT", str(self.port)))
        self.proc = None
        self.log_path = os.path.join(workdir, "serve.log")

    def start(self):
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen([BINARY, "serve", "--config", self.config_path],
                                     stdout=self.log, stderr=self.log)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("serve exited with %d: %s" % (self.proc.returncode, self.logs()))
            try:
                if self.get("/v1/ready")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("serve did not become ready: " + self.logs())

    def logs(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM):
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=30)
        self.proc = None
        self.log.close()
        return code

    def request(self, method, path, body=None, content_type="application/json", token=None):
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else (
                body if isinstance(body, str) else json.dumps(body)).encode()
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), data=data,
                                     method=method)
        if data is not None:
            req.add_header("Content-Type", content_type)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, r.read().decode(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(), dict(e.headers)

    def get(self, path, token=None):
        return self.request("GET", path, token=token)

    def post(self, path, body, content_type="application/json", token=None):
        return self.request("POST", path, body, content_type, token)

    def windows(self, model, **params):
        query = "&".join("%s=%s" % kv for kv in params.items())
        status, body, _ = self.get("/v1/models/%s/windows?%s" % (model, query))
        assert status == 200, body
        return json.loads(body)["windows"]

    def wait_for(self, predicate, what, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError("timed out waiting for " + what + "\n" + self.logs())


CONFIG = """
server:
  listen: "127.0.0.1:PORT"
storage:
  path: modelwatch.db
  sync: full
  retention:            # the test's events are dated 2026-01-01
    predictions: 3650d
    labels: 3650d
limits:
  max_records_per_batch: 5000
  max_versions_per_model: 3
models:
  fraud:
    task: binary
    positive_label: 1
    windows: [1m, 1h]
    allowed_lateness: 0s
  price:
    task: regression
    windows: [1m]
    allowed_lateness: 0s
  credit:
    task: binary
    windows: [1m]
    kserve:
      inputs: [income, age]
      output: probabilities
  drifty:
    task: binary
    windows: [1m]
    allowed_lateness: 0s
    reference:
      first_events: 200
"""


def prediction(i, ts, pred, label=None, score=None, version="v1", **extra):
    e = {"id": "p%d" % i, "ts": ts, "version": version, "prediction": pred,
         "features": {"amount": 10.0 + i, "country": "DE" if i % 2 else "FR"},
         "latency_ms": 5 + i % 7}
    if label is not None:
        e["label"] = label
    if score is not None:
        e["score"] = score
    e.update(extra)
    return e


class ServeTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mw-serve-")
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            if d.proc is not None:
                d.stop(signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)

    def daemon(self, config=CONFIG):
        d = Daemon(self.dir, config)
        self.daemons.append(d)
        return d.start()

    def test_ingest_windows_late_label_and_restart(self):
        d = self.daemon()
        # Minute 0: 4 predictions, 3 labelled now (2 right, 1 wrong), one labelled later.
        batch = [prediction(0, BASE_TS + 1, 1, label=1, score=0.9),
                 prediction(1, BASE_TS + 2, 0, label=0, score=0.2),
                 prediction(2, BASE_TS + 3, 1, label=0, score=0.7),
                 prediction(3, BASE_TS + 4, 0, score=0.4)]
        status, body, _ = d.post("/v1/models/fraud/predictions", batch)
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body), {"accepted": 4, "duplicates": 0})
        # A retry of the same batch is accepted and not stored twice.
        status, body, _ = d.post("/v1/models/fraud/predictions", batch)
        self.assertEqual(json.loads(body), {"accepted": 0, "duplicates": 4})
        # NDJSON: an event in minute 2 moves the watermark past minute 0 (lateness 0s).
        line = json.dumps(prediction(10, BASE_TS + 130, 1, label=1, score=0.8))
        status, body, _ = d.post("/v1/models/fraud/predictions", line + "\n",
                                 "application/x-ndjson")
        self.assertEqual(status, 200, body)

        def closed_minute0():
            ws = [w for w in d.windows("fraud", window="1m", version="all")
                  if w["start"] == "2026-01-01T00:00:00.000Z" and w["closed"]]
            return ws[0] if ws else None
        w = d.wait_for(closed_minute0, "minute 0 to close")
        self.assertEqual(w["summary"]["predictions"], 4)
        self.assertEqual(w["summary"]["labelled"], 3)
        self.assertAlmostEqual(w["summary"]["quality"]["accuracy"], 2 / 3)

        # The late label of p3 (right: label 0, prediction 0) revises the closed window.
        status, body, _ = d.post("/v1/models/fraud/labels", {"id": "p3", "label": 0})
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["joined"], 1)
        w = d.wait_for(lambda: (lambda x: x if x and x["summary"]["labelled"] == 4 else None)(
            closed_minute0()), "the late label to revise minute 0")
        self.assertAlmostEqual(w["summary"]["quality"]["accuracy"], 3 / 4)
        # A label before its prediction waits, then joins.
        status, body, _ = d.post("/v1/models/fraud/labels", [{"id": "p20", "label": 1}])
        self.assertEqual(json.loads(body)["pending"], 1)
        status, body, _ = d.post("/v1/models/fraud/predictions",
                                 [prediction(20, BASE_TS + 131, 1, score=0.6)])
        self.assertEqual(status, 200, body)

        status, body, _ = d.get("/v1/models")
        models = {m["name"]: m for m in json.loads(body)["models"]}
        self.assertEqual(models["fraud"]["versions"][0]["predictions"], 6)
        metrics_before = d.get("/metrics")[1]
        self.assertIn('modelwatch_window_accuracy_ratio{model="fraud",version="all",window="1m"} 0.75',
                      metrics_before)

        # Restart: SIGTERM exits 0; everything is still there and counters continue.
        self.assertEqual(d.stop(), 0)
        self.assertIn("stopped", d.logs())
        d.start()
        w = closed_minute0()
        self.assertIsNotNone(w)
        self.assertAlmostEqual(w["summary"]["quality"]["accuracy"], 3 / 4)
        status, body, _ = d.get("/v1/models/fraud")
        self.assertEqual(status, 200, body)
        metrics_after = d.get("/metrics")[1]
        self.assertIn('modelwatch_predictions_total{model="fraud"} 6', metrics_after)
        self.assertIn('modelwatch_window_accuracy_ratio{model="fraud",version="all",window="1m"} 0.75',
                      metrics_after)

    def test_window_drift_against_the_first_events(self):
        import random
        rng = random.Random(1)
        d = self.daemon()

        def batch(minute, mean, n=200, start=0):
            return [{"id": "d%d-%d" % (minute, i), "ts": BASE_TS + 60 * minute + i * 0.1,
                     "prediction": 1, "score": 0.5,
                     "features": {"amount": rng.gauss(mean, 1.0), "country": rng.choice("ab")}}
                    for i in range(start, start + n)]
        self.assertEqual(d.post("/v1/models/drifty/predictions", batch(0, 0.0))[0], 200)
        self.assertEqual(d.post("/v1/models/drifty/predictions", batch(1, 3.0))[0], 200)
        self.assertEqual(d.post("/v1/models/drifty/predictions", batch(3, 0.0, 1))[0], 200)

        def minute(start):
            ws = [w for w in d.windows("drifty", window="1m", version="all")
                  if w["start"] == start and w["closed"] and w["summary"]["drift"]]
            return ws[0] if ws else None
        w1 = d.wait_for(lambda: minute("2026-01-01T00:01:00.000Z"), "minute 1 with drift")
        drift = w1["summary"]["drift"]
        self.assertEqual(drift["reference_rows"], 200)
        self.assertEqual(drift["features"]["amount"]["method"], "ks")
        self.assertTrue(drift["features"]["amount"]["drift"])
        self.assertLess(drift["features"]["amount"]["p_value"], 1e-6)
        self.assertFalse(drift["features"]["country"]["drift"])
        w0 = minute("2026-01-01T00:00:00.000Z")
        self.assertEqual(w0["summary"]["drift"]["features"]["amount"]["statistic"], 0)
        # The store shows a window as soon as it is committed; /metrics once the evaluation pass
        # that wrote it has also waited for the disk and published it.
        series = ('modelwatch_window_column_drift{model="drifty",version="all",window="1m",'
                  'column="amount"}')
        d.wait_for(lambda: series in d.get("/metrics")[1], "the drift series in /metrics")
        # The cumulative view holds every event of the model.
        cumulative = d.windows("drifty", window="all", version="all")
        self.assertEqual([w["summary"]["predictions"] for w in cumulative], [401])
        self.assertFalse(cumulative[0]["closed"])
        # GET /v1/models/{m}/drift: the window holding `at`, else the latest closed one.
        status, body, _ = d.get("/v1/models/drifty/drift?window=1m&at=%d" % (BASE_TS + 90))
        self.assertEqual(status, 200, body)
        at = json.loads(body)
        self.assertEqual((at["model"], at["version"], at["window"], at["start"]),
                         ("drifty", "all", "1m", "2026-01-01T00:01:00.000Z"))
        self.assertEqual(at["drift"], drift)
        status, body, _ = d.get("/v1/models/drifty/drift")
        self.assertEqual(status, 200, body)
        latest = json.loads(body)
        self.assertTrue(latest["closed"])
        # Minute 2 has no event (no window); minute 3 is still open.
        self.assertEqual(latest["start"], "2026-01-01T00:01:00.000Z")
        self.assertEqual(d.get("/v1/models/drifty/drift?window=7m")[0], 400)
        self.assertEqual(d.get("/v1/models/drifty/drift?at=yesterday")[0], 400)
        self.assertEqual(d.get("/v1/models/drifty/drift?at=%d" % (BASE_TS - 3600))[0], 404)
        self.assertEqual(d.get("/v1/models/nosuch/drift")[0], 404)

    def test_kserve_cloudevents_pair_posted_with_curl(self):
        curl = shutil.which("curl")
        if not curl:
            self.skipTest("curl not installed")
        d = self.daemon()
        url = "http://127.0.0.1:%d/v1/cloudevents" % d.port

        def post(ce_type, body):
            r = subprocess.run(
                [curl, "-s", "-w", "\n%{http_code}", "-X", "POST", url,
                 "-H", "Content-Type: application/json", "-H", "ce-specversion: 1.0",
                 "-H", "ce-id: 5f1c-req", "-H", "ce-type: " + ce_type,
                 "-H", "ce-source: http://localhost:9081/", "-H", "ce-inferenceservicename: credit",
                 "-H", "ce-time: 2026-01-01T00:00:05Z", "-d", json.dumps(body)],
                capture_output=True, text=True, timeout=30)
            body, code = r.stdout.rsplit("\n", 1)
            return int(code), body
        code, body = post("org.kubeflow.serving.inference.request",
                          {"id": "5f1c", "inputs": [{"name": "input-0", "shape": [1, 2],
                                                     "datatype": "FP64",
                                                     "data": [52000.5, 37]}]})
        self.assertEqual(code, 202, body)
        code, body = post("org.kubeflow.serving.inference.response",
                          {"model_name": "credit", "id": "5f1c",
                           "outputs": [{"name": "output-0", "shape": [1, 2], "datatype": "FP64",
                                        "data": [0.25, 0.75]}]})
        self.assertEqual(code, 200, body)
        self.assertEqual(json.loads(body)["accepted"], 1)
        # The joined prediction has the features and the score: its label joins by the ce-id.
        status, body, _ = d.post("/v1/models/credit/labels", {"id": "5f1c-req", "label": 1})
        self.assertEqual(json.loads(body)["joined"], 1, body)
        status, body, _ = d.get("/v1/models")
        models = {m["name"]: m for m in json.loads(body)["models"]}
        self.assertEqual(models["credit"]["versions"][0]["predictions"], 1)
        self.assertEqual(d.post("/v1/models/credit/predictions",
                                [prediction(1, BASE_TS + 200, 1)])[0], 200)

        def window():
            ws = [w for w in d.windows("credit", window="1m", version="all")
                  if w["start"] == "2026-01-01T00:00:00.000Z" and w["summary"]["labelled"] == 1]
            return ws[0] if ws else None
        w = d.wait_for(window, "the KServe prediction's window")
        self.assertEqual(w["summary"]["quality"]["accuracy"], 1)  # argmax 1, label 1
        # score = P(class 1) = 0.75: Brier (1 - 0.75)^2
        self.assertAlmostEqual(w["summary"]["quality"]["scores"]["brier"], 0.0625)

    def test_label_after_the_models_ttl_is_too_late(self):
        config = CONFIG.replace("  price:\n", "  quick:\n    task: binary\n    windows: [1m]\n"
                                "    label_ttl: 1s\n  price:\n", 1)
        d = self.daemon(config)
        batch = [prediction(i, BASE_TS + i, 1) for i in range(2)]
        self.assertEqual(d.post("/v1/models/quick/predictions", batch)[0], 200)
        status, body, _ = d.post("/v1/models/quick/labels", {"id": "p0", "label": 1})
        self.assertEqual(json.loads(body), {"accepted": 1, "joined": 1, "pending": 0,
                                            "too_late": 0})
        time.sleep(1.2)
        status, body, _ = d.post("/v1/models/quick/labels", {"id": "p1", "label": 0})
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body), {"accepted": 1, "joined": 0, "pending": 0,
                                            "too_late": 1})
        d.wait_for(lambda: 'modelwatch_labels_too_late_total{model="quick"} 1'
                   in d.get("/metrics")[1], "the too-late counter")
        w = d.wait_for(lambda: [x for x in d.windows("quick", window="all", version="all")
                                if x["summary"]["labelled"] == 1], "the cumulative view")[0]
        self.assertEqual(w["summary"]["predictions"], 2)

    def test_inferred_schema_is_fixed_after_the_first_events(self):
        config = CONFIG.replace("  price:\n", "  inferred:\n    task: binary\n    windows: [1m]\n"
                                "    infer_schema_events: 3\n  price:\n", 1)
        d = self.daemon(config)

        def schema():
            status, body, _ = d.get("/v1/models/inferred")
            self.assertEqual(status, 200, body)
            return json.loads(body)["schema"]
        self.assertEqual(schema(), {"source": "inferring", "features": {}, "events_seen": 0,
                                    "infer_events": 3})
        batch = [prediction(i, BASE_TS + i, 1) for i in range(2)]
        self.assertEqual(d.post("/v1/models/inferred/predictions", batch)[0], 200)
        self.assertEqual(schema()["events_seen"], 2)
        batch = [prediction(2, BASE_TS + 2, 0)]
        batch[0]["features"]["vip"] = True
        self.assertEqual(d.post("/v1/models/inferred/predictions", batch)[0], 200)
        fixed = {"source": "inferred",
                 "features": {"amount": "numeric", "country": "categorical", "vip": "boolean"}}
        self.assertEqual(schema(), fixed)
        bad = [prediction(3, BASE_TS + 3, 1), prediction(4, BASE_TS + 4, 1)]
        bad[1]["features"]["amount"] = "12.5"
        status, body, _ = d.post("/v1/models/inferred/predictions", bad)
        self.assertEqual(status, 400, body)
        self.assertEqual(json.loads(body)["error"]["message"],
                         "record 2: feature 'amount' must be numeric (inferred for model "
                         "'inferred' from its first 3 events)")
        # The schema is kept across a restart.
        self.assertEqual(d.stop(), 0)
        d.start()
        self.assertEqual(schema(), fixed)
        new_feature = [prediction(5, BASE_TS + 5, 1)]
        new_feature[0]["features"]["zip"] = "10115"
        status, body, _ = d.post("/v1/models/inferred/predictions", new_feature)
        self.assertEqual(status, 400, body)
        self.assertIn("feature 'zip' is not in the inferred features of model 'inferred'", body)

    def test_bad_batches_are_rejected_whole(self):
        d = self.daemon()
        batch = [prediction(0, BASE_TS, 1, score=0.5), prediction(1, BASE_TS, 1, score=1.5)]
        status, body, _ = d.post("/v1/models/fraud/predictions", batch)
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["error"]["code"], "invalid_argument")
        self.assertIn("record 2: field 'score' must be a number in [0,1]",
                      json.loads(body)["error"]["message"])
        lines = json.dumps(prediction(0, BASE_TS, 1)) + "\n\n" + '{"id":"x","scroe":1}\n'
        status, body, _ = d.post("/v1/models/fraud/predictions", lines, "application/x-ndjson")
        self.assertEqual(status, 400)
        self.assertIn("line 3: unknown field 'scroe'", body)
        status, body, _ = d.post("/v1/models/fraud/predictions", "x", "text/plain")
        self.assertEqual(status, 415, body)
        status, body, _ = d.post("/v1/models/nope/predictions", [prediction(0, BASE_TS, 1)])
        self.assertEqual(status, 404, body)
        self.assertIn("nope", body)
        status, body, _ = d.post("/v1/models/price/predictions",
                                 [prediction(0, BASE_TS, "cheap")])
        self.assertEqual(status, 400, body)
        self.assertIn("must be a number for regression model 'price'", body)
        # Nothing of any rejected batch was stored.
        status, body, _ = d.get("/v1/models")
        self.assertEqual([m for m in json.loads(body)["models"] if m["versions"]], [])
        self.assertIn('modelwatch_rejected_batches_total{model="fraud",reason="invalid_argument"} 2',
                      d.get("/metrics")[1])

    def test_limits(self):
        d = self.daemon()
        big = [prediction(i, BASE_TS, 1) for i in range(5001)]
        status, body, _ = d.post("/v1/models/fraud/predictions", big)
        self.assertEqual(status, 413, body)
        for v in range(3):
            status, body, _ = d.post("/v1/models/fraud/predictions",
                                     [prediction(100 + v, BASE_TS, 1, version="v%d" % v)])
            self.assertEqual(status, 200, body)
        status, body, _ = d.post("/v1/models/fraud/predictions",
                                 [prediction(200, BASE_TS, 1, version="v9")])
        self.assertEqual(status, 422, body)
        self.assertIn("limits.max_versions_per_model (3)", body)

    def test_overload_gets_429_with_retry_after(self):
        config = CONFIG.replace('  listen: "127.0.0.1:PORT"\n',
                                '  listen: "127.0.0.1:PORT"\n  io_threads: 8\n') \
                       .replace("limits:\n", "limits:\n  ingest_queue_batches: 1\n")
        d = self.daemon(config)
        results = []
        lock = threading.Lock()

        def sender(t):
            for round_ in range(6):
                base = (t * 6 + round_) * 5000
                batch = "\n".join(json.dumps(prediction(base + i, BASE_TS + i % 50, 1))
                                  for i in range(5000))
                status, body, headers = d.post("/v1/models/fraud/predictions", batch,
                                               "application/x-ndjson")
                with lock:
                    results.append((status, body, headers))
        threads = [threading.Thread(target=sender, args=(t,)) for t in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        refused = [r for r in results if r[0] == 429]
        accepted = [r for r in results if r[0] == 200]
        self.assertEqual(len(refused) + len(accepted), len(results),
                         [r[:2] for r in results if r[0] not in (200, 429)])
        self.assertTrue(refused, "8 concurrent senders never exceeded a queue of 1 batch")
        self.assertEqual(refused[0][2].get("Retry-After"), "1")
        self.assertIn("limits.ingest_queue_batches = 1", refused[0][1])
        # Exactly the accepted batches were stored.
        status, body, _ = d.get("/v1/models/fraud")
        stored = sum(v["predictions"] for v in json.loads(body)["versions"])
        self.assertEqual(stored, 5000 * len(accepted))
        self.assertIn('modelwatch_rejected_batches_total{model="fraud",reason="resource_exhausted"} '
                      + str(len(refused)), d.get("/metrics")[1])

    def test_auth(self):
        config = CONFIG + """
auth:
  tokens:
    - name: bot
      token: ingest-0123456789abcdef
      scopes: [ingest]
    - name: dash
      token: read-0123456789abcdefgh
      scopes: [read]
"""
        d = self.daemon(config)
        batch = [prediction(0, BASE_TS, 1)]
        self.assertEqual(d.post("/v1/models/fraud/predictions", batch)[0], 401)
        self.assertEqual(d.post("/v1/models/fraud/predictions", batch, token="wrong")[0], 401)
        status, body, _ = d.post("/v1/models/fraud/predictions", batch,
                                 token="read-0123456789abcdefgh")
        self.assertEqual(status, 403, body)
        self.assertEqual(d.post("/v1/models/fraud/predictions", batch,
                                token="ingest-0123456789abcdef")[0], 200)
        self.assertEqual(d.get("/v1/models")[0], 401)
        self.assertEqual(d.get("/v1/models", token="read-0123456789abcdefgh")[0], 200)
        self.assertEqual(d.get("/v1/health")[0], 200)  # probes stay open

    def test_sigkill_keeps_every_acknowledged_event(self):
        config = CONFIG.replace("max_records_per_batch: 5000", "max_records_per_batch: 1000")
        d = self.daemon(config)
        acked = []
        stop = threading.Event()

        def feed(worker):
            n = 0
            while not stop.is_set():
                ids = ["w%d-%d" % (worker, n * 200 + i) for i in range(200)]
                body = "\n".join(json.dumps({"id": i, "ts": BASE_TS + 5, "prediction": 1,
                                             "features": {"a": 1.5}}) for i in ids)
                try:
                    status, _, _ = d.post("/v1/models/fraud/predictions", body,
                                          "application/x-ndjson")
                except OSError:
                    return
                if status == 200:
                    acked.extend(ids)
                n += 1
        threads = [threading.Thread(target=feed, args=(w,)) for w in range(2)]
        for t in threads:
            t.start()
        time.sleep(2.0)
        d.stop(signal.SIGKILL)
        stop.set()
        for t in threads:
            t.join()
        self.assertGreater(len(acked), 1000)
        d.start()
        status, body, _ = d.get("/v1/models")
        stored = json.loads(body)["models"]
        count = sum(v["predictions"] for m in stored if m["name"] == "fraud" for v in m["versions"])
        # Every acknowledged event is there (a batch that committed but whose reply was lost
        # may add a few more).
        self.assertGreaterEqual(count, len(acked))
        self.assertLessEqual(count - len(acked), 2 * 200)

    def test_prometheus_scrapes_metrics(self):
        prometheus = shutil.which("prometheus")
        promtool = shutil.which("promtool")
        if not prometheus or not promtool:
            self.skipTest("prometheus/promtool not installed (Debian package 'prometheus')")
        d = self.daemon()
        batch = [prediction(i, BASE_TS + i, i % 2, label=i % 2, score=0.3 + 0.4 * (i % 2))
                 for i in range(10)]
        batch.append(prediction(99, BASE_TS + 200, 1))
        self.assertEqual(d.post("/v1/models/fraud/predictions", batch)[0], 200)
        d.wait_for(lambda: "modelwatch_window_accuracy_ratio{" in d.get("/metrics")[1],
                   "an accuracy series on /metrics")
        text = d.get("/metrics")[1]
        # The cumulative view: 10 labelled predictions, all right.
        self.assertIn('modelwatch_window_accuracy_ratio{model="fraud",version="all",window="all"} 1\n',
                      text)
        self.assertIn('modelwatch_window_predictions{model="fraud",version="v1",window="all"} 11\n',
                      text)
        check = subprocess.run([promtool, "check", "metrics"], input=text, text=True,
                               capture_output=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        # The daemon's own process metrics equal what /proc says of its pid.
        values = dict(line.rsplit(" ", 1) for line in text.splitlines()
                      if line.startswith("process_"))
        pid = d.proc.pid
        # While it answers the scrape the daemon also holds the scrape's socket and its own fd
        # directory open: a few more than are open now.
        fds = int(float(values["process_open_fds"]))
        self.assertLessEqual(abs(fds - len(os.listdir("/proc/%d/fd" % pid))), 3)
        self.assertEqual(int(float(values["process_max_fds"])),
                         resource_limit_of(pid))
        with open("/proc/%d/status" % pid) as f:
            status = dict(l.split(":", 1) for l in f.read().splitlines() if ":" in l)
        self.assertEqual(int(float(values["process_threads"])), int(status["Threads"]))
        self.assertGreater(float(values["process_resident_memory_bytes"]), 1 << 20)
        self.assertLess(abs(float(values["process_start_time_seconds"]) - time.time()), 600)
        prom_port = free_port()
        prom_dir = os.path.join(self.dir, "prometheus")
        os.makedirs(prom_dir)
        with open(os.path.join(prom_dir, "prometheus.yml"), "w") as f:
            f.write("global:\n  scrape_interval: 1s\nscrape_configs:\n"
                    "  - job_name: modelwatch\n    static_configs:\n"
                    "      - targets: ['127.0.0.1:%d']\n" % d.port)
        log = open(os.path.join(prom_dir, "log"), "w")
        proc = subprocess.Popen([prometheus, "--config.file=" + os.path.join(prom_dir, "prometheus.yml"),
                                 "--storage.tsdb.path=" + os.path.join(prom_dir, "data"),
                                 "--web.listen-address=127.0.0.1:%d" % prom_port],
                                stdout=log, stderr=log)
        try:
            url = ("http://127.0.0.1:%d/api/v1/query?query=modelwatch_window_accuracy_ratio"
                   % prom_port)

            def queried():
                try:
                    with urllib.request.urlopen(url, timeout=5) as r:
                        result = json.loads(r.read())["data"]["result"]
                        return result or None
                except (OSError, ValueError, KeyError):
                    return None
            result = d.wait_for(queried, "Prometheus to scrape the accuracy series", timeout=60)
            series = [r for r in result if r["metric"]["window"] == "1m"
                      and r["metric"]["version"] == "all"]
            self.assertEqual(series[0]["metric"]["model"], "fraud")
            self.assertAlmostEqual(float(series[0]["value"][1]), 1.0)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()

    def test_reference_file_csv(self):
        ref = os.path.join(self.dir, "ref.csv")
        with open(ref, "w") as f:
            f.write("amount,country,prediction\n")
            for i in range(300):
                f.write("%d,%s,%d\n" % (i % 50, "ab"[i % 2], i % 2))
        config = CONFIG + "  csvref:\n    task: binary\n    windows: [1m]\n" \
            "    allowed_lateness: 0s\n    reference: {file: ref.csv}\n"
        d = self.daemon(config)
        rows = [{"id": "c%d" % i, "ts": BASE_TS + i * 0.1, "prediction": i % 2,
                 "features": {"amount": 1000 + i % 50, "country": "ab"[i % 2]}}
                for i in range(200)]
        rows.append({"id": "late", "ts": BASE_TS + 120, "prediction": 0})
        self.assertEqual(d.post("/v1/models/csvref/predictions", rows)[0], 200)
        drift = d.wait_for(lambda: json.loads(d.get("/v1/models/csvref/drift")[1]).get("drift"),
                           "drift against ref.csv")
        self.assertEqual(drift["reference_rows"], 300)
        self.assertTrue(drift["features"]["amount"]["drift"])  # shifted by 1000
        self.assertFalse(drift["features"]["country"]["drift"])
        self.assertEqual(drift["prediction"]["n_reference"], 300)
        d.stop()
        # A malformed reference stops the start: exit 2, FILE:LINE named.
        with open(ref, "a") as f:
            f.write("7,a,1,extra\n")
        r = subprocess.run([BINARY, "serve", "--config", d.config_path], capture_output=True,
                           text=True, timeout=30)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("ref.csv:302", r.stderr)

    def test_resource_targets_metrics_and_history(self):
        """Targets by pid, pidfile (followed across a restart) and regex; /v1/targets, the
        stored time series, the /metrics series (checked against /proc), restart survival."""
        marker = "mw-resource-target-%d" % os.getpid()
        sleepers = []

        def sleeper():
            # A sleeping process with a unique marker argument, for the regex target. It says
            # "ready" once started, so that its RSS no longer changes when it is sampled.
            p = subprocess.Popen(["/usr/bin/python3", "-c",
                                  "import time; print('ready', flush=True); time.sleep(300)",
                                  marker], stdout=subprocess.PIPE, text=True)
            sleepers.append(p)
            self.assertEqual(p.stdout.readline().strip(), "ready")
            return p
        try:
            first = sleeper()
            pidfile = os.path.join(self.dir, "served.pid")
            with open(pidfile, "w") as f:
                f.write("%d\n" % first.pid)
            config = CONFIG.replace("limits:", """resources:
  interval: 1s
  gpu: off
  targets:
    bypid: {pid: %d}
    bypidfile: {pidfile: served.pid}
    byregex: {match: "^/usr/bin/python3 -c .* %s$"}
    nothing: {match: "^no-such-process-%s$"}
limits:""" % (first.pid, marker, marker), 1)
            d = self.daemon(config)

            def targets():
                status, body, _ = d.get("/v1/targets")
                self.assertEqual(status, 200, body)
                return {t["name"]: t for t in json.loads(body)["targets"]}
            d.wait_for(lambda: targets()["bypid"].get("up"), "the pid target to be sampled")
            t = targets()
            self.assertEqual(t["host"]["status"], "ok")
            for name in ("bypid", "bypidfile", "byregex"):
                self.assertEqual(t[name]["pid"], first.pid, t[name])
                self.assertEqual(t[name]["status"], "ok")
            self.assertEqual(t["bypid"]["spec"], "pid %d" % first.pid)
            self.assertFalse(t["nothing"]["up"])
            self.assertIsNone(t["nothing"]["pid"])

            text = d.get("/metrics")[1]
            values = dict(line.rsplit(" ", 1) for line in text.splitlines()
                          if line and not line.startswith("#"))
            self.assertEqual(values['modelwatch_target_up{target="bypid"}'], "1")
            self.assertEqual(values['modelwatch_target_up{target="nothing"}'], "0")
            with open("/proc/%d/status" % first.pid) as f:
                status = dict(l.split(":", 1) for l in f.read().splitlines() if ":" in l)
            # A sleeping process does not change: its RSS and threads are exact.
            self.assertEqual(int(values['modelwatch_target_resident_memory_bytes{target="bypid"}']),
                             int(status["VmRSS"].split()[0]) * 1024)
            self.assertEqual(values['modelwatch_target_threads{target="byregex"}'],
                             status["Threads"].strip())
            self.assertEqual(int(values['modelwatch_target_max_fds{target="bypid"}']),
                             resource_limit_of(first.pid))
            with open("/proc/meminfo") as f:
                meminfo = {l.split(":")[0]: int(l.split()[1]) * 1024 for l in f}
            self.assertEqual(int(values["modelwatch_node_memory_total_bytes"]),
                             meminfo["MemTotal"])
            self.assertIn('modelwatch_node_cpu_seconds_total{mode="idle"}', values)
            promtool = shutil.which("promtool")
            if promtool:
                check = subprocess.run([promtool, "check", "metrics"], input=text, text=True,
                                       capture_output=True)
                self.assertEqual(check.returncode, 0, check.stdout + check.stderr)

            def history(target, query=""):
                status, body, _ = d.get("/v1/targets/%s/resources%s" % (target, query))
                self.assertEqual(status, 200, body)
                return json.loads(body)
            d.wait_for(lambda: len(history("bypid")["samples"]) >= 2, "two rounds")
            before = history("bypid")["samples"]
            self.assertIsNone(before[0]["process"]["cpu_percent"])  # no rate on one reading
            self.assertIsNotNone(before[1]["process"]["cpu_percent"])
            self.assertEqual(before[1]["process"]["pid"], first.pid)

            # The pidfile target follows a restart: the old process exits, a new one is written.
            first.kill()
            first.wait()
            second = sleeper()
            with open(pidfile, "w") as f:
                f.write("%d\n" % second.pid)
            d.wait_for(lambda: targets()["bypidfile"].get("pid") == second.pid,
                       "the pidfile target to follow the restart")
            t = targets()
            self.assertEqual(t["bypidfile"]["restarts"], 1)
            self.assertFalse(t["bypid"]["up"])  # a pid target is not re-resolved
            self.assertEqual(t["byregex"]["pid"], second.pid)
            d.wait_for(lambda: 'modelwatch_target_restarts_total{target="bypidfile"} 1'
                       in d.get("/metrics")[1], "the restart on /metrics")

            # History: one JSON object per round, oldest first.
            answer = history("bypidfile")
            self.assertFalse(answer["truncated"])
            samples = answer["samples"]
            self.assertGreaterEqual(len(samples), 3)
            self.assertEqual(samples, sorted(samples, key=lambda s: s["ts"]))
            pids = [s["process"]["pid"] for s in samples if "process" in s]
            self.assertEqual(pids[0], first.pid)
            self.assertEqual(pids[-1], second.pid)
            self.assertEqual(samples[-1]["target"]["restarts"], 1)
            status, body, _ = d.get("/v1/targets/host/resources?limit=2")
            host = json.loads(body)
            self.assertEqual(len(host["samples"]), 2)
            self.assertTrue(host["truncated"])
            self.assertIn("memory_used_percent", host["samples"][0]["host"])
            newest = samples[-1]["ts"]
            status, body, _ = d.get("/v1/targets/bypidfile/resources?from=" + newest)
            self.assertEqual([s["ts"] for s in json.loads(body)["samples"]][0], newest)
            status, body, _ = d.get("/v1/targets/nope/resources")
            self.assertEqual(status, 404, body)
            self.assertIn("no target 'nope'", body)
            status, body, _ = d.get("/v1/targets/host/resources?from=yesterday")
            self.assertEqual(status, 400, body)
            self.assertIn("'from'", body)

            # The series survive a restart of the daemon.
            self.assertEqual(d.stop(), 0)
            d.start()
            status, body, _ = d.get("/v1/targets/bypidfile/resources")
            again = json.loads(body)["samples"]
            self.assertEqual(again[:len(samples)], samples)
        finally:
            for p in sleepers:
                p.kill()
                p.wait()
                p.stdout.close()

    def test_bad_config_exits_2_with_location(self):
        path = os.path.join(self.dir, "bad.yaml")
        with open(path, "w") as f:
            f.write("server:\n  listen: \"127.0.0.1:1\"\nmodels:\n  fraud:\n    task: binary\n"
                    "    windows: [5x]\n")
        r = subprocess.run([BINARY, "serve", "--config", path], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("bad.yaml:6:", r.stderr)
        self.assertIn("models.fraud.windows[0]", r.stderr)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
