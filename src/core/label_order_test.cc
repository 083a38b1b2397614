#include "modelwatch/core/label_order.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace modelwatch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

LabelInterner Intern(std::initializer_list<const char*> texts) {
  LabelInterner in;
  for (const char* t : texts) in.Intern(t);
  return in;
}

TEST(LabelOrderTest, NumericLabelsSortByValueAndMergeEqualValues) {
  LabelInterner in = Intern({"10", "2", "1.0", "1", "-3", "2.50"});
  Result<LabelOrder> o = CanonicalLabelOrder(in, {});
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->numeric);
  EXPECT_THAT(o->labels, ElementsAre("-3", "1", "2", "2.5", "10"));
  EXPECT_THAT(o->raw_to_class, ElementsAre(4, 2, 1, 1, 0, 3));
}

TEST(LabelOrderTest, StringLabelsSortByteWise) {
  LabelInterner in = Intern({"dog", "Cat", "cat", "10", "9"});
  Result<LabelOrder> o = CanonicalLabelOrder(in, {});
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->numeric);
  EXPECT_THAT(o->labels, ElementsAre("10", "9", "Cat", "cat", "dog"));
  EXPECT_THAT(o->raw_to_class, ElementsAre(4, 2, 3, 0, 1));
}

TEST(LabelOrderTest, ExplicitLabelsKeepGivenOrder) {
  LabelInterner in = Intern({"b", "a"});
  std::vector<std::string> given = {"c", "b", "a"};
  Result<LabelOrder> o = CanonicalLabelOrder(in, given);
  ASSERT_TRUE(o.ok());
  EXPECT_THAT(o->labels, ElementsAre("c", "b", "a"));
  EXPECT_THAT(o->raw_to_class, ElementsAre(1, 2));
}

TEST(LabelOrderTest, ExplicitNumericLabelsMatchByValue) {
  LabelInterner in = Intern({"1.0", "0"});
  std::vector<std::string> given = {"1", "0.0"};
  Result<LabelOrder> o = CanonicalLabelOrder(in, given);
  ASSERT_TRUE(o.ok());
  EXPECT_THAT(o->labels, ElementsAre("1", "0"));
  EXPECT_THAT(o->raw_to_class, ElementsAre(0, 1));
}

TEST(LabelOrderTest, LabelOutsideExplicitSetIsAnError) {
  LabelInterner in = Intern({"a", "z"});
  std::vector<std::string> given = {"a", "b"};
  Result<LabelOrder> o = CanonicalLabelOrder(in, given);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(o.status().message(), HasSubstr("label 'z' is not one of the given labels (a, b)"));
}

TEST(LabelOrderTest, DuplicateExplicitLabelIsAnError) {
  LabelInterner in = Intern({"1"});
  std::vector<std::string> given = {"1", "1.0"};
  EXPECT_EQ(CanonicalLabelOrder(in, given).status().code(), StatusCode::kInvalidArgument);
}

TEST(LabelOrderTest, CanonicalNumberText) {
  EXPECT_EQ(CanonicalNumberText(1.0), "1");
  EXPECT_EQ(CanonicalNumberText(-0.0), "0");
  EXPECT_EQ(CanonicalNumberText(2.5), "2.5");
  EXPECT_EQ(CanonicalNumberText(0.1), "0.1");
  EXPECT_EQ(CanonicalNumberText(1e300), "1e+300");
  EXPECT_EQ(CanonicalNumberText(-42), "-42");
}

TEST(LabelOrderTest, SameLabel) {
  EXPECT_TRUE(SameLabel("1", "1.0"));
  EXPECT_TRUE(SameLabel("1e0", "+1"));
  EXPECT_TRUE(SameLabel("cat", "cat"));
  EXPECT_FALSE(SameLabel("cat", "Cat"));
  EXPECT_FALSE(SameLabel("1", "1 "));
  EXPECT_FALSE(SameLabel("nan", "NaN"));
}

TEST(LabelInternerTest, DenseIdsInOrderOfFirstSight) {
  LabelInterner in;
  EXPECT_EQ(in.Intern("b"), 0u);
  EXPECT_EQ(in.Intern("a"), 1u);
  EXPECT_EQ(in.Intern("b"), 0u);
  EXPECT_EQ(in.Find("a"), 1u);
  EXPECT_EQ(in.Find("zz"), LabelInterner::kNotFound);
  EXPECT_EQ(in.size(), 2u);
  EXPECT_EQ(in.text(1), "a");
}

TEST(LabelInternerTest, SwitchesToHashIndexAndStaysConsistent) {
  LabelInterner in;
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(in.Intern("label" + std::to_string(i)), uint32_t(i));
  for (int i = 999; i >= 0; --i) EXPECT_EQ(in.Intern("label" + std::to_string(i)), uint32_t(i));
  LabelInterner copy = in;
  EXPECT_EQ(copy.Find("label500"), 500u);
  EXPECT_EQ(copy.Intern("new"), 1000u);
  EXPECT_EQ(in.Find("new"), LabelInterner::kNotFound);
}

}  // namespace
}  // namespace modelwatch

namespace modelwatch {
namespace {

TEST(LabelInternerTest, ShortAndLongLabelsAndPrefixesAreDistinct) {
  LabelInterner in;
  const char* labels[] = {
      "", "a", "a\0" /* same as "a" */, "ab", "abcdefgh", "abcdefghi", "abcdefgi", "\xff", "b"};
  std::vector<uint32_t> ids;
  for (const char* l : labels) ids.push_back(in.Intern(l));
  EXPECT_EQ(ids, (std::vector<uint32_t>{0, 1, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(in.Intern(std::string_view("a\0", 2)), 8u);  // an embedded NUL is a byte like others
  EXPECT_EQ(in.Find(std::string_view("a\0", 2)), 8u);
  EXPECT_EQ(in.Find("abcdefghi"), 4u);
  EXPECT_EQ(in.Find("abcdefg"), LabelInterner::kNotFound);
}

}  // namespace
}  // namespace modelwatch
