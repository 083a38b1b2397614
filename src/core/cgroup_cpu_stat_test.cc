#include "modelwatch/core/cgroup_cpu_stat.h"

#include <gtest/gtest.h>

#include "internal/proc_fixture_test_util.h"

namespace modelwatch {
namespace {

std::string GroupFile(const std::string& tree, const std::string& name) {
  return internal::ReadProcFixture(tree + "/" + internal::kH100Group + "/" + name);
}

TEST(CgroupCpuStatTest, ParsesCapturedGroupWithoutCpuController) {
  const Result<CgroupCpuStat> stat = ParseCgroupCpuStat(GroupFile("h100-cgroup-v2/1", "cpu.stat"));
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  EXPECT_EQ(stat->usage_usec, 181647u);
  EXPECT_EQ(stat->user_usec, 45411u);
  EXPECT_EQ(stat->system_usec, 136235u);
  EXPECT_FALSE(stat->nr_periods.has_value());
  EXPECT_FALSE(stat->nr_throttled.has_value());
  EXPECT_FALSE(stat->throttled_usec.has_value());
}

TEST(CgroupCpuStatTest, ParsesThrottlingCounters) {
  const Result<CgroupCpuStat> stat =
      ParseCgroupCpuStat(GroupFile("cgroup-v2-limits/2", "cpu.stat"));
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  EXPECT_EQ(stat->usage_usec, 1542278u);
  EXPECT_EQ(stat->nr_periods, 1010u);
  EXPECT_EQ(stat->nr_throttled, 104u);
  EXPECT_EQ(stat->throttled_usec, 5150000u);
}

TEST(CgroupCpuStatTest, RejectsMalformedContent) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"", "cpu.stat: missing one of usage_usec, user_usec, system_usec"},
      {"usage_usec 1\nuser_usec 1\n", "cpu.stat: missing one of"},
      {"usage_usec\n", "cpu.stat:1: expected 'key value' with an unsigned integer value"},
      {"usage_usec 1 2\n", "cpu.stat:1: expected 'key value'"},
      {"usage_usec -1\n", "cpu.stat:1: expected 'key value'"},
      {"usage_usec 1\nusage_usec 2\n", "cpu.stat:2: repeated 'usage_usec'"},
      {"nr_periods 1\nnr_periods 2\n", "cpu.stat:2: repeated 'nr_periods'"},
  };
  for (const Case& c : cases) {
    const Result<CgroupCpuStat> stat = ParseCgroupCpuStat(c.text);
    ASSERT_FALSE(stat.ok()) << c.text;
    EXPECT_EQ(stat.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(stat.status().message().find(c.message), std::string::npos)
        << stat.status().message();
  }
}

}  // namespace
}  // namespace modelwatch
