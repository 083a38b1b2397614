// cgroup v2 cpu.stat (Documentation/admin-guide/cgroup-v2.rst, "CPU Interface Files"), e.g.
//   usage_usec 181647
//   user_usec 45411
//   system_usec 136235
//   nr_periods 120        <- these five only when the cpu controller is enabled for the group
//   nr_throttled 14
//   throttled_usec 250000
//   nr_bursts 0
//   burst_usec 0
//
// Units: microseconds of CPU time and counts of CFS bandwidth periods, cumulative since the
// group was created. usage = user + system (nice_usec, 6.x, is part of user). A period is
// throttled when the group used its cpu.max quota before the period ended; cAdvisor exports the
// same counters as container_cpu_cfs_{periods,throttled_periods}_total and
// container_cpu_cfs_throttled_seconds_total.
// Errors: kInvalidArgument naming "<source>:<line>" when a line is not "key N", a key used here
// is repeated, or usage_usec, user_usec or system_usec is missing. Unknown keys are skipped.
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "modelwatch/core/status.h"

namespace modelwatch {

struct CgroupCpuStat {
  uint64_t usage_usec = 0;
  uint64_t user_usec = 0;
  uint64_t system_usec = 0;
  std::optional<uint64_t> nr_periods;      // absent unless the cpu controller is enabled
  std::optional<uint64_t> nr_throttled;    // idem
  std::optional<uint64_t> throttled_usec;  // idem
};

Result<CgroupCpuStat> ParseCgroupCpuStat(std::string_view text,
                                         std::string_view source = "cpu.stat");

}  // namespace modelwatch
