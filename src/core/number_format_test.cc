#include "modelwatch/core/number_format.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>

namespace modelwatch {
namespace {

TEST(NumberFormatTest, ParsesDecimalAndScientific) {
  double v = 0;
  EXPECT_TRUE(ParseDouble("0.875", &v));
  EXPECT_EQ(v, 0.875);
  EXPECT_TRUE(ParseDouble("-1e-3", &v));
  EXPECT_EQ(v, -1e-3);
  EXPECT_TRUE(ParseDouble("+2", &v));
  EXPECT_EQ(v, 2.0);
  EXPECT_TRUE(ParseDouble(".5", &v));
  EXPECT_EQ(v, 0.5);
  EXPECT_TRUE(ParseDouble("1E5", &v));
  EXPECT_EQ(v, 1e5);
}

TEST(NumberFormatTest, RejectsNonNumbers) {
  double v = 0;
  for (const char* bad :
       {"", "abc", "1.2.3", " 1", "1 ", "nan", "inf", "-inf", "+", "+-1", "0x10", "1e", "--1"}) {
    EXPECT_FALSE(ParseDouble(bad, &v)) << bad;
  }
}

TEST(NumberFormatTest, FormatIsShortestRoundTrip) {
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  EXPECT_EQ(FormatDouble(3.0), "3");
  EXPECT_EQ(FormatDouble(1e-7), "1e-07");
  EXPECT_EQ(FormatDouble(0.30000000000000004), "0.30000000000000004");
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> d(-1e6, 1e6);
  for (int i = 0; i < 10000; ++i) {
    double x = d(rng), y = 0;
    ASSERT_TRUE(ParseDouble(FormatDouble(x), &y));
    EXPECT_EQ(x, y);
  }
}

}  // namespace
}  // namespace modelwatch

namespace modelwatch {
namespace {

// The fast path must agree bit for bit with std::from_chars on plain decimals.
TEST(NumberFormatTest, FastPathMatchesFromChars) {
  std::mt19937_64 rng(3);
  std::uniform_int_distribution<uint64_t> mantissa(0, (uint64_t{1} << 53));
  std::uniform_int_distribution<int> point(0, 22), sign(0, 1);
  for (int i = 0; i < 200000; ++i) {
    std::string digits = std::to_string(mantissa(rng) >> (i % 50));
    int frac = std::min<int>(point(rng), static_cast<int>(digits.size()));
    std::string text =
        digits.substr(0, digits.size() - frac) + "." + digits.substr(digits.size() - frac);
    if (text[0] == '.') text = "0" + text;
    if (sign(rng)) text = "-" + text;
    double fast = 0, reference = 0;
    ASSERT_TRUE(ParseDouble(text, &fast)) << text;
    std::from_chars(text.data(), text.data() + text.size(), reference);
    ASSERT_EQ(fast, reference) << text;
  }
  double v = 0;
  EXPECT_TRUE(ParseDouble("1.", &v));
  EXPECT_EQ(v, 1.0);
  EXPECT_FALSE(ParseDouble(".", &v));
  EXPECT_FALSE(ParseDouble("-", &v));
  EXPECT_TRUE(ParseDouble("0.30000000000000004", &v));
  EXPECT_EQ(v, 0.30000000000000004);
  EXPECT_TRUE(ParseDouble("12345678901234567890.5", &v));  // > 19 digits: full parser
  EXPECT_EQ(v, 12345678901234567890.5);
}

// Every fraction length (the eight-digit blocks and the padded tail of 1..7 digits), with
// leading zeros and short texts, agrees with from_chars; a non-digit anywhere is rejected.
TEST(NumberFormatTest, EveryFractionLengthMatchesFromChars) {
  std::mt19937_64 rng(11);
  for (int integer_digits = 0; integer_digits <= 6; ++integer_digits) {
    for (int fraction_digits = 0; fraction_digits <= 24; ++fraction_digits) {
      for (int trial = 0; trial < 50; ++trial) {
        std::string text;
        for (int i = 0; i < integer_digits; ++i) text += static_cast<char>('0' + rng() % 10);
        if (text.empty()) text = "0";
        text += '.';
        for (int i = 0; i < fraction_digits; ++i) {
          text += static_cast<char>('0' + (trial % 3 == 0 && i < 4 ? 0 : rng() % 10));
        }
        double fast = 0, reference = 0;
        ASSERT_TRUE(ParseDouble(text, &fast)) << text;
        std::from_chars(text.data(), text.data() + text.size(), reference);
        ASSERT_EQ(fast, reference) << text;
        for (size_t bad = 0; bad < text.size(); ++bad) {
          if (text[bad] == '.') continue;
          std::string broken = text;
          broken[bad] = (trial % 2) ? 'x' : '/';  // '/' is '0' - 1
          ASSERT_FALSE(ParseDouble(broken, &fast)) << broken;
        }
      }
    }
  }
}

// The probability fast path ("0." and 6 to 15 digits, 8 to 17 bytes after an optional '-') and
// the texts around its edges agree with from_chars; a non-digit at any place is rejected, the
// sign of zero is kept, and 16 digits (an integer above 2^53) go to the general parser.
TEST(NumberFormatTest, ProbabilityFastPathMatchesFromChars) {
  std::mt19937_64 rng(17);
  for (int fraction_digits = 1; fraction_digits <= 18; ++fraction_digits) {
    for (int trial = 0; trial < 200; ++trial) {
      std::string text = trial % 4 == 1 ? "-0." : "0.";
      for (int i = 0; i < fraction_digits; ++i) {
        const bool zero = (trial % 3 == 0 && i < 5) || trial % 7 == 0;
        text += static_cast<char>('0' + (zero ? 0 : (trial % 5 == 0 ? 9 : rng() % 10)));
      }
      double fast = 0, reference = 0;
      ASSERT_TRUE(ParseDouble(text, &fast)) << text;
      std::from_chars(text.data(), text.data() + text.size(), reference);
      ASSERT_EQ(fast, reference) << text;
      ASSERT_EQ(std::signbit(fast), text[0] == '-') << text;
      for (size_t bad = 0; bad < text.size(); ++bad) {
        if (text[bad] == '-') continue;
        for (char c : {'x', '/', ':', '.', 'e', '\0'}) {  // '/' and ':' border the digits
          if (c == text[bad]) continue;
          std::string broken = text;
          broken[bad] = c;
          double value = 0;
          const bool parsed = ParseDouble(broken, &value);
          double expected = 0;
          const auto [ptr, ec] =
              std::from_chars(broken.data(), broken.data() + broken.size(), expected);
          const bool valid = ec == std::errc() && ptr == broken.data() + broken.size();
          ASSERT_EQ(parsed, valid) << broken;
          if (valid) {
            ASSERT_EQ(value, expected) << broken;
          }
        }
      }
    }
  }
  double v = 0;
  EXPECT_TRUE(ParseDouble("0.9999999999999999", &v));  // 16 digits: above 2^53
  EXPECT_EQ(v, 0.9999999999999999);
  EXPECT_TRUE(ParseDouble("0.656735", &v));
  EXPECT_EQ(v, 0.656735);
  EXPECT_TRUE(ParseDouble("+0.6567351", &v));
  EXPECT_EQ(v, 0.6567351);
  EXPECT_TRUE(ParseDouble("00.656735", &v));
  EXPECT_EQ(v, 0.656735);
  EXPECT_FALSE(ParseDouble("0.65673 ", &v));
  EXPECT_FALSE(ParseDouble("--0.656735", &v));
  EXPECT_FALSE(ParseDouble("-+0.656735", &v));
}

}  // namespace
}  // namespace modelwatch

namespace modelwatch {
namespace {

// ParseDouble as its contract states it, from strtod: the whole text is one number, and what
// strtod accepts beyond ParseDouble's spelling (leading spaces, hex, "inf", "nan") is not
// generated by the callers of this function.
bool ReferenceParse(const std::string& text, double* value) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  *value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

// ParseDoubleWithSlack of `text` placed after kParseSlack bytes of digits, '.' and '-' (what the
// fields before a field hold), agrees with ParseDouble bit for bit: the bytes before the text
// are read and never used.
void ExpectWithSlackAsParseDouble(const std::string& text, std::mt19937_64& rng) {
  std::string buffer(kParseSlack, ' ');
  for (char& c : buffer) c = "0123456789.-"[rng() % 12];
  buffer += text;
  double with_slack = 0, plain = 0;
  const bool parsed = ParseDoubleWithSlack(std::string_view(buffer).substr(kParseSlack), &with_slack);
  ASSERT_EQ(parsed, ParseDouble(text, &plain)) << text;
  if (!parsed) return;
  ASSERT_EQ(with_slack, plain) << text;
  ASSERT_EQ(std::signbit(with_slack), std::signbit(plain)) << text;
}

// Short plain decimals of every length and every place of the '.', with signs and leading
// zeros: bit for bit strtod's value (and its sign of zero); ParseDoubleWithSlack's the same.
TEST(NumberFormatTest, ShortDecimalsMatchStrtod) {
  std::mt19937_64 rng(29);
  for (int length = 1; length <= 18; ++length) {
    for (int trial = 0; trial < 4000; ++trial) {
      std::string text;
      for (int i = 0; i < length; ++i) {
        // Mostly random digits; some runs of 0s and 9s (carries, exact powers of ten).
        const int kind = static_cast<int>(rng() % 8);
        text += static_cast<char>('0' + (kind == 0 ? 0 : kind == 1 ? 9 : rng() % 10));
      }
      const int dot = static_cast<int>(rng() % (length + 2));  // length, length + 1: none
      if (dot < length) text[static_cast<size_t>(dot)] = '.';
      if (rng() % 3 == 0) text = "-" + text;
      ExpectWithSlackAsParseDouble(text, rng);
      double fast = 0, reference = 0;
      const bool parsed = ParseDouble(text, &fast);
      const bool valid = ReferenceParse(text, &reference);
      ASSERT_EQ(parsed, valid) << text;
      if (!valid) continue;
      ASSERT_EQ(fast, reference) << text;
      ASSERT_EQ(std::signbit(fast), std::signbit(reference)) << text;
    }
  }
}

// Random texts over the characters of numbers (digits, '.', signs, exponents) and a few others:
// ParseDouble accepts exactly what strtod reads in full, with the same value, and
// ParseDoubleWithSlack what ParseDouble does.
TEST(NumberFormatTest, RandomTextsMatchStrtod) {
  std::mt19937_64 rng(31);
  static constexpr char kAlphabet[] = "0123456789012345678901234567890123456789..--+eEa/:";
  for (int trial = 0; trial < 1000000; ++trial) {
    const size_t length = rng() % 21;
    std::string text;
    for (size_t i = 0; i < length; ++i) text += kAlphabet[rng() % (sizeof(kAlphabet) - 1)];
    ExpectWithSlackAsParseDouble(text, rng);
    if (text.empty()) continue;
    double fast = 0, reference = 0;
    const bool parsed = ParseDouble(text, &fast);
    const bool valid = ReferenceParse(text, &reference);
    if (valid && errno == ERANGE) continue;  // overflow / underflow: ParseDouble declines
    ASSERT_EQ(parsed, valid) << text;
    if (valid) {
      ASSERT_EQ(fast, reference) << text;
      ASSERT_EQ(std::signbit(fast), std::signbit(reference)) << text;
    }
  }
}

// The texts of the drift benchmark's columns ('%.6g' of normal, lognormal, tiny-scale samples;
// integers) and the edges of the short path: 16 digits above 2^53, one '.', no digit.
TEST(NumberFormatTest, ShortDecimalEdges) {
  std::mt19937_64 rng(37);
  std::normal_distribution<double> normal(0, 1);
  char buf[64];
  for (int i = 0; i < 200000; ++i) {
    const double scale = std::pow(10.0, static_cast<int>(rng() % 12) - 4);
    std::snprintf(buf, sizeof(buf), "%.*g", 1 + static_cast<int>(rng() % 17),
                  normal(rng) * scale);
    const std::string text(buf);
    double fast = 0, reference = 0;
    ASSERT_TRUE(ParseDouble(text, &fast)) << text;
    ASSERT_TRUE(ReferenceParse(text, &reference)) << text;
    ASSERT_EQ(fast, reference) << text;
  }
  double v = 0;
  EXPECT_TRUE(ParseDouble("9007199254740993", &v));  // 2^53 + 1: the general parser rounds
  EXPECT_EQ(v, 9007199254740992.0);
  EXPECT_TRUE(ParseDouble("9007199254740992", &v));
  EXPECT_EQ(v, 9007199254740992.0);
  EXPECT_TRUE(ParseDouble("999999999999999.9", &v));
  EXPECT_EQ(v, 999999999999999.9);
  EXPECT_TRUE(ParseDouble(".999999999999999", &v));
  EXPECT_EQ(v, .999999999999999);
  EXPECT_TRUE(ParseDouble("-0", &v));
  EXPECT_TRUE(std::signbit(v));
  EXPECT_TRUE(ParseDouble("-.5", &v));
  EXPECT_EQ(v, -0.5);
  EXPECT_TRUE(ParseDouble("7", &v));
  EXPECT_EQ(v, 7.0);
  for (const char* bad : {".", "-.", "1..", "..1", "1.2.", "-", "1-", "12a", "desktop", "true"}) {
    EXPECT_FALSE(ParseDouble(bad, &v)) << bad;
  }
}

}  // namespace
}  // namespace modelwatch
