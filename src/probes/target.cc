#include "modelwatch/probes/target.h"

#include <algorithm>
#include <string>
#include <vector>

#include "internal/read_parsed.h"
#include "modelwatch/core/proc_pid_stat.h"

namespace modelwatch::probes {
namespace {

// Command lines longer than this are not matched (the kernel's own limit is far larger, but a
// model server's is not).
constexpr size_t kMaxCommandLineBytes = 1 << 20;

std::string_view Basename(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool ParsePid(std::string_view text, int64_t* pid) {
  if (text.empty() || text.size() > 18) return false;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *pid = value;
  return value > 0;
}

std::string_view TrimWhitespace(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

// The process `pid` as a target candidate; kNotFound when it is gone or a zombie.
Result<ResolvedProcess> Identify(env::Env& env, int64_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  Result<ProcPidStat> stat = internal::ReadParsed<ProcPidStat>(env, path, &ParseProcPidStat);
  if (!stat.ok()) {
    if (stat.status().code() == StatusCode::kNotFound) {
      return NotFoundError("process " + std::to_string(pid) + " does not exist");
    }
    return stat.status();
  }
  if (stat->state == 'Z' || stat->state == 'X') {
    return NotFoundError("process " + std::to_string(pid) + " has exited (zombie)");
  }
  return ResolvedProcess{pid, stat->starttime, 1};
}

Result<ResolvedProcess> ResolveByScan(env::Env& env, const TargetSpec& spec) {
  int64_t self = 0;
  if (Result<std::string> link = env.ReadLink("/proc/self"); link.ok()) {
    ParsePid(*link, &self);
  }
  MW_ASSIGN_OR_RETURN(const std::vector<std::string> entries, env.ListDirectory("/proc"));
  std::optional<ResolvedProcess> oldest;
  int matches = 0;
  for (const std::string& entry : entries) {
    int64_t pid = 0;
    if (!ParsePid(entry, &pid) || pid == self) continue;
    const std::string dir = "/proc/" + entry;
    Result<std::string> raw = env.ReadFile(dir + "/cmdline", kMaxCommandLineBytes);
    if (!raw.ok() || raw->empty()) continue;  // gone, unreadable, too long, or a kernel thread
    std::string cmdline = std::move(*raw);
    while (!cmdline.empty() && cmdline.back() == '\0') cmdline.pop_back();
    const std::string argv0 = cmdline.substr(0, cmdline.find('\0'));
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    std::string exe;
    if (spec.kind() == TargetSpec::Kind::kExecutable) {
      if (Result<std::string> link = env.ReadLink(dir + "/exe"); link.ok()) {
        // A replaced binary reads "/usr/bin/x (deleted)".
        std::string_view target = *link;
        if (target.ends_with(" (deleted)")) target.remove_suffix(10);
        exe = std::string(Basename(target));
      }
    }
    if (!spec.Matches(cmdline, Basename(argv0), exe)) continue;
    Result<ResolvedProcess> candidate = Identify(env, pid);
    if (!candidate.ok()) continue;  // exited meanwhile, or a zombie
    ++matches;
    if (!oldest || candidate->start_ticks < oldest->start_ticks ||
        (candidate->start_ticks == oldest->start_ticks && candidate->pid < oldest->pid)) {
      oldest = *candidate;
    }
  }
  if (!oldest) return NotFoundError(spec.ToString() + ": no process matches");
  oldest->matches = matches;
  return *oldest;
}

}  // namespace

Result<TargetSpec> TargetSpec::Pid(int64_t pid) {
  if (pid <= 0) return InvalidArgumentError("pid " + std::to_string(pid) + " is not positive");
  return TargetSpec(Kind::kPid, pid, "");
}

Result<TargetSpec> TargetSpec::PidFile(std::string path) {
  if (path.empty()) return InvalidArgumentError("empty pidfile path");
  return TargetSpec(Kind::kPidFile, 0, std::move(path));
}

Result<TargetSpec> TargetSpec::CommandLine(std::string regex) {
  if (regex.empty()) return InvalidArgumentError("empty command-line regex");
  TargetSpec spec(Kind::kCommandLine, 0, regex);
  try {
    spec.regex_ = std::make_shared<const std::regex>(regex, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return InvalidArgumentError("command-line regex '" + regex + "': " + e.what());
  }
  return spec;
}

Result<TargetSpec> TargetSpec::Executable(std::string name) {
  if (name.empty() || name.find('/') != std::string::npos) {
    return InvalidArgumentError("executable name '" + name +
                                "' must be a file name (no '/'), not empty");
  }
  return TargetSpec(Kind::kExecutable, 0, std::move(name));
}

Result<TargetSpec> TargetSpec::Cgroup(std::string path) {
  if (path.empty()) return InvalidArgumentError("empty cgroup path");
  return TargetSpec(Kind::kCgroup, 0, std::move(path));
}

std::string TargetSpec::ToString() const {
  switch (kind_) {
    case Kind::kPid:
      return "pid " + std::to_string(pid_);
    case Kind::kPidFile:
      return "pidfile " + value_;
    case Kind::kCommandLine:
      return "match '" + value_ + "'";
    case Kind::kExecutable:
      return "exe " + value_;
    case Kind::kCgroup:
      return "cgroup " + value_;
  }
  return "?";
}

bool TargetSpec::Matches(std::string_view cmdline, std::string_view argv0,
                         std::string_view exe) const {
  switch (kind_) {
    case Kind::kCommandLine:
      try {
        return std::regex_search(cmdline.begin(), cmdline.end(), *regex_);
      } catch (const std::regex_error&) {
        return false;  // too complex for this command line (error_complexity, error_stack)
      }
    case Kind::kExecutable:
      return exe == value_ || argv0 == value_;
    default:
      return false;
  }
}

Result<ResolvedProcess> ResolveTarget(env::Env& env, const TargetSpec& spec) {
  switch (spec.kind()) {
    case TargetSpec::Kind::kPid:
      return Identify(env, spec.pid());
    case TargetSpec::Kind::kPidFile: {
      MW_ASSIGN_OR_RETURN(const std::string text, env.ReadFile(spec.value(), 4096));
      std::string_view first = TrimWhitespace(text);
      first = TrimWhitespace(first.substr(0, first.find('\n')));
      int64_t pid = 0;
      if (!ParsePid(first, &pid)) {
        return InvalidArgumentError("pidfile " + spec.value() +
                                    ": the first line is not a positive pid");
      }
      return Identify(env, pid);
    }
    case TargetSpec::Kind::kCommandLine:
    case TargetSpec::Kind::kExecutable:
      return ResolveByScan(env, spec);
    case TargetSpec::Kind::kCgroup:
      break;
  }
  return InvalidArgumentError(spec.ToString() + " is not a process target");
}

Result<TargetSample> TargetSampler::Sample() {
  return spec_.is_process() ? SampleProcess() : SampleCgroup();
}

Result<TargetSample> TargetSampler::SampleCgroup() {
  if (!cgroup_) {
    MW_ASSIGN_OR_RETURN(CgroupSampler sampler, CgroupSampler::Open(*env_, spec_.value()));
    cgroup_.emplace(std::move(sampler));
  }
  TargetSample sample;
  sample.target = spec_.ToString();
  MW_ASSIGN_OR_RETURN(sample.cgroup, cgroup_->Sample());
  return sample;
}

Result<TargetSample> TargetSampler::SampleProcess() {
  TargetSample sample;
  sample.target = spec_.ToString();
  if (process_) {
    Result<ProcessSample> s = process_->Sample();
    if (s.ok()) {
      sample.process = std::move(*s);
    } else if (s.status().code() == StatusCode::kNotFound) {
      process_.reset();  // exited or replaced: resolve again below
    } else {
      return s.status();
    }
  }
  if (!process_) {
    MW_ASSIGN_OR_RETURN(ResolvedProcess found, ResolveTarget(*env_, spec_));
    matches_ = found.matches;
    process_.emplace(*env_, found.pid);
    Result<ProcessSample> s = process_->Sample();
    if (!s.ok()) {
      process_.reset();
      return s.status();
    }
    found.start_ticks = process_->start_ticks().value_or(found.start_ticks);
    if (last_ && !(*last_ == found)) ++restarts_;
    last_ = found;
    sample.process = std::move(*s);
  }
  sample.restarts = restarts_;
  sample.matches = matches_;
  SampleProcessCgroup(sample.process->pid, &sample);
  return sample;
}

void TargetSampler::SampleProcessCgroup(int64_t pid, TargetSample* sample) {
  Result<std::string> path = CgroupSampler::PathOfProcess(*env_, pid);
  if (!path.ok()) {
    sample->cgroup_status = path.status();
    cgroup_.reset();
    return;
  }
  if (!cgroup_ || cgroup_->path() != *path) {
    Result<CgroupSampler> opened = CgroupSampler::Open(*env_, *path);
    if (!opened.ok()) {
      sample->cgroup_status = opened.status();
      cgroup_.reset();
      return;
    }
    cgroup_.emplace(std::move(*opened));
  }
  Result<CgroupSample> s = cgroup_->Sample();
  if (s.ok()) {
    sample->cgroup = std::move(*s);
  } else {
    sample->cgroup_status = s.status();
  }
}

}  // namespace modelwatch::probes
