#include "modelwatch/core/proc_meminfo.h"

#include <gtest/gtest.h>

#include "internal/proc_fixture_test_util.h"

namespace modelwatch {
namespace {

TEST(ProcMeminfoTest, ParsesCapturedVm) {
  const Result<Meminfo> info =
      ParseMeminfo(internal::ReadProcFixture("vm-cgroup-v1/2/proc/meminfo"));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->mem_total_bytes, 24683656ull * 1024);
  EXPECT_EQ(info->mem_free_bytes, 20546252ull * 1024);
  ASSERT_TRUE(info->mem_available_bytes.has_value());
  EXPECT_EQ(*info->mem_available_bytes, 23352012ull * 1024);
  EXPECT_EQ(info->buffers_bytes, 5452ull * 1024);
  EXPECT_EQ(info->cached_bytes, 2837340ull * 1024);
  EXPECT_EQ(info->swap_total_bytes, 0u);
  EXPECT_EQ(info->swap_free_bytes, 0u);
}

TEST(ProcMeminfoTest, OldKernelWithoutMemAvailable) {
  const Result<Meminfo> info = ParseMeminfo(
      "MemTotal:  1000 kB\nMemFree:  200 kB\nBuffers:  10 kB\nCached:  300 kB\n"
      "SwapCached:  0 kB\nSwapTotal:  2048 kB\nSwapFree:  1024 kB\nHugePages_Total:  0\n");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_FALSE(info->mem_available_bytes.has_value());
  EXPECT_EQ(info->swap_total_bytes, 2048u * 1024);
  EXPECT_EQ(info->swap_free_bytes, 1024u * 1024);
}

TEST(ProcMeminfoTest, RejectsMalformedContent) {
  const std::string ok_rest =
      "MemFree: 1 kB\nBuffers: 1 kB\nCached: 1 kB\nSwapTotal: 0 kB\n"
      "SwapFree: 0 kB\n";
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {ok_rest, "/proc/meminfo: no 'MemTotal' line"},
      {"MemTotal 5 kB\n" + ok_rest, "/proc/meminfo:1: expected 'Key: value'"},
      {"MemTotal: five kB\n" + ok_rest, "/proc/meminfo:1: MemTotal: expected an unsigned integer"},
      {"MemTotal: 5 MB\n" + ok_rest, "/proc/meminfo:1: MemTotal: expected"},
      {"MemTotal: 5 kB\nMemTotal: 5 kB\n" + ok_rest, "/proc/meminfo:2: repeated 'MemTotal'"},
      {"MemTotal: 18446744073709551615 kB\n" + ok_rest,
       "/proc/meminfo:1: MemTotal: value too large"},
  };
  for (const Case& c : cases) {
    const Result<Meminfo> info = ParseMeminfo(c.text);
    ASSERT_FALSE(info.ok()) << c.text;
    EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(info.status().message().find(c.message), std::string::npos)
        << info.status().message();
  }
}

}  // namespace
}  // namespace modelwatch
