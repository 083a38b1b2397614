#include "modelwatch/core/proc_pid_io.h"

#include <gtest/gtest.h>

#include "internal/proc_fixture_test_util.h"

namespace modelwatch {
namespace {

TEST(ProcPidIoTest, ParsesCapturedProcess) {
  const Result<ProcPidIo> io =
      ParseProcPidIo(internal::ReadProcFixture("vm-cgroup-v1/2/proc/23346/io"));
  ASSERT_TRUE(io.ok()) << io.status().ToString();
  EXPECT_EQ(io->rchar, 10121039u);
  EXPECT_EQ(io->wchar, 42133u);
  EXPECT_EQ(io->syscr, 18826u);
  EXPECT_EQ(io->syscw, 1311u);
  EXPECT_EQ(io->read_bytes, 8192u);
  EXPECT_EQ(io->write_bytes, 438272u);
  EXPECT_EQ(io->cancelled_write_bytes, 0u);
}

TEST(ProcPidIoTest, RejectsMalformedContent) {
  const std::string full =
      "rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 5\nwrite_bytes: 6\n"
      "cancelled_write_bytes: 7\n";
  ASSERT_TRUE(ParseProcPidIo(full).ok());
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"", "io: no 'rchar' line"},
      {"rchar: 1\n", "io: no 'wchar' line"},
      {"rchar 1\n" + full, "io:1: expected 'key: unsigned integer', got 'rchar 1'"},
      {"rchar: -1\n", "io:1: expected 'key: unsigned integer'"},
      {full + "rchar: 9\n", "io:8: repeated 'rchar'"},
  };
  for (const Case& c : cases) {
    const Result<ProcPidIo> io = ParseProcPidIo(c.text, "io");
    ASSERT_FALSE(io.ok()) << c.text;
    EXPECT_EQ(io.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(io.status().message().find(c.message), std::string::npos) << io.status().message();
  }
}

}  // namespace
}  // namespace modelwatch
