// ResourceMonitor: the daemon's resource sampling (config `resources:`, docs/config.md). Every
// `interval` one round samples the host, each configured target (a model server, followed
// across restarts as probes/target.h describes) and, when NVML is there, every GPU; keeps the
// round for /metrics and /v1/targets; and records it in the store as one JSON object per target
// and one for the host (target "host"), the time series of GET /v1/targets/{t}/resources.
//
//   server::ResourceMonitor resources(env::Env::Default(), config.resources, store, log);
//   resources.Start();                          // the sampling thread
//   server::ResourceSnapshot s = resources.Snapshot();
//
// A round never fails as a whole: a target that is down is reported as down (its status says
// why), a host without NVML has no GPU readings, and a store write that fails is logged and
// counted (the next round is written anyway; the in-memory snapshot is always the latest).
// Rates (CPU %, throughput) need two readings: they are absent in the first round.
//
// Thread safety: Snapshot() and Targets() may be called from any thread while the sampling
// thread runs; SampleOnce() must not run concurrently with itself (tests call it instead of
// Start()). Ownership: the Env and the Store must outlive the monitor.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "modelwatch/core/status.h"
#include "modelwatch/env/env.h"
#include "modelwatch/probes/gpu_probe.h"
#include "modelwatch/probes/host_sampler.h"
#include "modelwatch/probes/target.h"
#include "modelwatch/server/config.h"
#include "modelwatch/store/store.h"

namespace modelwatch::server {

// The latest reading of one configured target.
struct TargetReading {
  std::string name;  // the config's name
  std::string spec;  // TargetSpec::ToString(): "match 'tritonserver'"
  bool is_process = true;
  std::optional<probes::TargetSample> sample;  // absent while the target is down
  Status status;                               // why it is down (OK when sampled)
  int restarts = 0;
  int64_t last_up_us = 0;  // the last round that found it; 0 = never
  // GPU memory used by the target's process on each device where it runs (NVML index, bytes).
  std::vector<std::pair<uint32_t, uint64_t>> gpu_memory_bytes;
};

// The latest round.
struct ResourceSnapshot {
  // When the latest round started, in whole milliseconds; 0 before the first round.
  int64_t unix_micros = 0;
  int64_t round_micros = 0;
  uint64_t rounds = 0;
  std::optional<probes::HostSample> host;  // absent when unreadable (host_status)
  Status host_status;
  std::optional<probes::GpuSample> gpu;  // absent with gpu: off
  std::vector<TargetReading> targets;    // in the config's order
  uint64_t store_failures = 0;           // rounds whose store write failed
};

class ResourceMonitor {
 public:
  // Opens NVML unless config.gpu is off (a missing library is not an error: see GpuProbe).
  // `log` receives one line per problem worth an operator's attention (a store write that
  // failed, NVML missing with gpu: on).
  ResourceMonitor(env::Env& env, const ResourcesConfig& config, store::Store& store,
                  std::function<void(std::string_view)> log);
  ~ResourceMonitor();  // Stop()
  ResourceMonitor(const ResourceMonitor&) = delete;
  ResourceMonitor& operator=(const ResourceMonitor&) = delete;

  // Starts the sampling thread: a round now, then one every config.interval (steady clock).
  // Does nothing when config.enabled is false.
  void Start();
  // Stops and joins the sampling thread (a round in progress finishes). Idempotent.
  void Stop();

  // One round: sample, record in the store, publish as the snapshot.
  void SampleOnce();

  ResourceSnapshot Snapshot() const;
  const ResourcesConfig& config() const { return config_; }

 private:
  struct Target;
  void Loop();
  std::vector<store::ResourceSampleRecord> Records(const ResourceSnapshot& round) const;

  env::Env& env_;
  const ResourcesConfig config_;
  store::Store& store_;
  const std::function<void(std::string_view)> log_;
  probes::HostSampler host_;
  std::vector<std::unique_ptr<Target>> targets_;  // used by the sampling thread only
  std::unique_ptr<probes::GpuProbe> gpu_;

  mutable std::mutex mu_;
  ResourceSnapshot latest_;  // guarded by mu_
  bool stopping_ = false;    // guarded by mu_
  std::condition_variable wake_;
  std::thread thread_;
};

// The JSON object of GET /v1/targets: {"interval_seconds":..,"gpu_status":..,"targets":[{"name":
// "host","kind":"host",..},{"name":..,"spec":..,"status":"ok"|why,"pid":..,..}]} (docs/api.md).
std::string TargetsJson(const ResourceSnapshot& snapshot, const ResourcesConfig& config);

}  // namespace modelwatch::server
