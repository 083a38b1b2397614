#include "modelwatch/core/cgroup_memory_stat.h"

#include <gtest/gtest.h>

#include "internal/proc_fixture_test_util.h"

namespace modelwatch {
namespace {

TEST(CgroupMemoryStatTest, ParsesCapturedGroup) {
  const Result<CgroupMemoryStat> stat = ParseCgroupMemoryStat(internal::ReadProcFixture(
      std::string("h100-cgroup-v2/2/") + internal::kH100Group + "/memory.stat"));
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  EXPECT_EQ(stat->anon, 1257472u);
  EXPECT_EQ(stat->file, 462848u);
  EXPECT_EQ(stat->inactive_file, 331776u);
  EXPECT_EQ(stat->active_file, 118784u);
  EXPECT_EQ(stat->Find("kernel_stack"), stat->Find("kernel_stack"));
  EXPECT_TRUE(stat->Find("pgfault").has_value());
  EXPECT_FALSE(stat->Find("no_such_key").has_value());
  EXPECT_GT(stat->entries.size(), 40u);
  EXPECT_EQ(stat->entries[0].first, "anon");
}

TEST(CgroupMemoryStatTest, RejectsMalformedContent) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"", "memory.stat: no 'anon' line"},
      {"anon 1\nfile 2\nactive_file 3\n", "memory.stat: no 'inactive_file' line"},
      {"anon 1\nanon 1\n", "memory.stat:2: repeated 'anon'"},
      {"anon one\n", "memory.stat:1: expected 'key value'"},
  };
  for (const Case& c : cases) {
    const Result<CgroupMemoryStat> stat = ParseCgroupMemoryStat(c.text);
    ASSERT_FALSE(stat.ok()) << c.text;
    EXPECT_EQ(stat.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(stat.status().message().find(c.message), std::string::npos)
        << stat.status().message();
  }
}

}  // namespace
}  // namespace modelwatch
