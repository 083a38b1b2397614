#include "modelwatch/core/proc_pid_limits.h"

#include <gtest/gtest.h>

#include "internal/proc_fixture_test_util.h"

namespace modelwatch {
namespace {

TEST(ProcPidLimitsTest, ParsesCapturedProcess) {
  const Result<ProcPidLimits> limits =
      ParseProcPidLimits(internal::ReadProcFixture("vm-cgroup-v1/1/proc/23346/limits"));
  ASSERT_TRUE(limits.ok()) << limits.status().ToString();
  ASSERT_EQ(limits->limits.size(), 16u);
  const ProcessLimit* files = limits->Find("Max open files");
  ASSERT_NE(files, nullptr);
  EXPECT_EQ(files->soft, 20000u);
  EXPECT_EQ(files->hard, 20000u);
  EXPECT_EQ(files->units, "files");
  const ProcessLimit* stack = limits->Find("Max stack size");
  ASSERT_NE(stack, nullptr);
  EXPECT_EQ(stack->soft, 8388608u);
  EXPECT_FALSE(stack->hard.has_value());  // unlimited
  EXPECT_EQ(stack->units, "bytes");
  const ProcessLimit* nice = limits->Find("Max nice priority");
  ASSERT_NE(nice, nullptr);
  EXPECT_EQ(nice->soft, 0u);
  EXPECT_EQ(nice->units, "");
  const ProcessLimit* timeout = limits->Find("Max realtime timeout");
  ASSERT_NE(timeout, nullptr);
  EXPECT_FALSE(timeout->soft.has_value());
  EXPECT_EQ(timeout->units, "us");
  EXPECT_EQ(limits->Find("Max open file"), nullptr);
}

TEST(ProcPidLimitsTest, RejectsMalformedContent) {
  const std::string header =
      "Limit                     Soft Limit           Hard Limit           Units\n";
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"", "l:1: expected the 'Limit  Soft Limit  Hard Limit  Units' header"},
      {"Max open files 1 2 files\n", "l:1: expected the"},
      {header + "Max open files 1024\n", "l:2: expected 'Name  soft  hard  [units]'"},
      {header + "1024 1024 files\n", "l:2: expected 'Name"},
      {header + "Max open files 1 2 files extra\n", "l:2: expected 'Name"},
      {header + "Max open files soft hard files\n", "l:2: expected 'Name"},
  };
  for (const Case& c : cases) {
    const Result<ProcPidLimits> limits = ParseProcPidLimits(c.text, "l");
    ASSERT_FALSE(limits.ok()) << c.text;
    EXPECT_EQ(limits.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(limits.status().message().find(c.message), std::string::npos)
        << limits.status().message();
  }
}

}  // namespace
}  // namespace modelwatch
