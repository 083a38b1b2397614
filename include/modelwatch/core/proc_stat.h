// /proc/stat: the kernel's cumulative CPU time by mode (all CPUs and each online CPU), boot time
// and scheduler counters. Source: proc(5) and Documentation/filesystems/proc.rst §1.7.
//
// Units: CPU times are in clock ticks (USER_HZ, sysconf(_SC_CLK_TCK), Env::ClockTicksPerSecond(),
// 100 on every mainstream architecture), cumulative since boot; turn them into rates with two
// readings. Accounting contract of the kernel (kernel/sched/cputime.c, account_guest_time):
// time a vCPU ran a guest is added to `guest` AND to `user` (`guest_nice` AND `nice`), so a total
// that adds every column counts guest time twice; CpuTimes::Total() leaves guest out, as psutil
// (cpu_percent) and htop do. `steal` is time the hypervisor ran something else while this vCPU
// was runnable; `iowait` is idle time with I/O outstanding (not busy, and unreliable per CPU).
//
// Errors: kInvalidArgument naming "/proc/stat:<line>" when the aggregate "cpu" line or "btime"
// is missing, a "cpu" line has fewer than 4 values, a value is not an unsigned integer, or a line
// is repeated. Lines this parser does not use (intr, softirq, page, ...) are skipped unread.
// Thread safety: pure function.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "modelwatch/core/status.h"

namespace modelwatch {

// One "cpu" line. Columns a kernel does not print (before 2.6.11: steal; before 2.6.24: guest;
// before 2.6.33: guest_nice) are 0.
struct CpuTimes {
  uint64_t user = 0;  // includes guest
  uint64_t nice = 0;  // includes guest_nice
  uint64_t system = 0;
  uint64_t idle = 0;
  uint64_t iowait = 0;
  uint64_t irq = 0;
  uint64_t softirq = 0;
  uint64_t steal = 0;
  uint64_t guest = 0;       // already in user
  uint64_t guest_nice = 0;  // already in nice

  // Every tick once: user + nice + system + idle + iowait + irq + softirq + steal.
  uint64_t Total() const;
  // Ticks not doing work: idle + iowait (psutil's and top's notion of idle).
  uint64_t IdleAll() const { return idle + iowait; }

  friend bool operator==(const CpuTimes&, const CpuTimes&) = default;
};

struct CoreTimes {
  int cpu = 0;  // the N of "cpuN"
  CpuTimes times;
};

struct ProcStat {
  CpuTimes total;                  // the "cpu" line: all CPUs summed
  std::vector<CoreTimes> cores;    // "cpuN" lines in file order; offline CPUs are absent
  uint64_t boot_time_seconds = 0;  // btime: boot time, seconds since the Unix epoch
  uint64_t context_switches = 0;   // ctxt, since boot
  uint64_t processes_created = 0;  // processes (forks), since boot
  uint64_t procs_running = 0;      // runnable threads now
  uint64_t procs_blocked = 0;      // threads blocked on I/O now
};

// Parses the content of /proc/stat; `source` names the file in error messages.
Result<ProcStat> ParseProcStat(std::string_view text, std::string_view source = "/proc/stat");

}  // namespace modelwatch
