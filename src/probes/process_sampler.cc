#include "modelwatch/probes/process_sampler.h"

#include <string>
#include <vector>

#include "internal/read_parsed.h"
#include "modelwatch/core/proc_pid_io.h"
#include "modelwatch/core/proc_pid_limits.h"
#include "modelwatch/core/proc_pid_stat.h"
#include "modelwatch/core/proc_pid_status.h"
#include "modelwatch/core/proc_stat.h"

namespace modelwatch::probes {
namespace {

using internal::CounterDelta;

// Per-second rate of a counter between two readings `seconds` apart.
std::optional<double> Rate(uint64_t before, uint64_t after, double seconds) {
  if (seconds <= 0) return std::nullopt;
  return static_cast<double>(CounterDelta(before, after)) / seconds;
}

// The entries of /proc/PID/fd, nullopt when unreadable (another user's process).
Result<std::optional<uint64_t>> CountOpenFds(env::Env& env, const std::string& dir) {
  Result<std::vector<std::string>> entries = env.ListDirectory(dir + "/fd");
  if (entries.ok()) return std::optional<uint64_t>(entries->size());
  if (entries.status().code() == StatusCode::kUnavailable) return std::optional<uint64_t>();
  return entries.status();
}

}  // namespace

Result<ProcessSample> ProcessSampler::Sample() {
  const std::string dir = "/proc/" + std::to_string(pid_);
  ProcessSample sample;
  sample.unix_micros = env_->NowUnixMicros();
  const int64_t now = env_->NowMonotonicMicros();

  MW_ASSIGN_OR_RETURN(const ProcPidStat stat,
                      internal::ReadParsed<ProcPidStat>(*env_, dir + "/stat", &ParseProcPidStat));
  if (start_ticks_ && *start_ticks_ != stat.starttime) {
    return NotFoundError("process " + std::to_string(pid_) +
                         " exited: the pid now belongs to a process started later");
  }
  MW_ASSIGN_OR_RETURN(const ProcPidStatus status, internal::ReadParsed<ProcPidStatus>(
                                                      *env_, dir + "/status", &ParseProcPidStatus));
  MW_ASSIGN_OR_RETURN(sample.open_fds, CountOpenFds(*env_, dir));
  MW_ASSIGN_OR_RETURN(
      const std::optional<ProcPidLimits> limits,
      internal::ReadParsedIfReadable<ProcPidLimits>(*env_, dir + "/limits", &ParseProcPidLimits));
  MW_ASSIGN_OR_RETURN(const std::optional<ProcPidIo> io, internal::ReadParsedIfReadable<ProcPidIo>(
                                                             *env_, dir + "/io", &ParseProcPidIo));
  if (!boot_time_seconds_) {
    MW_ASSIGN_OR_RETURN(const ProcStat host,
                        internal::ReadParsed<ProcStat>(*env_, "/proc/stat", &ParseProcStat));
    boot_time_seconds_ = host.boot_time_seconds;
  }

  const double ticks = static_cast<double>(env_->ClockTicksPerSecond());
  sample.pid = stat.pid;
  sample.ppid = stat.ppid;
  sample.name = stat.comm;
  sample.state = stat.state;
  sample.start_time_unix_seconds =
      static_cast<double>(*boot_time_seconds_) + static_cast<double>(stat.starttime) / ticks;
  sample.user_seconds = static_cast<double>(stat.utime) / ticks;
  sample.system_seconds = static_cast<double>(stat.stime) / ticks;
  // VmRSS/VmSize and stat's rss/vsize are the same kernel counters; kernel threads lack the
  // former (and have 0 in the latter).
  const uint64_t page = static_cast<uint64_t>(env_->PageSizeBytes());
  sample.rss_bytes =
      status.vm_rss_bytes.value_or(stat.rss > 0 ? static_cast<uint64_t>(stat.rss) * page : 0);
  sample.vms_bytes = status.vm_size_bytes.value_or(stat.vsize);
  sample.threads = status.threads;
  sample.minor_faults = stat.minflt;
  sample.major_faults = stat.majflt;
  sample.voluntary_ctx_switches = status.voluntary_ctxt_switches;
  sample.involuntary_ctx_switches = status.nonvoluntary_ctxt_switches;
  if (limits) {
    if (const ProcessLimit* nofile = limits->Find("Max open files")) {
      sample.max_open_files = nofile->soft;
    }
  }

  Reading reading;
  reading.monotonic_micros = now;
  reading.cpu_ticks = stat.utime + stat.stime;
  reading.ctx_switches = status.voluntary_ctxt_switches + status.nonvoluntary_ctxt_switches;
  if (io) {
    reading.read_bytes = io->read_bytes;
    reading.write_bytes = io->write_bytes;
    sample.io = ProcessIo{io->read_bytes, io->write_bytes, io->rchar, io->wchar, {}, {}};
  }
  if (previous_) {
    const double seconds = static_cast<double>(now - previous_->monotonic_micros) / 1e6;
    if (seconds > 0) {
      sample.cpu_percent =
          100.0 * static_cast<double>(CounterDelta(previous_->cpu_ticks, reading.cpu_ticks)) /
          ticks / seconds;
      sample.ctx_switches_per_second = Rate(previous_->ctx_switches, reading.ctx_switches, seconds);
      if (sample.io && previous_->read_bytes) {
        sample.io->read_bytes_per_second =
            Rate(*previous_->read_bytes, *reading.read_bytes, seconds);
        sample.io->write_bytes_per_second =
            Rate(*previous_->write_bytes, *reading.write_bytes, seconds);
      }
    }
  }
  start_ticks_ = stat.starttime;
  previous_ = reading;
  return sample;
}

}  // namespace modelwatch::probes
