#include "modelwatch/core/confusion_matrix.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace modelwatch {
namespace {

using ::testing::ElementsAre;

TEST(ConfusionMatrixTest, CountsAndGrowsPreservingCounts) {
  ConfusionMatrix cm(2);
  cm.Update(0, 0);
  cm.Update(0, 1);
  cm.Update(1, 1);
  cm.Update(5, 0);  // grows beyond capacity 2
  cm.Update(0, 1);
  EXPECT_GE(cm.capacity(), 6u);
  EXPECT_EQ(cm.count(0, 0), 1u);
  EXPECT_EQ(cm.count(0, 1), 2u);
  EXPECT_EQ(cm.count(1, 1), 1u);
  EXPECT_EQ(cm.count(5, 0), 1u);
  EXPECT_EQ(cm.count(100, 100), 0u);
  EXPECT_EQ(cm.total(), 5u);
}

TEST(ConfusionMatrixTest, MergeAddsCounts) {
  ConfusionMatrix a(2), b(16);
  a.Update(0, 1);
  b.Update(0, 1);
  b.Update(9, 3);
  a.Merge(b);
  EXPECT_EQ(a.count(0, 1), 2u);
  EXPECT_EQ(a.count(9, 3), 1u);
  EXPECT_EQ(a.total(), 3u);
}

TEST(ConfusionMatrixTest, AddCountsManyRowsAtOnce) {
  ConfusionMatrix cm(1);
  cm.Add(3, 2, 40);
  cm.Add(3, 2, 2);
  EXPECT_EQ(cm.count(3, 2), 42u);
  EXPECT_EQ(cm.total(), 42u);
}

TEST(ConfusionMatrixTest, RemapFoldsRawIdsIntoClasses) {
  ConfusionMatrix cm;
  cm.Update(0, 1);  // raw 0 and 2 are the same class ("1" and "1.0")
  cm.Update(2, 1);
  cm.Update(1, 2);
  std::vector<uint32_t> raw_to_class = {1, 0, 1};
  EXPECT_THAT(cm.Remap(raw_to_class, 2), ElementsAre(0, 1, 2, 0));
}

}  // namespace
}  // namespace modelwatch
