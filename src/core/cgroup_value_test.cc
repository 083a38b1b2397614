#include "modelwatch/core/cgroup_value.h"

#include <gtest/gtest.h>

#include "internal/proc_fixture_test_util.h"

namespace modelwatch {
namespace {

std::string GroupFile(const std::string& tree, const std::string& name) {
  return internal::ReadProcFixture(tree + "/" + internal::kH100Group + "/" + name);
}

TEST(CgroupValueTest, ParsesCapturedMemoryCurrent) {
  const Result<uint64_t> current =
      ParseCgroupValue(GroupFile("h100-cgroup-v2/1", "memory.current"), "memory.current");
  ASSERT_TRUE(current.ok()) << current.status().ToString();
  EXPECT_EQ(*current, 10608640u);
}

TEST(CgroupValueTest, MaxMeansNoLimit) {
  const Result<std::optional<uint64_t>> none =
      ParseCgroupLimit(GroupFile("h100-cgroup-v2/1", "memory.max"), "memory.max");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());
  const Result<std::optional<uint64_t>> limit =
      ParseCgroupLimit(GroupFile("cgroup-v2-limits/1", "memory.max"), "memory.max");
  ASSERT_TRUE(limit.ok()) << limit.status().ToString();
  EXPECT_EQ(*limit, 536870912u);
  const Result<std::optional<uint64_t>> zero = ParseCgroupLimit("0\n", "memory.max");
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(*zero, 0u);
}

TEST(CgroupValueTest, RejectsMalformedContent) {
  for (const char* text : {"", "max", "-1", "1 2", "12k", "0x10"}) {
    const Result<uint64_t> value = ParseCgroupValue(text, "memory.current");
    ASSERT_FALSE(value.ok()) << text;
    EXPECT_EQ(value.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(value.status().message().rfind("memory.current:1: expected one unsigned integer", 0),
              0u)
        << value.status().message();
  }
  for (const char* text : {"", "MAX", "max max", "-1", "infinity"}) {
    const Result<std::optional<uint64_t>> limit = ParseCgroupLimit(text, "memory.max");
    ASSERT_FALSE(limit.ok()) << text;
    EXPECT_EQ(limit.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(
        limit.status().message().rfind("memory.max:1: expected an unsigned integer or 'max'", 0),
        0u)
        << limit.status().message();
  }
}

}  // namespace
}  // namespace modelwatch
