#include "modelwatch/core/number_format.h"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace modelwatch {

namespace {

// Exact powers of ten: every 10^k with k <= 22 is representable in a double.
constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// Clinger's fast path for plain decimals ("-12.375", "0.000123"): when the digits form an integer
// m <= 2^53 and there are at most 22 fraction digits, m / 10^k is one correctly rounded IEEE
// division, so the result equals from_chars'. Returns false (without a verdict) otherwise.
bool ParseSimpleDecimal(const char* p, const char* end, double* value) {
  bool negative = false;
  if (p != end && (*p == '-' || *p == '+')) negative = *p++ == '-';
  // Unsigned wrap-around on long inputs is harmless: more than 19 digits are rejected below.
  uint64_t mantissa = 0;
  const char* integer_begin = p;
  for (unsigned d; p != end && (d = static_cast<unsigned char>(*p) - '0') < 10; ++p) {
    mantissa = mantissa * 10 + d;
  }
  const std::ptrdiff_t integer_digits = p - integer_begin;
  std::ptrdiff_t fraction_digits = 0;
  if (p != end && *p == '.') {
    const char* fraction_begin = ++p;
    for (unsigned d; p != end && (d = static_cast<unsigned char>(*p) - '0') < 10; ++p) {
      mantissa = mantissa * 10 + d;
    }
    fraction_digits = p - fraction_begin;
  }
  const std::ptrdiff_t digits = integer_digits + fraction_digits;
  if (p != end || digits == 0 || digits > 19 || fraction_digits > 22 ||
      mantissa > (uint64_t{1} << 53)) {
    return false;  // exponent, garbage or too many digits: let the full parser decide
  }
  const double v = static_cast<double>(mantissa) / kPow10[fraction_digits];
  *value = negative ? -v : v;
  return true;
}

}  // namespace

bool ParseDouble(std::string_view text, double* value) {
  if (text.empty()) return false;
  if (ParseSimpleDecimal(text.data(), text.data() + text.size(), value)) return true;
  const char* first = text.data();
  const char* last = first + text.size();
  if (*first == '+') {
    ++first;
    if (first == last || *first == '-' || *first == '+') return false;
  }
  // from_chars also accepts "nan", "inf" and hex-free forms; reject the non-finite spellings.
  char c = *first == '-' ? (first + 1 < last ? first[1] : '\0') : *first;
  if (c != '.' && (c < '0' || c > '9')) return false;
  auto [ptr, ec] = std::from_chars(first, last, *value, std::chars_format::general);
  return ec == std::errc() && ptr == last;
}

std::string FormatDouble(double value) {
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  (void)ec;  // 32 bytes always suffice for the shortest form of a double
  return std::string(buf, ptr);
}

}  // namespace modelwatch
