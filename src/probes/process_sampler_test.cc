#include "modelwatch/probes/process_sampler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>

#include "internal/probe_test_util.h"
#include "modelwatch/env/fake_env.h"

namespace modelwatch::probes {
namespace {

using testing::Fixture;
using testing::kH100Pid;
using testing::kVmPid;

TEST(ProcessSamplerTest, TwoReadingsOfTheCaptureScript) {
  env::FakeEnv env;
  env.Mount("/", Fixture("vm-cgroup-v1/1"));
  ProcessSampler process(env, kVmPid);
  const Result<ProcessSample> first = process.Sample();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->pid, kVmPid);
  EXPECT_EQ(first->ppid, 23344);
  EXPECT_EQ(first->name, "capture.sh");
  EXPECT_EQ(first->state, 'S');
  // btime 1795532105 + starttime 3347030 ticks / 100.
  EXPECT_DOUBLE_EQ(first->start_time_unix_seconds, 1795532105.0 + 33470.30);
  EXPECT_EQ(first->user_seconds, 0.0);
  EXPECT_EQ(first->system_seconds, 0.0);
  EXPECT_FALSE(first->cpu_percent.has_value());
  EXPECT_EQ(first->rss_bytes, 3212u * 1024);
  EXPECT_EQ(first->vms_bytes, 4492u * 1024);
  EXPECT_EQ(first->threads, 1u);
  EXPECT_EQ(first->open_fds, 7u);
  EXPECT_EQ(first->max_open_files, 20000u);
  EXPECT_EQ(first->voluntary_ctx_switches, 59u);
  EXPECT_EQ(first->involuntary_ctx_switches, 0u);
  EXPECT_FALSE(first->ctx_switches_per_second.has_value());
  ASSERT_TRUE(first->io.has_value());
  EXPECT_EQ(first->io->read_bytes, 8192u);
  EXPECT_EQ(first->io->write_bytes, 69632u);
  EXPECT_EQ(first->io->read_chars, 339248u);
  EXPECT_FALSE(first->io->read_bytes_per_second.has_value());

  env.Mount("/", Fixture("vm-cgroup-v1/2"));
  env.AdvanceMicros(1'000'000);
  const Result<ProcessSample> second = process.Sample();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  // utime 0 -> 6, stime 0 -> 19: 25 ticks = 0.25 s of CPU in 1 s of wall time.
  EXPECT_DOUBLE_EQ(second->user_seconds, 0.06);
  EXPECT_DOUBLE_EQ(second->system_seconds, 0.19);
  ASSERT_TRUE(second->cpu_percent.has_value());
  EXPECT_DOUBLE_EQ(*second->cpu_percent, 25.0);
  EXPECT_EQ(second->state, 'R');
  EXPECT_EQ(second->minor_faults, 45030u);
  EXPECT_EQ(second->rss_bytes, 3232u * 1024);
  // voluntary 59 -> 3449, nonvoluntary 0 -> 37.
  EXPECT_DOUBLE_EQ(*second->ctx_switches_per_second, 3449 + 37 - 59);
  // read_bytes 8192 -> 8192, write_bytes 69632 -> 438272.
  EXPECT_DOUBLE_EQ(*second->io->read_bytes_per_second, 0.0);
  EXPECT_DOUBLE_EQ(*second->io->write_bytes_per_second, 438272 - 69632);
}

TEST(ProcessSamplerTest, CpuPercentIsPerCoreScaled) {
  env::FakeEnv env;
  env.Mount("/", Fixture("h100-cgroup-v2/1"));
  ProcessSampler process(env, kH100Pid);
  ASSERT_TRUE(process.Sample().ok());
  env.Mount("/", Fixture("h100-cgroup-v2/2"));
  // utime 0 -> 3, stime 0 -> 19: 0.22 s of CPU; over 0.1 s of wall time that is 2.2 CPUs.
  env.AdvanceMicros(100'000);
  const Result<ProcessSample> s = process.Sample();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_DOUBLE_EQ(*s->cpu_percent, 220.0);
  EXPECT_DOUBLE_EQ(s->start_time_unix_seconds, 1795565530.0 + 30.57);
  EXPECT_EQ(s->open_fds, 5u);
  EXPECT_EQ(s->io->write_bytes, 335872u);
  EXPECT_DOUBLE_EQ(*s->io->write_bytes_per_second, (335872.0 - 73728) / 0.1);
}

TEST(ProcessSamplerTest, UnreadableFilesAreAbsentNotZero) {
  env::FakeEnv env;
  env.Mount("/", Fixture("vm-cgroup-v1/1"));
  const std::string dir = "/proc/" + std::to_string(kVmPid);
  env.InjectError(dir + "/io", UnavailableError("open " + dir + "/io: Permission denied"));
  env.InjectError(dir + "/fd", UnavailableError("opendir " + dir + "/fd: Permission denied"));
  env.InjectError(dir + "/limits", UnavailableError("open: Permission denied"));
  ProcessSampler process(env, kVmPid);
  const Result<ProcessSample> s = process.Sample();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->io.has_value());
  EXPECT_FALSE(s->open_fds.has_value());
  EXPECT_FALSE(s->max_open_files.has_value());
  EXPECT_EQ(s->threads, 1u);
  // Readable again: io counters come back, their rates only once two readings exist.
  env.ClearError(dir + "/io");
  env.AdvanceMicros(1'000'000);
  const Result<ProcessSample> again = process.Sample();
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(again->io.has_value());
  EXPECT_FALSE(again->io->read_bytes_per_second.has_value());
  EXPECT_TRUE(again->cpu_percent.has_value());
}

TEST(ProcessSamplerTest, ExitAndPidReuseAreNotFound) {
  env::FakeEnv env;
  testing::AddProcess(env, 300, "server", std::string("server\0", 7), 5000);
  ProcessSampler process(env, 300);
  ASSERT_TRUE(process.Sample().ok());
  EXPECT_EQ(process.start_ticks(), 5000u);
  // Same pid, another process (started later).
  testing::AddProcess(env, 300, "server", std::string("server\0", 7), 9000);
  const Result<ProcessSample> reused = process.Sample();
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.status().code(), StatusCode::kNotFound);
  EXPECT_NE(reused.status().message().find("process 300 exited"), std::string::npos);
  // Gone.
  testing::RemoveProcess(env, 300);
  EXPECT_EQ(process.Sample().status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ProcessSampler(env, 301).Sample().status().code(), StatusCode::kNotFound);
}

TEST(ProcessSamplerTest, KernelThreadHasNoVmLines) {
  env::FakeEnv env;
  testing::AddProcess(env, 2, "kthreadd", "", 1);
  env.SetFile("/proc/2/status",
              "Name:\tkthreadd\nThreads:\t1\nvoluntary_ctxt_switches:\t9\n"
              "nonvoluntary_ctxt_switches:\t0\n");
  env.SetFile("/proc/2/stat",
              "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 3 0 0 20 0 1 0 1 0 0 "
              "18446744073709551615\n");
  const Result<ProcessSample> s = ProcessSampler(env, 2).Sample();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->rss_bytes, 0u);
  EXPECT_EQ(s->vms_bytes, 0u);
  EXPECT_DOUBLE_EQ(s->system_seconds, 0.03);
}

TEST(ProcessSamplerTest, MalformedFilesNameThePath) {
  env::FakeEnv env;
  testing::AddProcess(env, 9, "x", std::string("x\0", 2), 1);
  env.SetFile("/proc/9/status", "Name:\tx\nThreads:\tlots\n");
  const Result<ProcessSample> s = ProcessSampler(env, 9).Sample();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.status().message().rfind("/proc/9/status:2: Threads", 0), 0u) << s.status().message();
}

TEST(ProcessSamplerTest, RealSelf) {
  env::Env& env = env::Env::Default();
  ProcessSampler self(env, getpid());
  const Result<ProcessSample> first = self.Sample();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  // Burn 50 ms of this process's CPU time (however long that takes on a busy machine), several
  // clock ticks.
  const auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
  };
  const int64_t until = cpu_now() + 50'000'000;
  volatile uint64_t spin = 0;
  while (cpu_now() < until) spin = spin + 1;
  const Result<ProcessSample> second = self.Sample();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->pid, getpid());
  EXPECT_GT(second->rss_bytes, 1u << 20);
  EXPECT_GE(second->vms_bytes, second->rss_bytes);
  EXPECT_GE(second->threads, 1u);
  EXPECT_GE(second->open_fds.value_or(0), 3u);
  EXPECT_TRUE(second->max_open_files.has_value());
  EXPECT_TRUE(second->io.has_value());  // our own /proc/self/io is readable
  ASSERT_TRUE(second->cpu_percent.has_value());
  EXPECT_GT(*second->cpu_percent, 0.0);
  EXPECT_GE(second->user_seconds + second->system_seconds, 0.04);
  const double now = static_cast<double>(env.NowUnixMicros()) / 1e6;
  EXPECT_LT(second->start_time_unix_seconds, now + 1.0);
  EXPECT_GT(second->start_time_unix_seconds, now - 3600.0);  // started within the hour
}

}  // namespace
}  // namespace modelwatch::probes
