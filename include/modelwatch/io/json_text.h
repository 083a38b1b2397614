// Small lexical helpers over JSON text shared by the JSON readers (io's NDJSON reader, the
// daemon's ingest parsers): RFC 8259 whitespace and number grammar, and a short-string compare
// for keys. Header-only, no third-party types. Thread safety: pure functions.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace modelwatch::io {

inline bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
inline bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

inline std::string_view TrimTrailingJsonSpace(std::string_view s) {
  while (!s.empty() && IsJsonSpace(s.back())) s.remove_suffix(1);
  return s;
}

// a == b, for short strings (keys): most mismatches are decided by the size or the first byte,
// and matches are compared 8 bytes at a time, without a call to memcmp.
inline bool SameText(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n == 0) return true;
  if (a[0] != b[0]) return false;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y) return false;
  }
  for (; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// RFC 8259 number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
inline bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i == n || !IsAsciiDigit(s[i])) return false;
  if (s[i++] != '0') {
    while (i < n && IsAsciiDigit(s[i])) ++i;
  }
  if (i < n && s[i] == '.') {
    if (++i == n || !IsAsciiDigit(s[i])) return false;
    while (i < n && IsAsciiDigit(s[i])) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (i == n || !IsAsciiDigit(s[i])) return false;
    while (i < n && IsAsciiDigit(s[i])) ++i;
  }
  return i == n;
}

// -?(0|[1-9][0-9]*)
inline bool IsJsonInteger(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  if (s.empty() || (s[0] == '0' && s.size() > 1)) return false;
  return std::all_of(s.begin(), s.end(), IsAsciiDigit);
}

}  // namespace modelwatch::io
