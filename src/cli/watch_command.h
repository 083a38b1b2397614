// `modelwatch watch`: resources of the host, of one model-server process (or cgroup) and of the
// GPUs, sampled at an interval: a live, refreshing view on a terminal, else one JSON object per
// sample (docs/cli.md documents every field; probes/sample_json.h writes them).
// The first emitted sample comes one interval after start: rates (CPU %, I/O per second) need
// two readings, and a first line of zeros would be a lie.
// Flags are a contract: docs/cli.md. Exit codes: 0 after --count samples (or on SIGINT), 2 for
// bad flags (a target named twice or not at all, a bad regex, a bad interval).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <ostream>
#include <string>

namespace modelwatch::cli {

struct WatchFlags {
  int64_t pid = 0;
  std::string pidfile;
  std::string match;  // regex over the command line
  std::string exe;    // executable name
  std::string cgroup;
  bool host = false;  // host only
  std::string interval = "1s";
  bool gpu = false;
  std::string format;                              // "" = table on a terminal, else jsonl
  uint64_t count = 0;                              // 0 = until interrupted
  std::string nvml_library = "libnvidia-ml.so.1";  // hidden: tests point it at a fake NVML
};

CLI::App* AddWatchCommand(CLI::App& app, WatchFlags& flags);
// `out_is_terminal` selects the default format (table on a terminal).
int RunWatchCommand(const WatchFlags& flags, std::ostream& out, std::ostream& err,
                    bool out_is_terminal);

}  // namespace modelwatch::cli
