#include "modelwatch/core/proc_loadavg.h"

#include <gtest/gtest.h>

#include "internal/proc_fixture_test_util.h"

namespace modelwatch {
namespace {

TEST(ProcLoadavgTest, ParsesCapturedVm) {
  // 0.82 0.95 1.65 3/99 24716
  const Result<LoadAverage> load =
      ParseLoadavg(internal::ReadProcFixture("vm-cgroup-v1/2/proc/loadavg"));
  ASSERT_TRUE(load.ok()) << load.status().ToString();
  EXPECT_DOUBLE_EQ(load->load1, 0.82);
  EXPECT_DOUBLE_EQ(load->load5, 0.95);
  EXPECT_DOUBLE_EQ(load->load15, 1.65);
  EXPECT_EQ(load->runnable, 3u);
  EXPECT_EQ(load->threads, 99u);
  EXPECT_EQ(load->last_pid, 24716u);
}

TEST(ProcLoadavgTest, RejectsMalformedContent) {
  const char* const cases[] = {"",
                               "0.1 0.2 0.3 1/2",
                               "0.1 0.2 0.3 1/2 7 8",
                               "x 0.2 0.3 1/2 7",
                               "-1 0.2 0.3 1/2 7",
                               "inf 0.2 0.3 1/2 7",
                               "0.1 0.2 0.3 12 7",
                               "0.1 0.2 0.3 1/x 7",
                               "0.1 0.2 0.3 1/2 -7"};
  for (const char* text : cases) {
    const Result<LoadAverage> load = ParseLoadavg(text);
    ASSERT_FALSE(load.ok()) << text;
    EXPECT_EQ(load.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(load.status().message().rfind("/proc/loadavg:1: ", 0), 0u) << load.status().message();
  }
}

}  // namespace
}  // namespace modelwatch
