#include "modelwatch/probes/cgroup_sampler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "internal/probe_test_util.h"
#include "modelwatch/env/fake_env.h"

namespace modelwatch::probes {
namespace {

using testing::Fixture;
using testing::kH100GroupPath;
using testing::kH100Pid;
using testing::kVmPid;

TEST(CgroupSamplerTest, V2WithoutLimits) {
  env::FakeEnv env;
  env.Mount("/", Fixture("h100-cgroup-v2/1"));
  Result<CgroupSampler> group = CgroupSampler::ForProcess(env, kH100Pid);
  ASSERT_TRUE(group.ok()) << group.status().ToString();
  EXPECT_EQ(group->path(), kH100GroupPath);
  EXPECT_EQ(group->directory(), std::string("/sys/fs/cgroup") + kH100GroupPath);
  const Result<CgroupSample> first = group->Sample();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->path, kH100GroupPath);
  EXPECT_DOUBLE_EQ(first->cpu.usage_seconds, 0.181647);
  EXPECT_DOUBLE_EQ(first->cpu.user_seconds, 0.045411);
  EXPECT_DOUBLE_EQ(first->cpu.system_seconds, 0.136235);
  EXPECT_FALSE(first->cpu.usage_percent.has_value());
  // Only the memory controller: no throttling counters, no cpu.max.
  EXPECT_FALSE(first->cpu.periods.has_value());
  EXPECT_FALSE(first->cpu.throttled_seconds.has_value());
  EXPECT_FALSE(first->cpu.limit_cpus.has_value());
  ASSERT_TRUE(first->memory.has_value());
  EXPECT_EQ(first->memory->current_bytes, 10608640u);
  EXPECT_FALSE(first->memory->max_bytes.has_value());  // "max"
  EXPECT_FALSE(first->memory->working_set_percent_of_max.has_value());
  EXPECT_EQ(first->memory->working_set_bytes, 10608640u - 155648);  // current - inactive_file
  EXPECT_EQ(first->memory->anon_bytes, 1245184u);
  EXPECT_EQ(first->memory->file_bytes, 217088u);
  EXPECT_EQ(first->memory->events.oom_kill, 0u);
  EXPECT_FALSE(first->memory->new_oom_kill.has_value());
  ASSERT_TRUE(first->pressure.cpu.has_value());
  EXPECT_EQ(first->pressure.cpu->some.total_micros, 267u);
  EXPECT_TRUE(first->pressure.memory.has_value());
  EXPECT_TRUE(first->pressure.io.has_value());

  env.Mount("/", Fixture("h100-cgroup-v2/2"));
  env.AdvanceMicros(1'000'000);
  const Result<CgroupSample> second = group->Sample();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  // usage_usec 181647 -> 1542278 in 1 s: 1.360631 CPUs.
  EXPECT_DOUBLE_EQ(*second->cpu.usage_percent, 100.0 * (1542278 - 181647) / 1e6);
  EXPECT_EQ(second->memory->current_bytes, 8294400u);
  EXPECT_EQ(second->memory->working_set_bytes, 8294400u - 331776);
  EXPECT_EQ(second->memory->new_oom, 0u);
  EXPECT_EQ(second->memory->new_oom_kill, 0u);
  EXPECT_FALSE(second->cpu.throttled_periods_percent.has_value());
}

TEST(CgroupSamplerTest, V2WithLimitsThrottlingAndOomKills) {
  env::FakeEnv env;
  env.Mount("/", Fixture("cgroup-v2-limits/1"));
  Result<CgroupSampler> group = CgroupSampler::Open(env, kH100GroupPath);
  ASSERT_TRUE(group.ok()) << group.status().ToString();
  const Result<CgroupSample> first = group->Sample();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->cpu.limit_cpus, 2.0);  // cpu.max 200000 100000
  EXPECT_EQ(first->cpu.periods, 1000u);
  EXPECT_EQ(first->cpu.throttled_periods, 100u);
  EXPECT_DOUBLE_EQ(*first->cpu.throttled_seconds, 5.0);
  EXPECT_FALSE(first->cpu.throttled_periods_percent.has_value());
  EXPECT_FALSE(first->cpu.throttled_seconds_per_second.has_value());
  EXPECT_EQ(first->memory->max_bytes, 536870912u);
  EXPECT_DOUBLE_EQ(*first->memory->working_set_percent_of_max,
                   100.0 * (10608640 - 155648) / 536870912);
  EXPECT_EQ(first->memory->events.oom, 2u);
  EXPECT_EQ(first->memory->events.oom_kill, 1u);
  EXPECT_FALSE(first->memory->new_oom_kill.has_value());  // a delta needs two readings

  env.Mount("/", Fixture("cgroup-v2-limits/2"));
  env.AdvanceMicros(2'000'000);
  const Result<CgroupSample> second = group->Sample();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  // nr_periods 1000 -> 1010, nr_throttled 100 -> 104: 4 of 10 periods throttled.
  EXPECT_DOUBLE_EQ(*second->cpu.throttled_periods_percent, 40.0);
  // throttled_usec 5000000 -> 5150000 over 2 s.
  EXPECT_DOUBLE_EQ(*second->cpu.throttled_seconds_per_second, 0.075);
  EXPECT_DOUBLE_EQ(*second->cpu.usage_percent, 100.0 * (1542278 - 181647) / 2e6);
  // oom 2 -> 3, oom_kill 1 -> 2: one new OOM kill.
  EXPECT_EQ(second->memory->new_oom, 1u);
  EXPECT_EQ(second->memory->new_oom_kill, 1u);
  EXPECT_EQ(second->memory->events.max, 9u);
}

TEST(CgroupSamplerTest, PathsAreAcceptedInBothForms) {
  env::FakeEnv env;
  env.Mount("/", Fixture("h100-cgroup-v2/1"));
  for (const std::string& path :
       {std::string(kH100GroupPath), std::string("/sys/fs/cgroup") + kH100GroupPath,
        std::string(kH100GroupPath).substr(1), std::string(kH100GroupPath) + "/"}) {
    const Result<CgroupSampler> group = CgroupSampler::Open(env, path);
    ASSERT_TRUE(group.ok()) << path << ": " << group.status().ToString();
    EXPECT_EQ(group->path(), kH100GroupPath) << path;
  }
  const Result<CgroupSampler> missing = CgroupSampler::Open(env, "/no/such.service");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("/no/such.service"), std::string::npos);
  EXPECT_EQ(CgroupSampler::Open(env, "/process_api/../etc").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(CgroupSamplerTest, RootGroupHasNoMemoryFiles) {
  env::FakeEnv env;
  env.Mount("/", Fixture("h100-cgroup-v2/1"));
  env.SetFile("/sys/fs/cgroup/cpu.stat",
              "usage_usec 5000000\nuser_usec 3000000\nsystem_usec 2000000\n");
  Result<CgroupSampler> root = CgroupSampler::Open(env, "/");
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(root->directory(), "/sys/fs/cgroup");
  const Result<CgroupSample> s = root->Sample();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_DOUBLE_EQ(s->cpu.usage_seconds, 5.0);
  EXPECT_FALSE(s->memory.has_value());
  EXPECT_FALSE(s->cpu.limit_cpus.has_value());
  EXPECT_FALSE(s->pressure.cpu.has_value());  // not in this fixture
}

TEST(CgroupSamplerTest, CgroupV1HostIsUnsupportedNotNumbers) {
  env::FakeEnv env;
  env.Mount("/", Fixture("vm-cgroup-v1/1"));
  const Result<CgroupSampler> by_pid = CgroupSampler::ForProcess(env, kVmPid);
  ASSERT_FALSE(by_pid.ok());
  EXPECT_EQ(by_pid.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(by_pid.status().message().rfind("unsupported: cgroup v1", 0), 0u)
      << by_pid.status().message();
  EXPECT_NE(by_pid.status().message().find("hybrid"), std::string::npos);
  const Result<CgroupSampler> by_path =
      CgroupSampler::Open(env, "/process_api/8d452db5ec9ccbcfbbb6cebfe4f2eef1");
  ASSERT_FALSE(by_path.ok());
  EXPECT_EQ(by_path.status().code(), StatusCode::kFailedPrecondition);

  // A v2 mount but a process listed only in v1 hierarchies (no "0::" line).
  env::FakeEnv v1_only;
  v1_only.Mount("/", Fixture("h100-cgroup-v2/1"));
  v1_only.SetFile("/proc/5/cgroup", "4:memory:/a\n1:cpu:/a\n");
  const Result<CgroupSampler> no_unified = CgroupSampler::ForProcess(v1_only, 5);
  ASSERT_FALSE(no_unified.ok());
  EXPECT_EQ(no_unified.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(no_unified.status().message().find("no cgroup v2 ('0::') line"), std::string::npos);
}

TEST(CgroupSamplerTest, RemovedGroupIsNotFound) {
  env::FakeEnv env;
  env.Mount("/", Fixture("h100-cgroup-v2/1"));
  Result<CgroupSampler> group = CgroupSampler::Open(env, kH100GroupPath);
  ASSERT_TRUE(group.ok());
  ASSERT_TRUE(group->Sample().ok());
  env.InjectError(std::string("/sys/fs/cgroup") + kH100GroupPath + "/cgroup.controllers",
                  NotFoundError("open: No such file or directory"));
  EXPECT_EQ(group->Sample().status().code(), StatusCode::kNotFound);
  EXPECT_EQ(CgroupSampler::ForProcess(env, 99999).status().code(), StatusCode::kNotFound);
}

TEST(CgroupSamplerTest, MalformedFileNamesThePath) {
  env::FakeEnv env;
  env.Mount("/", Fixture("h100-cgroup-v2/1"));
  const std::string dir = std::string("/sys/fs/cgroup") + kH100GroupPath;
  env.SetFile(dir + "/memory.max", "lots\n");
  Result<CgroupSampler> group = CgroupSampler::Open(env, kH100GroupPath);
  ASSERT_TRUE(group.ok());
  const Result<CgroupSample> s = group->Sample();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.status().message().rfind(dir + "/memory.max:1: ", 0), 0u) << s.status().message();
}

TEST(CgroupSamplerTest, RealSystemIsEitherV2OrClearlyUnsupported) {
  env::Env& env = env::Env::Default();
  Result<CgroupSampler> group = CgroupSampler::ForProcess(env, getpid());
  if (!group.ok()) {
    EXPECT_EQ(group.status().code(), StatusCode::kFailedPrecondition) << group.status().ToString();
    EXPECT_EQ(group.status().message().rfind("unsupported: cgroup v1", 0), 0u);
    return;
  }
  const Result<CgroupSample> s = group->Sample();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_GT(s->cpu.usage_seconds, 0.0);
}

}  // namespace
}  // namespace modelwatch::probes
