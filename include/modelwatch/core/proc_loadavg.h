// /proc/loadavg: "0.06 0.98 1.74 1/85 19046" (proc(5)).
//
// Units: load averages are exponentially damped averages over 1, 5 and 15 minutes of the number
// of threads runnable or in uninterruptible sleep (not a percentage; compare with the CPU
// count). `runnable` counts scheduling entities runnable now, `threads` all that exist.
// Errors: kInvalidArgument naming "/proc/loadavg" when the five fields are not there, a load is
// not a finite non-negative number, or "R/T" is not two unsigned integers.
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <string_view>

#include "modelwatch/core/status.h"

namespace modelwatch {

struct LoadAverage {
  double load1 = 0.0;
  double load5 = 0.0;
  double load15 = 0.0;
  uint64_t runnable = 0;
  uint64_t threads = 0;
  uint64_t last_pid = 0;  // the most recently created pid
};

Result<LoadAverage> ParseLoadavg(std::string_view text, std::string_view source = "/proc/loadavg");

}  // namespace modelwatch
