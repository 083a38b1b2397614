// Reading a /proc or cgroup file through the Env and parsing it with a core parser whose error
// messages then name the real path. Private to probes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "modelwatch/core/status.h"
#include "modelwatch/env/env.h"

namespace modelwatch::probes::internal {

template <typename T>
using Parser = Result<T> (*)(std::string_view text, std::string_view source);

// The parsed content of `path`; the Env's error (kNotFound, kUnavailable, ...) or the parser's.
template <typename T>
Result<T> ReadParsed(env::Env& env, const std::string& path, Parser<T> parse) {
  MW_ASSIGN_OR_RETURN(std::string text, env.ReadFile(path));
  return parse(text, path);
}

// Like ReadParsed, but a file that does not exist or cannot be read (kNotFound, kUnavailable:
// no PSI, no permission) is nullopt. A parse error is still an error.
template <typename T>
Result<std::optional<T>> ReadParsedIfReadable(env::Env& env, const std::string& path,
                                              Parser<T> parse) {
  Result<std::string> text = env.ReadFile(path);
  if (!text.ok()) {
    const StatusCode code = text.status().code();
    if (code == StatusCode::kNotFound || code == StatusCode::kUnavailable) {
      return std::optional<T>();
    }
    return text.status();
  }
  MW_ASSIGN_OR_RETURN(T value, parse(*text, path));
  return std::optional<T>(std::move(value));
}

// Counter increase from `before` to `after`; 0 when the counter went backwards (a reset).
inline uint64_t CounterDelta(uint64_t before, uint64_t after) {
  return after >= before ? after - before : 0;
}

}  // namespace modelwatch::probes::internal
