#!/usr/bin/python3
"""Live test of `modelwatch watch` against Debian's python3-psutil on this machine.

Run by ctest (tests/CMakeLists.txt) as:
  watch_test.py BUILD_DIR/modelwatch [path/to/libnvidia-ml-fake.so] [TEST_NAME...]
A workload child (one thread burning CPU, two idle threads, a 64 MiB buffer it has touched, ten
open files) is watched by the real binary while psutil measures the same process over the same
span. Tolerances, and why:
  - threads and open fds are exact: both read the same /proc entries and the workload holds
    them steady;
  - RSS within 2 %: the buffer dominates it and is touched before the run, so it is steady; the
    two tools read it a few milliseconds apart;
  - CPU %: the mean of watch's per-interval values against psutil's cpu_times() over the whole
    run, within 8 points: both divide the same utime + stime by wall time, but the spans differ
    by up to one interval's edges and the machine is shared (the workload may be descheduled);
  - host memory used % within 2 points (other processes allocate meanwhile); host CPU % within
    15 points (the whole machine changes between the two tools' readings).
Skipped (exit 77 from main) when /usr/bin/python3 has no psutil.
"""
import json
import os
import subprocess
import sys
import time
import unittest

try:
    import psutil
except ImportError:  # pragma: no cover
    psutil = None

BINARY = None
FAKE_NVML = None  # tests/fake_nvml's libnvidia-ml-fake.so, when given as the second argument

WORKLOAD = r"""
import os, sys, threading, time
buf = bytearray(64 << 20)
for i in range(0, len(buf), 4096):
    buf[i] = 1
files = [open(os.devnull) for _ in range(10)]
stop = threading.Event()
def idle():
    stop.wait()
for _ in range(2):
    threading.Thread(target=idle, daemon=True).start()
def burn():
    x = 0
    while not stop.is_set():
        x += 1
threading.Thread(target=burn, daemon=True).start()
sys.stdout.write("ready\n")
sys.stdout.flush()
sys.stdin.read()
stop.set()
"""


class WatchTest(unittest.TestCase):
    def setUp(self):
        self.child = subprocess.Popen(["/usr/bin/python3", "-c", WORKLOAD],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.assertEqual(self.child.stdout.readline().strip(), "ready")

    def tearDown(self):
        self.child.stdin.close()
        self.child.wait(timeout=30)
        self.child.stdout.close()

    def watch(self, *args):
        r = subprocess.run([BINARY, "watch", *args], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        return [json.loads(line) for line in r.stdout.splitlines()]

    def test_process_against_psutil(self):
        p = psutil.Process(self.child.pid)
        t0, c0 = time.monotonic(), p.cpu_times()
        samples = self.watch("--pid", str(self.child.pid), "--interval", "500ms", "--count", "6",
                             "--format", "jsonl")
        t1, c1 = time.monotonic(), p.cpu_times()
        rss, threads, fds = p.memory_info().rss, p.num_threads(), p.num_fds()
        self.assertEqual(len(samples), 6)
        for s in samples:
            proc = s["process"]
            self.assertEqual(proc["pid"], self.child.pid)
            self.assertIsNotNone(proc["cpu_percent"])  # every emitted sample has its rate
            self.assertEqual(s["target"]["status"], "ok")
        last = samples[-1]["process"]
        self.assertEqual(last["threads"], threads)
        self.assertEqual(last["open_fds"], fds)
        self.assertLess(abs(last["rss_bytes"] - rss), 0.02 * rss, (last["rss_bytes"], rss))
        self.assertEqual(last["start_time"][:19],
                         time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(p.create_time())))
        psutil_cpu = 100 * ((c1.user + c1.system) - (c0.user + c0.system)) / (t1 - t0)
        ours = sum(s["process"]["cpu_percent"] for s in samples) / len(samples)
        print("process cpu %%: watch %.1f psutil %.1f; rss %d vs %d" %
              (ours, psutil_cpu, last["rss_bytes"], rss), file=sys.stderr)
        self.assertLess(abs(ours - psutil_cpu), 8, (ours, psutil_cpu))
        self.assertGreater(ours, 20)  # the burning thread shows

    def test_host_against_psutil(self):
        t0 = psutil.cpu_times()
        samples = self.watch("--host", "--interval", "500ms", "--count", "4", "--format", "jsonl")
        t1 = psutil.cpu_times()
        vm = psutil.virtual_memory()
        host = samples[-1]["host"]
        self.assertEqual(host["cpu_count"], psutil.cpu_count())
        self.assertEqual(host["memory_total_bytes"], vm.total)
        self.assertLess(abs(host["memory_used_percent"] - vm.percent), 2,
                        (host["memory_used_percent"], vm.percent))
        busy = lambda t: sum(t) - t.idle - t.iowait - t.guest - t.guest_nice  # noqa: E731
        psutil_cpu = 100 * (busy(t1) - busy(t0)) / (
            (sum(t1) - t1.guest - t1.guest_nice) - (sum(t0) - t0.guest - t0.guest_nice))
        ours = sum(s["host"]["cpu_percent"] for s in samples) / len(samples)
        print("host cpu %%: watch %.1f psutil %.1f; memory used %%: %.2f vs %.2f" %
              (ours, psutil_cpu, host["memory_used_percent"], vm.percent), file=sys.stderr)
        self.assertLess(abs(ours - psutil_cpu), 15, (ours, psutil_cpu))
        self.assertNotIn("process", samples[-1])

    def test_restarted_target_is_followed(self):
        # --match follows the workload across a restart: the old child exits, a new one with the
        # same command line starts, and restarts counts it.
        marker = "mw-watch-restart-%d" % os.getpid()
        script = "import sys, time\nwhile True: time.sleep(0.05)\n"
        first = subprocess.Popen(["/usr/bin/python3", "-c", script, marker])
        watch = subprocess.Popen([BINARY, "watch", "--match", marker, "--interval", "200ms",
                                  "--count", "12", "--format", "jsonl"],
                                 stdout=subprocess.PIPE, text=True)
        time.sleep(0.9)
        first.kill()
        first.wait()
        second = subprocess.Popen(["/usr/bin/python3", "-c", script, marker])
        try:
            out, _ = watch.communicate(timeout=30)
        finally:
            second.kill()
            second.wait()
        samples = [json.loads(line) for line in out.splitlines()]
        pids = [s["process"]["pid"] for s in samples if "process" in s]
        self.assertIn(first.pid, pids)
        self.assertIn(second.pid, pids)
        self.assertEqual(samples[-1]["target"]["restarts"], 1)

    def test_gpus_through_the_fake_nvml(self):
        if not FAKE_NVML:
            self.skipTest("no fake NVML path given")
        samples = self.watch("--host", "--gpu", "--nvml-library", FAKE_NVML, "--interval",
                             "100ms", "--count", "2", "--format", "jsonl")
        s = samples[-1]
        self.assertEqual(s["gpu_status"], "ok")
        self.assertEqual([g["name"] for g in s["gpus"]],
                         ["NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-40GB"])
        h100 = s["gpus"][0]
        self.assertEqual((h100["utilization_gpu_percent"], h100["utilization_memory_percent"],
                          h100["temperature_celsius"], h100["sm_clock_mhz"]), (37, 12, 61, 1755))
        self.assertEqual(h100["memory_total_bytes"], 85520809984)
        self.assertAlmostEqual(h100["power_watts"], 215.123)
        self.assertFalse(h100["lost"])

    def test_no_nvml_is_a_status_not_an_error(self):
        samples = self.watch("--host", "--gpu", "--nvml-library", "libnvidia-ml-absent.so.1",
                             "--interval", "100ms", "--count", "1", "--format", "jsonl")
        self.assertTrue(samples[0]["gpu_status"].startswith("no NVML"), samples[0]["gpu_status"])
        self.assertEqual(samples[0]["gpus"], [])

    def test_bad_flags_exit_2(self):
        for args in (["--pid", "1", "--host"], [], ["--match", "("], ["--host", "--interval", "1x"]):
            r = subprocess.run([BINARY, "watch", *args], capture_output=True, text=True,
                               timeout=30)
            self.assertEqual(r.returncode, 2, (args, r.stderr))


if __name__ == "__main__":
    if psutil is None:
        print("SKIP: /usr/bin/python3 has no psutil (apt install python3-psutil)")
        sys.exit(77)
    BINARY = os.path.abspath(sys.argv[1])
    args = sys.argv[2:]
    if args and args[0].endswith(".so"):
        FAKE_NVML = os.path.abspath(args.pop(0))
    unittest.main(argv=[sys.argv[0]] + args, verbosity=2)
