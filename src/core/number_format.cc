#include "modelwatch/core/number_format.h"

#include <charconv>
#include <cmath>

namespace modelwatch {

bool ParseDouble(std::string_view text, double* value) {
  if (text.empty()) return false;
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
