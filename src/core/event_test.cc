#include "modelwatch/core/event.h"

#include <gtest/gtest.h>

namespace modelwatch {
namespace {

TEST(EventValueTest, CanonicalTextIsClassIdentityByValue) {
  EXPECT_EQ(EventValue::Number(1.0).CanonicalText(), "1");
  EXPECT_EQ(EventValue::Number(1.0).CanonicalText(), EventValue::String("1").CanonicalText());
  EXPECT_EQ(EventValue::Number(0.25).CanonicalText(), "0.25");
  EXPECT_EQ(EventValue::Bool(true).CanonicalText(), "true");
  EXPECT_EQ(EventValue::String("cat").CanonicalText(), "cat");
  EXPECT_EQ(EventValue().CanonicalText(), "");
  EXPECT_TRUE(EventValue().is_null());
  EXPECT_NE(EventValue::Number(1), EventValue::String("1"));  // as sent, they differ
}

}  // namespace
}  // namespace modelwatch
