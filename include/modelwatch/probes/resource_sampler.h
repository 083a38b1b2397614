// ResourceSampler: one sampling round of what `modelwatch watch` and the daemon's targets
// observe: the host, optionally one target (a process or a cgroup, followed across restarts)
// and optionally every GPU (NVML), taken together so that their readings share one timestamp.
//
//   probes::ResourceSampler sampler(env::Env::Default(), options);
//   sampler.Sample();                 // the first round primes the rates
//   env.SleepForMicros(interval);
//   probes::ResourceSample s = sampler.Sample();   // rates present
//
// A round never fails as a whole: each part carries its own outcome (a target that is down, a
// host without NVML), so that one missing source does not hide the others.
// Thread safety: not thread-safe (one sampler per sampling thread). The Env must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "modelwatch/core/status.h"
#include "modelwatch/env/env.h"
#include "modelwatch/probes/gpu_probe.h"
#include "modelwatch/probes/host_sampler.h"
#include "modelwatch/probes/target.h"

namespace modelwatch::probes {

struct ResourceSamplerOptions {
  bool host = true;
  std::optional<TargetSpec> target;  // none: host (and GPUs) only
  bool gpu = false;                  // open NVML and read every device
  GpuProbeOptions gpu_options;
};

struct ResourceSample {
  int64_t unix_micros = 0;   // when the round started (Env::NowUnixMicros)
  int64_t round_micros = 0;  // how long the round took (monotonic)

  std::optional<HostSample> host;  // absent when not asked for or unreadable (host_status)
  Status host_status;

  std::string target_name;             // TargetSpec::ToString(); "" without a target
  std::optional<TargetSample> target;  // absent while the target is down (target_status)
  Status target_status;                // kNotFound ("match 'x': no process matches") while down
  int target_restarts = 0;             // counted across rounds, also while the target is down

  std::optional<GpuSample> gpu;  // absent unless options.gpu; its status says "no NVML"
};

class ResourceSampler {
 public:
  ResourceSampler(env::Env& env, ResourceSamplerOptions options);

  ResourceSample Sample();

  const ResourceSamplerOptions& options() const { return options_; }

 private:
  env::Env& env_;
  ResourceSamplerOptions options_;
  std::optional<HostSampler> host_;
  std::optional<TargetSampler> target_;
  std::unique_ptr<GpuProbe> gpu_;
};

}  // namespace modelwatch::probes
