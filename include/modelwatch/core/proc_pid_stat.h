// /proc/PID/stat: one process's status line (proc(5), fs/proc/array.c do_task_stat), e.g.
//   23346 (capture.sh) R 23344 23344 17812 0 -1 4194560 45030 186699 0 1 6 19 108 17 20 0 1 0 ...
// The second field, comm, is the executable name in parentheses and may itself contain spaces
// and ')' ("(my) prog)"): it runs from the first '(' to the LAST ')' of the line.
//
// Units: utime/stime/cutime/cstime in clock ticks (Env::ClockTicksPerSecond()); starttime in
// clock ticks after boot (add /proc/stat btime for wall time); vsize in bytes; rss in pages
// (Env::PageSizeBytes()). utime includes guest time.
// Errors: kInvalidArgument naming "<source>" and the field (by its proc(5) number and name) when
// the comm parentheses are missing, fewer than 24 fields are present, or a field used here is
// not an integer. Thread safety: pure function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "modelwatch/core/status.h"

namespace modelwatch {

struct ProcPidStat {
  int64_t pid = 0;          // (1)
  std::string comm;         // (2) without the parentheses; at most 15 bytes for user processes
  char state = '?';         // (3) R, S, D, Z, T, t, X, I, ...
  int64_t ppid = 0;         // (4)
  uint64_t minflt = 0;      // (10) minor page faults
  uint64_t majflt = 0;      // (12) major page faults
  uint64_t utime = 0;       // (14) user-mode ticks
  uint64_t stime = 0;       // (15) kernel-mode ticks
  int64_t cutime = 0;       // (16) waited-for children's user ticks
  int64_t cstime = 0;       // (17) waited-for children's kernel ticks
  int64_t priority = 0;     // (18)
  int64_t nice = 0;         // (19)
  int64_t num_threads = 0;  // (20)
  uint64_t starttime = 0;   // (22) ticks after boot
  uint64_t vsize = 0;       // (23) bytes
  int64_t rss = 0;          // (24) pages
};

Result<ProcPidStat> ParseProcPidStat(std::string_view text,
                                     std::string_view source = "/proc/PID/stat");

}  // namespace modelwatch
