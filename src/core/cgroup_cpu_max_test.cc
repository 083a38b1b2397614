#include "modelwatch/core/cgroup_cpu_max.h"

#include <gtest/gtest.h>

#include "internal/proc_fixture_test_util.h"

namespace modelwatch {
namespace {

TEST(CgroupCpuMaxTest, ParsesLimitAndNoLimit) {
  const Result<CgroupCpuMax> limited = ParseCgroupCpuMax(internal::ReadProcFixture(
      std::string("cgroup-v2-limits/1/") + internal::kH100Group + "/cpu.max"));
  ASSERT_TRUE(limited.ok()) << limited.status().ToString();
  EXPECT_EQ(limited->quota_usec, 200000u);
  EXPECT_EQ(limited->period_usec, 100000u);
  EXPECT_EQ(limited->LimitCpus(), 2.0);

  const Result<CgroupCpuMax> unlimited = ParseCgroupCpuMax("max 100000\n");
  ASSERT_TRUE(unlimited.ok());
  EXPECT_FALSE(unlimited->quota_usec.has_value());
  EXPECT_FALSE(unlimited->LimitCpus().has_value());

  const Result<CgroupCpuMax> half = ParseCgroupCpuMax("50000 200000\n");
  ASSERT_TRUE(half.ok());
  EXPECT_EQ(half->LimitCpus(), 0.25);
  const Result<CgroupCpuMax> quota_only = ParseCgroupCpuMax("150000");
  ASSERT_TRUE(quota_only.ok());
  EXPECT_EQ(quota_only->LimitCpus(), 1.5);
}

TEST(CgroupCpuMaxTest, RejectsMalformedContent) {
  for (const char* text : {"", "max 1 2", "0 100000", "-5 100000", "max 0", "max x", "unlimited"}) {
    const Result<CgroupCpuMax> max = ParseCgroupCpuMax(text);
    ASSERT_FALSE(max.ok()) << text;
    EXPECT_EQ(max.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(max.status().message().rfind("cpu.max:1: ", 0), 0u) << max.status().message();
  }
}

}  // namespace
}  // namespace modelwatch
