#include "modelwatch/env/fake_env.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace modelwatch::env {
namespace {

const std::string kFixtures = std::string(MW_SOURCE_DIR) + "/tests/fixtures/proc";

int Answer() { return 42; }

TEST(FakeEnvTest, InMemoryFilesAndImplicitDirectories) {
  FakeEnv env;
  env.SetFile("/proc/1/stat", "1 (init) S 0");
  env.SetFile("/proc/1/status", "Name:\tinit\n");
  env.SetFile("/proc/22/stat", "22 (x) S 1");
  EXPECT_EQ(*env.ReadFile("/proc/1/stat"), "1 (init) S 0");
  EXPECT_EQ(*env.ListDirectory("/proc"), (std::vector<std::string>{"1", "22"}));
  EXPECT_EQ(*env.ListDirectory("/proc/1/"), (std::vector<std::string>{"stat", "status"}));
  EXPECT_TRUE(env.Exists("/proc/1"));
  EXPECT_TRUE(env.Exists("/proc/1/stat"));
  EXPECT_FALSE(env.Exists("/proc/2"));
  EXPECT_EQ(env.ReadFile("/proc/2/stat").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env.ListDirectory("/proc/2").status().code(), StatusCode::kNotFound);
  env.RemoveFile("/proc/22/stat");
  EXPECT_EQ(*env.ListDirectory("/proc"), (std::vector<std::string>{"1"}));
  EXPECT_EQ(env.read_count(), 2);
}

TEST(FakeEnvTest, ReadLimitIsEnforced) {
  FakeEnv env;
  env.SetFile("/big", std::string(100, 'x'));
  EXPECT_TRUE(env.ReadFile("/big", 100).ok());
  EXPECT_EQ(env.ReadFile("/big", 99).status().code(), StatusCode::kResourceExhausted);
}

TEST(FakeEnvTest, MountsFixtureTreesLongestPrefixFirst) {
  FakeEnv env;
  env.Mount("/", kFixtures + "/vm-cgroup-v1/1");
  const Result<std::string> stat = env.ReadFile("/proc/stat");
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  EXPECT_EQ(stat->rfind("cpu  4294323 25209 ", 0), 0u);
  const Result<std::vector<std::string>> fds = env.ListDirectory("/proc/23346/fd");
  ASSERT_TRUE(fds.ok()) << fds.status().ToString();
  EXPECT_EQ(fds->size(), 7u);
  EXPECT_FALSE(env.Exists("/sys/fs/cgroup/cgroup.controllers"));
  EXPECT_TRUE(env.Exists("/sys/fs/cgroup/unified/cgroup.controllers"));

  // A second mount at a longer prefix takes over below it.
  env.Mount("/sys/fs/cgroup", kFixtures + "/h100-cgroup-v2/1/sys/fs/cgroup");
  EXPECT_TRUE(env.Exists("/sys/fs/cgroup/cgroup.controllers"));
  EXPECT_EQ(env.ReadFile("/sys/fs/cgroup/cgroup.controllers").value(),
            "cpuset cpu io memory hugetlb pids\n");
  EXPECT_TRUE(env.ReadFile("/proc/stat").ok());  // still the first mount
  // "/sys/fs/cgroupX" is not below "/sys/fs/cgroup".
  EXPECT_EQ(env.ReadFile("/sys/fs/cgroupX/a").status().code(), StatusCode::kNotFound);

  env.Unmount("/sys/fs/cgroup");
  EXPECT_FALSE(env.Exists("/sys/fs/cgroup/cgroup.controllers"));
  const Result<std::string> missing = env.ReadFile("/proc/no_such");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "open /proc/no_such: No such file or directory");
}

TEST(FakeEnvTest, InMemoryFilesOverrideAndMergeWithMounts) {
  FakeEnv env;
  env.Mount("/", kFixtures + "/no-psi/1");
  env.SetFile("/proc/loadavg", "1.00 2.00 3.00 1/10 5\n");
  env.SetFile("/proc/pressure/cpu", "some avg10=0 avg60=0 avg300=0 total=0\n");
  EXPECT_EQ(*env.ReadFile("/proc/loadavg"), "1.00 2.00 3.00 1/10 5\n");
  EXPECT_EQ(*env.ListDirectory("/proc"),
            (std::vector<std::string>{"loadavg", "meminfo", "pressure", "stat"}));
}

TEST(FakeEnvTest, InjectedErrorsWinUntilCleared) {
  FakeEnv env;
  env.Mount("/", kFixtures + "/vm-cgroup-v1/1");
  env.SetFile("/proc/x", "content");
  env.InjectError("/proc/23346/io", UnavailableError("open /proc/23346/io: Permission denied"));
  env.InjectError("/proc/x", DataLossError("disk on fire"));
  env.InjectError("/proc/23346/fd", UnavailableError("opendir: Permission denied"));
  const Result<std::string> io = env.ReadFile("/proc/23346/io");
  ASSERT_FALSE(io.ok());
  EXPECT_EQ(io.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(io.status().message(), "open /proc/23346/io: Permission denied");
  EXPECT_EQ(env.ReadFile("/proc/x").status().code(), StatusCode::kDataLoss);
  EXPECT_FALSE(env.Exists("/proc/x"));
  EXPECT_EQ(env.ListDirectory("/proc/23346/fd").status().code(), StatusCode::kUnavailable);
  env.ClearError("/proc/x");
  EXPECT_EQ(*env.ReadFile("/proc/x"), "content");
  env.ClearError("/proc/23346/io");
  EXPECT_TRUE(env.ReadFile("/proc/23346/io").ok());
}

TEST(FakeEnvTest, LinksInMemoryAndFromMounts) {
  FakeEnv env;
  env.SetLink("/proc/self", "4242");
  env.SetLink("/proc/7/exe", "/usr/bin/python3.11");
  EXPECT_EQ(*env.ReadLink("/proc/self"), "4242");
  EXPECT_EQ(*env.ReadLink("/proc/7/exe"), "/usr/bin/python3.11");
  EXPECT_TRUE(env.Exists("/proc/7"));
  EXPECT_EQ(env.ReadLink("/proc/8/exe").status().code(), StatusCode::kNotFound);
}

TEST(FakeEnvTest, ManualClockMovesOnlyWhenTold) {
  FakeEnv env;
  EXPECT_EQ(env.NowMonotonicMicros(), FakeEnv::kStartMonotonicMicros);
  EXPECT_EQ(env.NowUnixMicros(), FakeEnv::kStartUnixMicros);
  EXPECT_EQ(env.NowMonotonicMicros(), FakeEnv::kStartMonotonicMicros);
  env.SleepForMicros(1'500'000);
  EXPECT_EQ(env.NowMonotonicMicros(), FakeEnv::kStartMonotonicMicros + 1'500'000);
  EXPECT_EQ(env.NowUnixMicros(), FakeEnv::kStartUnixMicros + 1'500'000);
  env.AdvanceMicros(250);
  EXPECT_EQ(env.NowMonotonicMicros(), FakeEnv::kStartMonotonicMicros + 1'500'250);
  env.SleepForMicros(-10);
  EXPECT_EQ(env.NowMonotonicMicros(), FakeEnv::kStartMonotonicMicros + 1'500'250);
}

TEST(FakeEnvTest, SysconfValuesAreSettable) {
  FakeEnv env;
  EXPECT_EQ(env.ClockTicksPerSecond(), 100);
  EXPECT_EQ(env.PageSizeBytes(), 4096);
  EXPECT_EQ(env.OnlineCpus(), 2);
  env.SetClockTicksPerSecond(250);
  env.SetPageSizeBytes(65536);
  env.SetOnlineCpus(16);
  EXPECT_EQ(env.ClockTicksPerSecond(), 250);
  EXPECT_EQ(env.PageSizeBytes(), 65536);
  EXPECT_EQ(env.OnlineCpus(), 16);
}

TEST(FakeEnvTest, LibrariesInMemoryOrReal) {
  FakeEnv env;
  env.AddLibrary("libfake.so.1", {{"answer", reinterpret_cast<void*>(&Answer)}});
  Result<std::unique_ptr<Library>> lib = env.OpenLibrary("libfake.so.1");
  ASSERT_TRUE(lib.ok());
  Result<void*> answer = (*lib)->Symbol("answer");
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(reinterpret_cast<int (*)()>(*answer)(), 42);
  EXPECT_EQ((*lib)->Symbol("question").status().code(), StatusCode::kNotFound);
  // Real libraries only when allowed.
  EXPECT_EQ(env.OpenLibrary("libc.so.6").status().code(), StatusCode::kNotFound);
  env.AllowRealLibraries();
  Result<std::unique_ptr<Library>> libc = env.OpenLibrary("libc.so.6");
  ASSERT_TRUE(libc.ok()) << libc.status().ToString();
  EXPECT_TRUE((*libc)->Symbol("getpid").ok());
}

TEST(FakeEnvTest, ConcurrentUse) {
  FakeEnv env;
  env.SetFile("/f", "x");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&env] {
      for (int i = 0; i < 1000; ++i) {
        ASSERT_TRUE(env.ReadFile("/f").ok());
        env.AdvanceMicros(1);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(env.NowMonotonicMicros(), FakeEnv::kStartMonotonicMicros + 4000);
  EXPECT_EQ(env.read_count(), 4000);
}

}  // namespace
}  // namespace modelwatch::env
