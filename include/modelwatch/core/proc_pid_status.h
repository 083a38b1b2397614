// /proc/PID/status: one process's human-readable status ("Key:\tvalue" lines; proc(5)).
//
// Units: memory in bytes (the file's "kB" is KiB, multiplied by 1024). VmRSS is resident memory
// (RssAnon + RssFile + RssShmem), VmSize the virtual address space; kernel threads have neither
// (absent, not 0). Context switches are cumulative counts: voluntary (the task blocked) and
// nonvoluntary (it was preempted).
// Errors: kInvalidArgument naming "<source>:<line>" when Name, Threads,
// voluntary_ctxt_switches or nonvoluntary_ctxt_switches is missing, or a value used here is
// malformed or repeated. Other keys are skipped. Thread safety: pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "modelwatch/core/status.h"

namespace modelwatch {

struct ProcPidStatus {
  std::string name;  // as printed: the kernel escapes '\n' and '\\' in it
  uint64_t threads = 0;
  std::optional<uint64_t> vm_rss_bytes;   // absent for kernel threads
  std::optional<uint64_t> vm_size_bytes;  // absent for kernel threads
  uint64_t voluntary_ctxt_switches = 0;
  uint64_t nonvoluntary_ctxt_switches = 0;
};

Result<ProcPidStatus> ParseProcPidStatus(std::string_view text,
                                         std::string_view source = "/proc/PID/status");

}  // namespace modelwatch
