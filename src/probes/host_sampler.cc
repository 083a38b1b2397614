#include "modelwatch/probes/host_sampler.h"

#include <algorithm>
#include <string>

#include "internal/read_parsed.h"
#include "modelwatch/core/proc_meminfo.h"

namespace modelwatch::probes {
namespace {

using internal::CounterDelta;

CpuSeconds ToSeconds(const CpuTimes& t, double ticks_per_second) {
  const auto s = [&](uint64_t ticks) { return static_cast<double>(ticks) / ticks_per_second; };
  return CpuSeconds{s(t.user), s(t.nice),    s(t.system), s(t.idle),  s(t.iowait),
                    s(t.irq),  s(t.softirq), s(t.steal),  s(t.guest), s(t.guest_nice)};
}

Result<HostMemory> ReadMemory(env::Env& env) {
  MW_ASSIGN_OR_RETURN(const Meminfo info,
                      internal::ReadParsed<Meminfo>(env, "/proc/meminfo", &ParseMeminfo));
  if (!info.mem_available_bytes) {
    return FailedPreconditionError(
        "/proc/meminfo: no MemAvailable (Linux < 3.14): memory used % is undefined");
  }
  if (info.mem_total_bytes == 0) return InvalidArgumentError("/proc/meminfo: MemTotal is 0");
  HostMemory memory;
  memory.total_bytes = info.mem_total_bytes;
  memory.available_bytes = *info.mem_available_bytes;
  memory.free_bytes = info.mem_free_bytes;
  memory.used_bytes = CounterDelta(memory.available_bytes, memory.total_bytes);
  memory.used_percent =
      100.0 * static_cast<double>(memory.used_bytes) / static_cast<double>(memory.total_bytes);
  memory.swap_total_bytes = info.swap_total_bytes;
  memory.swap_free_bytes = info.swap_free_bytes;
  memory.swap_used_bytes = CounterDelta(info.swap_free_bytes, info.swap_total_bytes);
  if (info.swap_total_bytes > 0) {
    memory.swap_used_percent = 100.0 * static_cast<double>(memory.swap_used_bytes) /
                               static_cast<double>(memory.swap_total_bytes);
  }
  return memory;
}

Result<std::optional<HostPressure>> ReadPressure(env::Env& env) {
  HostPressure pressure;
  MW_ASSIGN_OR_RETURN(pressure.cpu, internal::ReadParsedIfReadable<Pressure>(
                                        env, "/proc/pressure/cpu", &ParsePressure));
  MW_ASSIGN_OR_RETURN(pressure.memory, internal::ReadParsedIfReadable<Pressure>(
                                           env, "/proc/pressure/memory", &ParsePressure));
  MW_ASSIGN_OR_RETURN(pressure.io, internal::ReadParsedIfReadable<Pressure>(
                                       env, "/proc/pressure/io", &ParsePressure));
  if (!pressure.cpu && !pressure.memory && !pressure.io) return std::optional<HostPressure>();
  return std::optional<HostPressure>(pressure);
}

}  // namespace

std::optional<CpuPercent> CpuPercentBetween(const CpuTimes& before, const CpuTimes& after) {
  const double user = static_cast<double>(CounterDelta(before.user, after.user));
  const double nice = static_cast<double>(CounterDelta(before.nice, after.nice));
  const double system = static_cast<double>(CounterDelta(before.system, after.system));
  const double idle = static_cast<double>(CounterDelta(before.idle, after.idle));
  const double iowait = static_cast<double>(CounterDelta(before.iowait, after.iowait));
  const double irq = static_cast<double>(CounterDelta(before.irq, after.irq));
  const double softirq = static_cast<double>(CounterDelta(before.softirq, after.softirq));
  const double steal = static_cast<double>(CounterDelta(before.steal, after.steal));
  const double guest = static_cast<double>(CounterDelta(before.guest, after.guest));
  const double guest_nice = static_cast<double>(CounterDelta(before.guest_nice, after.guest_nice));
  const double total = user + nice + system + idle + iowait + irq + softirq + steal;
  if (total <= 0) return std::nullopt;
  const auto percent = [total](double ticks) { return 100.0 * ticks / total; };
  CpuPercent p;
  p.user = percent(user);
  p.nice = percent(nice);
  p.system = percent(system);
  p.idle = percent(idle);
  p.iowait = percent(iowait);
  p.irq = percent(irq);
  p.softirq = percent(softirq);
  p.steal = percent(steal);
  // guest is inside user (and guest_nice inside nice); a counter glitch must not push it past.
  p.guest = percent(std::min(guest, user));
  p.guest_nice = percent(std::min(guest_nice, nice));
  p.utilization = percent(total - idle - iowait);
  return p;
}

Result<HostSample> HostSampler::Sample() {
  HostSample sample;
  sample.unix_micros = env_->NowUnixMicros();
  MW_ASSIGN_OR_RETURN(ProcStat stat,
                      internal::ReadParsed<ProcStat>(*env_, "/proc/stat", &ParseProcStat));
  MW_ASSIGN_OR_RETURN(sample.load,
                      internal::ReadParsed<LoadAverage>(*env_, "/proc/loadavg", &ParseLoadavg));
  MW_ASSIGN_OR_RETURN(sample.memory, ReadMemory(*env_));
  MW_ASSIGN_OR_RETURN(sample.pressure, ReadPressure(*env_));

  sample.boot_time_unix_seconds = static_cast<double>(stat.boot_time_seconds);
  sample.cpu_count = static_cast<int>(stat.cores.size());
  sample.cpu_seconds = ToSeconds(stat.total, static_cast<double>(env_->ClockTicksPerSecond()));
  if (previous_) {
    sample.cpu = CpuPercentBetween(previous_->total, stat.total);
    for (const CoreTimes& core : stat.cores) {
      for (const CoreTimes& before : previous_->cores) {
        if (before.cpu != core.cpu) continue;
        if (std::optional<CpuPercent> p = CpuPercentBetween(before.times, core.times)) {
          sample.cores.push_back(CoreCpuPercent{core.cpu, *p});
        }
        break;
      }
    }
  }
  previous_ = std::move(stat);
  return sample;
}

}  // namespace modelwatch::probes
