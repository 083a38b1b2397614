#include "modelwatch/core/pressure.h"

#include <gtest/gtest.h>

#include "internal/proc_fixture_test_util.h"

namespace modelwatch {
namespace {

TEST(PressureTest, ParsesCapturedSystemFiles) {
  // some avg10=6.32 avg60=4.53 avg300=2.12 total=550673742
  // full avg10=6.11 avg60=4.43 avg300=2.03 total=315579472
  const Result<Pressure> io =
      ParsePressure(internal::ReadProcFixture("vm-cgroup-v1/1/proc/pressure/io"), "io");
  ASSERT_TRUE(io.ok()) << io.status().ToString();
  EXPECT_DOUBLE_EQ(io->some.avg10, 6.32);
  EXPECT_DOUBLE_EQ(io->some.avg60, 4.53);
  EXPECT_DOUBLE_EQ(io->some.avg300, 2.12);
  EXPECT_EQ(io->some.total_micros, 550673742u);
  ASSERT_TRUE(io->full.has_value());
  EXPECT_DOUBLE_EQ(io->full->avg10, 6.11);
  EXPECT_EQ(io->full->total_micros, 315579472u);
}

TEST(PressureTest, ParsesCapturedCgroupFile) {
  const std::string path =
      std::string("h100-cgroup-v2/1/") + internal::kH100Group + "/cpu.pressure";
  const Result<Pressure> cpu = ParsePressure(internal::ReadProcFixture(path), "cpu.pressure");
  ASSERT_TRUE(cpu.ok()) << cpu.status().ToString();
  EXPECT_EQ(cpu->some.total_micros, 267u);
  ASSERT_TRUE(cpu->full.has_value());
  EXPECT_EQ(cpu->full->total_micros, 267u);
}

TEST(PressureTest, CpuBeforeLinux513HasNoFullLine) {
  const Result<Pressure> cpu =
      ParsePressure("some avg10=0.50 avg60=0.25 avg300=0.00 total=1000\n", "/proc/pressure/cpu");
  ASSERT_TRUE(cpu.ok()) << cpu.status().ToString();
  EXPECT_FALSE(cpu->full.has_value());
  EXPECT_DOUBLE_EQ(cpu->some.avg10, 0.5);
}

TEST(PressureTest, RejectsMalformedContent) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"", "p: no 'some' line"},
      {"full avg10=0 avg60=0 avg300=0 total=0\n", "p: no 'some' line"},
      {"some avg10=0 avg60=0 avg300=0\n", "p:1: expected 'avg10=N avg60=N avg300=N total=N'"},
      {"some avg60=0 avg10=0 avg300=0 total=0\n", "p:1: expected 'avg10=', got 'avg60=0'"},
      {"some avg10=101 avg60=0 avg300=0 total=0\n", "p:1: 'avg10=101': the average is not"},
      {"some avg10=nan avg60=0 avg300=0 total=0\n", "p:1: 'avg10=nan'"},
      {"some avg10=0 avg60=0 avg300=0 total=-1\n", "p:1: 'total=-1': total is not"},
      {"some avg10=0 avg60=0 avg300=0 total=1\nsome avg10=0 avg60=0 avg300=0 total=1\n",
       "p:2: repeated 'some' line"},
      {"some avg10=0 avg60=0 avg300=0 total=1\nhalf x\n", "p:2: expected a 'some' or 'full'"},
  };
  for (const Case& c : cases) {
    const Result<Pressure> p = ParsePressure(c.text, "p");
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(p.status().message().find(c.message), std::string::npos) << p.status().message();
  }
}

}  // namespace
}  // namespace modelwatch
