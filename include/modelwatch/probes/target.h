// Targets: the model server a user names (DESIGN.md §5, `modelwatch watch --pid/--match/
// --cgroup`, the daemon's configured targets), resolved to a process and followed across
// restarts.
//
//   Result<probes::TargetSpec> spec = probes::TargetSpec::CommandLine("serve\\.py --port 8080");
//   probes::TargetSampler target(env::Env::Default(), *spec);
//   Result<probes::TargetSample> s = target.Sample();   // process + its cgroup, restarts
//
// Ways to name a target and how each resolves (ResolveTarget):
//   pid N        the process with that pid.
//   pidfile F    the pid written in file F (first line, surrounding whitespace ignored), read
//                again at every resolution, as a service manager rewrites it on restart.
//   match REGEX  processes whose command line (/proc/PID/cmdline, the NUL separators as spaces)
//                contains a match of the ECMAScript REGEX (std::regex_search, not anchored:
//                anchor it with ^ for a prefix).
//   exe NAME     processes whose executable's file name (basename of /proc/PID/exe) or argv[0]'s
//                basename is NAME ("python3" matches argv[0] "python3" although the executable
//                is /usr/bin/python3.11).
//   cgroup PATH  a cgroup v2 group (no process): see cgroup_sampler.h.
// Never matched: modelwatch's own process (its command line contains the REGEX), kernel threads
// (empty command line) and zombies.
// Several matches: the OLDEST process (earliest start time, then lowest pid) is followed, and
// TargetSample::matches says how many matched. Why the oldest: a pre-fork server (gunicorn,
// uvicorn --workers, torchserve) starts its master first, the master lives as long as the
// service and its workers come and go; following "all" would make CPU % and RSS a sum over a
// changing set. To account for a whole multi-process server, name its cgroup instead. A shell
// wrapper (`sh -c "python serve.py"`) is older than its child and also matches: anchor the regex
// (^python) or use exe.
//
// Following: a process target is re-resolved whenever its process is gone (exited, or its pid
// now belongs to a process with another start time, as when a restarted container server gets
// the same pid again). A resolution that finds a different process (pid or start time) than the
// previous one counts one restart; a target that is down for several samples and comes back
// counts one. While no process matches, Sample() is kNotFound (the target is down).
// Thread safety: TargetSpec is a value type; TargetSampler is not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>

#include "modelwatch/core/status.h"
#include "modelwatch/env/env.h"
#include "modelwatch/probes/cgroup_sampler.h"
#include "modelwatch/probes/process_sampler.h"

namespace modelwatch::probes {

class TargetSpec {
 public:
  enum class Kind { kPid, kPidFile, kCommandLine, kExecutable, kCgroup };

  // kInvalidArgument when pid <= 0.
  static Result<TargetSpec> Pid(int64_t pid);
  static Result<TargetSpec> PidFile(std::string path);
  // kInvalidArgument with std::regex's reason when `regex` does not compile, or is empty.
  static Result<TargetSpec> CommandLine(std::string regex);
  static Result<TargetSpec> Executable(std::string name);
  static Result<TargetSpec> Cgroup(std::string path);

  Kind kind() const { return kind_; }
  int64_t pid() const { return pid_; }                 // kPid
  const std::string& value() const { return value_; }  // path, regex or name
  bool is_process() const { return kind_ != Kind::kCgroup; }
  // "pid 1234", "pidfile /run/x.pid", "match 'serve\.py'", "exe python3", "cgroup /x.service".
  std::string ToString() const;
  // Whether a process with command line `cmdline` (the NULs already spaces), first argument
  // `argv0` and executable basename `exe` (empty when unreadable) matches a kCommandLine or
  // kExecutable spec; false for the other kinds.
  bool Matches(std::string_view cmdline, std::string_view argv0, std::string_view exe) const;

 private:
  TargetSpec(Kind kind, int64_t pid, std::string value)
      : kind_(kind), pid_(pid), value_(std::move(value)) {}

  Kind kind_;
  int64_t pid_ = 0;
  std::string value_;
  std::shared_ptr<const std::regex> regex_;  // kCommandLine
};

// One process found for a target.
struct ResolvedProcess {
  int64_t pid = 0;
  uint64_t start_ticks = 0;  // /proc/PID/stat starttime: with pid, the process's identity
  int matches = 1;           // processes that matched (the oldest is `pid`)

  friend bool operator==(const ResolvedProcess& a, const ResolvedProcess& b) {
    return a.pid == b.pid && a.start_ticks == b.start_ticks;
  }
};

// The process a process target names now. kNotFound when none matches (or the pidfile is
// missing); kInvalidArgument when the pidfile does not hold a positive integer;
// kInvalidArgument for a kCgroup spec.
Result<ResolvedProcess> ResolveTarget(env::Env& env, const TargetSpec& spec);

struct TargetSample {
  std::string target;                    // TargetSpec::ToString()
  std::optional<ProcessSample> process;  // process targets
  // The cgroup target's group, or the v2 group of a process target's process.
  std::optional<CgroupSample> cgroup;
  // Why `cgroup` is absent for a process target (OK when present): kFailedPrecondition
  // "unsupported: cgroup v1 ..." on a v1/hybrid host, or the error reading it.
  Status cgroup_status;
  int restarts = 0;  // process targets: times a different process was found (see above)
  int matches = 0;   // process targets: processes that matched at the last resolution
};

class TargetSampler {
 public:
  TargetSampler(env::Env& env, TargetSpec spec) : env_(&env), spec_(std::move(spec)) {}

  // A process target: kNotFound while no process matches. A cgroup target: the cgroup
  // sampler's errors (kFailedPrecondition "unsupported: cgroup v1" on a v1 host).
  Result<TargetSample> Sample();

  const TargetSpec& spec() const { return spec_; }
  int restarts() const { return restarts_; }

 private:
  Result<TargetSample> SampleProcess();
  Result<TargetSample> SampleCgroup();
  // Samples the v2 group of `pid` into `sample`, reusing the sampler while the path stays.
  void SampleProcessCgroup(int64_t pid, TargetSample* sample);

  env::Env* env_;  // not owned
  TargetSpec spec_;
  std::optional<ProcessSampler> process_;
  std::optional<ResolvedProcess> last_;  // identity of the last process followed
  int restarts_ = 0;
  int matches_ = 0;
  std::optional<CgroupSampler> cgroup_;
};

}  // namespace modelwatch::probes
