#include "modelwatch/core/hash.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>

namespace modelwatch {
namespace {

// Pinned values: stored HyperLogLog sketches depend on them. If this test fails, the hash
// changed and every stored sketch changed meaning: revert, or bump the sketch format versions.
TEST(HashTest, ValuesArePinned) {
  EXPECT_EQ(Hash64(""), 0xC83E221C6C03C5F6ull);
  EXPECT_EQ(Hash64("a"), 0x552C122B98D23631ull);
  EXPECT_EQ(Hash64("modelwatch"), 0xD48E5E6F3E385487ull);
  EXPECT_EQ(Hash64("0123456789abcdef0123"), 0x8AFFA8C0C74FC4FEull);
  EXPECT_EQ(HashU64(0), 0xC7D4B0854CB64B91ull);
  EXPECT_EQ(HashDouble(1.5), 0xE9030146FDA92110ull);
}

TEST(HashTest, LengthAndTrailingZerosMatter) {
  EXPECT_NE(Hash64(std::string_view("a", 1)), Hash64(std::string_view("a\0", 2)));
  EXPECT_NE(Hash64(std::string(8, '\0')), Hash64(std::string(9, '\0')));
  EXPECT_NE(Hash64(std::string(8, '\0')), Hash64(""));
  EXPECT_NE(Hash64("abc", 1), Hash64("abc", 2));
}

TEST(HashTest, DoublesHashByValue) {
  EXPECT_EQ(HashDouble(0.0), HashDouble(-0.0));
  EXPECT_EQ(HashDouble(std::nan("1")), HashDouble(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_EQ(HashDouble(-std::numeric_limits<double>::quiet_NaN()),
            HashDouble(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_NE(HashDouble(1.0), HashDouble(std::nextafter(1.0, 2.0)));
  EXPECT_NE(HashDouble(std::numeric_limits<double>::infinity()),
            HashDouble(-std::numeric_limits<double>::infinity()));
}

// Flipping any one input bit flips each output bit with probability close to 1/2.
TEST(HashTest, Avalanche) {
  std::mt19937_64 rng(3);
  constexpr int kTrials = 2000;
  for (size_t len : {3, 8, 13, 32}) {
    int worst_bias = 0;
    for (size_t bit = 0; bit < len * 8; bit += 3) {
      int flips[64] = {};
      for (int t = 0; t < kTrials; ++t) {
        std::string s(len, '\0');
        for (char& c : s) c = static_cast<char>(rng());
        const uint64_t h = Hash64(s);
        s[bit / 8] = static_cast<char>(s[bit / 8] ^ (1 << (bit % 8)));
        const uint64_t diff = h ^ Hash64(s);
        for (int o = 0; o < 64; ++o) flips[o] += static_cast<int>((diff >> o) & 1);
      }
      for (int o = 0; o < 64; ++o)
        worst_bias = std::max(worst_bias, std::abs(flips[o] - kTrials / 2));
    }
    // Binomial(2000, 1/2) has sd ~22; over ~5000 (bit, output) pairs the max deviation stays
    // well under 5.5 sd.
    EXPECT_LT(worst_bias, 120) << "length " << len;
  }
  // Sequential integers (the worst case for weak mixers) spread over the top bits.
  int buckets[16] = {};
  for (uint64_t i = 0; i < 160000; ++i) ++buckets[HashU64(i) >> 60];
  for (int b : buckets) EXPECT_NEAR(b, 10000, 500);
}

TEST(HashTest, NoCollisionsOnManyShortStrings) {
  std::set<uint64_t> seen;
  for (int i = 0; i < 200000; ++i) seen.insert(Hash64(std::to_string(i)));
  EXPECT_EQ(seen.size(), 200000u);
}

}  // namespace
}  // namespace modelwatch
