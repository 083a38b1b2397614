// HostSampler: the whole machine's CPU, load, memory and pressure, read from /proc through an
// Env (DESIGN.md §2). Definitions, units and how they compare with psutil and node_exporter:
// docs/probes.md.
//
//   probes::HostSampler host(env::Env::Default());
//   Result<probes::HostSample> s = host.Sample();   // s->cpu is absent: one reading so far
//   ... one interval later ...
//   s = host.Sample();                                // s->cpu->utilization_percent etc.
//
// Rates need two readings: the sampler keeps the previous one, and every rate of the first
// sample (and of a sample taken within the same clock tick as the previous) is absent, never 0.
// CPU percentages: 100 * (mode ticks elapsed) / (all ticks elapsed), over all CPUs (so 0-100
// whatever the CPU count), where "all ticks" is user + nice + system + idle + iowait + irq +
// softirq + steal (guest is already inside user and nice); utilization = 100 * (1 - (idle +
// iowait) / all), as psutil.cpu_percent(). Memory used % = (MemTotal - MemAvailable) / MemTotal.
// Errors: the Env's (kNotFound, kUnavailable) for /proc/stat, /proc/meminfo, /proc/loadavg;
// kInvalidArgument naming the file for malformed content; kFailedPrecondition when MemAvailable
// is missing (Linux < 3.14). Missing or unreadable /proc/pressure/* files make `pressure` absent.
// Thread safety: not thread-safe (one sampler per sampling thread). The Env must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "modelwatch/core/pressure.h"
#include "modelwatch/core/proc_loadavg.h"
#include "modelwatch/core/proc_stat.h"
#include "modelwatch/core/status.h"
#include "modelwatch/env/env.h"

namespace modelwatch::probes {

// Cumulative CPU time since boot by mode, in seconds, over all CPUs.
struct CpuSeconds {
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  double guest = 0, guest_nice = 0;  // already included in user and nice
};

// Shares of the CPU time elapsed between two readings, in percent. user + nice + system + idle +
// iowait + irq + softirq + steal = 100; guest and guest_nice are parts of user and nice.
struct CpuPercent {
  double utilization = 0;  // 100 - idle - iowait: steal, irq and softirq count as busy
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  double guest = 0, guest_nice = 0;
};

struct CoreCpuPercent {
  int cpu = 0;  // N of cpuN
  CpuPercent percent;
};

struct HostMemory {
  uint64_t total_bytes = 0;      // MemTotal
  uint64_t available_bytes = 0;  // MemAvailable
  uint64_t used_bytes = 0;       // MemTotal - MemAvailable
  uint64_t free_bytes = 0;       // MemFree (unused memory; most of the rest is reclaimable cache)
  double used_percent = 0;       // 100 * used / total
  uint64_t swap_total_bytes = 0;
  uint64_t swap_free_bytes = 0;
  uint64_t swap_used_bytes = 0;             // SwapTotal - SwapFree
  std::optional<double> swap_used_percent;  // absent when there is no swap
};

// Pressure stall information per resource; a resource is absent when its file is (kernel
// without PSI, or PSI disabled with psi=0).
struct HostPressure {
  std::optional<Pressure> cpu;
  std::optional<Pressure> memory;
  std::optional<Pressure> io;
};

struct HostSample {
  int64_t unix_micros = 0;  // when it was taken (Env::NowUnixMicros)
  double boot_time_unix_seconds = 0;
  int cpu_count = 0;                  // online CPUs: the cpuN lines of /proc/stat
  CpuSeconds cpu_seconds;             // counters since boot
  std::optional<CpuPercent> cpu;      // all CPUs; absent on the first sample
  std::vector<CoreCpuPercent> cores;  // per CPU online in both readings; empty on the first
  LoadAverage load;
  HostMemory memory;
  std::optional<HostPressure> pressure;  // absent when /proc/pressure has none of the files
};

class HostSampler {
 public:
  explicit HostSampler(env::Env& env) : env_(&env) {}

  Result<HostSample> Sample();

 private:
  env::Env* env_;  // not owned
  std::optional<ProcStat> previous_;
};

// CPU percentages between two readings of the same CPU, or nullopt when no tick elapsed. Each
// mode's increase is floored at 0 (iowait can go backwards on tickless kernels).
std::optional<CpuPercent> CpuPercentBetween(const CpuTimes& before, const CpuTimes& after);

}  // namespace modelwatch::probes
