// Find() compares every short key without an early exit; these check that the scan finds the
// right id around the short-key packing and the switch to a hash index (more cases in
// label_order_test.cc).

#include "modelwatch/core/label_interner.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace modelwatch {
namespace {

// Labels that agree in their packed bytes or prefixes but not in length or content stay apart,
// short (at most 8 bytes) and long alike, and raw texts are kept ("1" and "1.0" differ).
TEST(LabelInternerTest, SimilarLabelsAreDistinct) {
  const std::vector<std::string> labels = {
      "",         std::string(1, '\0'), std::string(2, '\0'), "1", "1.0", "10",
      "12345678", "123456789",          "1234567890",         "a", "a ",  "A"};
  LabelInterner in;
  for (size_t i = 0; i < labels.size(); ++i) EXPECT_EQ(in.Intern(labels[i]), i) << i;
  for (size_t i = 0; i < labels.size(); ++i) {
    EXPECT_EQ(in.Find(labels[i]), i) << i;
    EXPECT_EQ(in.text(static_cast<uint32_t>(i)), labels[i]);
  }
  EXPECT_EQ(in.Find("12345679"), LabelInterner::kNotFound);
  EXPECT_EQ(in.Find("1234567891"), LabelInterner::kNotFound);
}

// Past kLinearScanLimit labels the interner switches to a hash map; ids do not change, and a
// copy finds what the original finds.
TEST(LabelInternerTest, ManyLabelsAndCopies) {
  LabelInterner in;
  const size_t n = 3 * LabelInterner::kLinearScanLimit;
  for (size_t i = 0; i < n; ++i) {
    const std::string label = (i % 2 ? "class_with_a_long_name_" : "") + std::to_string(i);
    EXPECT_EQ(in.Intern(label), i);
    for (size_t j = 0; j <= i; ++j) {
      const std::string seen = (j % 2 ? "class_with_a_long_name_" : "") + std::to_string(j);
      ASSERT_EQ(in.Find(seen), j) << "after " << i + 1 << " labels";
    }
  }
  const LabelInterner copy = in;
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(copy.Find(in.text(static_cast<uint32_t>(i))), i);
  EXPECT_EQ(copy.Find("missing"), LabelInterner::kNotFound);
}

// The packed bytes of every short label equal a plain byte-by-byte little-endian load.
TEST(PackShortLabelTest, EqualsTheBytesLoadedOneByOne) {
  const std::string text = "abcdefgh";
  for (size_t n = 0; n <= 8; ++n) {
    for (size_t at = 0; at + n <= text.size(); ++at) {
      const std::string_view label = std::string_view(text).substr(at, n);
      uint64_t expected = 0;
      for (size_t i = 0; i < n; ++i) {
        expected |= uint64_t{static_cast<unsigned char>(label[i])} << (8 * i);
      }
      EXPECT_EQ(PackShortLabel(label), expected) << "'" << label << "'";
    }
  }
  EXPECT_EQ(PackShortLabel(std::string_view("\xff\x00", 2)), uint64_t{0xff});
}

}  // namespace
}  // namespace modelwatch
