#include "config_values.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <utility>
#include <vector>

#include "modelwatch/server/config.h"

namespace modelwatch::server {
namespace internal {
namespace {

constexpr int kMaxDecimals = 6;
constexpr uint64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A decimal number "D+" or "D+.D+" at the start of `text`, as integer part and fraction
// (numerator over 10^decimals). Returns the number of characters used, 0 when there is no
// number, or npos when it has too many digits or decimals.
struct Decimal {
  uint64_t integer = 0;
  uint64_t fraction = 0;
  int decimals = 0;
};

enum class DecimalError { kNone, kNoNumber, kTooManyDecimals, kTooLarge };

DecimalError ReadDecimal(std::string_view text, Decimal* out, size_t* used) {
  size_t i = 0;
  while (i < text.size() && IsDigit(text[i])) {
    const uint64_t digit = static_cast<uint64_t>(text[i] - '0');
    if (out->integer > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      return DecimalError::kTooLarge;
    }
    out->integer = out->integer * 10 + digit;
    ++i;
  }
  if (i == 0) return DecimalError::kNoNumber;
  if (i < text.size() && text[i] == '.') {
    size_t j = i + 1;
    while (j < text.size() && IsDigit(text[j])) {
      if (out->decimals == kMaxDecimals) return DecimalError::kTooManyDecimals;
      out->fraction = out->fraction * 10 + static_cast<uint64_t>(text[j] - '0');
      ++out->decimals;
      ++j;
    }
    if (j == i + 1) return DecimalError::kNoNumber;  // "5." is not a number
    i = j;
  }
  *used = i;
  return DecimalError::kNone;
}

// value * unit exactly, in units of 1 / unit's base; false when it is not whole or overflows.
enum class ScaleError { kNone, kNotWhole, kTooLarge };
ScaleError Scale(const Decimal& d, uint64_t unit, uint64_t max, uint64_t* result) {
  uint64_t whole = 0;
  if (__builtin_mul_overflow(d.integer, unit, &whole)) return ScaleError::kTooLarge;
  // fraction < 10^6 and unit <= 86400e6 (a day in microseconds): the product fits.
  const uint64_t frac = d.fraction * unit;
  const uint64_t divisor = kPow10[d.decimals];
  if (frac % divisor != 0) return ScaleError::kNotWhole;
  uint64_t total = 0;
  if (__builtin_add_overflow(whole, frac / divisor, &total) || total > max) {
    return ScaleError::kTooLarge;
  }
  *result = total;
  return ScaleError::kNone;
}

struct Unit {
  std::string_view name;
  uint64_t factor;
};

constexpr Unit kDurationUnits[] = {
    {"ms", 1000}, {"s", 1000000}, {"m", 60000000}, {"h", 3600000000}, {"d", 86400000000}};
constexpr Unit kSizeUnits[] = {{"B", 1},          {"KiB", 1024}, {"MiB", 1024 * 1024},
                               {"GiB", 1 << 30},  {"KB", 1000},  {"MB", 1000000},
                               {"GB", 1000000000}};

constexpr std::string_view kDurationHint = "(e.g. 30s, 5m, 1h, 7d)";
constexpr std::string_view kSizeHint = "(e.g. 512KiB, 16MiB, 1GB, 1000000)";

}  // namespace

Result<std::chrono::microseconds> ParseDuration(std::string_view text) {
  const std::string not_one = Quote(text) + " is not a duration " + std::string(kDurationHint);
  if (!text.empty() && text[0] == '-') {
    return InvalidArgumentError(Quote(text) + " is negative (expected a duration >= 0, e.g. 0s)");
  }
  Decimal d;
  size_t used = 0;
  switch (ReadDecimal(text, &d, &used)) {
    case DecimalError::kNone:
      break;
    case DecimalError::kTooManyDecimals:
      return InvalidArgumentError(Quote(text) + " has more than 6 decimals " +
                                  std::string(kDurationHint));
    case DecimalError::kTooLarge:
      return InvalidArgumentError(Quote(text) + " is too large " + std::string(kDurationHint));
    case DecimalError::kNoNumber:
      return InvalidArgumentError(not_one);
  }
  const std::string_view unit = text.substr(used);
  if (unit.empty()) {
    return InvalidArgumentError(Quote(text) + " has no unit (expected ms, s, m, h or d, e.g. " +
                                std::string(text) + "s)");
  }
  for (const Unit& u : kDurationUnits) {
    if (u.name != unit) continue;
    uint64_t us = 0;
    switch (Scale(d, u.factor, std::numeric_limits<int64_t>::max(), &us)) {
      case ScaleError::kNone:
        return std::chrono::microseconds(static_cast<int64_t>(us));
      case ScaleError::kNotWhole:
        return InvalidArgumentError(Quote(text) +
                                    " is finer than a microsecond (expected whole microseconds)");
      case ScaleError::kTooLarge:
        return InvalidArgumentError(Quote(text) + " is too large " + std::string(kDurationHint));
    }
  }
  return InvalidArgumentError(not_one);
}

Result<uint64_t> ParseSize(std::string_view text) {
  const std::string not_one = Quote(text) + " is not a size " + std::string(kSizeHint);
  if (!text.empty() && text[0] == '-') {
    return InvalidArgumentError(Quote(text) + " is negative " + std::string(kSizeHint));
  }
  Decimal d;
  size_t used = 0;
  switch (ReadDecimal(text, &d, &used)) {
    case DecimalError::kNone:
      break;
    case DecimalError::kTooManyDecimals:
      return InvalidArgumentError(Quote(text) + " has more than 6 decimals " +
                                  std::string(kSizeHint));
    case DecimalError::kTooLarge:
      return InvalidArgumentError(Quote(text) + " is too large " + std::string(kSizeHint));
    case DecimalError::kNoNumber:
      return InvalidArgumentError(not_one);
  }
  std::string_view unit = text.substr(used);
  if (unit.empty()) unit = "B";
  for (const Unit& u : kSizeUnits) {
    if (u.name != unit) continue;
    uint64_t bytes = 0;
    switch (Scale(d, u.factor, std::numeric_limits<uint64_t>::max(), &bytes)) {
      case ScaleError::kNone:
        return bytes;
      case ScaleError::kNotWhole:
        return InvalidArgumentError(Quote(text) + " is not a whole number of bytes");
      case ScaleError::kTooLarge:
        return InvalidArgumentError(Quote(text) + " is too large " + std::string(kSizeHint));
    }
  }
  return InvalidArgumentError(Quote(text) +
                              " is not a size (expected a number and B, KiB, MiB, GiB, KB, MB "
                              "or GB, e.g. 16MiB)");
}

Result<uint64_t> ParseUnsigned(std::string_view text) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), IsDigit)) {
    return InvalidArgumentError(Quote(text) + " is not a whole number (expected e.g. 100)");
  }
  uint64_t value = 0;
  for (char c : text) {
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      return InvalidArgumentError(Quote(text) + " is too large");
    }
    value = value * 10 + digit;
  }
  return value;
}

Result<HostPort> ParseHostPort(std::string_view text) {
  const std::string expected = "(expected host:port, e.g. 127.0.0.1:8686 or [::1]:8686)";
  HostPort out;
  std::string_view port;
  if (!text.empty() && text[0] == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return InvalidArgumentError(Quote(text) + " has no closing ']' " + expected);
    }
    const std::string_view host = text.substr(1, close - 1);
    if (host.empty() || host.find(':') == std::string_view::npos ||
        !std::all_of(host.begin(), host.end(), [](char c) {
          return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
                 c == '.';
        })) {
      return InvalidArgumentError(Quote(host) + " is not an IPv6 address " + expected);
    }
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      return InvalidArgumentError(Quote(text) + " has no port " + expected);
    }
    out.host = std::string(host);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return InvalidArgumentError(Quote(text) + " has no port " + expected);
    }
    const std::string_view host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos) {
      return InvalidArgumentError(Quote(text) + ": an IPv6 address needs brackets " + expected);
    }
    if (host.empty() || !std::all_of(host.begin(), host.end(), [](char c) {
          return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
                 c == '.' || c == '_';
        })) {
      return InvalidArgumentError(Quote(host) + " is not a host name or address " + expected);
    }
    out.host = std::string(host);
    port = text.substr(colon + 1);
  }
  Result<uint64_t> number = ParseUnsigned(port);
  if (!number.ok() || *number > 65535 || port.size() > 5) {
    return InvalidArgumentError(Quote(port) +
                                " is not a port (expected 0 to 65535; 0 = any free "
                                "port)");
  }
  out.port = static_cast<uint16_t>(*number);
  return out;
}

std::string ResolvePath(const std::string& base_dir, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute() || base_dir.empty()) return p.lexically_normal().string();
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string Escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7F) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += ch;
    }
  }
  return out;
}

std::string Quote(std::string_view text) {
  constexpr size_t kMaxShown = 64;
  std::string out = "'" + Escape(text.substr(0, kMaxShown));
  if (text.size() > kMaxShown) out += "...";
  out += "'";
  return out;
}

bool IsValidConfigName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == ':' || c == '-';
  });
}

}  // namespace internal

std::string FormatDuration(std::chrono::microseconds d) {
  int64_t us = d.count();
  std::string sign;
  if (us < 0) {
    sign = "-";
    us = us == std::numeric_limits<int64_t>::min() ? std::numeric_limits<int64_t>::max() : -us;
  }
  if (us == 0) return "0s";
  static constexpr std::pair<int64_t, std::string_view> kUnits[] = {
      {86400000000, "d"}, {3600000000, "h"}, {60000000, "m"}, {1000000, "s"}, {1000, "ms"}};
  for (const auto& [factor, name] : kUnits) {
    if (us % factor == 0) return sign + std::to_string(us / factor) + std::string(name);
  }
  // Not whole milliseconds: milliseconds with 3 decimals, trailing zeros trimmed.
  std::string fraction = std::to_string(1000 + us % 1000).substr(1);
  while (fraction.back() == '0') fraction.pop_back();
  return sign + std::to_string(us / 1000) + "." + fraction + "ms";
}

}  // namespace modelwatch::server
