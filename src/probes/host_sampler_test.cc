#include "modelwatch/probes/host_sampler.h"

#include <gtest/gtest.h>

#include "internal/probe_test_util.h"
#include "modelwatch/env/fake_env.h"

namespace modelwatch::probes {
namespace {

using testing::Fixture;

constexpr const char* kStatTail =
    "ctxt 1\nbtime 1000\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n";

TEST(HostSamplerTest, TwoReadingsOfTheH100Machine) {
  env::FakeEnv env;
  env.Mount("/", Fixture("h100-cgroup-v2/1"));
  HostSampler host(env);
  const Result<HostSample> first = host.Sample();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->unix_micros, env::FakeEnv::kStartUnixMicros);
  EXPECT_FALSE(first->cpu.has_value());  // one reading: no rate yet
  EXPECT_TRUE(first->cores.empty());
  EXPECT_EQ(first->cpu_count, 16);
  EXPECT_EQ(first->boot_time_unix_seconds, 1795565530.0);
  // cpu  151 0 603 47822 106 0 43 6 0 0 at 100 ticks/s
  EXPECT_DOUBLE_EQ(first->cpu_seconds.user, 1.51);
  EXPECT_DOUBLE_EQ(first->cpu_seconds.system, 6.03);
  EXPECT_DOUBLE_EQ(first->cpu_seconds.idle, 478.22);
  EXPECT_DOUBLE_EQ(first->cpu_seconds.steal, 0.06);
  // MemTotal 131981020 kB, MemAvailable 131502896 kB, MemFree 130736032 kB, no swap.
  EXPECT_EQ(first->memory.total_bytes, 131981020ull * 1024);
  EXPECT_EQ(first->memory.available_bytes, 131502896ull * 1024);
  EXPECT_EQ(first->memory.free_bytes, 130736032ull * 1024);
  EXPECT_EQ(first->memory.used_bytes, (131981020ull - 131502896) * 1024);
  EXPECT_DOUBLE_EQ(first->memory.used_percent, 100.0 * 478124 / 131981020);  // 0.3623 %
  EXPECT_EQ(first->memory.swap_total_bytes, 0u);
  EXPECT_FALSE(first->memory.swap_used_percent.has_value());
  EXPECT_DOUBLE_EQ(first->load.load1, 0.21);
  ASSERT_TRUE(first->pressure.has_value());
  ASSERT_TRUE(first->pressure->cpu.has_value());
  EXPECT_EQ(first->pressure->cpu->some.total_micros, 1138427u);
  ASSERT_TRUE(first->pressure->io.has_value());
  EXPECT_DOUBLE_EQ(first->pressure->io->full->avg10, 2.62);

  env.Mount("/", Fixture("h100-cgroup-v2/2"));
  env.AdvanceMicros(1'000'000);
  const Result<HostSample> second = host.Sample();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_TRUE(second->cpu.has_value());
  // cpu  189 0 697 49759 107 0 69 7 0 0 minus the first reading: user 38, system 94, idle 1937,
  // iowait 1, softirq 26, steal 1; all = 2097 ticks; busy = 2097 - 1937 - 1 = 159.
  const CpuPercent& cpu = *second->cpu;
  EXPECT_DOUBLE_EQ(cpu.utilization, 100.0 * 159 / 2097);  // 7.582 %
  EXPECT_DOUBLE_EQ(cpu.user, 100.0 * 38 / 2097);
  EXPECT_DOUBLE_EQ(cpu.nice, 0.0);
  EXPECT_DOUBLE_EQ(cpu.system, 100.0 * 94 / 2097);
  EXPECT_DOUBLE_EQ(cpu.idle, 100.0 * 1937 / 2097);
  EXPECT_DOUBLE_EQ(cpu.iowait, 100.0 * 1 / 2097);
  EXPECT_DOUBLE_EQ(cpu.softirq, 100.0 * 26 / 2097);
  EXPECT_DOUBLE_EQ(cpu.steal, 100.0 * 1 / 2097);
  EXPECT_DOUBLE_EQ(cpu.guest, 0.0);
  EXPECT_NEAR(
      cpu.user + cpu.nice + cpu.system + cpu.idle + cpu.iowait + cpu.irq + cpu.softirq + cpu.steal,
      100.0, 1e-9);
  ASSERT_EQ(second->cores.size(), 16u);
  // cpu9: 27 0 247 2758 8 0 1 -> 29 0 252 2881 8 0 3: busy 2 + 5 + 2 of 132 ticks.
  EXPECT_EQ(second->cores[9].cpu, 9);
  EXPECT_DOUBLE_EQ(second->cores[9].percent.utilization, 100.0 * 9 / 132);
  // cpu13: 26 0 51 2882 85 0 0 -> 28 0 55 3003 85 0 1: busy 2 + 4 + 1 of 128 ticks.
  EXPECT_DOUBLE_EQ(second->cores[13].percent.utilization, 100.0 * 7 / 128);
  EXPECT_EQ(second->pressure->cpu->some.total_micros, 1141548u);
}

TEST(HostSamplerTest, TwoReadingsOfTheVmWithSteal) {
  env::FakeEnv env;
  env.Mount("/", Fixture("vm-cgroup-v1/1"));
  HostSampler host(env);
  ASSERT_TRUE(host.Sample().ok());
  env.Mount("/", Fixture("vm-cgroup-v1/2"));
  const Result<HostSample> s = host.Sample();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  // cpu  4294323 25209 317016 1958321 52520 0 8178 35166 -> 4294678 25209 317110 1958321 52520
  // 0 8178 35167: user 355, system 94, steal 1, nothing idle: a saturated 2-CPU VM (builds).
  ASSERT_TRUE(s->cpu.has_value());
  EXPECT_DOUBLE_EQ(s->cpu->utilization, 100.0);
  EXPECT_DOUBLE_EQ(s->cpu->user, 100.0 * 355 / 450);
  EXPECT_DOUBLE_EQ(s->cpu->system, 100.0 * 94 / 450);
  EXPECT_DOUBLE_EQ(s->cpu->steal, 100.0 * 1 / 450);
  ASSERT_EQ(s->cores.size(), 2u);
  EXPECT_DOUBLE_EQ(s->cores[0].percent.user, 100.0 * 134 / 225);
  EXPECT_DOUBLE_EQ(s->cores[1].percent.system, 100.0 * 2 / 224);
  // MemTotal 24683656 kB, MemAvailable 23352012 kB.
  EXPECT_DOUBLE_EQ(s->memory.used_percent, 100.0 * (24683656 - 23352012) / 24683656);
  EXPECT_DOUBLE_EQ(s->load.load15, 1.65);
  ASSERT_TRUE(s->pressure.has_value());
  EXPECT_DOUBLE_EQ(s->pressure->cpu->some.avg10, 4.02);
  EXPECT_EQ(s->pressure->memory->full->total_micros, 0u);
}

TEST(HostSamplerTest, NoPressureWithoutPsi) {
  env::FakeEnv env;
  env.Mount("/", Fixture("no-psi/1"));
  HostSampler host(env);
  const Result<HostSample> s = host.Sample();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->pressure.has_value());
  // PSI compiled in but disabled (psi=0): the files exist and reading fails (EOPNOTSUPP).
  env.InjectError("/proc/pressure/cpu", UnavailableError("read: Operation not supported"));
  env.SetFile("/proc/pressure/io", "some avg10=1.00 avg60=0.00 avg300=0.00 total=5\n");
  const Result<HostSample> partial = host.Sample();
  ASSERT_TRUE(partial.ok());
  ASSERT_TRUE(partial->pressure.has_value());
  EXPECT_FALSE(partial->pressure->cpu.has_value());
  EXPECT_FALSE(partial->pressure->memory.has_value());
  EXPECT_EQ(partial->pressure->io->some.total_micros, 5u);
}

TEST(HostSamplerTest, GuestTimeIsNotCountedTwice) {
  env::FakeEnv env;
  env.Mount("/", Fixture("no-psi/1"));
  env.SetFile("/proc/stat", std::string("cpu  1000 0 500 8000 0 0 0 0 0 0\n") + kStatTail);
  HostSampler host(env);
  ASSERT_TRUE(host.Sample().ok());
  // user +600 (of which guest +400), system +100, idle +200, iowait +100, steal +100.
  env.SetFile("/proc/stat", std::string("cpu  1600 0 600 8200 100 0 0 100 400 0\n") + kStatTail);
  const Result<HostSample> s = host.Sample();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE(s->cpu.has_value());
  // All = 600 + 100 + 200 + 100 + 100 = 1100 (1500 if guest were added again).
  EXPECT_DOUBLE_EQ(s->cpu->user, 100.0 * 600 / 1100);
  EXPECT_DOUBLE_EQ(s->cpu->guest, 100.0 * 400 / 1100);
  EXPECT_DOUBLE_EQ(s->cpu->steal, 100.0 * 100 / 1100);
  // Busy = all - idle - iowait = 800: steal counts as busy, iowait does not.
  EXPECT_DOUBLE_EQ(s->cpu->utilization, 100.0 * 800 / 1100);
  EXPECT_DOUBLE_EQ(s->cpu_seconds.guest, 4.0);
  EXPECT_EQ(s->cpu_count, 0);  // no cpuN lines in this /proc/stat
}

TEST(HostSamplerTest, NoRateWithinOneTickAndCountersGoingBackwards) {
  env::FakeEnv env;
  env.Mount("/", Fixture("no-psi/1"));
  env.SetFile("/proc/stat", std::string("cpu  100 0 100 800 50 0 0 0 0 0\n") + kStatTail);
  HostSampler host(env);
  ASSERT_TRUE(host.Sample().ok());
  const Result<HostSample> same = host.Sample();
  ASSERT_TRUE(same.ok());
  EXPECT_FALSE(same->cpu.has_value());  // no tick elapsed: absent, not 0 % and not NaN
  // iowait went backwards by 10 (tickless kernels): floored at 0, not a negative share.
  env.SetFile("/proc/stat", std::string("cpu  150 0 100 850 40 0 0 0 0 0\n") + kStatTail);
  const Result<HostSample> s = host.Sample();
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->cpu.has_value());
  EXPECT_DOUBLE_EQ(s->cpu->iowait, 0.0);
  EXPECT_DOUBLE_EQ(s->cpu->utilization, 50.0);
}

TEST(HostSamplerTest, Swap) {
  env::FakeEnv env;
  env.Mount("/", Fixture("no-psi/1"));
  env.SetFile("/proc/meminfo",
              "MemTotal: 4000 kB\nMemFree: 1000 kB\nMemAvailable: 3000 kB\nBuffers: 0 kB\n"
              "Cached: 0 kB\nSwapTotal: 2048 kB\nSwapFree: 512 kB\n");
  HostSampler host(env);
  const Result<HostSample> s = host.Sample();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_DOUBLE_EQ(s->memory.used_percent, 25.0);
  EXPECT_EQ(s->memory.used_bytes, 1000u * 1024);
  EXPECT_EQ(s->memory.swap_used_bytes, 1536u * 1024);
  EXPECT_EQ(s->memory.swap_used_percent, 75.0);
}

TEST(HostSamplerTest, Errors) {
  env::FakeEnv env;
  env.Mount("/", Fixture("no-psi/1"));
  env.SetFile("/proc/meminfo",
              "MemTotal: 4000 kB\nMemFree: 1000 kB\nBuffers: 0 kB\nCached: 0 kB\n"
              "SwapTotal: 0 kB\nSwapFree: 0 kB\n");
  HostSampler host(env);
  const Result<HostSample> old_kernel = host.Sample();
  ASSERT_FALSE(old_kernel.ok());
  EXPECT_EQ(old_kernel.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(old_kernel.status().message().find("MemAvailable"), std::string::npos);

  env.RemoveFile("/proc/meminfo");
  env.InjectError("/proc/stat", NotFoundError("open /proc/stat: No such file or directory"));
  EXPECT_EQ(host.Sample().status().code(), StatusCode::kNotFound);
  env.ClearError("/proc/stat");
  env.SetFile("/proc/loadavg", "garbage\n");
  const Result<HostSample> bad = host.Sample();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().rfind("/proc/loadavg:1: ", 0), 0u) << bad.status().message();
}

TEST(HostSamplerTest, RealSystem) {
  env::Env& env = env::Env::Default();
  HostSampler host(env);
  const Result<HostSample> first = host.Sample();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->cpu_count, env.OnlineCpus());
  EXPECT_GT(first->memory.total_bytes, 0u);
  EXPECT_GE(first->memory.used_percent, 0.0);
  EXPECT_LE(first->memory.used_percent, 100.0);
  env.SleepForMicros(50'000);
  const Result<HostSample> second = host.Sample();
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(second->cpu.has_value());  // 50 ms is 5 ticks on each CPU
  EXPECT_GE(second->cpu->utilization, 0.0);
  EXPECT_LE(second->cpu->utilization, 100.0);
}

}  // namespace
}  // namespace modelwatch::probes
