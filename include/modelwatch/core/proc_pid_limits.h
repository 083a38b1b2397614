// /proc/PID/limits: one process's resource limits (getrlimit(2)), a table such as
//   Limit                     Soft Limit           Hard Limit           Units
//   Max open files            20000                20000                files
//   Max cpu time              unlimited            unlimited            seconds
//
// Units: as the Units column says (files, bytes, seconds, us, ...; empty for nice/realtime
// priorities). "unlimited" (RLIM_INFINITY) is nullopt.
// Errors: kInvalidArgument naming "<source>:<line>" when the header is missing, or a row has no
// name or not two values (a number or "unlimited") after it. Thread safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modelwatch/core/status.h"

namespace modelwatch {

struct ProcessLimit {
  std::string name;              // "Max open files"
  std::optional<uint64_t> soft;  // nullopt: unlimited
  std::optional<uint64_t> hard;  // nullopt: unlimited
  std::string units;             // "files"; may be empty
};

struct ProcPidLimits {
  std::vector<ProcessLimit> limits;  // in file order

  // The row named `name` ("Max open files"), or nullptr.
  const ProcessLimit* Find(std::string_view name) const;
};

Result<ProcPidLimits> ParseProcPidLimits(std::string_view text,
                                         std::string_view source = "/proc/PID/limits");

}  // namespace modelwatch
