#include "modelwatch/core/proc_pid_stat.h"

#include <gtest/gtest.h>

#include "internal/proc_fixture_test_util.h"

namespace modelwatch {
namespace {

// The fields after comm of a real line, for tests that vary the comm.
constexpr const char* kTail =
    " S 1754 1753 1753 0 -1 4194560 32846 139860 0 0 3 19 89 26 20 0 1 0 3057 7667712 1050 "
    "18446744073709551615 94018116628480 94018117604141 140732387487264 0 0 0 65536 4 65538 1 0 "
    "0 17 8 0 0 0 0 0 94018117826992 94018117875632 94018356449280 140732387490640 "
    "140732387490685 140732387490685 140732387495914 0\n";

TEST(ProcPidStatTest, ParsesCapturedProcess) {
  const Result<ProcPidStat> stat =
      ParseProcPidStat(internal::ReadProcFixture("vm-cgroup-v1/2/proc/23346/stat"));
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  // 23346 (capture.sh) R 23344 23344 17812 0 -1 4194560 45030 186699 0 1 6 19 108 17 20 0 1 0
  // 3347030 4599808 778 ...
  EXPECT_EQ(stat->pid, 23346);
  EXPECT_EQ(stat->comm, "capture.sh");
  EXPECT_EQ(stat->state, 'R');
  EXPECT_EQ(stat->ppid, 23344);
  EXPECT_EQ(stat->minflt, 45030u);
  EXPECT_EQ(stat->majflt, 0u);
  EXPECT_EQ(stat->utime, 6u);
  EXPECT_EQ(stat->stime, 19u);
  EXPECT_EQ(stat->cutime, 108);
  EXPECT_EQ(stat->cstime, 17);
  EXPECT_EQ(stat->priority, 20);
  EXPECT_EQ(stat->nice, 0);
  EXPECT_EQ(stat->num_threads, 1);
  EXPECT_EQ(stat->starttime, 3347030u);
  EXPECT_EQ(stat->vsize, 4599808u);
  EXPECT_EQ(stat->rss, 778);
}

TEST(ProcPidStatTest, CommMayContainSpacesAndParentheses) {
  const Result<ProcPidStat> stat = ParseProcPidStat(std::string("1756 (my) (prog) x)") + kTail);
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  EXPECT_EQ(stat->comm, "my) (prog) x");
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->utime, 3u);
  EXPECT_EQ(stat->stime, 19u);
  EXPECT_EQ(stat->rss, 1050);

  const Result<ProcPidStat> empty = ParseProcPidStat(std::string("7 ()") + kTail);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->comm, "");
  const Result<ProcPidStat> spaces = ParseProcPidStat(std::string("8 ( a b )") + kTail);
  ASSERT_TRUE(spaces.ok());
  EXPECT_EQ(spaces->comm, " a b ");
}

TEST(ProcPidStatTest, SignedFieldsAcceptNegativeValues) {
  // cutime, cstime, priority, nice and rss are signed ("long") in the kernel.
  const Result<ProcPidStat> stat =
      ParseProcPidStat("12 (prog) S 1 1 1 0 -1 0 0 0 0 0 0 0 -3 0 -2 -20 1 0 5 6 -7");
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  EXPECT_EQ(stat->cutime, -3);
  EXPECT_EQ(stat->priority, -2);
  EXPECT_EQ(stat->nice, -20);
  EXPECT_EQ(stat->rss, -7);
}

TEST(ProcPidStatTest, RejectsMalformedContentNamingTheField) {
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"", "p:1: field 2 (comm) is not in parentheses"},
      {"12 prog S 1", "p:1: field 2 (comm) is not in parentheses"},
      {"12 )prog( S 1", "p:1: field 2 (comm) is not in parentheses"},
      {std::string("x (prog)") + kTail, "p:1: field 1 (pid) 'x ' is not an integer"},
      {"12 (prog) S 1 2 3", "p:1: expected at least 24 fields, got 6"},
      {std::string("12 (prog) SS 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 6 7"),
       "p:1: field 3 (state) 'SS' is not one letter"},
      {std::string("12 (prog) S 1 1 1 0 -1 0 0 0 0 0 x 0 0 0 20 0 1 0 5 6 7"),
       "p:1: field 14 (utime) 'x' is not an integer"},
      {std::string("12 (prog) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 -5 6 7"),
       "p:1: field 22 (starttime) '-5' is not an integer"},
  };
  for (const Case& c : cases) {
    const Result<ProcPidStat> stat = ParseProcPidStat(c.text, "p");
    ASSERT_FALSE(stat.ok()) << c.text;
    EXPECT_EQ(stat.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(stat.status().message().find(c.message), std::string::npos)
        << stat.status().message();
  }
}

}  // namespace
}  // namespace modelwatch
