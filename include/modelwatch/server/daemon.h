// The daemon behind `modelwatch serve`: store + monitor + HTTP API, wired from a Config.
//
// Start() opens (or creates) the store, restores the counters and the open windows of the
// previous run (Monitor::Recover), starts the HTTP server and a background thread that every
// evaluate_interval evaluates touched windows (closing them as the watermark passes), keeps the
// latest closed window of each (model, version, width) for /metrics, persists the counters and,
// every retention_interval, applies the retention of config.storage.retention and
// config.resources.retention. A ResourceMonitor thread samples the host and the configured
// targets every config.resources.interval (resource_monitor.h).
// Stop() is the clean shutdown of SIGTERM/SIGINT: the listener closes, requests in flight finish
// (their batches are committed), a last evaluation and counter flush run, and the store is
// closed.
// Thread safety: Start/Stop from one thread; the daemon's own threads are internal.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "modelwatch/core/status.h"
#include "modelwatch/env/env.h"
#include "modelwatch/server/config.h"

namespace modelwatch::server {

struct DaemonOptions {
  std::chrono::milliseconds evaluate_interval{1000};
  std::chrono::milliseconds retention_interval{60000};
  std::function<int64_t()> now_us;  // empty: the system clock
  std::function<void(std::string_view)> log;  // empty: stderr
  env::Env* env = nullptr;  // resource probes' Env (not owned); null: env::Env::Default()
};

class Daemon {
 public:
  // Errors: the store's (kUnavailable, kDataLoss, kFailedPrecondition) and the HTTP server's
  // (kUnavailable when the address cannot be bound).
  static Result<std::unique_ptr<Daemon>> Start(Config config, DaemonOptions options = {});
  ~Daemon();  // Stop()
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  uint16_t port() const;
  void Stop();

 private:
  struct State;
  explicit Daemon(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace modelwatch::server
