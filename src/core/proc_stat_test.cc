#include "modelwatch/core/proc_stat.h"

#include <gtest/gtest.h>

#include "internal/proc_fixture_test_util.h"

namespace modelwatch {
namespace {

using internal::ReadProcFixture;

TEST(ProcStatTest, ParsesCapturedVm) {
  const Result<ProcStat> stat = ParseProcStat(ReadProcFixture("vm-cgroup-v1/1/proc/stat"));
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  // cpu  4294323 25209 317016 1958321 52520 0 8178 35166 0 0
  EXPECT_EQ(stat->total, (CpuTimes{4294323, 25209, 317016, 1958321, 52520, 0, 8178, 35166, 0, 0}));
  EXPECT_EQ(stat->total.Total(), 4294323u + 25209 + 317016 + 1958321 + 52520 + 0 + 8178 + 35166);
  EXPECT_EQ(stat->total.IdleAll(), 1958321u + 52520);
  ASSERT_EQ(stat->cores.size(), 2u);
  EXPECT_EQ(stat->cores[0].cpu, 0);
  EXPECT_EQ(stat->cores[0].times.user, 2029831u);
  EXPECT_EQ(stat->cores[1].cpu, 1);
  EXPECT_EQ(stat->cores[1].times.steal, 17601u);
  EXPECT_EQ(stat->boot_time_seconds, 1795532105u);
  EXPECT_EQ(stat->context_switches, 18586076u);
  EXPECT_EQ(stat->processes_created, 153209u);
  EXPECT_EQ(stat->procs_running, 3u);
  EXPECT_EQ(stat->procs_blocked, 0u);
}

TEST(ProcStatTest, ParsesCapturedSixteenCpus) {
  const Result<ProcStat> stat = ParseProcStat(ReadProcFixture("h100-cgroup-v2/2/proc/stat"));
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  EXPECT_EQ(stat->total, (CpuTimes{189, 0, 697, 49759, 107, 0, 69, 7, 0, 0}));
  ASSERT_EQ(stat->cores.size(), 16u);
  EXPECT_EQ(stat->cores[15].cpu, 15);
  EXPECT_EQ(stat->boot_time_seconds, 1795565530u);
}

TEST(ProcStatTest, GuestIsInsideUserAndNotInTotal) {
  const std::string text =
      "cpu  100 5 50 1000 10 2 3 4 30 1\n"
      "cpu0 100 5 50 1000 10 2 3 4 30 1\n"
      "ctxt 1\nbtime 2\nprocesses 3\nprocs_running 4\nprocs_blocked 5\n";
  const Result<ProcStat> stat = ParseProcStat(text);
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  EXPECT_EQ(stat->total.guest, 30u);
  EXPECT_EQ(stat->total.guest_nice, 1u);
  EXPECT_EQ(stat->total.Total(), 100u + 5 + 50 + 1000 + 10 + 2 + 3 + 4);  // 1174, no guest
  EXPECT_EQ(stat->procs_blocked, 5u);
}

TEST(ProcStatTest, OldKernelsPrintFewerColumns) {
  // Linux 2.4: user nice system idle only; extra future columns are ignored.
  const Result<ProcStat> stat = ParseProcStat(
      "cpu 1 2 3 4\ncpu0 1 2 3 4 5 6 7 8 9 10 11 12\nbtime 9\nctxt 1\nprocesses 1\n"
      "procs_running 1\nprocs_blocked 0");
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  EXPECT_EQ(stat->total, (CpuTimes{1, 2, 3, 4, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(stat->cores[0].times.guest_nice, 10u);
  EXPECT_EQ(stat->boot_time_seconds, 9u);
}

TEST(ProcStatTest, RejectsMalformedContentNamingTheLine) {
  const std::string tail = "btime 9\nctxt 1\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n";
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"", "/proc/stat: no aggregate 'cpu' line"},
      {"cpu 1 2 3 4\nctxt 1\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n",
       "/proc/stat: no 'btime' line"},
      {"cpu 1 2 3 4\nbtime 9\n", "/proc/stat: missing one of"},
      {"cpu 1 2 3\n" + tail, "/proc/stat:1: cpu: expected at least 4 values, got 3"},
      {"cpu 1 2 3 4\ncpu0 1 x 3 4\n" + tail,
       "/proc/stat:2: cpu0 value 2 'x' is not an unsigned integer"},
      {"cpu 1 2 3 4\ncpu 1 2 3 4\n" + tail, "/proc/stat:2: repeated 'cpu' line"},
      {"cpu 1 2 3 4\ncpu0 1 2 3 4\ncpu0 1 2 3 4\n" + tail, "/proc/stat:3: repeated line 'cpu0'"},
      {"cpu 1 2 3 4\ncpuX 1 2 3 4\n" + tail, "/proc/stat:2: bad CPU label 'cpuX'"},
      {"cpu 1 2 3 -4\n" + tail, "/proc/stat:1: cpu value 4 '-4' is not an unsigned integer"},
      {"cpu 1 2 3 18446744073709551616\n" + tail, "is not an unsigned integer"},
      {"cpu 1 2 3 4\nbtime\n" + tail, "/proc/stat:2: btime: expected one unsigned integer"},
  };
  for (const Case& c : cases) {
    const Result<ProcStat> stat = ParseProcStat(c.text);
    ASSERT_FALSE(stat.ok()) << c.text;
    EXPECT_EQ(stat.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(stat.status().message().find(c.message), std::string::npos)
        << stat.status().message() << " (expected " << c.message << ")";
  }
}

TEST(ProcStatTest, SourceNamesTheFileInErrors) {
  const Result<ProcStat> stat = ParseProcStat("", "/tmp/stat.1");
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(stat.status().message(), "/tmp/stat.1: no aggregate 'cpu' line");
}

}  // namespace
}  // namespace modelwatch
