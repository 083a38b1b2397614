#include "modelwatch/server/resource_monitor.h"

#include <chrono>
#include <utility>

#include "modelwatch/core/timestamp.h"
#include "modelwatch/io/json_writer.h"
#include "modelwatch/probes/sample_json.h"

namespace modelwatch::server {

struct ResourceMonitor::Target {
  Target(env::Env& env, const ResourceTargetConfig& config)
      : name(config.name), sampler(env, config.spec) {}
  std::string name;
  probes::TargetSampler sampler;
  int64_t last_up_us = 0;
};

ResourceMonitor::ResourceMonitor(env::Env& env, const ResourcesConfig& config, store::Store& store,
                                 std::function<void(std::string_view)> log)
    : env_(env), config_(config), store_(store), log_(std::move(log)), host_(env) {
  for (const ResourceTargetConfig& t : config_.targets) {
    targets_.push_back(std::make_unique<Target>(env_, t));
  }
  if (config_.enabled && config_.gpu != GpuMode::kOff) {
    probes::GpuProbeOptions options;
    options.library = config_.nvml_library;
    gpu_ = probes::GpuProbe::Open(env_, options);
    if (config_.gpu == GpuMode::kOn && !gpu_->available() && log_) {
      log_("resources.gpu is on but NVML cannot be used: " + gpu_->status().message());
    }
  }
}

ResourceMonitor::~ResourceMonitor() { Stop(); }

void ResourceMonitor::Start() {
  if (!config_.enabled || thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void ResourceMonitor::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ResourceMonitor::Loop() {
  const auto interval =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(config_.interval);
  auto next = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    SampleOnce();
    lock.lock();
    // Fixed-rate: a slow round delays the next one, rounds are never bunched up to catch up.
    next = std::max(next + interval, std::chrono::steady_clock::now());
    wake_.wait_until(lock, next, [&] { return stopping_; });
  }
}

void ResourceMonitor::SampleOnce() {
  ResourceSnapshot round;
  // Whole milliseconds, as the samples' "ts" shows them: a "ts" given back as `from` finds its
  // sample.
  round.unix_micros = env_.NowUnixMicros() / 1000 * 1000;
  const int64_t started = env_.NowMonotonicMicros();
  Result<probes::HostSample> host = host_.Sample();
  if (host.ok()) {
    round.host = std::move(*host);
  } else {
    round.host_status = host.status();
  }
  std::vector<int> pids;
  for (const std::unique_ptr<Target>& t : targets_) {
    TargetReading& r = round.targets.emplace_back();
    r.name = t->name;
    r.spec = t->sampler.spec().ToString();
    r.is_process = t->sampler.spec().is_process();
    Result<probes::TargetSample> sample = t->sampler.Sample();
    if (sample.ok()) {
      t->last_up_us = round.unix_micros;
      if (sample->process) pids.push_back(static_cast<int>(sample->process->pid));
      r.sample = std::move(*sample);
    } else {
      r.status = sample.status();
    }
    r.restarts = t->sampler.restarts();
    r.last_up_us = t->last_up_us;
  }
  if (gpu_) {
    round.gpu = gpu_->Sample(pids);
    for (TargetReading& r : round.targets) {
      if (!r.sample || !r.sample->process) continue;
      for (const probes::GpuDeviceSample& d : round.gpu->devices) {
        for (const probes::GpuProcessMemory& p : d.target_processes) {
          if (p.pid == r.sample->process->pid && p.used_bytes) {
            r.gpu_memory_bytes.emplace_back(d.index, *p.used_bytes);
          }
        }
      }
    }
  }
  round.round_micros = env_.NowMonotonicMicros() - started;

  Status stored = store_.AppendResourceSamples(Records(round));
  std::lock_guard<std::mutex> lock(mu_);
  round.rounds = latest_.rounds + 1;
  round.store_failures = latest_.store_failures;
  if (!stored.ok()) {
    ++round.store_failures;
    if (log_) log_("resource samples not stored: " + stored.message());
  }
  latest_ = std::move(round);
}

std::vector<store::ResourceSampleRecord> ResourceMonitor::Records(
    const ResourceSnapshot& round) const {
  std::vector<store::ResourceSampleRecord> out;
  {
    probes::ResourceSample host;
    host.unix_micros = round.unix_micros;
    host.round_micros = round.round_micros;
    host.host = round.host;
    host.host_status = round.host_status;
    host.gpu = round.gpu;
    out.push_back({"host", round.unix_micros, probes::ResourceSampleJson(host)});
  }
  for (const TargetReading& r : round.targets) {
    probes::ResourceSample s;
    s.unix_micros = round.unix_micros;
    s.round_micros = round.round_micros;
    s.target_name = r.spec;
    s.target = r.sample;
    s.target_status = r.status;
    s.target_restarts = r.restarts;
    out.push_back({r.name, round.unix_micros, probes::ResourceSampleJson(s)});
  }
  return out;
}

ResourceSnapshot ResourceMonitor::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

std::string TargetsJson(const ResourceSnapshot& snapshot, const ResourcesConfig& config) {
  io::JsonWriter w;
  auto timestamp = [&](int64_t us) {
    if (us == 0) {
      w.Null();
    } else {
      w.String(FormatTimestamp(static_cast<double>(us) / 1e6));
    }
  };
  w.BeginObject();
  w.Key("enabled");
  w.Bool(config.enabled);
  w.Key("interval_seconds");
  w.Double(std::chrono::duration<double>(config.interval).count());
  w.Key("retention_seconds");
  w.Double(std::chrono::duration<double>(config.retention).count());
  w.Key("last_round");
  timestamp(snapshot.unix_micros);
  w.Key("gpu_status");
  if (!snapshot.gpu) {
    w.String(config.gpu == GpuMode::kOff ? "off" : "not sampled yet");
  } else if (snapshot.gpu->status.ok()) {
    w.String("ok");
  } else {
    w.String(snapshot.gpu->status.message());
  }
  w.Key("gpus");
  w.Uint(snapshot.gpu ? snapshot.gpu->devices.size() : 0);
  w.Key("targets");
  w.BeginArray();
  w.BeginObject();
  w.Key("name");
  w.String("host");
  w.Key("kind");
  w.String("host");
  w.Key("status");
  w.String(snapshot.unix_micros == 0   ? "not sampled yet"
           : snapshot.host_status.ok() ? "ok"
                                       : snapshot.host_status.message());
  w.EndObject();
  if (snapshot.rounds == 0) {
    for (const ResourceTargetConfig& t : config.targets) {
      w.BeginObject();
      w.Key("name");
      w.String(t.name);
      w.Key("kind");
      w.String(t.spec.is_process() ? "process" : "cgroup");
      w.Key("spec");
      w.String(t.spec.ToString());
      w.Key("status");
      w.String("not sampled yet");
      w.Key("up");
      w.Bool(false);
      w.EndObject();
    }
  }
  for (const TargetReading& r : snapshot.targets) {
    w.BeginObject();
    w.Key("name");
    w.String(r.name);
    w.Key("kind");
    w.String(r.is_process ? "process" : "cgroup");
    w.Key("spec");
    w.String(r.spec);
    w.Key("status");
    w.String(r.sample ? "ok" : r.status.message());
    w.Key("up");
    w.Bool(r.sample.has_value());
    w.Key("pid");
    if (r.sample && r.sample->process) {
      w.Int(r.sample->process->pid);
    } else {
      w.Null();
    }
    w.Key("cgroup");
    if (r.sample && r.sample->cgroup) {
      w.String(r.sample->cgroup->path);
    } else {
      w.Null();
    }
    w.Key("restarts");
    w.Int(r.restarts);
    w.Key("last_up");
    timestamp(r.last_up_us);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.str();
}

}  // namespace modelwatch::server
