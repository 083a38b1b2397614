// cgroup v2 memory.events (cgroup-v2.rst): counts of memory events in the group and its
// descendants since the group was created, e.g.
//   low 0 / high 0 / max 12 / oom 1 / oom_kill 1 / oom_group_kill 0
// max: times usage hit memory.max (reclaim was forced); oom: times the allocation still failed
// (the OOM path was entered); oom_kill: processes killed by the OOM killer. Counters: report
// their increase between readings (a new OOM kill shows as a delta of 1).
// Errors: kInvalidArgument naming "<source>:<line>" when a line is not "key N", a key is
// repeated, or one of low, high, max, oom, oom_kill is missing. Thread safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "modelwatch/core/status.h"

namespace modelwatch {

struct CgroupMemoryEvents {
  uint64_t low = 0;
  uint64_t high = 0;
  uint64_t max = 0;
  uint64_t oom = 0;
  uint64_t oom_kill = 0;
  std::optional<uint64_t> oom_group_kill;  // Linux 5.17+
};

Result<CgroupMemoryEvents> ParseCgroupMemoryEvents(std::string_view text,
                                                   std::string_view source = "memory.events");

}  // namespace modelwatch
