// Test helpers for the samplers: the fixture trees (tests/fixtures/proc/README.md) and fake
// processes in a FakeEnv.
#pragma once

#include <cstdint>
#include <string>

#include "modelwatch/env/fake_env.h"

namespace modelwatch::probes::testing {

// tests/fixtures/proc/<tree>, e.g. Fixture("h100-cgroup-v2/1").
inline std::string Fixture(const std::string& tree) {
  return std::string(MW_SOURCE_DIR) + "/tests/fixtures/proc/" + tree;
}

// The capture script's process and cgroup in the fixture trees.
inline constexpr int64_t kVmPid = 23346;
inline constexpr int64_t kH100Pid = 1756;
inline constexpr const char* kH100GroupPath = "/process_api/af093e3327390323610d963d5d13940a";

// A process in `env`: /proc/PID/{stat,status,cmdline,fd/0..2} with the given values (cmdline
// with its NUL separators, "" for a kernel thread), and /proc/stat (btime 1000) if absent.
inline void AddProcess(env::FakeEnv& env, int64_t pid, const std::string& comm,
                       const std::string& cmdline, uint64_t start_ticks, char state = 'S',
                       uint64_t utime = 0, uint64_t stime = 0) {
  const std::string dir = "/proc/" + std::to_string(pid);
  env.SetFile(dir + "/stat",
              std::to_string(pid) + " (" + comm + ") " + state + " 1 1 1 0 -1 4194304 10 0 0 0 " +
                  std::to_string(utime) + " " + std::to_string(stime) + " 0 0 20 0 1 0 " +
                  std::to_string(start_ticks) + " 1048576 64 18446744073709551615\n");
  env.SetFile(dir + "/status", "Name:\t" + comm +
                                   "\nThreads:\t1\nVmSize:\t1024 kB\nVmRSS:\t256 kB\n"
                                   "voluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t1\n");
  env.SetFile(dir + "/cmdline", cmdline);
  for (int fd = 0; fd < 3; ++fd) env.SetFile(dir + "/fd/" + std::to_string(fd), "");
  if (!env.Exists("/proc/stat")) {
    env.SetFile("/proc/stat",
                "cpu 1 2 3 4\nctxt 1\nbtime 1000\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n");
  }
}

// Removes what AddProcess added for `pid` (the process exited).
inline void RemoveProcess(env::FakeEnv& env, int64_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  for (const char* name : {"/stat", "/status", "/cmdline", "/fd/0", "/fd/1", "/fd/2", "/exe"}) {
    env.RemoveFile(dir + name);
  }
}

}  // namespace modelwatch::probes::testing
