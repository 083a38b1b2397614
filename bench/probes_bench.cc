// The probes' own cost (issue 5, DESIGN.md §7: < 0.1% of one core at 1 Hz): samples the host and
// N process targets (children it starts: each sleeps) with their cgroups, once per interval for
// a duration, exactly as the daemon's sampling thread would, and prints one JSON object:
//   {"targets":10,"interval_s":1,"duration_s":60,"rounds":60,
//    "cpu_seconds":..,"cpu_percent_of_one_core":..,
//    "round_us":{"min":..,"p50":..,"p99":..,"max":..},"errors":0,"cgroup_status":".."}
// CPU is this process's utime + stime (getrusage) over the sampling loop only: its children are
// separate processes, and it sleeps between rounds. Usage:
//   mw_probes_bench [--targets 10] [--interval-ms 1000] [--duration-s 60]
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "modelwatch/env/env.h"
#include "modelwatch/probes/host_sampler.h"
#include "modelwatch/probes/target.h"

namespace {

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long Arg(int argc, char** argv, const char* name, long fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::strtol(argv[i + 1], nullptr, 10);
  }
  return fallback;
}

double Quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5)];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace modelwatch;
  const long targets = Arg(argc, argv, "--targets", 10);
  const long interval_ms = Arg(argc, argv, "--interval-ms", 1000);
  const long duration_s = Arg(argc, argv, "--duration-s", 60);
  if (targets < 0 || interval_ms <= 0 || duration_s <= 0) {
    std::fprintf(stderr,
                 "usage: mw_probes_bench [--targets N] [--interval-ms MS] [--duration-s S]\n");
    return 2;
  }
  std::vector<pid_t> children;
  for (long i = 0; i < targets; ++i) {
    const pid_t pid = fork();
    if (pid == 0) {
      for (;;) pause();
    }
    if (pid < 0) {
      std::perror("fork");
      return 1;
    }
    children.push_back(pid);
  }
  env::Env& env = env::Env::Default();
  probes::HostSampler host(env);
  std::vector<probes::TargetSampler> samplers;
  for (pid_t pid : children) {
    samplers.emplace_back(env, *probes::TargetSpec::Pid(pid));
  }
  const long rounds = duration_s * 1000 / interval_ms;
  std::vector<double> round_us;
  int errors = 0;
  std::string cgroup_status = "ok";
  const double cpu_before = CpuSeconds();
  int64_t next = env.NowMonotonicMicros();
  for (long r = 0; r <= rounds; ++r) {  // round 0 primes the rates
    const int64_t start = env.NowMonotonicMicros();
    if (!host.Sample().ok()) ++errors;
    for (probes::TargetSampler& t : samplers) {
      Result<probes::TargetSample> s = t.Sample();
      if (!s.ok()) {
        ++errors;
      } else if (!s->cgroup && !s->cgroup_status.ok()) {
        cgroup_status = s->cgroup_status.message();
      }
    }
    const int64_t end = env.NowMonotonicMicros();
    if (r > 0) round_us.push_back(static_cast<double>(end - start));
    next += interval_ms * 1000;
    if (next > end) env.SleepForMicros(next - end);
  }
  const double cpu = CpuSeconds() - cpu_before;
  for (pid_t pid : children) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  const double wall_s = static_cast<double>(rounds) * static_cast<double>(interval_ms) / 1e3;
  std::string escaped;
  for (char c : cgroup_status) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  std::printf(
      "{\"targets\":%ld,\"interval_s\":%g,\"duration_s\":%g,\"rounds\":%zu,\"cpu_seconds\":%.4f,"
      "\"cpu_percent_of_one_core\":%.4f,\"round_us\":{\"min\":%.0f,\"p50\":%.0f,\"p99\":%.0f,"
      "\"max\":%.0f},\"errors\":%d,\"cgroup_status\":\"%s\"}\n",
      targets, static_cast<double>(interval_ms) / 1e3, wall_s, round_us.size(), cpu,
      100.0 * cpu / wall_s, Quantile(round_us, 0), Quantile(round_us, 0.5),
      Quantile(round_us, 0.99), Quantile(round_us, 1), errors, escaped.c_str());
  return errors == 0 ? 0 : 1;
}
