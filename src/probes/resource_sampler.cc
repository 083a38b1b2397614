#include "modelwatch/probes/resource_sampler.h"

#include <utility>
#include <vector>

namespace modelwatch::probes {

ResourceSampler::ResourceSampler(env::Env& env, ResourceSamplerOptions options)
    : env_(env), options_(std::move(options)) {
  if (options_.host) host_.emplace(env_);
  if (options_.target) target_.emplace(env_, *options_.target);
  if (options_.gpu) gpu_ = GpuProbe::Open(env_, options_.gpu_options);
}

ResourceSample ResourceSampler::Sample() {
  ResourceSample out;
  out.unix_micros = env_.NowUnixMicros();
  const int64_t started = env_.NowMonotonicMicros();
  if (host_) {
    Result<HostSample> host = host_->Sample();
    if (host.ok()) {
      out.host = std::move(*host);
    } else {
      out.host_status = host.status();
    }
  }
  std::vector<int> target_pids;
  if (target_) {
    out.target_name = target_->spec().ToString();
    Result<TargetSample> target = target_->Sample();
    if (target.ok()) {
      if (target->process) target_pids.push_back(static_cast<int>(target->process->pid));
      out.target = std::move(*target);
    } else {
      out.target_status = target.status();
    }
    out.target_restarts = target_->restarts();
  }
  if (gpu_) out.gpu = gpu_->Sample(target_pids);
  out.round_micros = env_.NowMonotonicMicros() - started;
  return out;
}

}  // namespace modelwatch::probes
