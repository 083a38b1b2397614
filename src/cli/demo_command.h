// `modelwatch demo`: feeds a running `modelwatch serve` a realistic stream, so that a newcomer
// sees windows, quality metrics and drift within a minute. A simulated binary fraud classifier:
// its inputs drift gradually (amount grows, the country mix changes) and, since the model was
// fitted to the first distribution, its accuracy falls; labels arrive a few simulated minutes
// after their predictions; now and then a malformed batch is sent and its rejection printed.
// Simulated time runs `--speedup` times faster than real time from `--start` (so a 5-minute
// window closes every 5 real seconds at the default 60). Deterministic for a given --seed.
// Flags are a contract: docs/cli.md. Exit codes: 0 when --duration passed (or on SIGINT), 1
// when the daemon cannot be reached, 2 for bad flags.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <ostream>
#include <string>

namespace modelwatch::cli {

struct DemoFlags {
  std::string url = "http://127.0.0.1:8686";
  std::string model = "fraud";
  double rate = 200;      // predictions per real second
  double speedup = 60;    // simulated seconds per real second
  double duration = 0;    // real seconds; 0 = until interrupted
  std::string start;      // simulated start (RFC 3339); default: now minus one simulated hour
  std::string token;      // bearer token with the ingest scope
  uint64_t seed = 1;
};

CLI::App* AddDemoCommand(CLI::App& app, DemoFlags& flags);
int RunDemoCommand(const DemoFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace modelwatch::cli
