// Env: the one seam between modelwatch and the operating system (DESIGN.md §2; the leveldb idea).
// Every read under /proc and /sys, every directory listing, the clocks, sleeping and dlopen go
// through an Env, so that probes are tested against fixture trees with a manual clock
// (FakeEnv, env/fake_env.h) and an error-injecting wrapper, and run on the real system through
// Env::Default().
//
// Paths are absolute, as on the real system ("/proc/stat"); a FakeEnv maps them onto a fixture
// directory or in-memory files.
// Errors: kNotFound when the path (or symbol, or library) does not exist (ENOENT, ESRCH: a
// process that exited), kUnavailable for any other OS error, including EACCES (a file of
// another user's process); the message names the path and the OS's reason (strerror).
// Thread safety: every method of every implementation may be called from any thread.
// Ownership: Env::Default() is never destroyed (it outlives every thread that uses it).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "modelwatch/core/status.h"

namespace modelwatch::env {

// A shared library opened by Env::OpenLibrary; closed (dlclose) when destroyed.
class Library {
 public:
  virtual ~Library() = default;
  // The address of `symbol`; kNotFound when the library does not export it.
  virtual Result<void*> Symbol(const std::string& symbol) = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide Env over the real operating system. Never destroyed.
  static Env& Default();

  // The whole content of a (small, pseudo) file such as /proc/stat or a cgroup file. Reads until
  // end of file (procfs sizes are reported as 0 or 4096), at most `max_bytes` (then
  // kResourceExhausted: a probe never reads an unbounded file).
  virtual Result<std::string> ReadFile(const std::string& path,
                                       size_t max_bytes = 4 << 20) = 0;

  // The names in a directory (no "." or ".."), in no particular order.
  virtual Result<std::vector<std::string>> ListDirectory(const std::string& path) = 0;

  // The target of a symbolic link (e.g. /proc/PID/exe).
  virtual Result<std::string> ReadLink(const std::string& path) = 0;

  // Whether `path` exists (any type). Never fails: an unreadable parent reads as "no".
  virtual bool Exists(const std::string& path) = 0;

  // Microseconds on a clock that never goes backwards (CLOCK_MONOTONIC): for rates.
  virtual int64_t NowMonotonicMicros() = 0;
  // Microseconds since the Unix epoch (CLOCK_REALTIME): for timestamps users read.
  virtual int64_t NowUnixMicros() = 0;
  // Sleeps for `micros` (a FakeEnv advances its manual clock instead).
  virtual void SleepForMicros(int64_t micros) = 0;

  // dlopen(name, RTLD_NOW | RTLD_LOCAL); kNotFound when the library cannot be loaded, with
  // dlerror()'s text.
  virtual Result<std::unique_ptr<Library>> OpenLibrary(const std::string& name) = 0;

  // sysconf values the probes need to turn /proc units into seconds and bytes.
  virtual int64_t ClockTicksPerSecond() = 0;  // _SC_CLK_TCK (USER_HZ), usually 100
  virtual int64_t PageSizeBytes() = 0;        // _SC_PAGESIZE
  virtual int OnlineCpus() = 0;               // _SC_NPROCESSORS_ONLN
};

}  // namespace modelwatch::env
