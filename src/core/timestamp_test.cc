#include "modelwatch/core/timestamp.h"

#include <gtest/gtest.h>

namespace modelwatch {
namespace {

TEST(TimestampTest, ParsesRfc3339AndEpochSeconds) {
  EXPECT_EQ(ParseTimestamp("1970-01-01T00:00:00Z"), 0.0);
  // date -u -d 2026-11-24T10:00:03Z +%s == 1795514403
  EXPECT_DOUBLE_EQ(*ParseTimestamp("2026-11-24T10:00:03.120Z"), 1795514403.12);
  EXPECT_EQ(ParseTimestamp("2026-11-24 11:00:03+01:00"), 1795514403.0);
  EXPECT_EQ(ParseTimestamp("2026-11-24T05:30:03-04:30"), 1795514403.0);
  EXPECT_EQ(ParseTimestamp("2000-02-29T00:00:00Z"), 951782400.0);
  EXPECT_EQ(ParseTimestamp("1795514403"), 1795514403.0);
  EXPECT_EQ(ParseTimestamp("1795514403.5"), 1795514403.5);
}

TEST(TimestampTest, RejectsMalformedAndOutOfRange) {
  for (const char* bad :
       {"", "2026-11-24", "2026-11-24T10:00:03", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-11-24T24:00:00Z", "2026-11-24T10:00:03.Z", "2026-11-24T10:00:03Zx",
        "2026-11-24T10:00:03+0100", "yesterday", "nan", "inf"}) {
    EXPECT_FALSE(ParseTimestamp(bad).has_value()) << bad;
  }
}

TEST(TimestampTest, FormatRoundTrips) {
  EXPECT_EQ(FormatTimestamp(1795514403.12), "2026-11-24T10:00:03.120Z");
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59.000Z");
  for (double t : {951782400.0, 1795514403.25, 4102444800.999}) {
    EXPECT_DOUBLE_EQ(*ParseTimestamp(FormatTimestamp(t)), t);
  }
}

}  // namespace
}  // namespace modelwatch
