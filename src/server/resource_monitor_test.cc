// ResourceMonitor over the fixture trees (tests/fixtures/proc/README.md) and the fake NVML, with a
// real in-memory SQLite store: what a round samples, what it stores, and what /metrics and
// /v1/targets show of it.
#include "modelwatch/server/resource_monitor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "../probes/internal/probe_test_util.h"
#include "modelwatch/core/timestamp.h"
#include "modelwatch/env/fake_env.h"
#include "modelwatch/server/metrics_exposition.h"
#include "modelwatch/server/resource_exposition.h"

namespace modelwatch::server {
namespace {

using probes::testing::Fixture;
using probes::testing::kH100GroupPath;
using probes::testing::kH100Pid;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr uint64_t kMiB = uint64_t{1} << 20;

probes::TargetSpec Spec(Result<probes::TargetSpec> spec) {
  EXPECT_TRUE(spec.ok()) << spec.status().ToString();
  return *spec;
}

std::unique_ptr<store::Store> MemoryStore() {
  store::SqliteOptions options;
  options.path = ":memory:";
  Result<std::unique_ptr<store::Store>> s = store::OpenSqliteStore(options);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(*s);
}

// The capture process (pid 1756) of the limits tree, its cgroup by path, and a pid that does not
// exist; GPU off.
ResourcesConfig ThreeTargets() {
  ResourcesConfig c;
  c.gpu = GpuMode::kOff;
  c.targets.push_back({"scorer", Spec(probes::TargetSpec::Pid(kH100Pid))});
  c.targets.push_back({"gone", Spec(probes::TargetSpec::Pid(999999))});
  c.targets.push_back({"group", Spec(probes::TargetSpec::Cgroup(kH100GroupPath))});
  return c;
}

// Two rounds one second apart over readings 1 and 2 of the limits tree.
class ResourceMonitorTest : public ::testing::Test {
 protected:
  void TwoRounds(ResourceMonitor& monitor) {
    env_.Mount("/", Fixture("cgroup-v2-limits/1"));
    monitor.SampleOnce();
    env_.AdvanceMicros(1'000'000);
    env_.Mount("/", Fixture("cgroup-v2-limits/2"));
    monitor.SampleOnce();
  }

  env::FakeEnv env_;
  std::unique_ptr<store::Store> store_ = MemoryStore();
};

TEST_F(ResourceMonitorTest, SamplesHostTargetsAndCgroups) {
  ResourceMonitor monitor(env_, ThreeTargets(), *store_, nullptr);
  EXPECT_EQ(monitor.Snapshot().rounds, 0u);
  TwoRounds(monitor);
  const ResourceSnapshot s = monitor.Snapshot();
  EXPECT_EQ(s.rounds, 2u);
  EXPECT_EQ(s.unix_micros, env::FakeEnv::kStartUnixMicros + 1'000'000);
  ASSERT_TRUE(s.host.has_value()) << s.host_status.ToString();
  EXPECT_EQ(s.host->memory.total_bytes, uint64_t{131981020} * 1024);
  EXPECT_TRUE(s.host->cpu.has_value());  // a rate: the second round has one
  EXPECT_FALSE(s.gpu.has_value());
  ASSERT_EQ(s.targets.size(), 3u);

  const TargetReading& scorer = s.targets[0];
  EXPECT_EQ(scorer.name, "scorer");
  EXPECT_EQ(scorer.spec, "pid 1756");
  ASSERT_TRUE(scorer.sample && scorer.sample->process) << scorer.status.ToString();
  EXPECT_EQ(scorer.sample->process->pid, kH100Pid);
  EXPECT_TRUE(scorer.sample->process->cpu_percent.has_value());
  ASSERT_TRUE(scorer.sample->cgroup.has_value()) << scorer.sample->cgroup_status.ToString();
  EXPECT_EQ(scorer.sample->cgroup->path, kH100GroupPath);
  EXPECT_EQ(scorer.last_up_us, s.unix_micros);

  const TargetReading& gone = s.targets[1];
  EXPECT_FALSE(gone.sample.has_value());
  EXPECT_EQ(gone.status.code(), StatusCode::kNotFound);
  EXPECT_EQ(gone.last_up_us, 0);

  const TargetReading& group = s.targets[2];
  EXPECT_FALSE(group.is_process);
  ASSERT_TRUE(group.sample && group.sample->cgroup) << group.status.ToString();
  ASSERT_TRUE(group.sample->cgroup->memory.has_value());
  EXPECT_EQ(group.sample->cgroup->memory->max_bytes, 512 * kMiB);
  EXPECT_EQ(group.sample->cgroup->memory->events.oom_kill, 2u);
}

TEST_F(ResourceMonitorTest, StoresOneJsonObjectPerTargetAndRound) {
  ResourceMonitor monitor(env_, ThreeTargets(), *store_, nullptr);
  TwoRounds(monitor);
  for (const char* target : {"host", "scorer", "gone", "group"}) {
    store::ResourceSampleQuery q;
    q.target = target;
    Result<std::vector<store::ResourceSampleRecord>> rows = store_->ResourceSamples(q);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    ASSERT_EQ(rows->size(), 2u) << target;
    EXPECT_EQ((*rows)[0].ts_us, env::FakeEnv::kStartUnixMicros);
    EXPECT_EQ((*rows)[1].ts_us, env::FakeEnv::kStartUnixMicros + 1'000'000);
    for (const store::ResourceSampleRecord& r : *rows) {
      simdjson::dom::parser parser;
      simdjson::dom::element doc;
      ASSERT_EQ(parser.parse(r.json).get(doc), simdjson::SUCCESS) << r.json;
      EXPECT_EQ(std::string_view(doc["ts"].get_string().value()),
                FormatTimestamp(static_cast<double>(r.ts_us) / 1e6));
    }
  }
  store::ResourceSampleQuery q;
  q.target = "scorer";
  const std::string last = (*store_->ResourceSamples(q))[1].json;
  EXPECT_THAT(last, HasSubstr("\"process\":{\"pid\":1756"));
  EXPECT_THAT(last, HasSubstr("\"target\":{\"name\":\"pid 1756\",\"status\":\"ok\""));
  q.target = "gone";
  EXPECT_THAT((*store_->ResourceSamples(q))[0].json,
              HasSubstr("\"status\":\"process 999999 does not exist\""));
  q.target = "host";
  EXPECT_THAT((*store_->ResourceSamples(q))[1].json,
              HasSubstr("\"memory_total_bytes\":135148564480"));
}

// Lines of the exposition, for exact matching.
bool HasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST_F(ResourceMonitorTest, ExposesNodeProcessAndContainerMetrics) {
  ResourceMonitor monitor(env_, ThreeTargets(), *store_, nullptr);
  TwoRounds(monitor);
  MetricsSnapshot m;
  m.resources = monitor.Snapshot();
  const std::string text = RenderMetrics(m);
  EXPECT_TRUE(HasLine(text, "modelwatch_resource_rounds_total 2")) << text;
  EXPECT_TRUE(HasLine(text, "modelwatch_node_memory_total_bytes 135148564480")) << text;
  EXPECT_TRUE(HasLine(text, "# TYPE modelwatch_node_cpu_seconds_total counter"));
  EXPECT_THAT(text, HasSubstr("modelwatch_node_cpu_seconds_total{mode=\"iowait\"} "));
  EXPECT_THAT(text, HasSubstr("modelwatch_node_pressure_memory_stalled_seconds_total "));
  EXPECT_TRUE(HasLine(text, "modelwatch_target_up{target=\"scorer\"} 1"));
  EXPECT_TRUE(HasLine(text, "modelwatch_target_up{target=\"gone\"} 0"));
  EXPECT_TRUE(HasLine(text, "modelwatch_target_up{target=\"group\"} 1"));
  EXPECT_TRUE(HasLine(text, "modelwatch_target_restarts_total{target=\"scorer\"} 0"));
  // A cgroup target has no process and no restarts.
  EXPECT_THAT(text, Not(HasSubstr("modelwatch_target_restarts_total{target=\"group\"}")));
  EXPECT_THAT(text, Not(HasSubstr("modelwatch_target_resident_memory_bytes{target=\"group\"}")));
  const probes::ProcessSample& p = *m.resources->targets[0].sample->process;
  EXPECT_TRUE(HasLine(text, "modelwatch_target_resident_memory_bytes{target=\"scorer\"} " +
                                std::to_string(p.rss_bytes)));
  EXPECT_TRUE(
      HasLine(text, "modelwatch_target_threads{target=\"scorer\"} " + std::to_string(p.threads)));
  EXPECT_THAT(text,
              HasSubstr("modelwatch_target_cpu_seconds_total{target=\"scorer\",mode=\"user\"} "));
  EXPECT_THAT(text,
              HasSubstr("modelwatch_target_context_switches_total{target=\"scorer\",ctxswitch_type="
                        "\"nonvoluntary\"} "));
  // The limits tree's edits (README): 512 MiB, 2 CPUs, oom_kill 2 and 5.15 s throttled.
  for (const char* target : {"scorer", "group"}) {
    const std::string t = std::string("{target=\"") + target + "\"}";
    EXPECT_TRUE(HasLine(text, "modelwatch_container_spec_memory_limit_bytes" + t + " 536870912"))
        << text;
    EXPECT_TRUE(HasLine(text, "modelwatch_container_spec_cpu_limit_cores" + t + " 2"));
    EXPECT_TRUE(
        HasLine(text, "modelwatch_container_cpu_cfs_throttled_seconds_total" + t + " 5.15"));
    EXPECT_TRUE(HasLine(text, "modelwatch_container_cpu_cfs_throttled_periods_total" + t + " 104"));
  }
  EXPECT_TRUE(HasLine(
      text, "modelwatch_container_memory_events_total{target=\"group\",event=\"oom_kill\"} 2"));
  EXPECT_TRUE(
      HasLine(text, "modelwatch_container_memory_events_total{target=\"group\",event=\"max\"} 9"));
  // No GPU series with gpu: off.
  EXPECT_THAT(text, Not(HasSubstr("modelwatch_gpu_")));
  // Each family once, with its samples right after it.
  EXPECT_EQ(text.find("# TYPE modelwatch_target_up"), text.rfind("# TYPE modelwatch_target_up"));
}

TEST_F(ResourceMonitorTest, TargetsJsonListsHostAndTargets) {
  const ResourcesConfig config = ThreeTargets();
  ResourceMonitor monitor(env_, config, *store_, nullptr);
  std::string before = TargetsJson(monitor.Snapshot(), config);
  EXPECT_THAT(before, HasSubstr("\"last_round\":null"));
  EXPECT_THAT(before, HasSubstr("{\"name\":\"scorer\",\"kind\":\"process\",\"spec\":\"pid 1756\","
                                "\"status\":\"not sampled yet\",\"up\":false}"));
  TwoRounds(monitor);
  const std::string json = TargetsJson(monitor.Snapshot(), config);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(doc["interval_seconds"].get_double().value(), 5.0);
  EXPECT_EQ(std::string_view(doc["gpu_status"].get_string().value()), "off");
  simdjson::dom::array targets = doc["targets"].get_array().value();
  ASSERT_EQ(targets.size(), 4u);
  EXPECT_EQ(std::string_view(targets.at(0)["name"].get_string().value()), "host");
  EXPECT_EQ(std::string_view(targets.at(0)["status"].get_string().value()), "ok");
  EXPECT_EQ(targets.at(1)["pid"].get_int64().value(), kH100Pid);
  EXPECT_EQ(std::string_view(targets.at(1)["cgroup"].get_string().value()), kH100GroupPath);
  EXPECT_FALSE(targets.at(2)["up"].get_bool().value());
  EXPECT_THAT(std::string(targets.at(2)["status"].get_string().value()), HasSubstr("999999"));
  EXPECT_TRUE(targets.at(2)["pid"].is_null());
  EXPECT_EQ(std::string_view(targets.at(3)["kind"].get_string().value()), "cgroup");
}

TEST_F(ResourceMonitorTest, GpuMemoryIsAttributedToTheTargetProcess) {
  env_.AllowRealLibraries();
  ResourcesConfig config;
  config.gpu = GpuMode::kOn;
  config.nvml_library = MW_FAKE_NVML_PATH;
  config.targets.push_back({"llm", Spec(probes::TargetSpec::Pid(1001))});
  config.targets.push_back({"cpu-only", Spec(probes::TargetSpec::Pid(1756))});
  std::vector<std::string> logged;
  ResourceMonitor monitor(env_, config, *store_,
                          [&](std::string_view line) { logged.emplace_back(line); });
  EXPECT_TRUE(logged.empty());  // the library loads
  env_.Mount("/", Fixture("cgroup-v2-limits/1"));
  probes::testing::AddProcess(env_, 1001, "llm", std::string("llm\0", 4), 500);
  monitor.SampleOnce();
  const ResourceSnapshot s = monitor.Snapshot();
  ASSERT_TRUE(s.gpu.has_value());
  ASSERT_TRUE(s.gpu->status.ok()) << s.gpu->status.ToString();
  ASSERT_EQ(s.gpu->devices.size(), 2u);
  ASSERT_EQ(s.targets[0].gpu_memory_bytes.size(), 1u);
  EXPECT_EQ(s.targets[0].gpu_memory_bytes[0], std::make_pair(uint32_t{0}, 1536 * kMiB));
  EXPECT_TRUE(s.targets[1].gpu_memory_bytes.empty());
  MetricsSnapshot m;
  m.resources = s;
  const std::string text = RenderMetrics(m);
  EXPECT_TRUE(HasLine(text, "modelwatch_gpu_nvml_up 1"));
  EXPECT_TRUE(HasLine(text, "modelwatch_target_gpu_memory_used_bytes{target=\"llm\",gpu=\"0\"} " +
                                std::to_string(1536 * kMiB)))
      << text;
  const probes::GpuDeviceSample& d0 = s.gpu->devices[0];
  const std::string labels =
      "{gpu=\"0\",uuid=\"" + d0.uuid.value_or("") + "\",model_name=\"NVIDIA H100 80GB HBM3\"}";
  ASSERT_TRUE(d0.memory_total_bytes.has_value());
  EXPECT_TRUE(HasLine(text, "modelwatch_gpu_memory_total_bytes" + labels + " " +
                                std::to_string(*d0.memory_total_bytes)))
      << text;
  ASSERT_TRUE(d0.sm_clock_mhz.has_value());
  EXPECT_THAT(text, HasSubstr("modelwatch_gpu_sm_clock_hertz" + labels + " "));
  EXPECT_TRUE(HasLine(text, "modelwatch_gpu_up" + labels + " 1"));
  // The host's stored sample carries the GPUs.
  store::ResourceSampleQuery q;
  q.target = "host";
  EXPECT_THAT((*store_->ResourceSamples(q))[0].json, HasSubstr("\"gpus\":[{\"index\":0"));
}

TEST_F(ResourceMonitorTest, MissingNvmlIsAStatusAndLoggedOnlyWhenAskedFor) {
  ResourcesConfig config;
  config.nvml_library = "/nonexistent/libnvidia-ml.so.1";
  std::vector<std::string> logged;
  auto log = [&](std::string_view line) { logged.emplace_back(line); };
  {
    ResourceMonitor automatic(env_, config, *store_, log);  // gpu: auto
    EXPECT_TRUE(logged.empty());
    env_.Mount("/", Fixture("cgroup-v2-limits/1"));
    automatic.SampleOnce();
    const ResourceSnapshot s = automatic.Snapshot();
    ASSERT_TRUE(s.gpu.has_value());
    EXPECT_FALSE(s.gpu->status.ok());
    MetricsSnapshot m;
    m.resources = s;
    const std::string text = RenderMetrics(m);
    EXPECT_TRUE(HasLine(text, "modelwatch_gpu_nvml_up 0"));
    EXPECT_THAT(text, Not(HasSubstr("modelwatch_gpu_utilization_ratio")));
    EXPECT_THAT(TargetsJson(s, config), HasSubstr("\"gpus\":0"));
  }
  config.gpu = GpuMode::kOn;
  ResourceMonitor on(env_, config, *store_, log);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_THAT(logged[0], HasSubstr("resources.gpu is on but NVML cannot be used"));
}

TEST_F(ResourceMonitorTest, StartSamplesAtOnceAndStopJoins) {
  ResourcesConfig config = ThreeTargets();
  config.interval = std::chrono::hours(1);
  env_.Mount("/", Fixture("cgroup-v2-limits/1"));
  ResourceMonitor monitor(env_, config, *store_, nullptr);
  monitor.Start();
  for (int i = 0; i < 500 && monitor.Snapshot().rounds == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(monitor.Snapshot().rounds, 1u);
  monitor.Stop();  // returns although the next round is an hour away
  monitor.Stop();
}

TEST_F(ResourceMonitorTest, DisabledNeverSamples) {
  ResourcesConfig config = ThreeTargets();
  config.enabled = false;
  ResourceMonitor monitor(env_, config, *store_, nullptr);
  monitor.Start();
  monitor.Stop();
  EXPECT_EQ(monitor.Snapshot().rounds, 0u);
  PrometheusText t;
  WriteResourceMetrics(t, monitor.Snapshot());
  EXPECT_EQ(t.str(), "");
}

}  // namespace
}  // namespace modelwatch::server
