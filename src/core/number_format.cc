#include "modelwatch/core/number_format.h"

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#endif

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace modelwatch {

namespace {

// Exact powers of ten: every 10^k with k <= 22 is representable in a double.
constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// Eight ASCII digits, loaded little-endian into one word (first digit in the low byte)?
bool IsEightDigits(uint64_t word) {
  return ((word & 0xF0F0F0F0F0F0F0F0) |
          (((word + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) >> 4)) == 0x3333333333333333;
}

// The value of eight ASCII digits loaded as above: pairs, then quadruples, then the eight are
// combined by multiplications (SWAR), three multiplies instead of eight dependent steps.
uint32_t EightDigitsValue(uint64_t word) {
  word -= 0x3030303030303030;
  word = word * 10 + (word >> 8);  // byte 2i: the two-digit value of digits 2i, 2i+1
  constexpr uint64_t kPairMask = 0x000000FF000000FF;
  constexpr uint64_t kMul1 = 100 + (uint64_t{1000000} << 32);
  constexpr uint64_t kMul2 = 1 + (uint64_t{10000} << 32);
  return static_cast<uint32_t>(
      (((word & kPairMask) * kMul1) + (((word >> 16) & kPairMask) * kMul2)) >> 32);
}

bool IsDigit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

// 10^k for k <= 8, as integers.
constexpr uint32_t kPow10Int[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

constexpr uint64_t kEightZeros = 0x3030303030303030;  // "00000000"

#if defined(__SSE2__) && defined(__x86_64__)
// For 1 to 16 digits loaded as ShortDigitsValue loads them (8 bytes at p when there are more
// than 8 digits, in lanes 0 to 7; the 8 bytes that end the text in lanes 8 to 15): 0xFF in the
// lanes that hold the digits, 0 in the others.
struct DigitLanes {
  std::array<std::array<uint8_t, 16>, 17> masks{};
  constexpr DigitLanes() {
    for (size_t count = 1; count <= 16; ++count) {
      const size_t last = count > 8 ? count - 8 : count;  // digits in the last word
      for (size_t lane = 0; lane < 16; ++lane) {
        const bool ours = lane < 8 ? count > 8 : lane >= 16 - last;
        masks[count][lane] = ours ? 0xFF : 0;
      }
    }
  }
};
constexpr DigitLanes kDigitLanes;

// The 16 lanes of `digits`, each a digit's value (0 to 9), as two 8-digit numbers: lanes 0-7 in
// the low 32 bits of *values, lanes 8-15 in the high ones; false when a lane is above 9.
// Pairs (the first digit is the low byte of its 16-bit lane), then fours, then eights.
[[gnu::always_inline]] inline bool DigitLanesValues(__m128i digits, uint64_t* values) {
  const __m128i above_nine = _mm_subs_epu8(digits, _mm_set1_epi8(9));  // 0 for a digit
  if (_mm_movemask_epi8(_mm_cmpeq_epi8(above_nine, _mm_setzero_si128())) != 0xFFFF) return false;
  const __m128i pairs = _mm_add_epi16(
      _mm_mullo_epi16(_mm_and_si128(digits, _mm_set1_epi16(0xFF)), _mm_set1_epi16(10)),
      _mm_srli_epi16(digits, 8));
  const __m128i fours = _mm_madd_epi16(pairs, _mm_set1_epi32(100 + (1 << 16)));
  const __m128i eights =
      _mm_madd_epi16(_mm_packs_epi32(fours, fours), _mm_set1_epi32(10000 + (1 << 16)));
  *values = static_cast<uint64_t>(_mm_cvtsi128_si64(eights));
  return true;
}
#endif

// The value of the 1 to 16 digits [p, end), where the 8 bytes before `end` are readable (they may
// begin before p), or false when one of them is not a digit. Without a branch on the count (the
// lengths of a column's numbers vary, and a branch on them is mispredicted): the last 8 bytes give
// the last k = 1..8 digits, the bytes before them taken as 0s; with more than 8 digits, a second
// load at p gives the first 8, else that word is 0.
bool ShortDigitsValue(const char* p, const char* end, uint64_t* out) {
  const size_t count = static_cast<size_t>(end - p);
  const uint64_t two_words = uint64_t{0} - static_cast<uint64_t>(count > 8);
  const size_t k = count - (two_words & 8);  // digits in the last word
  uint64_t last;
  std::memcpy(&last, end - 8, 8);
  uint64_t first;
  std::memcpy(&first, end - 8 - ((count - 8) & two_words), 8);  // p with two words
#if defined(__SSE2__) && defined(__x86_64__)
  // Both words in one register, the bytes that are not digits of ours zeroed: the check and the
  // conversion of 16 digits in a handful of instructions (the scalar words below take about
  // twice as many, and this runs for every score).
  const __m128i ours =
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(kDigitLanes.masks[count].data()));
  const __m128i digits = _mm_and_si128(
      _mm_sub_epi8(_mm_set_epi64x(static_cast<long long>(last), static_cast<long long>(first)),
                   _mm_set1_epi8('0')),
      ours);
  uint64_t values;
  if (!DigitLanesValues(digits, &values)) return false;
  *out = (values & 0xFFFFFFFF) * kPow10Int[k] + (values >> 32);
#else
  const uint64_t ours = ~uint64_t{0} << (8 * (8 - k));  // the last k bytes: high in the word
  last = (last & ours) | (kEightZeros & ~ours);
  first = (first & two_words) | (kEightZeros & ~two_words);
  if (!IsEightDigits(last) || !IsEightDigits(first)) return false;
  *out = uint64_t{EightDigitsValue(first)} * kPow10Int[k] + EightDigitsValue(last);
#endif
  return true;
}

#if defined(__SSE2__) && defined(__x86_64__)
// For a text of 1 to 16 bytes loaded right-aligned into 16 lanes (its last byte in lane 15):
// `text[n]` is 0xFF in the lanes that hold its bytes (16 - n to 15); `up_to[d]` is 0xFF in the
// lanes 0 to d, the lanes that move up by one when a '.' in lane d is taken out (up_to[16]: no
// '.', nothing moves).
struct ShortTextLanes {
  std::array<std::array<uint8_t, 16>, 17> text{};
  std::array<std::array<uint8_t, 16>, 17> up_to{};
  constexpr ShortTextLanes() {
    for (size_t n = 0; n <= 16; ++n) {
      for (size_t lane = 0; lane < 16; ++lane) {
        text[n][lane] = lane >= 16 - n ? 0xFF : 0;
        up_to[n][lane] = n < 16 && lane <= n ? 0xFF : 0;
      }
    }
  }
};
constexpr ShortTextLanes kShortTextLanes;

uint64_t Load64(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, 8);
  return word;
}

uint64_t Load32(const char* p) {
  uint32_t word;
  std::memcpy(&word, p, 4);
  return word;
}

// The value of a plain decimal of n bytes (1 to 16) in the high lanes of `lanes`, its last byte
// in lane 15, as ShortDecimalValue below gives it; the low 16 - n lanes may hold anything.
[[gnu::always_inline]] inline bool DecimalLanesValue(__m128i lanes, size_t n, uint64_t* mantissa,
                                                     size_t* fraction) {
  const __m128i ours =
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(kShortTextLanes.text[n].data()));
  const __m128i text = _mm_and_si128(lanes, ours);
  const unsigned dots = static_cast<unsigned>(
      _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(text, _mm_set1_epi8('.')), ours)));
  if ((dots & (dots - 1)) != 0 || n == (dots != 0)) return false;  // two '.', or no digit
  const unsigned dot = dots != 0 ? static_cast<unsigned>(__builtin_ctz(dots)) : 16;
  const __m128i digits = _mm_and_si128(_mm_sub_epi8(text, _mm_set1_epi8('0')), ours);
  const __m128i up =
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(kShortTextLanes.up_to[dot].data()));
  // The '.' out: lanes 0 to dot take their lower neighbour's digit (lane 0 a 0).
  const __m128i packed = _mm_or_si128(_mm_and_si128(up, _mm_slli_si128(digits, 1)),
                                      _mm_andnot_si128(up, digits));
  uint64_t values;
  if (!DigitLanesValues(packed, &values)) return false;
  *mantissa = (values & 0xFFFFFFFF) * 100000000 + (values >> 32);
  *fraction = dots != 0 ? 15 - dot : 0;
  return true;
}

// The digits of a plain decimal of 1 to 16 bytes [p, end) ("23", "64.0069", "-" excluded: digits
// and at most one '.', at least one digit) as an integer and the count of digits after the '.'
// (0 without one), or false when the text is not one. Reads only [p, end). No branch on the
// digits or the place of the '.': the text goes right-aligned into one SSE register (three load
// patterns by length, overlapping loads of its ends), then DecimalLanesValue finds the '.' by
// comparison and takes it out by moving the lanes before it up by one, and checks and converts
// the 16 lanes at once as in ShortDigitsValue.
[[gnu::always_inline]] inline bool ShortDecimalValue(const char* p, const char* end,
                                                     uint64_t* mantissa, size_t* fraction) {
  const size_t n = static_cast<size_t>(end - p);
  uint64_t low = 0, high;
  if (n >= 8) {
    high = Load64(end - 8);
    low = Load64(p) << ((8 * (16 - n)) & 63);  // n == 8: lanes 0 to 7 are masked out below
  } else if (n >= 4) {
    high = (Load32(p) | Load32(end - 4) << (8 * (n - 4))) << (8 * (8 - n));
  } else {
    // 1 to 3 bytes: integers ("0", "23", "479") without the vector work.
    const auto byte = [](char c) { return uint64_t{static_cast<unsigned char>(c)}; };
    const uint64_t first = byte(p[0]), middle = byte(p[n / 2]), last = byte(p[n - 1]);
    if (first - '0' < 10 && middle - '0' < 10 && last - '0' < 10) {
      static constexpr uint8_t kFirstWeight[] = {0, 0, 10, 100}, kMiddleWeight[] = {0, 0, 0, 10};
      *mantissa = (first - '0') * kFirstWeight[n] + (middle - '0') * kMiddleWeight[n] + last - '0';
      *fraction = 0;
      return true;
    }
    high = (first | middle << (8 * (n / 2)) | last << (8 * (n - 1))) << (8 * (8 - n));
  }
  const __m128i text = _mm_set_epi64x(static_cast<long long>(high), static_cast<long long>(low));
  return DecimalLanesValue(text, n, mantissa, fraction);
}

#endif

// from_chars for what the fast path declines: exponents, long mantissas, and every malformed
// text (which it rejects, as it rejects the non-finite spellings "nan" and "inf").
[[gnu::noinline]] bool ParseDoubleSlow(std::string_view text, double* value) {
  const char* first = text.data();
  const char* last = first + text.size();
  if (*first == '+') {
    ++first;
    if (first == last || *first == '-' || *first == '+') return false;
  }
  char c = *first == '-' ? (first + 1 < last ? first[1] : '\0') : *first;
  if (c != '.' && (c < '0' || c > '9')) return false;
  auto [ptr, ec] = std::from_chars(first, last, *value, std::chars_format::general);
  return ec == std::errc() && ptr == last;
}

// Clinger's fast path for plain decimals ("-12.375", "0.000123"): when the digits form an integer
// m <= 2^53 and there are at most 22 fraction digits, m / 10^k is one correctly rounded IEEE
// division, so the result equals from_chars'. Eight fraction digits at a time are converted
// without a branch per digit (SWAR); anything else goes to ParseDoubleSlow. Out of line, so that
// ParseDouble's own fast path saves no registers for it.
[[gnu::noinline]] bool ParseDecimal(std::string_view text, double* value) {
  if (text.empty()) return false;
  const char* p = text.data();
  const char* const end = p + text.size();
  const bool negative = *p == '-';
  p += negative || *p == '+';
  // Unsigned wrap-around on long inputs is harmless: more than 19 digits are declined below.
  uint64_t mantissa = 0;
  const char* const integer_begin = p;
  for (; p != end && IsDigit(*p); ++p) mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
  const std::ptrdiff_t integer_digits = p - integer_begin;
  std::ptrdiff_t fraction_digits = 0;
  if (p != end && *p == '.') {
    const char* const fraction_begin = ++p;
    while (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, 8);
      if (!IsEightDigits(word)) break;
      mantissa = mantissa * 100000000 + EightDigitsValue(word);
      p += 8;
    }
    const std::ptrdiff_t rest = end - p;
    if (rest > 0 && rest < 8 && end - text.data() >= 8) {
      // The last 1..7 digits, read as the tail of the 8 bytes that end the text and padded with
      // trailing '0's to eight digits: m * 10^pad / 10^(k + pad) is the same number, and the
      // fast-path conditions below still decide whether the division is exact.
      const int shift = 8 * static_cast<int>(8 - rest);
      uint64_t word;
      std::memcpy(&word, end - 8, 8);
      word = (word >> shift) | (kEightZeros << (64 - shift));
      if (IsEightDigits(word)) {
        mantissa = mantissa * 100000000 + EightDigitsValue(word);
        fraction_digits = 8 - rest;  // the padding
        p = end;
      }
    }
    for (; p != end && IsDigit(*p); ++p) {
      mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
    }
    fraction_digits += p - fraction_begin;
  }
  const std::ptrdiff_t digits = integer_digits + fraction_digits;
  if (p != end || digits == 0 || digits > 19 || fraction_digits > 22 ||
      mantissa > (uint64_t{1} << 53)) [[unlikely]] {
    return ParseDoubleSlow(text, value);
  }
  const double v = static_cast<double>(mantissa) / kPow10[fraction_digits];
  *value = negative ? -v : v;
  return true;
}

}  // namespace

// The common cases first, without the general one's loops and branches: a probability, "0." and
// 6 to 15 more digits ("0.656735", "-0.0004914736"), is m / 10^k with m < 10^15 < 2^53, one
// correctly rounded division, equal to from_chars'. Then any short plain decimal ("23",
// "-2.13037", "922.935": up to 16 bytes after an optional '-') by ShortDecimalValue, m / 10^k with
// m <= 2^53 and k <= 15, the same division. A text that cannot be a number (its first byte after
// the sign is not a digit, '.' or '+') is rejected at once; everything else goes to ParseDecimal.
bool ParseDouble(std::string_view text, double* value) {
  const char* const end = text.data() + text.size();
  const char* const p = text.data() + (!text.empty() && text[0] == '-');
  const std::ptrdiff_t n = end - p;
  constexpr uint16_t kZeroPoint = '0' | ('.' << 8);  // "0." loaded little-endian
  uint16_t head = 0;
  if (n >= 8) std::memcpy(&head, p, 2);
  uint64_t m;
  if (head == kZeroPoint && n <= 17 && ShortDigitsValue(p + 2, end, &m)) [[likely]] {
    const double v = static_cast<double>(static_cast<int64_t>(m)) / kPow10[n - 2];
    *value = p == text.data() ? v : -v;
    return true;
  }
#if defined(__SSE2__) && defined(__x86_64__)
  size_t fraction;
  if (static_cast<size_t>(n - 1) < 16 && ShortDecimalValue(p, end, &m, &fraction) &&
      m <= (uint64_t{1} << 53)) [[likely]] {
    const double v = static_cast<double>(static_cast<int64_t>(m)) / kPow10[fraction];
    *value = p == text.data() ? v : -v;
    return true;
  }
#endif
  if (n <= 0 || (!IsDigit(*p) && *p != '.' && *p != '+')) return false;
  return ParseDecimal(text, value);
}

// The short plain decimal with one load of the 16 bytes that end the text, whatever its length:
// no branch on the length, which varies from field to field; the rest as ParseDouble.
bool ParseDoubleWithSlack(std::string_view text, double* value) {
#if defined(__SSE2__) && defined(__x86_64__)
  const char* const end = text.data() + text.size();
  const bool negative = !text.empty() && text[0] == '-';
  const size_t n = text.size() - negative;
  uint64_t m;
  size_t fraction;
  if (n - 1 < 16) [[likely]] {
    const __m128i lanes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(end - kParseSlack));
    if (DecimalLanesValue(lanes, n, &m, &fraction) && m <= (uint64_t{1} << 53)) [[likely]] {
      const double v = static_cast<double>(static_cast<int64_t>(m)) / kPow10[fraction];
      *value = negative ? -v : v;
      return true;
    }
  }
#endif
  return ParseDouble(text, value);
}

std::string FormatDouble(double value) {
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  (void)ec;  // 32 bytes always suffice for the shortest form of a double
  return std::string(buf, ptr);
}

}  // namespace modelwatch
