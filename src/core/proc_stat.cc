#include "modelwatch/core/proc_stat.h"

#include <string>

#include "internal/proc_text.h"

namespace modelwatch {
namespace {

using internal::ContentError;
using internal::ParseU64;
using internal::Quote;

Status ParseCpuLine(const std::vector<std::string_view>& fields, std::string_view source, int line,
                    CpuTimes* times) {
  // fields[0] is the "cpu"/"cpuN" label; at least user nice system idle follow.
  if (fields.size() < 5) {
    return ContentError(source, line,
                        std::string(fields[0]) + ": expected at least 4 values, got " +
                            std::to_string(fields.size() - 1));
  }
  uint64_t* const columns[] = {&times->user,   &times->nice,      &times->system,  &times->idle,
                               &times->iowait, &times->irq,       &times->softirq, &times->steal,
                               &times->guest,  &times->guest_nice};
  constexpr size_t kColumns = sizeof(columns) / sizeof(columns[0]);
  for (size_t i = 1; i < fields.size() && i <= kColumns; ++i) {
    if (!ParseU64(fields[i], columns[i - 1])) {
      return ContentError(source, line,
                          std::string(fields[0]) + " value " + std::to_string(i) + " " +
                              Quote(fields[i]) + " is not an unsigned integer");
    }
  }
  return Status::Ok();
}

}  // namespace

uint64_t CpuTimes::Total() const {
  return user + nice + system + idle + iowait + irq + softirq + steal;
}

Result<ProcStat> ParseProcStat(std::string_view text, std::string_view source) {
  ProcStat stat;
  bool seen_total = false, seen_btime = false, seen_ctxt = false, seen_processes = false,
       seen_running = false, seen_blocked = false;
  internal::LineReader lines(text);
  std::string_view line;
  while (lines.Next(&line)) {
    const size_t label_end = line.find(' ');
    const std::string_view label = line.substr(0, label_end);
    if (label.starts_with("cpu")) {
      const std::vector<std::string_view> fields = internal::SplitFields(line);
      if (label == "cpu") {
        if (seen_total) return ContentError(source, lines.line_number(), "repeated 'cpu' line");
        seen_total = true;
        MW_RETURN_IF_ERROR(ParseCpuLine(fields, source, lines.line_number(), &stat.total));
        continue;
      }
      uint64_t index = 0;
      if (!ParseU64(label.substr(3), &index) || index > 1u << 20) {
        return ContentError(source, lines.line_number(), "bad CPU label " + Quote(label));
      }
      for (const CoreTimes& core : stat.cores) {
        if (core.cpu == static_cast<int>(index)) {
          return ContentError(source, lines.line_number(), "repeated line " + Quote(label));
        }
      }
      CoreTimes core;
      core.cpu = static_cast<int>(index);
      MW_RETURN_IF_ERROR(ParseCpuLine(fields, source, lines.line_number(), &core.times));
      stat.cores.push_back(core);
      continue;
    }
    struct Counter {
      std::string_view name;
      uint64_t* value;
      bool* seen;
    };
    const Counter counters[] = {{"btime", &stat.boot_time_seconds, &seen_btime},
                                {"ctxt", &stat.context_switches, &seen_ctxt},
                                {"processes", &stat.processes_created, &seen_processes},
                                {"procs_running", &stat.procs_running, &seen_running},
                                {"procs_blocked", &stat.procs_blocked, &seen_blocked}};
    for (const Counter& counter : counters) {
      if (label != counter.name) continue;
      const std::vector<std::string_view> fields = internal::SplitFields(line);
      if (*counter.seen) {
        return ContentError(source, lines.line_number(), "repeated line " + Quote(label));
      }
      if (fields.size() != 2 || !ParseU64(fields[1], counter.value)) {
        return ContentError(
            source, lines.line_number(),
            std::string(label) + ": expected one unsigned integer, got " + Quote(line));
      }
      *counter.seen = true;
    }
  }
  if (!seen_total) return ContentError(source, 0, "no aggregate 'cpu' line");
  if (!seen_btime) return ContentError(source, 0, "no 'btime' line");
  if (!seen_ctxt || !seen_processes || !seen_running || !seen_blocked) {
    return ContentError(source, 0,
                        "missing one of the 'ctxt', 'processes', 'procs_running', "
                        "'procs_blocked' lines");
  }
  return stat;
}

}  // namespace modelwatch
