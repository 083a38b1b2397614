#include "watch_command.h"

#include <cmath>
#include <cstdio>
#include <optional>
#include <sstream>
#include <string_view>

#include "modelwatch/cli/cli.h"
#include "modelwatch/core/timestamp.h"
#include "modelwatch/env/env.h"
#include "modelwatch/probes/resource_sampler.h"
#include "modelwatch/probes/sample_json.h"

namespace modelwatch::cli {
namespace {

// "500ms", "1s", "2.5s", "1m": a positive duration of at least 10 ms, in microseconds.
Result<int64_t> ParseInterval(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  const std::string_view unit(end);
  double scale = 0;
  if (unit == "ms") {
    scale = 1e3;
  } else if (unit == "s") {
    scale = 1e6;
  } else if (unit == "m") {
    scale = 60e6;
  }
  if (end == text.c_str() || scale == 0 || !std::isfinite(value) || value * scale < 1e4 ||
      value * scale > 86400e6) {
    return InvalidArgumentError("--interval: '" + text +
                                "' is not a duration from 10ms to 24h (e.g. 500ms, 1s, 1m)");
  }
  return static_cast<int64_t>(std::llround(value * scale));
}

// The target the flags name; nullopt with --host. kInvalidArgument when none or several are
// named.
Result<std::optional<probes::TargetSpec>> TargetOf(const WatchFlags& f) {
  const int named = (f.pid != 0) + !f.pidfile.empty() + !f.match.empty() + !f.exe.empty() +
                    !f.cgroup.empty() + f.host;
  if (named != 1) {
    return InvalidArgumentError(
        "name exactly one of --pid, --pidfile, --match, --exe, --cgroup or --host");
  }
  if (f.host) return std::optional<probes::TargetSpec>();
  Result<probes::TargetSpec> spec = f.pid != 0           ? probes::TargetSpec::Pid(f.pid)
                                    : !f.pidfile.empty() ? probes::TargetSpec::PidFile(f.pidfile)
                                    : !f.match.empty()   ? probes::TargetSpec::CommandLine(f.match)
                                    : !f.exe.empty()     ? probes::TargetSpec::Executable(f.exe)
                                                         : probes::TargetSpec::Cgroup(f.cgroup);
  if (!spec.ok()) return spec.status();
  return std::optional<probes::TargetSpec>(std::move(*spec));
}

std::string Bytes(double b) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (b >= 1024 && unit < 4) {
    b /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", b, kUnits[unit]);
  return buf;
}

std::string Percent(std::optional<double> p) {
  if (!p) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", *p);
  return buf;
}

template <typename T>
std::string Or(const std::optional<T>& v, std::string_view none = "-") {
  if (!v) return std::string(none);
  std::ostringstream s;
  s << *v;
  return s.str();
}

// The live view: a few lines, redrawn in place.
std::string Table(const probes::ResourceSample& s, int64_t interval_us) {
  std::ostringstream o;
  o << "modelwatch watch  " << FormatTimestamp(static_cast<double>(s.unix_micros) / 1e6)
    << "  (every " << static_cast<double>(interval_us) / 1e6 << " s; Ctrl-C stops)\n\n";
  if (s.host) {
    const probes::HostSample& h = *s.host;
    char load[64];
    std::snprintf(load, sizeof load, "%.2f %.2f %.2f", h.load.load1, h.load.load5, h.load.load15);
    o << "host     cpu " << Percent(h.cpu ? std::optional(h.cpu->utilization) : std::nullopt)
      << " of " << h.cpu_count << " CPUs  (iowait "
      << Percent(h.cpu ? std::optional(h.cpu->iowait) : std::nullopt) << ", steal "
      << Percent(h.cpu ? std::optional(h.cpu->steal) : std::nullopt) << ")  load " << load
      << "\n         memory " << Percent(h.memory.used_percent) << " of "
      << Bytes(static_cast<double>(h.memory.total_bytes)) << " used  ("
      << Bytes(static_cast<double>(h.memory.available_bytes)) << " available)  swap "
      << Percent(h.memory.swap_used_percent) << "\n";
  } else if (!s.host_status.ok()) {
    o << "host     " << s.host_status.message() << "\n";
  }
  if (!s.target_name.empty()) {
    o << "target   " << s.target_name << "  "
      << (s.target ? "up" : "down: " + s.target_status.message()) << "  restarts "
      << s.target_restarts << "\n";
  }
  if (s.target && s.target->process) {
    const probes::ProcessSample& p = *s.target->process;
    o << "process  pid " << p.pid << " (" << p.name << ")  cpu " << Percent(p.cpu_percent)
      << "  rss " << Bytes(static_cast<double>(p.rss_bytes)) << "  threads " << p.threads
      << "  fds " << Or(p.open_fds) << "/" << Or(p.max_open_files) << "  ctx switches/s "
      << (p.ctx_switches_per_second ? std::to_string(std::lround(*p.ctx_switches_per_second))
                                    : "-");
    if (p.io && p.io->read_bytes_per_second && p.io->write_bytes_per_second) {
      o << "  disk read " << Bytes(*p.io->read_bytes_per_second) << "/s write "
        << Bytes(*p.io->write_bytes_per_second) << "/s";
    }
    o << "\n";
  }
  if (s.target && s.target->cgroup) {
    const probes::CgroupSample& c = *s.target->cgroup;
    o << "cgroup   " << c.path << "  cpu " << Percent(c.cpu.usage_percent);
    if (c.cpu.limit_cpus) o << " (limit " << *c.cpu.limit_cpus << " CPUs)";
    if (c.cpu.throttled_periods_percent) {
      o << "  throttled " << Percent(c.cpu.throttled_periods_percent);
    }
    if (c.memory) {
      o << "  memory " << Bytes(static_cast<double>(c.memory->current_bytes)) << " (working set "
        << Bytes(static_cast<double>(c.memory->working_set_bytes)) << ") of "
        << (c.memory->max_bytes ? Bytes(static_cast<double>(*c.memory->max_bytes))
                                : std::string("no limit"))
        << "  oom kills " << c.memory->events.oom_kill;
    }
    o << "\n";
  } else if (s.target && s.target->process && !s.target->cgroup_status.ok()) {
    o << "cgroup   " << s.target->cgroup_status.message() << "\n";
  }
  if (s.gpu) {
    if (!s.gpu->status.ok()) o << "gpu      " << s.gpu->status.message() << "\n";
    for (const probes::GpuDeviceSample& d : s.gpu->devices) {
      o << "gpu" << d.index << "     " << d.name.value_or("?");
      if (d.lost) {
        o << "  lost: " << d.lost_reason << "\n";
        continue;
      }
      o << "  util " << Or(d.utilization_gpu_percent) << "%  memory "
        << (d.memory_used_bytes ? Bytes(static_cast<double>(*d.memory_used_bytes)) : "-") << " / "
        << (d.memory_total_bytes ? Bytes(static_cast<double>(*d.memory_total_bytes)) : "-") << "  "
        << Or(d.temperature_celsius) << " C  " << Or(d.power_watts) << " W  SM "
        << Or(d.sm_clock_mhz) << " MHz";
      if (d.target_memory_used_bytes) {
        o << "  target " << Bytes(static_cast<double>(*d.target_memory_used_bytes));
      }
      o << "\n";
    }
  }
  return o.str();
}

}  // namespace

CLI::App* AddWatchCommand(CLI::App& app, WatchFlags& f) {
  CLI::App* cmd = app.add_subcommand(
      "watch",
      "Resources of the host, a model-server process or cgroup, and the GPUs: a live view, or "
      "JSON lines (see docs/cli.md).");
  cmd->add_option("--pid", f.pid, "Watch the process with this pid")->check(CLI::PositiveNumber);
  cmd->add_option("--pidfile", f.pidfile,
                  "Watch the process whose pid is in this file (read again after a restart)");
  cmd->add_option("--match", f.match,
                  "Watch the oldest process whose command line matches this regex (ECMAScript); "
                  "followed across restarts");
  cmd->add_option("--exe", f.exe, "Watch the oldest process with this executable name");
  cmd->add_option("--cgroup", f.cgroup,
                  "Watch a cgroup v2 group: a path in the hierarchy (/system.slice/x.service) or "
                  "a directory under /sys/fs/cgroup");
  cmd->add_flag("--host", f.host, "Watch the host only");
  cmd->add_option("--interval", f.interval, "Sampling interval: 500ms, 1s, 1m (default 1s)");
  cmd->add_flag("--gpu", f.gpu, "Also read every NVIDIA GPU through NVML (loaded at run time)");
  cmd->add_option("--format", f.format,
                  "table (a live view; the default on a terminal) or jsonl (one JSON object per "
                  "sample; the default otherwise)")
      ->check(CLI::IsMember({"table", "jsonl"}));
  cmd->add_option("--count", f.count, "Stop after this many samples (default: until Ctrl-C)");
  cmd->add_option("--nvml-library", f.nvml_library, "NVML library to load (tests)")
      ->group("");  // hidden
  cmd->footer(
      "The host is always sampled. The first sample is printed one interval after start, when "
      "every rate has two readings.");
  return cmd;
}

int RunWatchCommand(const WatchFlags& f, std::ostream& out, std::ostream& err,
                    bool out_is_terminal) {
  Result<int64_t> interval_us = ParseInterval(f.interval);
  if (!interval_us.ok()) {
    err << "modelwatch watch: " << interval_us.status().message() << "\n";
    return kExitUsage;
  }
  Result<std::optional<probes::TargetSpec>> target = TargetOf(f);
  if (!target.ok()) {
    err << "modelwatch watch: " << target.status().message() << "\n";
    return kExitUsage;
  }
  const bool table = f.format.empty() ? out_is_terminal : f.format == "table";
  env::Env& env = env::Env::Default();
  probes::ResourceSamplerOptions options;
  options.target = *target;
  options.gpu = f.gpu;
  options.gpu_options.library = f.nvml_library;
  probes::ResourceSampler sampler(env, std::move(options));
  sampler.Sample();  // primes every rate
  int64_t next = env.NowMonotonicMicros() + *interval_us;
  for (uint64_t emitted = 0; f.count == 0 || emitted < f.count; ++emitted) {
    const int64_t wait = next - env.NowMonotonicMicros();
    if (wait > 0) env.SleepForMicros(wait);
    next += *interval_us;
    const probes::ResourceSample sample = sampler.Sample();
    if (table) {
      out << "\x1b[H\x1b[2J" << Table(sample, *interval_us) << std::flush;
    } else {
      out << probes::ResourceSampleJson(sample) << "\n" << std::flush;
    }
    if (!out) return kExitFailureFound;  // stdout closed (e.g. `| head`)
  }
  return kExitOk;
}

}  // namespace modelwatch::cli
