#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "modelwatch/env/env.h"

namespace modelwatch::env {
namespace {

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(RealEnvTest, ReadsProcfsFilesWhoseSizeIsZero) {
  Env& env = Env::Default();
  const Result<std::string> stat = env.ReadFile("/proc/self/stat");
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  EXPECT_EQ(stat->rfind(std::to_string(getpid()) + " (", 0), 0u) << *stat;
  // /proc/self/status is longer than one read of some implementations (and stat() says 0).
  const Result<std::string> status = env.ReadFile("/proc/self/status");
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_NE(status->find("\nPid:\t" + std::to_string(getpid()) + "\n"), std::string::npos);
  EXPECT_NE(status->find("nonvoluntary_ctxt_switches:"), std::string::npos);
}

TEST(RealEnvTest, ReadsLargerThanOneBuffer) {
  const std::string path = ::testing::TempDir() + "/real_env_big.txt";
  const std::string content(100000, 'x');
  std::ofstream(path) << content;
  const Result<std::string> read = Env::Default().ReadFile(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, content);
  const Result<std::string> limited = Env::Default().ReadFile(path, 99999);
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(limited.status().message().find(path), std::string::npos);
  std::remove(path.c_str());
}

TEST(RealEnvTest, LimitAppliesToProcfs) {
  const Result<std::string> status = Env::Default().ReadFile("/proc/self/status", 10);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.status().code(), StatusCode::kResourceExhausted);
}

TEST(RealEnvTest, MissingPathsAreNotFoundAndNameThePath) {
  Env& env = Env::Default();
  const Result<std::string> file = env.ReadFile("/proc/self/no_such_file");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kNotFound);
  EXPECT_NE(file.status().message().find("/proc/self/no_such_file"), std::string::npos);
  EXPECT_NE(file.status().message().find("No such file"), std::string::npos);
  // A component that is a file, not a directory (ENOTDIR), is NotFound as well.
  EXPECT_EQ(env.ReadFile("/proc/self/stat/x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env.ListDirectory("/no/such/dir").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env.ReadLink("/no/such/link").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(env.Exists("/no/such/dir"));
  EXPECT_TRUE(env.Exists("/proc/self/stat"));
}

TEST(RealEnvTest, OtherErrorsAreUnavailable) {
  // Reading a directory fails with EISDIR: not "does not exist".
  const Result<std::string> dir = Env::Default().ReadFile("/proc/self");
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(dir.status().message().find("/proc/self"), std::string::npos);
  // readlink of a regular file: EINVAL.
  EXPECT_EQ(Env::Default().ReadLink("/proc/self/stat").status().code(), StatusCode::kUnavailable);
}

TEST(RealEnvTest, ListsProcSelf) {
  const Result<std::vector<std::string>> names = Env::Default().ListDirectory("/proc/self");
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  EXPECT_TRUE(Contains(*names, "stat"));
  EXPECT_TRUE(Contains(*names, "fd"));
  EXPECT_FALSE(Contains(*names, "."));
  EXPECT_FALSE(Contains(*names, ".."));
  const Result<std::vector<std::string>> fds = Env::Default().ListDirectory("/proc/self/fd");
  ASSERT_TRUE(fds.ok());
  EXPECT_TRUE(Contains(*fds, "0") || Contains(*fds, "1") || Contains(*fds, "2"));
}

TEST(RealEnvTest, ReadsLinks) {
  const Result<std::string> self = Env::Default().ReadLink("/proc/self");
  ASSERT_TRUE(self.ok()) << self.status().ToString();
  EXPECT_EQ(*self, std::to_string(getpid()));
  const Result<std::string> exe = Env::Default().ReadLink("/proc/self/exe");
  ASSERT_TRUE(exe.ok());
  EXPECT_NE(exe->find("mw_env_tests"), std::string::npos) << *exe;
}

TEST(RealEnvTest, ClocksAndSleep) {
  Env& env = Env::Default();
  const int64_t start = env.NowMonotonicMicros();
  env.SleepForMicros(2000);
  const int64_t end = env.NowMonotonicMicros();
  EXPECT_GE(end - start, 2000);
  EXPECT_LT(end - start, 2'000'000);
  // After 2020-01-01 and before 2100.
  EXPECT_GT(env.NowUnixMicros(), int64_t{1'577'836'800} * 1'000'000);
  EXPECT_LT(env.NowUnixMicros(), int64_t{4'102'444'800} * 1'000'000);
  env.SleepForMicros(0);
  env.SleepForMicros(-5);
}

TEST(RealEnvTest, SysconfValues) {
  Env& env = Env::Default();
  EXPECT_EQ(env.ClockTicksPerSecond(), sysconf(_SC_CLK_TCK));
  EXPECT_EQ(env.PageSizeBytes(), sysconf(_SC_PAGESIZE));
  EXPECT_EQ(env.OnlineCpus(), sysconf(_SC_NPROCESSORS_ONLN));
  EXPECT_GE(env.OnlineCpus(), 1);
}

TEST(RealEnvTest, OpensLibrariesAndSymbols) {
  Result<std::unique_ptr<Library>> libc = Env::Default().OpenLibrary("libc.so.6");
  ASSERT_TRUE(libc.ok()) << libc.status().ToString();
  Result<void*> getpid_symbol = (*libc)->Symbol("getpid");
  ASSERT_TRUE(getpid_symbol.ok()) << getpid_symbol.status().ToString();
  using GetPid = pid_t (*)();
  EXPECT_EQ(reinterpret_cast<GetPid>(*getpid_symbol)(), getpid());
  const Result<void*> missing = (*libc)->Symbol("modelwatch_no_such_symbol");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("modelwatch_no_such_symbol"), std::string::npos);

  const Result<std::unique_ptr<Library>> none =
      Env::Default().OpenLibrary("libmodelwatch-no-such-library.so.1");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("libmodelwatch-no-such-library.so.1"), std::string::npos);
}

TEST(RealEnvTest, DefaultIsOneObject) { EXPECT_EQ(&Env::Default(), &Env::Default()); }

}  // namespace
}  // namespace modelwatch::env
