// Single-value cgroup v2 files (cgroup-v2.rst): a counter or gauge such as memory.current,
// memory.peak, memory.swap.current ("10608640\n"), and a limit such as memory.max, memory.high,
// memory.swap.max, pids.max: a number or "max" (no limit).
// Units: those of the file (bytes for memory.*, a count for pids.*).
// Errors: kInvalidArgument naming "<source>" when the content (less surrounding whitespace) is
// not one unsigned integer (or "max" for a limit). Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "modelwatch/core/status.h"

namespace modelwatch {

// memory.current and the like.
Result<uint64_t> ParseCgroupValue(std::string_view text, std::string_view source);

// memory.max and the like: nullopt for "max" (no limit).
Result<std::optional<uint64_t>> ParseCgroupLimit(std::string_view text, std::string_view source);

}  // namespace modelwatch
