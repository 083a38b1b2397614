#include "modelwatch/core/cgroup_memory_events.h"

#include <gtest/gtest.h>

#include "internal/proc_fixture_test_util.h"

namespace modelwatch {
namespace {

TEST(CgroupMemoryEventsTest, ParsesCapturedAndEditedGroups) {
  const Result<CgroupMemoryEvents> quiet = ParseCgroupMemoryEvents(internal::ReadProcFixture(
      std::string("h100-cgroup-v2/1/") + internal::kH100Group + "/memory.events"));
  ASSERT_TRUE(quiet.ok()) << quiet.status().ToString();
  EXPECT_EQ(quiet->max, 0u);
  EXPECT_EQ(quiet->oom, 0u);
  EXPECT_EQ(quiet->oom_kill, 0u);
  EXPECT_EQ(quiet->oom_group_kill, 0u);

  const Result<CgroupMemoryEvents> events = ParseCgroupMemoryEvents(internal::ReadProcFixture(
      std::string("cgroup-v2-limits/2/") + internal::kH100Group + "/memory.events"));
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ(events->max, 9u);
  EXPECT_EQ(events->oom, 3u);
  EXPECT_EQ(events->oom_kill, 2u);
}

TEST(CgroupMemoryEventsTest, OldKernelWithoutGroupKill) {
  const Result<CgroupMemoryEvents> events =
      ParseCgroupMemoryEvents("low 1\nhigh 2\nmax 3\noom 4\noom_kill 5\n");
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->low, 1u);
  EXPECT_EQ(events->high, 2u);
  EXPECT_EQ(events->oom_kill, 5u);
  EXPECT_FALSE(events->oom_group_kill.has_value());
}

TEST(CgroupMemoryEventsTest, RejectsMalformedContent) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"low 0\nhigh 0\nmax 0\noom 0\n", "memory.events: no 'oom_kill' line"},
      {"low 0\nlow 0\n", "memory.events:2: repeated 'low'"},
      {"low=0\n", "memory.events:1: expected 'key value'"},
  };
  for (const Case& c : cases) {
    const Result<CgroupMemoryEvents> events = ParseCgroupMemoryEvents(c.text);
    ASSERT_FALSE(events.ok()) << c.text;
    EXPECT_EQ(events.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(events.status().message().find(c.message), std::string::npos)
        << events.status().message();
  }
}

}  // namespace
}  // namespace modelwatch
