// /proc/meminfo: system memory, from proc(5) and Documentation/filesystems/proc.rst §1.2.
//
// Units: bytes (the file says "kB", meaning KiB: the values are multiplied by 1024).
// MemAvailable (Linux 3.14+) is the kernel's estimate of memory available for new work without
// swapping (free + reclaimable page cache and slab, less reserves); memory used % is
// (MemTotal - MemAvailable) / MemTotal (DESIGN.md §4, psutil's virtual_memory().percent).
//
// Errors: kInvalidArgument naming "/proc/meminfo:<line>" when a line is not "Key: value [kB]",
// a value is not an unsigned integer or overflows on scaling, a key is repeated, or one of
// MemTotal, MemFree, Buffers, Cached, SwapTotal, SwapFree is missing.
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "modelwatch/core/status.h"

namespace modelwatch {

struct Meminfo {
  uint64_t mem_total_bytes = 0;
  uint64_t mem_free_bytes = 0;
  std::optional<uint64_t> mem_available_bytes;  // absent before Linux 3.14
  uint64_t buffers_bytes = 0;
  uint64_t cached_bytes = 0;
  uint64_t swap_total_bytes = 0;
  uint64_t swap_free_bytes = 0;
};

Result<Meminfo> ParseMeminfo(std::string_view text, std::string_view source = "/proc/meminfo");

}  // namespace modelwatch
