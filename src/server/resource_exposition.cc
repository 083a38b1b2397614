#include "modelwatch/server/resource_exposition.h"

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace modelwatch::server {
namespace {

using Type = PrometheusText::Type;

// Series with owned label values (PromLabels holds views).
struct Series {
  std::vector<std::pair<std::string_view, std::string>> labels;
  double value = 0;
};

// Writes a family and its series; nothing at all when there is no series.
void Emit(PrometheusText& t, std::string_view name, Type type, std::string_view help,
          const std::vector<Series>& series) {
  if (series.empty()) return;
  t.Family(name, type, help);
  for (const Series& s : series) {
    PromLabels labels;
    for (const auto& [key, value] : s.labels) labels.emplace_back(key, value);
    t.Sample(name, labels, s.value);
  }
}

std::optional<double> Count(std::optional<uint64_t> v) {
  return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
}

// ---- Host (node_exporter)

void WriteHost(PrometheusText& t, const probes::HostSample& h) {
  const probes::CpuSeconds& c = h.cpu_seconds;
  // node_exporter's modes; guest is already inside user and nice (docs/probes.md).
  const std::pair<const char*, double> modes[] = {
      {"user", c.user - c.guest}, {"nice", c.nice - c.guest_nice},
      {"system", c.system},       {"idle", c.idle},
      {"iowait", c.iowait},       {"irq", c.irq},
      {"softirq", c.softirq},     {"steal", c.steal}};
  std::vector<Series> cpu;
  for (const auto& [mode, seconds] : modes) cpu.push_back({{{"mode", mode}}, seconds});
  Emit(t, "modelwatch_node_cpu_seconds_total", Type::kCounter,
       "Seconds the CPUs spent in each mode, summed over CPUs (guest time excluded from user "
       "and nice).",
       cpu);
  Emit(t, "modelwatch_node_cpu_guest_seconds_total", Type::kCounter,
       "Seconds the CPUs spent running guests, summed over CPUs.",
       {{{{"mode", "user"}}, c.guest}, {{{"mode", "nice"}}, c.guest_nice}});
  Emit(t, "modelwatch_node_cpus", Type::kGauge, "Online CPUs.",
       {{{}, static_cast<double>(h.cpu_count)}});
  Emit(t, "modelwatch_node_boot_time_seconds", Type::kGauge, "Boot time, unix seconds.",
       {{{}, h.boot_time_unix_seconds}});
  Emit(t, "modelwatch_node_load1", Type::kGauge, "1m load average.", {{{}, h.load.load1}});
  Emit(t, "modelwatch_node_load5", Type::kGauge, "5m load average.", {{{}, h.load.load5}});
  Emit(t, "modelwatch_node_load15", Type::kGauge, "15m load average.", {{{}, h.load.load15}});
  auto bytes = [&](const char* name, const char* help, uint64_t value) {
    Emit(t, name, Type::kGauge, help, {{{}, static_cast<double>(value)}});
  };
  bytes("modelwatch_node_memory_total_bytes", "Memory: MemTotal.", h.memory.total_bytes);
  bytes("modelwatch_node_memory_available_bytes", "Memory: MemAvailable.",
        h.memory.available_bytes);
  bytes("modelwatch_node_memory_free_bytes", "Memory: MemFree.", h.memory.free_bytes);
  bytes("modelwatch_node_memory_swap_total_bytes", "Memory: SwapTotal.", h.memory.swap_total_bytes);
  bytes("modelwatch_node_memory_swap_free_bytes", "Memory: SwapFree.", h.memory.swap_free_bytes);
  if (!h.pressure) return;
  const std::pair<const char*, const std::optional<Pressure>*> resources[] = {
      {"cpu", &h.pressure->cpu}, {"memory", &h.pressure->memory}, {"io", &h.pressure->io}};
  for (const auto& [resource, pressure] : resources) {
    if (!*pressure) continue;
    const std::string prefix = std::string("modelwatch_node_pressure_") + resource;
    Emit(t, prefix + "_waiting_seconds_total", Type::kCounter,
         std::string("Seconds in which some tasks waited for ") + resource + " (PSI some).",
         {{{}, static_cast<double>((*pressure)->some.total_micros) / 1e6}});
    if ((*pressure)->full) {
      Emit(t, prefix + "_stalled_seconds_total", Type::kCounter,
           std::string("Seconds in which all non-idle tasks stalled on ") + resource +
               " (PSI full).",
           {{{}, static_cast<double>((*pressure)->full->total_micros) / 1e6}});
    }
  }
}

// ---- Targets (process_* of the client libraries, cAdvisor's container_*)

using TargetValue = std::function<std::optional<double>(const TargetReading&)>;

void PerTarget(PrometheusText& t, const std::vector<TargetReading>& targets, std::string_view name,
               Type type, std::string_view help, const TargetValue& value) {
  std::vector<Series> series;
  for (const TargetReading& r : targets) {
    if (std::optional<double> v = value(r)) series.push_back({{{"target", r.name}}, *v});
  }
  Emit(t, name, type, help, series);
}

// Like PerTarget for readings of the target's process.
void PerProcess(PrometheusText& t, const std::vector<TargetReading>& targets, std::string_view name,
                Type type, std::string_view help,
                const std::function<std::optional<double>(const probes::ProcessSample&)>& value) {
  PerTarget(t, targets, name, type, help, [&](const TargetReading& r) -> std::optional<double> {
    if (!r.sample || !r.sample->process) return std::nullopt;
    return value(*r.sample->process);
  });
}

void PerCgroup(PrometheusText& t, const std::vector<TargetReading>& targets, std::string_view name,
               Type type, std::string_view help,
               const std::function<std::optional<double>(const probes::CgroupSample&)>& value) {
  PerTarget(t, targets, name, type, help, [&](const TargetReading& r) -> std::optional<double> {
    if (!r.sample || !r.sample->cgroup) return std::nullopt;
    return value(*r.sample->cgroup);
  });
}

void WriteTargets(PrometheusText& t, const std::vector<TargetReading>& targets) {
  PerTarget(t, targets, "modelwatch_target_up", Type::kGauge,
            "1 when the target was found in the latest round, else 0.",
            [](const TargetReading& r) { return r.sample ? 1.0 : 0.0; });
  PerTarget(t, targets, "modelwatch_target_restarts_total", Type::kCounter,
            "Times the target was found as a different process (it restarted) since the daemon "
            "started.",
            [](const TargetReading& r) -> std::optional<double> {
              if (!r.is_process) return std::nullopt;
              return r.restarts;
            });
  PerTarget(t, targets, "modelwatch_target_matched_processes", Type::kGauge,
            "Processes that matched the target (the oldest is followed).",
            [](const TargetReading& r) -> std::optional<double> {
              if (!r.is_process || !r.sample) return std::nullopt;
              return r.sample->matches;
            });
  std::vector<Series> cpu;
  for (const TargetReading& r : targets) {
    if (!r.sample || !r.sample->process) continue;
    cpu.push_back({{{"target", r.name}, {"mode", "user"}}, r.sample->process->user_seconds});
    cpu.push_back({{{"target", r.name}, {"mode", "system"}}, r.sample->process->system_seconds});
  }
  Emit(t, "modelwatch_target_cpu_seconds_total", Type::kCounter,
       "CPU time of the target's process, by mode.", cpu);
  PerProcess(t, targets, "modelwatch_target_resident_memory_bytes", Type::kGauge,
             "Resident memory of the target's process (VmRSS).",
             [](const probes::ProcessSample& p) { return static_cast<double>(p.rss_bytes); });
  PerProcess(t, targets, "modelwatch_target_virtual_memory_bytes", Type::kGauge,
             "Virtual memory size of the target's process (VmSize).",
             [](const probes::ProcessSample& p) { return static_cast<double>(p.vms_bytes); });
  PerProcess(t, targets, "modelwatch_target_threads", Type::kGauge,
             "Threads of the target's process.",
             [](const probes::ProcessSample& p) { return static_cast<double>(p.threads); });
  PerProcess(t, targets, "modelwatch_target_open_fds", Type::kGauge,
             "Open file descriptors of the target's process.",
             [](const probes::ProcessSample& p) { return Count(p.open_fds); });
  PerProcess(t, targets, "modelwatch_target_max_fds", Type::kGauge,
             "Soft limit on open file descriptors of the target's process.",
             [](const probes::ProcessSample& p) { return Count(p.max_open_files); });
  PerProcess(t, targets, "modelwatch_target_start_time_seconds", Type::kGauge,
             "Start time of the target's process, unix seconds.",
             [](const probes::ProcessSample& p) { return p.start_time_unix_seconds; });
  std::vector<Series> switches;
  for (const TargetReading& r : targets) {
    if (!r.sample || !r.sample->process) continue;
    const probes::ProcessSample& p = *r.sample->process;
    switches.push_back({{{"target", r.name}, {"ctxswitch_type", "voluntary"}},
                        static_cast<double>(p.voluntary_ctx_switches)});
    switches.push_back({{{"target", r.name}, {"ctxswitch_type", "nonvoluntary"}},
                        static_cast<double>(p.involuntary_ctx_switches)});
  }
  Emit(t, "modelwatch_target_context_switches_total", Type::kCounter,
       "Context switches of the target's process, by type.", switches);
  PerProcess(t, targets, "modelwatch_target_major_page_faults_total", Type::kCounter,
             "Major page faults of the target's process.",
             [](const probes::ProcessSample& p) { return static_cast<double>(p.major_faults); });
  PerProcess(t, targets, "modelwatch_target_read_bytes_total", Type::kCounter,
             "Bytes the target's process read from storage (/proc/PID/io read_bytes).",
             [](const probes::ProcessSample& p) -> std::optional<double> {
               if (!p.io) return std::nullopt;
               return static_cast<double>(p.io->read_bytes);
             });
  PerProcess(t, targets, "modelwatch_target_written_bytes_total", Type::kCounter,
             "Bytes the target's process wrote to storage (/proc/PID/io write_bytes).",
             [](const probes::ProcessSample& p) -> std::optional<double> {
               if (!p.io) return std::nullopt;
               return static_cast<double>(p.io->write_bytes);
             });
  std::vector<Series> gpu_memory;
  for (const TargetReading& r : targets) {
    for (const auto& [index, used] : r.gpu_memory_bytes) {
      gpu_memory.push_back(
          {{{"target", r.name}, {"gpu", std::to_string(index)}}, static_cast<double>(used)});
    }
  }
  Emit(t, "modelwatch_target_gpu_memory_used_bytes", Type::kGauge,
       "GPU memory used by the target's process, per GPU it uses (NVML).", gpu_memory);
}

void WriteContainers(PrometheusText& t, const std::vector<TargetReading>& targets) {
  PerCgroup(t, targets, "modelwatch_container_cpu_usage_seconds_total", Type::kCounter,
            "CPU time of the target's cgroup (cpu.stat usage_usec).",
            [](const probes::CgroupSample& c) { return c.cpu.usage_seconds; });
  PerCgroup(t, targets, "modelwatch_container_cpu_user_seconds_total", Type::kCounter,
            "User CPU time of the target's cgroup.",
            [](const probes::CgroupSample& c) { return c.cpu.user_seconds; });
  PerCgroup(t, targets, "modelwatch_container_cpu_system_seconds_total", Type::kCounter,
            "System CPU time of the target's cgroup.",
            [](const probes::CgroupSample& c) { return c.cpu.system_seconds; });
  PerCgroup(t, targets, "modelwatch_container_cpu_cfs_periods_total", Type::kCounter,
            "CFS bandwidth periods elapsed (cpu.stat nr_periods).",
            [](const probes::CgroupSample& c) { return Count(c.cpu.periods); });
  PerCgroup(t, targets, "modelwatch_container_cpu_cfs_throttled_periods_total", Type::kCounter,
            "CFS periods in which the cgroup was throttled (cpu.stat nr_throttled).",
            [](const probes::CgroupSample& c) { return Count(c.cpu.throttled_periods); });
  PerCgroup(t, targets, "modelwatch_container_cpu_cfs_throttled_seconds_total", Type::kCounter,
            "Time the cgroup was throttled (cpu.stat throttled_usec).",
            [](const probes::CgroupSample& c) { return c.cpu.throttled_seconds; });
  PerCgroup(t, targets, "modelwatch_container_spec_cpu_limit_cores", Type::kGauge,
            "CPU limit of the cgroup in cores (cpu.max quota / period); absent without a limit.",
            [](const probes::CgroupSample& c) { return c.cpu.limit_cpus; });
  auto memory = [](const std::function<std::optional<double>(const probes::CgroupMemory&)>& f) {
    return [f](const probes::CgroupSample& c) -> std::optional<double> {
      if (!c.memory) return std::nullopt;
      return f(*c.memory);
    };
  };
  PerCgroup(t, targets, "modelwatch_container_memory_usage_bytes", Type::kGauge,
            "Memory charged to the cgroup, page cache included (memory.current).",
            memory([](const probes::CgroupMemory& m) {
              return std::optional<double>(static_cast<double>(m.current_bytes));
            }));
  PerCgroup(t, targets, "modelwatch_container_memory_working_set_bytes", Type::kGauge,
            "Working set: memory.current - inactive_file (cAdvisor's definition).",
            memory([](const probes::CgroupMemory& m) {
              return std::optional<double>(static_cast<double>(m.working_set_bytes));
            }));
  PerCgroup(t, targets, "modelwatch_container_memory_rss_bytes", Type::kGauge,
            "Anonymous memory of the cgroup (memory.stat anon).",
            memory([](const probes::CgroupMemory& m) {
              return std::optional<double>(static_cast<double>(m.anon_bytes));
            }));
  PerCgroup(t, targets, "modelwatch_container_memory_cache_bytes", Type::kGauge,
            "Page cache of the cgroup (memory.stat file).",
            memory([](const probes::CgroupMemory& m) {
              return std::optional<double>(static_cast<double>(m.file_bytes));
            }));
  PerCgroup(t, targets, "modelwatch_container_spec_memory_limit_bytes", Type::kGauge,
            "Memory limit of the cgroup (memory.max); absent without a limit.",
            memory([](const probes::CgroupMemory& m) { return Count(m.max_bytes); }));
  std::vector<Series> events;
  for (const TargetReading& r : targets) {
    if (!r.sample || !r.sample->cgroup || !r.sample->cgroup->memory) continue;
    const CgroupMemoryEvents& e = r.sample->cgroup->memory->events;
    for (const auto& [name, value] :
         {std::pair{"max", e.max}, std::pair{"oom", e.oom}, std::pair{"oom_kill", e.oom_kill}}) {
      events.push_back({{{"target", r.name}, {"event", name}}, static_cast<double>(value)});
    }
  }
  Emit(t, "modelwatch_container_memory_events_total", Type::kCounter,
       "memory.events counters of the cgroup: max (usage hit the limit), oom (an allocation "
       "failed), oom_kill (processes killed by the OOM killer).",
       events);
  const std::pair<const char*, std::optional<Pressure> probes::CgroupPressure::*> kinds[] = {
      {"cpu", &probes::CgroupPressure::cpu},
      {"memory", &probes::CgroupPressure::memory},
      {"io", &probes::CgroupPressure::io}};
  for (const auto& [resource, member] : kinds) {
    const std::string prefix = std::string("modelwatch_container_pressure_") + resource;
    PerCgroup(t, targets, prefix + "_waiting_seconds_total", Type::kCounter,
              std::string("Seconds in which some tasks of the cgroup waited for ") + resource +
                  " (PSI some).",
              [member](const probes::CgroupSample& c) -> std::optional<double> {
                const std::optional<Pressure>& p = c.pressure.*member;
                if (!p) return std::nullopt;
                return static_cast<double>(p->some.total_micros) / 1e6;
              });
    PerCgroup(t, targets, prefix + "_stalled_seconds_total", Type::kCounter,
              std::string("Seconds in which all non-idle tasks of the cgroup stalled on ") +
                  resource + " (PSI full).",
              [member](const probes::CgroupSample& c) -> std::optional<double> {
                const std::optional<Pressure>& p = c.pressure.*member;
                if (!p || !p->full) return std::nullopt;
                return static_cast<double>(p->full->total_micros) / 1e6;
              });
  }
}

// ---- GPUs (dcgm-exporter's fields, base units)

void WriteGpus(PrometheusText& t, const probes::GpuSample& gpu) {
  Emit(t, "modelwatch_gpu_nvml_up", Type::kGauge,
       "1 when NVML is loaded and initialized, else 0 (no NVIDIA driver).",
       {{{}, gpu.status.ok() ? 1.0 : 0.0}});
  using Field = std::function<std::optional<double>(const probes::GpuDeviceSample&)>;
  auto per_gpu = [&](std::string_view name, Type type, std::string_view help, const Field& f) {
    std::vector<Series> series;
    for (const probes::GpuDeviceSample& d : gpu.devices) {
      std::optional<double> v = f(d);
      if (!v) continue;
      series.push_back({{{"gpu", std::to_string(d.index)},
                         {"uuid", d.uuid.value_or("")},
                         {"model_name", d.name.value_or("")}},
                        *v});
    }
    Emit(t, name, type, help, series);
  };
  auto ratio = [](std::optional<uint32_t> percent) {
    return percent ? std::optional<double>(*percent / 100.0) : std::nullopt;
  };
  per_gpu("modelwatch_gpu_up", Type::kGauge, "0 once the GPU is lost (fell off the bus), else 1.",
          [](const probes::GpuDeviceSample& d) { return d.lost ? 0.0 : 1.0; });
  per_gpu("modelwatch_gpu_utilization_ratio", Type::kGauge,
          "Share of time a kernel ran (DCGM_FI_DEV_GPU_UTIL / 100).",
          [&](const probes::GpuDeviceSample& d) { return ratio(d.utilization_gpu_percent); });
  per_gpu("modelwatch_gpu_memory_copy_utilization_ratio", Type::kGauge,
          "Share of time memory was read or written (DCGM_FI_DEV_MEM_COPY_UTIL / 100).",
          [&](const probes::GpuDeviceSample& d) { return ratio(d.utilization_memory_percent); });
  per_gpu("modelwatch_gpu_memory_used_bytes", Type::kGauge,
          "Frame-buffer memory in use (DCGM_FI_DEV_FB_USED, in bytes).",
          [](const probes::GpuDeviceSample& d) { return Count(d.memory_used_bytes); });
  per_gpu("modelwatch_gpu_memory_reserved_bytes", Type::kGauge,
          "Frame-buffer memory reserved by the driver (DCGM_FI_DEV_FB_RESERVED, in bytes).",
          [](const probes::GpuDeviceSample& d) { return Count(d.memory_reserved_bytes); });
  per_gpu("modelwatch_gpu_memory_total_bytes", Type::kGauge,
          "Frame-buffer memory in total (DCGM_FI_DEV_FB_TOTAL, in bytes).",
          [](const probes::GpuDeviceSample& d) { return Count(d.memory_total_bytes); });
  per_gpu("modelwatch_gpu_temperature_celsius", Type::kGauge,
          "GPU temperature (DCGM_FI_DEV_GPU_TEMP).", [](const probes::GpuDeviceSample& d) {
            return d.temperature_celsius ? std::optional<double>(*d.temperature_celsius)
                                         : std::nullopt;
          });
  per_gpu("modelwatch_gpu_power_watts", Type::kGauge, "Board power draw (DCGM_FI_DEV_POWER_USAGE).",
          [](const probes::GpuDeviceSample& d) { return d.power_watts; });
  per_gpu("modelwatch_gpu_sm_clock_hertz", Type::kGauge,
          "SM clock (DCGM_FI_DEV_SM_CLOCK, in hertz).", [](const probes::GpuDeviceSample& d) {
            return d.sm_clock_mhz ? std::optional<double>(*d.sm_clock_mhz * 1e6) : std::nullopt;
          });
  per_gpu("modelwatch_gpu_xid_errors_total", Type::kCounter,
          "Xid critical errors since the daemon opened NVML (DCGM_FI_DEV_XID_ERRORS holds the "
          "last Xid: modelwatch_gpu_last_xid).",
          [](const probes::GpuDeviceSample& d) { return Count(d.xid_errors); });
  per_gpu("modelwatch_gpu_last_xid", Type::kGauge,
          "The last Xid error seen (DCGM_FI_DEV_XID_ERRORS).",
          [](const probes::GpuDeviceSample& d) { return Count(d.last_xid); });
  per_gpu("modelwatch_gpu_ecc_corrected_errors_total", Type::kCounter,
          "Volatile corrected (single-bit) ECC errors (DCGM_FI_DEV_ECC_SBE_VOL_TOTAL).",
          [](const probes::GpuDeviceSample& d) { return Count(d.ecc_corrected_volatile); });
  per_gpu("modelwatch_gpu_ecc_uncorrected_errors_total", Type::kCounter,
          "Volatile uncorrected (double-bit) ECC errors (DCGM_FI_DEV_ECC_DBE_VOL_TOTAL).",
          [](const probes::GpuDeviceSample& d) { return Count(d.ecc_uncorrected_volatile); });
}

}  // namespace

void WriteResourceMetrics(PrometheusText& t, const ResourceSnapshot& snapshot) {
  if (snapshot.rounds == 0) return;
  Emit(t, "modelwatch_resource_rounds_total", Type::kCounter,
       "Resource sampling rounds since the daemon started.",
       {{{}, static_cast<double>(snapshot.rounds)}});
  Emit(t, "modelwatch_resource_round_duration_seconds", Type::kGauge,
       "How long the latest resource sampling round took.",
       {{{}, static_cast<double>(snapshot.round_micros) / 1e6}});
  Emit(t, "modelwatch_resource_last_round_timestamp_seconds", Type::kGauge,
       "When the latest resource sampling round started, unix seconds.",
       {{{}, static_cast<double>(snapshot.unix_micros) / 1e6}});
  Emit(t, "modelwatch_resource_store_failures_total", Type::kCounter,
       "Resource sampling rounds whose samples could not be stored.",
       {{{}, static_cast<double>(snapshot.store_failures)}});
  if (snapshot.host) WriteHost(t, *snapshot.host);
  WriteTargets(t, snapshot.targets);
  WriteContainers(t, snapshot.targets);
  if (snapshot.gpu) WriteGpus(t, *snapshot.gpu);
}

}  // namespace modelwatch::server
