// CgroupSampler: a cgroup v2 group's CPU (usage, throttling, limit), memory (current, limit,
// working set, OOM events) and pressure, read from its directory under /sys/fs/cgroup through an
// Env. Definitions follow cAdvisor's (container_cpu_usage_seconds_total,
// container_memory_working_set_bytes, ...): docs/probes.md.
//
//   Result<probes::CgroupSampler> c = probes::CgroupSampler::ForProcess(env, pid);
//   if (!c.ok()) ...   // kFailedPrecondition "unsupported: cgroup v1 ..." on a v1/hybrid host
//   Result<probes::CgroupSample> s = c->Sample();
//
// cgroup v1 stance: only the unified hierarchy (cgroup v2) is read. On a host whose
// /sys/fs/cgroup is not a cgroup2 mount (cgroup v1, or "hybrid" with v2 mounted at
// /sys/fs/cgroup/unified and the controllers on v1), opening fails with kFailedPrecondition
// "unsupported: cgroup v1", rather than reporting numbers with other meanings (v1's
// memory.usage_in_bytes includes the page cache; its hierarchies can differ per controller).
// Rates and deltas are absent on the first sample (and when no wall time elapsed), never 0.
// Controllers: cpu.stat usage is always there; throttling counters and cpu.max only when the cpu
// controller is enabled for the group, memory only with the memory controller (not for the
// root group): otherwise those parts are absent.
// Errors: kNotFound when the group does not exist (or was removed); the Env's errors otherwise;
// kInvalidArgument naming the file for malformed content.
// Thread safety: not thread-safe. The Env must outlive the sampler.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "modelwatch/core/cgroup_cpu_stat.h"
#include "modelwatch/core/cgroup_memory_events.h"
#include "modelwatch/core/pressure.h"
#include "modelwatch/core/status.h"
#include "modelwatch/env/env.h"

namespace modelwatch::probes {

struct CgroupCpu {
  double usage_seconds = 0;             // cumulative user + system (cpu.stat usage_usec)
  double user_seconds = 0;              // cumulative
  double system_seconds = 0;            // cumulative
  std::optional<double> usage_percent;  // 100 * Δusage / Δwall, per-core scaled; absent first

  // CFS bandwidth control (cpu controller enabled): cumulative counters...
  std::optional<uint64_t> periods;            // nr_periods
  std::optional<uint64_t> throttled_periods;  // nr_throttled
  std::optional<double> throttled_seconds;    // throttled_usec / 1e6
  // ...and their rates (absent on the first sample, and when no period elapsed).
  std::optional<double> throttled_periods_percent;  // 100 * Δnr_throttled / Δnr_periods
  std::optional<double> throttled_seconds_per_second;
  std::optional<double> limit_cpus;  // cpu.max quota / period; absent: "max" or no cpu controller
};

struct CgroupMemory {
  uint64_t current_bytes = 0;         // memory.current (page cache included)
  std::optional<uint64_t> max_bytes;  // memory.max; absent: "max", no limit
  uint64_t working_set_bytes = 0;     // current - inactive_file, floored at 0 (cAdvisor)
  uint64_t anon_bytes = 0;            // memory.stat anon
  uint64_t file_bytes = 0;            // memory.stat file (page cache)
  std::optional<double> working_set_percent_of_max;  // absent without a limit
  CgroupMemoryEvents events;             // memory.events counters since the group was created
  std::optional<uint64_t> new_oom;       // increase of events.oom since the previous sample
  std::optional<uint64_t> new_oom_kill;  // increase of events.oom_kill since the previous sample
};

struct CgroupPressure {
  std::optional<Pressure> cpu;
  std::optional<Pressure> memory;
  std::optional<Pressure> io;
};

struct CgroupSample {
  int64_t unix_micros = 0;
  std::string path;       // in the hierarchy: "/system.slice/model.service" ("/" = root)
  std::string directory;  // "/sys/fs/cgroup/system.slice/model.service"
  CgroupCpu cpu;
  std::optional<CgroupMemory> memory;  // absent without the memory controller
  CgroupPressure pressure;             // each absent when its file is
};

class CgroupSampler {
 public:
  static constexpr const char* kRoot = "/sys/fs/cgroup";

  // The group at `path`: a path in the hierarchy as /proc/PID/cgroup prints it
  // ("/system.slice/model.service") or a directory under /sys/fs/cgroup.
  static Result<CgroupSampler> Open(env::Env& env, const std::string& path);
  // The cgroup v2 group of process `pid` (its "0::" line in /proc/PID/cgroup).
  static Result<CgroupSampler> ForProcess(env::Env& env, int64_t pid);
  // That group's path in the hierarchy ("/system.slice/model.service"); kFailedPrecondition
  // "unsupported: cgroup v1" on a v1/hybrid host, kNotFound when the process is gone.
  static Result<std::string> PathOfProcess(env::Env& env, int64_t pid);
  // OK when /sys/fs/cgroup is the unified hierarchy; kFailedPrecondition "unsupported: cgroup
  // v1 ..." otherwise.
  static Status CheckUnified(env::Env& env);

  Result<CgroupSample> Sample();

  const std::string& path() const { return path_; }
  const std::string& directory() const { return directory_; }

 private:
  CgroupSampler(env::Env& env, std::string path, std::string directory)
      : env_(&env), path_(std::move(path)), directory_(std::move(directory)) {}

  struct Reading {
    int64_t monotonic_micros = 0;
    CgroupCpuStat cpu;
    std::optional<CgroupMemoryEvents> events;
  };

  env::Env* env_;
  std::string path_;
  std::string directory_;
  std::optional<Reading> previous_;
};

}  // namespace modelwatch::probes
