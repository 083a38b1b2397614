#include "modelwatch/probes/sample_json.h"

#include <optional>
#include <string_view>

#include "modelwatch/core/timestamp.h"
#include "modelwatch/io/json_writer.h"

namespace modelwatch::probes {
namespace {

using io::JsonWriter;

void Member(JsonWriter& w, std::string_view key, std::optional<uint64_t> value) {
  w.Key(key);
  if (value) {
    w.Uint(*value);
  } else {
    w.Null();
  }
}

void Member(JsonWriter& w, std::string_view key, uint64_t value) {
  w.Key(key);
  w.Uint(value);
}

void Member(JsonWriter& w, std::string_view key, double value) {
  w.Key(key);
  w.Double(value);
}

void MemberString(JsonWriter& w, std::string_view key, std::string_view value) {
  w.Key(key);
  w.String(value);
}

std::string Rfc3339(double unix_seconds) { return FormatTimestamp(unix_seconds); }

// {"some":{"avg10","avg60","avg300","total_seconds"},"full":{..}|null}
void WritePressure(JsonWriter& w, std::string_view key, const std::optional<Pressure>& p) {
  w.Key(key);
  if (!p) {
    w.Null();
    return;
  }
  auto line = [&](const PressureLine& l) {
    w.BeginObject();
    Member(w, "avg10", l.avg10);
    Member(w, "avg60", l.avg60);
    Member(w, "avg300", l.avg300);
    Member(w, "total_seconds", static_cast<double>(l.total_micros) / 1e6);
    w.EndObject();
  };
  w.BeginObject();
  w.Key("some");
  line(p->some);
  w.Key("full");
  if (p->full) {
    line(*p->full);
  } else {
    w.Null();
  }
  w.EndObject();
}

void WriteCpuModes(JsonWriter& w, const CpuPercent& c) {
  w.BeginObject();
  Member(w, "user", c.user);
  Member(w, "nice", c.nice);
  Member(w, "system", c.system);
  Member(w, "idle", c.idle);
  Member(w, "iowait", c.iowait);
  Member(w, "irq", c.irq);
  Member(w, "softirq", c.softirq);
  Member(w, "steal", c.steal);
  Member(w, "guest", c.guest);
  Member(w, "guest_nice", c.guest_nice);
  w.EndObject();
}

void WriteHost(JsonWriter& w, const HostSample& h) {
  w.Key("host");
  w.BeginObject();
  w.Member("cpu_percent", h.cpu ? std::optional<double>(h.cpu->utilization) : std::nullopt);
  w.Key("cpu_count");
  w.Int(h.cpu_count);
  w.Key("cpu");
  if (h.cpu) {
    WriteCpuModes(w, *h.cpu);
  } else {
    w.Null();
  }
  w.Key("cores_cpu_percent");
  w.BeginArray();
  for (const CoreCpuPercent& core : h.cores) w.Double(core.percent.utilization);
  w.EndArray();
  Member(w, "load1", h.load.load1);
  Member(w, "load5", h.load.load5);
  Member(w, "load15", h.load.load15);
  Member(w, "memory_used_percent", h.memory.used_percent);
  Member(w, "memory_total_bytes", h.memory.total_bytes);
  Member(w, "memory_available_bytes", h.memory.available_bytes);
  Member(w, "memory_used_bytes", h.memory.used_bytes);
  Member(w, "memory_free_bytes", h.memory.free_bytes);
  Member(w, "swap_total_bytes", h.memory.swap_total_bytes);
  Member(w, "swap_used_bytes", h.memory.swap_used_bytes);
  w.Member("swap_used_percent", h.memory.swap_used_percent);
  MemberString(w, "boot_time", Rfc3339(h.boot_time_unix_seconds));
  w.Key("pressure");
  if (h.pressure) {
    w.BeginObject();
    WritePressure(w, "cpu", h.pressure->cpu);
    WritePressure(w, "memory", h.pressure->memory);
    WritePressure(w, "io", h.pressure->io);
    w.EndObject();
  } else {
    w.Null();
  }
  w.EndObject();
}

void WriteProcess(JsonWriter& w, const ProcessSample& p) {
  w.Key("process");
  w.BeginObject();
  w.Key("pid");
  w.Int(p.pid);
  w.Key("ppid");
  w.Int(p.ppid);
  MemberString(w, "name", p.name);
  MemberString(w, "state", std::string_view(&p.state, 1));
  MemberString(w, "start_time", Rfc3339(p.start_time_unix_seconds));
  w.Member("cpu_percent", p.cpu_percent);
  Member(w, "user_seconds", p.user_seconds);
  Member(w, "system_seconds", p.system_seconds);
  Member(w, "rss_bytes", p.rss_bytes);
  Member(w, "vms_bytes", p.vms_bytes);
  Member(w, "threads", p.threads);
  Member(w, "open_fds", p.open_fds);
  Member(w, "max_open_files", p.max_open_files);
  Member(w, "minor_faults", p.minor_faults);
  Member(w, "major_faults", p.major_faults);
  Member(w, "voluntary_ctx_switches", p.voluntary_ctx_switches);
  Member(w, "involuntary_ctx_switches", p.involuntary_ctx_switches);
  w.Member("ctx_switches_per_second", p.ctx_switches_per_second);
  const std::optional<ProcessIo>& io = p.io;
  Member(w, "read_bytes", io ? std::optional<uint64_t>(io->read_bytes) : std::nullopt);
  Member(w, "write_bytes", io ? std::optional<uint64_t>(io->write_bytes) : std::nullopt);
  w.Member("read_bytes_per_second", io ? io->read_bytes_per_second : std::nullopt);
  w.Member("write_bytes_per_second", io ? io->write_bytes_per_second : std::nullopt);
  w.EndObject();
}

void WriteCgroup(JsonWriter& w, const CgroupSample& c) {
  w.Key("cgroup");
  w.BeginObject();
  MemberString(w, "path", c.path);
  Member(w, "cpu_usage_seconds", c.cpu.usage_seconds);
  w.Member("cpu_usage_percent", c.cpu.usage_percent);
  w.Member("cpu_limit_cpus", c.cpu.limit_cpus);
  Member(w, "cpu_periods", c.cpu.periods);
  Member(w, "cpu_throttled_periods", c.cpu.throttled_periods);
  w.Member("cpu_throttled_seconds", c.cpu.throttled_seconds);
  w.Member("cpu_throttled_periods_percent", c.cpu.throttled_periods_percent);
  const std::optional<CgroupMemory>& m = c.memory;
  Member(w, "memory_current_bytes", m ? std::optional<uint64_t>(m->current_bytes) : std::nullopt);
  Member(w, "memory_max_bytes", m ? m->max_bytes : std::nullopt);
  Member(w, "memory_working_set_bytes",
         m ? std::optional<uint64_t>(m->working_set_bytes) : std::nullopt);
  w.Member("memory_working_set_percent_of_max", m ? m->working_set_percent_of_max : std::nullopt);
  Member(w, "oom_events", m ? std::optional<uint64_t>(m->events.oom) : std::nullopt);
  Member(w, "oom_kill_events", m ? std::optional<uint64_t>(m->events.oom_kill) : std::nullopt);
  Member(w, "new_oom_kill_events", m ? m->new_oom_kill : std::nullopt);
  w.Key("pressure");
  w.BeginObject();
  WritePressure(w, "cpu", c.pressure.cpu);
  WritePressure(w, "memory", c.pressure.memory);
  WritePressure(w, "io", c.pressure.io);
  w.EndObject();
  w.EndObject();
}

void WriteGpu(JsonWriter& w, const GpuDeviceSample& d) {
  w.BeginObject();
  w.Key("index");
  w.Uint(d.index);
  w.Key("name");
  d.name ? w.String(*d.name) : w.Null();
  w.Key("uuid");
  d.uuid ? w.String(*d.uuid) : w.Null();
  w.Key("lost");
  w.Bool(d.lost);
  auto u32 = [](const std::optional<uint32_t>& v) {
    return v ? std::optional<uint64_t>(*v) : std::nullopt;
  };
  Member(w, "utilization_gpu_percent", u32(d.utilization_gpu_percent));
  Member(w, "utilization_memory_percent", u32(d.utilization_memory_percent));
  Member(w, "memory_used_bytes", d.memory_used_bytes);
  Member(w, "memory_total_bytes", d.memory_total_bytes);
  Member(w, "temperature_celsius", u32(d.temperature_celsius));
  w.Member("power_watts", d.power_watts);
  Member(w, "sm_clock_mhz", u32(d.sm_clock_mhz));
  Member(w, "target_memory_used_bytes", d.target_memory_used_bytes);
  Member(w, "ecc_corrected_volatile", d.ecc_corrected_volatile);
  Member(w, "ecc_uncorrected_volatile", d.ecc_uncorrected_volatile);
  Member(w, "xid_errors", d.xid_errors);
  Member(w, "last_xid", d.last_xid);
  w.Key("errors");
  w.BeginArray();
  if (d.lost) w.String("lost: " + d.lost_reason);
  for (const std::string& e : d.errors) w.String(e);
  w.EndArray();
  w.EndObject();
}

}  // namespace

std::string ResourceSampleJson(const ResourceSample& s) {
  JsonWriter w;
  w.BeginObject();
  MemberString(w, "ts", Rfc3339(static_cast<double>(s.unix_micros) / 1e6));
  if (s.host) {
    WriteHost(w, *s.host);
  } else if (!s.host_status.ok()) {
    MemberString(w, "host_status", s.host_status.message());
  }
  if (!s.target_name.empty()) {
    w.Key("target");
    w.BeginObject();
    MemberString(w, "name", s.target_name);
    MemberString(w, "status", s.target ? "ok" : s.target_status.message());
    w.Key("restarts");
    w.Int(s.target_restarts);
    w.Key("matches");
    w.Int(s.target ? s.target->matches : 0);
    if (s.target && s.target->process && !s.target->cgroup) {
      MemberString(w, "cgroup_status", s.target->cgroup_status.message());
    }
    w.EndObject();
    if (s.target && s.target->process) WriteProcess(w, *s.target->process);
    if (s.target && s.target->cgroup) WriteCgroup(w, *s.target->cgroup);
  }
  if (s.gpu) {
    MemberString(w, "gpu_status", s.gpu->status.ok() ? "ok" : s.gpu->status.message());
    w.Key("gpus");
    w.BeginArray();
    for (const GpuDeviceSample& d : s.gpu->devices) WriteGpu(w, d);
    w.EndArray();
  }
  w.EndObject();
  return w.str();
}

}  // namespace modelwatch::probes
