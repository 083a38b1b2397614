#include "modelwatch/core/proc_pid_status.h"

#include <gtest/gtest.h>

#include "internal/proc_fixture_test_util.h"

namespace modelwatch {
namespace {

TEST(ProcPidStatusTest, ParsesCapturedProcess) {
  const Result<ProcPidStatus> status =
      ParseProcPidStatus(internal::ReadProcFixture("vm-cgroup-v1/2/proc/23346/status"));
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->name, "capture.sh");
  EXPECT_EQ(status->threads, 1u);
  EXPECT_EQ(status->vm_rss_bytes, 3232u * 1024);
  EXPECT_EQ(status->vm_size_bytes, 4492u * 1024);
  EXPECT_EQ(status->voluntary_ctxt_switches, 3449u);
  EXPECT_EQ(status->nonvoluntary_ctxt_switches, 37u);
}

TEST(ProcPidStatusTest, KernelThreadHasNoMemoryLines) {
  const Result<ProcPidStatus> status = ParseProcPidStatus(
      "Name:\tkworker/0:1-events\nUmask:\t0000\nState:\tI (idle)\nThreads:\t1\n"
      "voluntary_ctxt_switches:\t1200\nnonvoluntary_ctxt_switches:\t3\n");
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->name, "kworker/0:1-events");
  EXPECT_FALSE(status->vm_rss_bytes.has_value());
  EXPECT_FALSE(status->vm_size_bytes.has_value());
  EXPECT_EQ(status->voluntary_ctxt_switches, 1200u);
}

TEST(ProcPidStatusTest, NameKeepsLeadingSpacesAfterTheTab) {
  const Result<ProcPidStatus> status = ParseProcPidStatus(
      "Name:\t a: b\nThreads:\t7\nvoluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->name, " a: b");
  EXPECT_EQ(status->threads, 7u);
}

TEST(ProcPidStatusTest, RejectsMalformedContent) {
  const std::string rest = "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n";
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"Threads:\t1\n" + rest, "s: no 'Name' line"},
      {"Name:\tx\n" + rest, "s: no 'Threads' line"},
      {"Name:\tx\nThreads:\t1\n", "s: no 'voluntary_ctxt_switches' line"},
      {"Name:\tx\nThreads:\tmany\n" + rest, "s:2: Threads: expected an unsigned integer"},
      {"Name:\tx\nThreads:\t1\nVmRSS:\t 12 MB\n" + rest, "s:3: VmRSS: expected 'N kB'"},
      {"Name:\tx\nThreads:\t1\nVmRSS:\t 12\n" + rest, "s:3: VmRSS: expected 'N kB'"},
      {"Name:\tx\nThreads:\t1\nThreads:\t1\n" + rest, "s:3: repeated 'Threads'"},
      {"Name:\tx\nName:\ty\n", "s:2: repeated 'Name'"},
      {"Name:\tx\nno colon here\n", "s:2: expected 'Key: value'"},
  };
  for (const Case& c : cases) {
    const Result<ProcPidStatus> status = ParseProcPidStatus(c.text, "s");
    ASSERT_FALSE(status.ok()) << c.text;
    EXPECT_EQ(status.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.status().message().find(c.message), std::string::npos)
        << status.status().message();
  }
}

}  // namespace
}  // namespace modelwatch
