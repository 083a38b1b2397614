#include "modelwatch/core/task.h"

#include <gtest/gtest.h>

namespace modelwatch {
namespace {

TEST(TaskTest, NamesRoundTrip) {
  for (Task t : {Task::kBinary, Task::kMulticlass, Task::kRegression}) {
    EXPECT_EQ(TaskFromName(TaskName(t)), t);
  }
  EXPECT_EQ(TaskName(Task::kMulticlass), "multiclass");
  EXPECT_EQ(TaskFromName("Binary"), std::nullopt);
  EXPECT_EQ(TaskFromName(""), std::nullopt);
}

}  // namespace
}  // namespace modelwatch
