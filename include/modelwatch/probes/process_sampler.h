// ProcessSampler: one process's CPU, memory, threads, file descriptors, context switches and I/O,
// read from /proc/PID through an Env. Definitions and their psutil equivalents: docs/probes.md.
//
//   probes::ProcessSampler p(env::Env::Default(), pid);
//   Result<probes::ProcessSample> s = p.Sample();   // s->cpu_percent absent: first reading
//   ... one interval later ...
//   s = p.Sample();                                   // s->cpu_percent,
//   s->io->read_bytes_per_second
//
// CPU % is psutil's Process.cpu_percent(): 100 * (increase of utime + stime) / (elapsed
// monotonic wall time), so a process busy on 3 CPUs reads 300. Rates are absent on the first
// sample and when no wall time elapsed; they are never a made-up 0.
// Identity: the sampler follows one process, identified by pid AND start time. When the pid is
// gone, or now belongs to a process with another start time (pid reuse, or a restart that got
// the same pid), Sample() returns kNotFound; a target (probes/target.h) then re-resolves.
// Absent vs 0: open_fds, max_open_files and io are absent when the files are unreadable (another
// user's process without CAP_SYS_PTRACE / root), never 0.
// Errors: kNotFound as above; kUnavailable when /proc/PID/stat or status cannot be read;
// kInvalidArgument naming the file for malformed content.
// Thread safety: not thread-safe. The Env must outlive the sampler.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "modelwatch/core/status.h"
#include "modelwatch/env/env.h"

namespace modelwatch::probes {

// /proc/PID/io: cumulative counters and their rates.
struct ProcessIo {
  uint64_t read_bytes = 0;   // fetched from storage (psutil io_counters().read_bytes)
  uint64_t write_bytes = 0;  // sent to storage (psutil io_counters().write_bytes)
  uint64_t read_chars = 0;   // rchar: bytes passed to read() and friends, cache hits included
  uint64_t write_chars = 0;  // wchar
  std::optional<double> read_bytes_per_second;   // absent on the first sample
  std::optional<double> write_bytes_per_second;  // absent on the first sample
};

struct ProcessSample {
  int64_t unix_micros = 0;  // when it was taken (Env::NowUnixMicros)
  int64_t pid = 0;
  int64_t ppid = 0;
  std::string name;  // comm, as in /proc/PID/stat (at most 15 bytes for user processes)
  char state = '?';  // R running, S sleeping, D disk sleep, Z zombie, T stopped, ...
  double start_time_unix_seconds = 0;  // /proc/stat btime + starttime / USER_HZ

  double user_seconds = 0;            // utime, cumulative (guest time included)
  double system_seconds = 0;          // stime, cumulative
  std::optional<double> cpu_percent;  // per-core scaled, can exceed 100; absent on first sample

  uint64_t rss_bytes = 0;  // resident set: VmRSS (psutil memory_info().rss)
  uint64_t vms_bytes = 0;  // virtual size: VmSize (psutil memory_info().vms)
  uint64_t threads = 0;
  uint64_t minor_faults = 0;  // cumulative
  uint64_t major_faults = 0;  // cumulative

  std::optional<uint64_t> open_fds;        // entries of /proc/PID/fd
  std::optional<uint64_t> max_open_files;  // soft RLIMIT_NOFILE; absent if unreadable/unlimited

  uint64_t voluntary_ctx_switches = 0;            // cumulative
  uint64_t involuntary_ctx_switches = 0;          // cumulative
  std::optional<double> ctx_switches_per_second;  // voluntary + involuntary; absent first

  std::optional<ProcessIo> io;  // absent when /proc/PID/io is unreadable
};

class ProcessSampler {
 public:
  ProcessSampler(env::Env& env, int64_t pid) : env_(&env), pid_(pid) {}

  Result<ProcessSample> Sample();

  int64_t pid() const { return pid_; }
  // starttime (ticks after boot) of the process followed, once a sample succeeded.
  std::optional<uint64_t> start_ticks() const { return start_ticks_; }

 private:
  struct Reading {
    int64_t monotonic_micros = 0;
    uint64_t cpu_ticks = 0;  // utime + stime
    uint64_t ctx_switches = 0;
    std::optional<uint64_t> read_bytes, write_bytes;
  };

  env::Env* env_;  // not owned
  int64_t pid_;
  std::optional<uint64_t> start_ticks_;
  std::optional<uint64_t> boot_time_seconds_;  // /proc/stat btime, read once
  std::optional<Reading> previous_;
};

}  // namespace modelwatch::probes
