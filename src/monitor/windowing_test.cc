#include "modelwatch/monitor/windowing.h"

#include <gtest/gtest.h>

namespace modelwatch::monitor {
namespace {

constexpr int64_t kMinute = 60'000'000;

TEST(WindowingTest, StartsAreMultiplesOfTheWidth) {
  EXPECT_EQ(WindowStart(0, 5 * kMinute), 0);
  EXPECT_EQ(WindowStart(5 * kMinute - 1, 5 * kMinute), 0);
  EXPECT_EQ(WindowStart(5 * kMinute, 5 * kMinute), 5 * kMinute);
  EXPECT_EQ(WindowStart(-1, 5 * kMinute), -5 * kMinute);  // before 1970: floor, not truncation
  // 2026-11-24T10:07:03Z falls in the 10:05 window.
  const int64_t ts = 1795946823'000000;
  EXPECT_EQ(WindowStart(ts, 5 * kMinute) % (5 * kMinute), 0);
  EXPECT_LE(WindowStart(ts, 5 * kMinute), ts);
  EXPECT_GT(WindowStart(ts, 5 * kMinute) + 5 * kMinute, ts);
}

TEST(WindowingTest, ClosesAfterWidthPlusLateness) {
  EXPECT_FALSE(WindowClosed(0, 5 * kMinute, kMinute, 6 * kMinute - 1));
  EXPECT_TRUE(WindowClosed(0, 5 * kMinute, kMinute, 6 * kMinute));
  EXPECT_TRUE(WindowClosed(0, 5 * kMinute, 0, 5 * kMinute));
}

}  // namespace
}  // namespace modelwatch::monitor
