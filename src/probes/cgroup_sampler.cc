#include "modelwatch/probes/cgroup_sampler.h"

#include <algorithm>
#include <string>
#include <vector>

#include "internal/read_parsed.h"
#include "modelwatch/core/cgroup_controllers.h"
#include "modelwatch/core/cgroup_cpu_max.h"
#include "modelwatch/core/cgroup_memory_stat.h"
#include "modelwatch/core/cgroup_value.h"
#include "modelwatch/core/proc_pid_cgroup.h"

namespace modelwatch::probes {
namespace {

using internal::CounterDelta;

bool Contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

Result<CgroupMemory> ReadMemory(env::Env& env, const std::string& dir) {
  CgroupMemory memory;
  MW_ASSIGN_OR_RETURN(memory.current_bytes, internal::ReadParsed<uint64_t>(
                                                env, dir + "/memory.current", &ParseCgroupValue));
  MW_ASSIGN_OR_RETURN(memory.max_bytes, internal::ReadParsed<std::optional<uint64_t>>(
                                            env, dir + "/memory.max", &ParseCgroupLimit));
  MW_ASSIGN_OR_RETURN(
      const CgroupMemoryStat stat,
      internal::ReadParsed<CgroupMemoryStat>(env, dir + "/memory.stat", &ParseCgroupMemoryStat));
  MW_ASSIGN_OR_RETURN(memory.events, internal::ReadParsed<CgroupMemoryEvents>(
                                         env, dir + "/memory.events", &ParseCgroupMemoryEvents));
  memory.working_set_bytes = CounterDelta(stat.inactive_file, memory.current_bytes);
  memory.anon_bytes = stat.anon;
  memory.file_bytes = stat.file;
  if (memory.max_bytes && *memory.max_bytes > 0) {
    memory.working_set_percent_of_max = 100.0 * static_cast<double>(memory.working_set_bytes) /
                                        static_cast<double>(*memory.max_bytes);
  }
  return memory;
}

}  // namespace

Status CgroupSampler::CheckUnified(env::Env& env) {
  if (env.Exists(std::string(kRoot) + "/cgroup.controllers")) return Status::Ok();
  std::string detail = "/sys/fs/cgroup is not a cgroup2 mount";
  if (env.Exists(std::string(kRoot) + "/unified/cgroup.controllers")) {
    detail += " (hybrid layout: the controllers are on v1 hierarchies)";
  }
  return FailedPreconditionError("unsupported: cgroup v1: " + detail +
                                 "; modelwatch reads cgroup v2 only (docs/probes.md)");
}

Result<CgroupSampler> CgroupSampler::Open(env::Env& env, const std::string& raw_path) {
  MW_RETURN_IF_ERROR(CheckUnified(env));
  std::string path = raw_path;
  const std::string root = kRoot;
  if (path == root || path.starts_with(root + "/")) path = path.substr(root.size());
  if (path.empty() || path[0] != '/') path.insert(path.begin(), '/');
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path.find("/../") != std::string::npos || path.ends_with("/..")) {
    return InvalidArgumentError("cgroup path " + raw_path + " contains '..'");
  }
  std::string directory = path == "/" ? root : root + path;
  if (!env.Exists(directory + "/cgroup.controllers")) {
    return NotFoundError("cgroup " + path + ": no such group (" + directory +
                         "/cgroup.controllers does not exist)");
  }
  return CgroupSampler(env, std::move(path), std::move(directory));
}

Result<std::string> CgroupSampler::PathOfProcess(env::Env& env, int64_t pid) {
  const std::string file = "/proc/" + std::to_string(pid) + "/cgroup";
  MW_ASSIGN_OR_RETURN(const ProcPidCgroup cgroups,
                      internal::ReadParsed<ProcPidCgroup>(env, file, &ParseProcPidCgroup));
  MW_RETURN_IF_ERROR(CheckUnified(env));
  std::optional<std::string> path = cgroups.UnifiedPath();
  if (!path) {
    return FailedPreconditionError("unsupported: cgroup v1: " + file +
                                   " has no cgroup v2 ('0::') line");
  }
  return std::move(*path);
}

Result<CgroupSampler> CgroupSampler::ForProcess(env::Env& env, int64_t pid) {
  MW_ASSIGN_OR_RETURN(const std::string path, PathOfProcess(env, pid));
  return Open(env, path);
}

Result<CgroupSample> CgroupSampler::Sample() {
  env::Env& env = *env_;
  CgroupSample sample;
  sample.unix_micros = env.NowUnixMicros();
  sample.path = path_;
  sample.directory = directory_;
  const int64_t now = env.NowMonotonicMicros();
  const std::string& dir = directory_;

  MW_ASSIGN_OR_RETURN(const std::vector<std::string> controllers,
                      internal::ReadParsed<std::vector<std::string>>(
                          env, dir + "/cgroup.controllers", &ParseCgroupControllers));
  MW_ASSIGN_OR_RETURN(const CgroupCpuStat cpu, internal::ReadParsed<CgroupCpuStat>(
                                                   env, dir + "/cpu.stat", &ParseCgroupCpuStat));
  sample.cpu.usage_seconds = static_cast<double>(cpu.usage_usec) / 1e6;
  sample.cpu.user_seconds = static_cast<double>(cpu.user_usec) / 1e6;
  sample.cpu.system_seconds = static_cast<double>(cpu.system_usec) / 1e6;
  sample.cpu.periods = cpu.nr_periods;
  sample.cpu.throttled_periods = cpu.nr_throttled;
  if (cpu.throttled_usec)
    sample.cpu.throttled_seconds = static_cast<double>(*cpu.throttled_usec) / 1e6;
  // The root group has no cpu.max even with the cpu controller.
  if (Contains(controllers, "cpu") && path_ != "/") {
    MW_ASSIGN_OR_RETURN(const CgroupCpuMax max, internal::ReadParsed<CgroupCpuMax>(
                                                    env, dir + "/cpu.max", &ParseCgroupCpuMax));
    sample.cpu.limit_cpus = max.LimitCpus();
  }
  if (Contains(controllers, "memory") && path_ != "/") {
    MW_ASSIGN_OR_RETURN(sample.memory, ReadMemory(env, dir));
  }
  MW_ASSIGN_OR_RETURN(sample.pressure.cpu, internal::ReadParsedIfReadable<Pressure>(
                                               env, dir + "/cpu.pressure", &ParsePressure));
  MW_ASSIGN_OR_RETURN(sample.pressure.memory, internal::ReadParsedIfReadable<Pressure>(
                                                  env, dir + "/memory.pressure", &ParsePressure));
  MW_ASSIGN_OR_RETURN(sample.pressure.io, internal::ReadParsedIfReadable<Pressure>(
                                              env, dir + "/io.pressure", &ParsePressure));

  Reading reading{now, cpu, std::nullopt};
  if (sample.memory) reading.events = sample.memory->events;
  if (previous_) {
    const double seconds = static_cast<double>(now - previous_->monotonic_micros) / 1e6;
    if (seconds > 0) {
      sample.cpu.usage_percent =
          100.0 * static_cast<double>(CounterDelta(previous_->cpu.usage_usec, cpu.usage_usec)) /
          1e6 / seconds;
      if (cpu.throttled_usec && previous_->cpu.throttled_usec) {
        sample.cpu.throttled_seconds_per_second =
            static_cast<double>(CounterDelta(*previous_->cpu.throttled_usec, *cpu.throttled_usec)) /
            1e6 / seconds;
      }
    }
    if (cpu.nr_periods && previous_->cpu.nr_periods && cpu.nr_throttled &&
        previous_->cpu.nr_throttled) {
      const uint64_t periods = CounterDelta(*previous_->cpu.nr_periods, *cpu.nr_periods);
      if (periods > 0) {
        sample.cpu.throttled_periods_percent =
            100.0 *
            static_cast<double>(CounterDelta(*previous_->cpu.nr_throttled, *cpu.nr_throttled)) /
            static_cast<double>(periods);
      }
    }
    if (sample.memory && previous_->events) {
      sample.memory->new_oom = CounterDelta(previous_->events->oom, sample.memory->events.oom);
      sample.memory->new_oom_kill =
          CounterDelta(previous_->events->oom_kill, sample.memory->events.oom_kill);
    }
  }
  previous_ = std::move(reading);
  return sample;
}

}  // namespace modelwatch::probes
