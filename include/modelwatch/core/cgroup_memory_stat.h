// cgroup v2 memory.stat (cgroup-v2.rst, "Memory Interface Files"): "key N" lines breaking the
// group's memory down (anon, file, kernel, slab, LRU lists, event counters such as pgfault).
//
// Units: bytes for the memory amounts; counts for the event counters (pgfault, pgmajfault,
// workingset_*, ...). Working set, as cAdvisor defines it (container_memory_working_set_bytes):
// memory.current - inactive_file, floored at 0: what the group has used recently and cannot drop
// cheaply under pressure; the kernel's OOM decisions follow it more closely than memory.current.
// Errors: kInvalidArgument naming "<source>:<line>" when a line is not "key N", a key is
// repeated, or anon, file, active_file or inactive_file is missing.
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "modelwatch/core/status.h"

namespace modelwatch {

struct CgroupMemoryStat {
  uint64_t anon = 0;           // bytes: anonymous memory (heap, stacks, anon mmap)
  uint64_t file = 0;           // bytes: page cache
  uint64_t active_file = 0;    // bytes
  uint64_t inactive_file = 0;  // bytes: the reclaimable part of the page cache
  std::vector<std::pair<std::string, uint64_t>> entries;  // every line, in file order

  // The value of `key`, or nullopt.
  std::optional<uint64_t> Find(std::string_view key) const;
};

Result<CgroupMemoryStat> ParseCgroupMemoryStat(std::string_view text,
                                               std::string_view source = "memory.stat");

}  // namespace modelwatch
