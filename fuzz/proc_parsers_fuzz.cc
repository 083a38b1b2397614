// libFuzzer target for the parsers of /proc and cgroup v2 files (core/proc_*.h, pressure.h,
// cgroup_*.h). Corpus: fuzz/corpus/proc_parsers/ (the fixture files of tests/fixtures/proc with a
// selector byte in front; regenerate with fuzz/make_proc_corpus.sh).
//
// Input: one selector byte, then the file content. selector % 16 picks the parser:
//   '0' /proc/stat        '1' /proc/meminfo      '2' /proc/loadavg      '3' pressure
//   '4' /proc/PID/stat    '5' /proc/PID/status   '6' /proc/PID/io       '7' /proc/PID/limits
//   '8' /proc/PID/cgroup  '9' cpu.stat           ':' cpu.max            ';' memory.current
//   '<' memory.max        '=' memory.stat        '>' memory.events      '?' cgroup.controllers
// Checks: no parser crashes; a failure is kInvalidArgument with a one-line printable message
// that starts with the file's name; a success satisfies the parser's documented contract
// (percentages in [0, 100], comm between the parentheses, limits units, ...).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "modelwatch/core/cgroup_controllers.h"
#include "modelwatch/core/cgroup_cpu_max.h"
#include "modelwatch/core/cgroup_cpu_stat.h"
#include "modelwatch/core/cgroup_memory_events.h"
#include "modelwatch/core/cgroup_memory_stat.h"
#include "modelwatch/core/cgroup_value.h"
#include "modelwatch/core/pressure.h"
#include "modelwatch/core/proc_loadavg.h"
#include "modelwatch/core/proc_meminfo.h"
#include "modelwatch/core/proc_pid_cgroup.h"
#include "modelwatch/core/proc_pid_io.h"
#include "modelwatch/core/proc_pid_limits.h"
#include "modelwatch/core/proc_pid_stat.h"
#include "modelwatch/core/proc_pid_status.h"
#include "modelwatch/core/proc_stat.h"

namespace modelwatch::fuzz {
namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

constexpr std::string_view kSource = "fuzzed";

// A failure must be kInvalidArgument with "fuzzed:..." on one printable line.
template <typename T>
bool Failed(const Result<T>& result) {
  if (result.ok()) return false;
  const Status status = result.status();
  Check(status.code() == StatusCode::kInvalidArgument);
  const std::string& message = status.message();
  Check(message.starts_with(kSource));
  for (char c : message) Check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  return true;
}

void CheckPressureLine(const PressureLine& line) {
  for (double avg : {line.avg10, line.avg60, line.avg300}) Check(avg >= 0.0 && avg <= 100.0);
}

void FuzzOne(int selector, std::string_view text) {
  switch (selector) {
    case 0: {
      const Result<ProcStat> r = ParseProcStat(text, kSource);
      if (Failed(r)) return;
      for (const CoreTimes& core : r->cores) Check(core.cpu >= 0);
      return;
    }
    case 1: {
      const Result<Meminfo> r = ParseMeminfo(text, kSource);
      if (Failed(r)) return;
      return;
    }
    case 2: {
      const Result<LoadAverage> r = ParseLoadavg(text, kSource);
      if (Failed(r)) return;
      for (double load : {r->load1, r->load5, r->load15}) Check(std::isfinite(load) && load >= 0);
      return;
    }
    case 3: {
      const Result<Pressure> r = ParsePressure(text, kSource);
      if (Failed(r)) return;
      CheckPressureLine(r->some);
      if (r->full) CheckPressureLine(*r->full);
      return;
    }
    case 4: {
      const Result<ProcPidStat> r = ParseProcPidStat(text, kSource);
      if (Failed(r)) return;
      // comm is exactly what lies between the first '(' and the last ')'.
      const size_t open = text.find('(');
      Check(r->comm == text.substr(open + 1, text.rfind(')') - open - 1));
      return;
    }
    case 5: {
      const Result<ProcPidStatus> r = ParseProcPidStatus(text, kSource);
      if (Failed(r)) return;
      if (r->vm_rss_bytes) Check(*r->vm_rss_bytes % 1024 == 0);
      return;
    }
    case 6: {
      const Result<ProcPidIo> r = ParseProcPidIo(text, kSource);
      if (Failed(r)) return;
      return;
    }
    case 7: {
      const Result<ProcPidLimits> r = ParseProcPidLimits(text, kSource);
      if (Failed(r)) return;
      for (const ProcessLimit& limit : r->limits) {
        Check(!limit.name.empty());
        Check(r->Find(limit.name) != nullptr);
      }
      return;
    }
    case 8: {
      const Result<ProcPidCgroup> r = ParseProcPidCgroup(text, kSource);
      if (Failed(r)) return;
      for (const CgroupMembership& m : r->memberships) Check(m.path.starts_with('/'));
      if (const std::optional<std::string> path = r->UnifiedPath()) Check(path->starts_with('/'));
      return;
    }
    case 9: {
      const Result<CgroupCpuStat> r = ParseCgroupCpuStat(text, kSource);
      if (Failed(r)) return;
      return;
    }
    case 10: {
      const Result<CgroupCpuMax> r = ParseCgroupCpuMax(text, kSource);
      if (Failed(r)) return;
      Check(r->period_usec > 0);
      if (const std::optional<double> cpus = r->LimitCpus())
        Check(*cpus > 0 && std::isfinite(*cpus));
      return;
    }
    case 11: {
      const Result<uint64_t> r = ParseCgroupValue(text, kSource);
      if (Failed(r)) return;
      return;
    }
    case 12: {
      const Result<std::optional<uint64_t>> r = ParseCgroupLimit(text, kSource);
      if (Failed(r)) return;
      return;
    }
    case 13: {
      const Result<CgroupMemoryStat> r = ParseCgroupMemoryStat(text, kSource);
      if (Failed(r)) return;
      Check(r->Find("inactive_file") == r->inactive_file);
      return;
    }
    case 14: {
      const Result<CgroupMemoryEvents> r = ParseCgroupMemoryEvents(text, kSource);
      if (Failed(r)) return;
      return;
    }
    case 15: {
      const Result<std::vector<std::string>> r = ParseCgroupControllers(text, kSource);
      if (Failed(r)) return;
      for (const std::string& name : *r) Check(!name.empty());
      return;
    }
  }
}

}  // namespace
}  // namespace modelwatch::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  modelwatch::fuzz::FuzzOne(data[0] % 16, text);
  return 0;
}
