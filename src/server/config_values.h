// The scalar syntaxes of the configuration file, as pure functions: durations, sizes,
// host:port, paths. Each error message is the "what is wrong (expected ...)" part; the caller
// prefixes the place ("FILE:LINE:COL: key.path: ").
// Thread safety: pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "modelwatch/core/status.h"

namespace modelwatch::server::internal {

// "500ms", "30s", "5m", "1.5h", "7d": a non-negative decimal number (at most 6 decimals) and
// one of the units ms, s, m, h, d, with nothing between them. The value must be a whole number
// of microseconds and fit in int64.
Result<std::chrono::microseconds> ParseDuration(std::string_view text);

// "16MiB", "1.5GiB", "512KB", "1000000", "100B": a non-negative decimal number (at most 6
// decimals) and an optional unit B, KiB, MiB, GiB (powers of 1024) or KB, MB, GB (powers of
// 1000); no unit means bytes. The value must be a whole number of bytes.
Result<uint64_t> ParseSize(std::string_view text);

// A non-negative decimal integer without sign, spaces or exponent ("0", "10000").
Result<uint64_t> ParseUnsigned(std::string_view text);

// "127.0.0.1:8686", "localhost:80", "0.0.0.0:0", "[::1]:8686": a host (name, IPv4, or IPv6 in
// brackets) and a port 0-65535. `host` gets the address without brackets.
struct HostPort {
  std::string host;
  uint16_t port = 0;
};
Result<HostPort> ParseHostPort(std::string_view text);

// `path` if absolute or `base_dir` is empty, else base_dir/path; lexically normalized.
std::string ResolvePath(const std::string& base_dir, const std::string& path);

// Model, feature, segment-key, column and token names: [A-Za-z0-9_.:-]{1,128} (they become
// Prometheus label values and URL path segments). The same rule as IsValidName of
// event_parser.h, kept here so that the configuration parser does not depend on the JSON one.
bool IsValidConfigName(std::string_view name);

// Levenshtein distance (for "did you mean" hints on unknown keys).
size_t EditDistance(std::string_view a, std::string_view b);

// `text` with control and non-ASCII bytes as \xNN, so that a message stays one line of
// printable text.
std::string Escape(std::string_view text);

// `text` in single quotes for a message: at most 64 characters (then "..."), control and
// non-ASCII bytes as \xNN so that a message stays one line of printable text.
std::string Quote(std::string_view text);

}  // namespace modelwatch::server::internal
