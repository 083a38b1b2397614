// /proc/PID/io: one process's I/O counters (Documentation/filesystems/proc.rst §3.3), readable
// only by the process's owner (or with CAP_SYS_PTRACE) and only with CONFIG_TASK_IO_ACCOUNTING.
//
// Units: bytes and syscall counts, cumulative over the process's life (its exited, waited-for
// threads included). rchar/wchar count bytes passed to read()/write()-like calls (including
// tty, pipes and page-cache hits); read_bytes/write_bytes count bytes the process caused to be
// fetched from / sent to the storage layer (psutil's io_counters().read_bytes/write_bytes).
// cancelled_write_bytes: dirtied page cache later truncated away (write_bytes overstates by it).
// Errors: kInvalidArgument naming "<source>:<line>" when a line is not "key: N", a key is
// repeated, or one of the seven keys is missing. Thread safety: pure function.
#pragma once

#include <cstdint>
#include <string_view>

#include "modelwatch/core/status.h"

namespace modelwatch {

struct ProcPidIo {
  uint64_t rchar = 0;
  uint64_t wchar = 0;
  uint64_t syscr = 0;
  uint64_t syscw = 0;
  uint64_t read_bytes = 0;
  uint64_t write_bytes = 0;
  uint64_t cancelled_write_bytes = 0;
};

Result<ProcPidIo> ParseProcPidIo(std::string_view text, std::string_view source = "/proc/PID/io");

}  // namespace modelwatch
